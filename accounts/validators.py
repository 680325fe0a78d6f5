import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: the code alphabet has no I, O, S, V, Z; a character's value is its index.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    return (value or "").strip().upper()


def validate_credit_code(value: str) -> None:
    """Validate a unified social credit code, including codes that start with letters.

    python-stdnum rejects real codes whose first eight characters are not all digits, so the
    check is computed here from the standard.
    """
    code = normalize_credit_code(value)
    if len(code) != 18:
        raise ValidationError(_("统一社会信用代码应为18位，当前为%(n)d位。"), code="length", params={"n": len(code)})
    bad = sorted({ch for ch in code if ch not in USCC_ALPHABET})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有无效字符：%(chars)s（不使用 I、O、S、V、Z）。"),
            code="alphabet",
            params={"chars": "、".join(bad)},
        )
    if not code[2:8].isdigit():
        raise ValidationError(_("统一社会信用代码第3至8位应为行政区划代码（数字）。"), code="region")
    if uscc_check_character(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对后重新输入。"), code="checksum")


# ASCII digits only: \d alone would take full-width and other scripts' digits ("１３８…").
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|(0\d{2,3}-?)?\d{7,8}(-\d{1,6})?)$", re.ASCII)


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match((value or "").strip()):
        raise ValidationError(_("请输入11位手机号码，例如13800000000。"), code="mobile")


def validate_phone(value: str) -> None:
    """A mobile number or a landline such as 0471-6328607."""
    if not PHONE_RE.match((value or "").strip().replace(" ", "")):
        raise ValidationError(_("请输入有效的电话号码，例如0471-6328607或13800000000。"), code="phone")


PHONE_SEPARATORS = re.compile(r"[，,、;；/]")


def validate_phone_list(value: str) -> None:
    """One or more phone numbers, separated by 、 or a comma, e.g. "8835371，18747835566"."""
    numbers = [n for n in PHONE_SEPARATORS.split(value or "") if n.strip()]
    if not numbers or not all(PHONE_RE.match(n.strip().replace(" ", "")) for n in numbers):
        raise ValidationError(
            _("请输入有效的电话号码，例如0471-6328607或13800000000；多个号码用“、”分隔。"), code="phone"
        )


def validate_postcode(value: str) -> None:
    if not re.fullmatch(r"\d{6}", (value or "").strip()):
        raise ValidationError(_("邮政编码应为6位数字。"), code="postcode")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's minimum-length check with a message that is translated.

    Django 5.2 builds this one message from a msgid ("… at least %d characters.") that its zh_Hans
    catalogue does not have (the catalogue still has the older "%(min_length)d" spelling), so
    the user saw it in English while the other password messages were in Chinese.
    """

    def get_error_message(self):
        return _("密码太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}
