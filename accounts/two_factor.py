"""The second factor (两步验证): a TOTP device from an authenticator app, and ten recovery codes.

django-otp keeps the devices: a confirmed TOTPDevice is the authenticator app, a StaticDevice holds
the single-use recovery codes. Who must have one is settings.OTP_REQUIRED_ROLES; who may have one
is anyone with the staff, recommender or administrator role (and superusers). Everything that
writes is here and writes the user's activity log; the views turn DomainError into a message.
Codes are checked with the device row locked, so one code cannot be used twice by two requests
that arrive together (TOTPDevice.last_t, a deleted StaticToken).
"""

import base64
import io

import segno
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.exceptions import DomainError
from core.services import activity_record

from .enums import Role
from .models import User
from .services import _require_may_manage

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"


def _is_admin(user: User) -> bool:
    return user.is_superuser or user.has_role(Role.ADMIN)


def two_factor_required(user: User) -> bool:
    """Whether OTP_REQUIRED_ROLES makes a second factor compulsory for `user`."""
    required = set(settings.OTP_REQUIRED_ROLES)
    return (
        ("admin" in required and _is_admin(user))
        or ("staff" in required and user.has_role(Role.STAFF))
        or ("recommender" in required and user.has_role(Role.RECOMMENDER))
    )


def two_factor_allowed(user: User) -> bool:
    """Whether `user` may turn on a second factor (the roles OTP_REQUIRED_ROLES can name)."""
    return _is_admin(user) or user.has_role(Role.STAFF) or user.has_role(Role.RECOMMENDER)


def totp_device_for(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def two_factor_enabled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_secret(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed in: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code in a data: URI, drawn here (the CSP allows data:
    images; no third party sees the secret)."""
    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=5, border=2, title=_("两步验证二维码"))
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def totp_enrol_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator to show the user; the same one again on a reload, so the QR
    code already scanned stays valid. Refused when the user already has a confirmed one."""
    if two_factor_enabled(user):
        raise DomainError(_("已启用两步验证。"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _normalise_totp(code: str) -> str | None:
    code = "".join(code.split())
    return code if len(code) == 6 and code.isdigit() else None


def _normalise_recovery(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _recovery_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def totp_verify(*, user: User, code: str, confirmed: bool = True) -> TOTPDevice | None:
    """The user's authenticator if `code` is its current code and was not used before, else None.

    The row is locked while checking, so two requests with the same code cannot both pass.
    """
    token = _normalise_totp(code)
    if token is None:
        return None
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=confirmed).order_by("-pk").first()
        )
        if device is not None and device.verify_token(token):
            return device
    return None


def recovery_code_verify(*, user: User, code: str) -> StaticDevice | None:
    """Uses up one recovery code: the user's recovery device if `code` was one of them, else None."""
    token = _normalise_recovery(code)
    if not token:
        return None
    with transaction.atomic():
        device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is not None and device.verify_token(token):
            return device
    return None


@transaction.atomic
def totp_enrol_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirms the shown authenticator with its current code; returns it with ten new recovery
    codes (to show once), or None if the code is wrong. Writes "启用两步验证" to the activity log."""
    if two_factor_enabled(user):
        raise DomainError(_("已启用两步验证。"))
    device = totp_verify(user=user, code=code, confirmed=False)
    if device is None:
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _recovery_codes_replace(user)
    activity_record(target=user, by=user, action=_("启用两步验证"))
    return device, codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Ten new recovery codes in place of the old ones (the caller has checked a current code).
    Writes "重新生成恢复码" to the activity log."""
    if not two_factor_enabled(user):
        raise DomainError(_("尚未启用两步验证。"))
    codes = _recovery_codes_replace(user)
    activity_record(target=user, by=user, action=_("重新生成恢复码"))
    return codes


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    """Removes the user's authenticator and recovery codes (the caller has checked a current code).
    Refused when the user's role requires a second factor. Writes "关闭两步验证"."""
    if two_factor_required(user):
        raise DomainError(_("您的账号必须使用两步验证，不能关闭。"))
    _devices_delete(user)
    activity_record(target=user, by=user, action=_("关闭两步验证"))


@transaction.atomic
def two_factor_reset(*, user: User, by: User) -> int:
    """An administrator removes a user's authenticator and recovery codes (a lost phone); the user
    enrols again at the next sign-in if required. Returns the devices removed; writes "重置两步验证"."""
    _require_may_manage(by, user)
    removed = _devices_delete(user)
    if not removed:
        raise DomainError(_("该账号未启用两步验证。"))
    activity_record(target=user, by=by, action=_("重置两步验证"))
    return removed


def _devices_delete(user: User) -> int:
    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    static, _by_model = StaticDevice.objects.filter(user=user).delete()
    return removed + static
