"""The resident identity number (公民身份号码, GB 11643-1999): 17 digits and a check character."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
_ID = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)


def id_check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2, as GB 11643 gives it."""
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper()


def validate_id_number(value: str) -> None:
    value = normalize_id_number(value)
    if len(value) != 18:
        raise ValidationError(_("身份证号码应为18位。"), code="length")
    if not _ID.fullmatch(value):
        raise ValidationError(_("身份证号码前17位应为数字，最后一位为数字或X。"), code="format")
    if id_check_character(value[:17]) != value[17]:
        raise ValidationError(_("身份证号码校验位不正确，请核对。"), code="checksum")
