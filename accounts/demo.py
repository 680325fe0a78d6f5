"""Demo second factor: the demo administrators sign in with a published authenticator secret.

Called by core's load_demo. The secret is public (printed by `make run` and in README.md), so it
protects nothing: it only lets anyone trying the demo see the two-step sign-in, with an
authenticator app or `oathtool --totp -b SECRET`.
"""

import base64
from binascii import hexlify

from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

DEMO_TOTP_SECRET = "JIEBANGGUASHUAIDEMOTOTPSECRETKEY"  # base32, 20 bytes
DEMO_TOTP_USERS = ("useradmin", "admin")


def load_demo_two_factor() -> int:
    """A confirmed authenticator with DEMO_TOTP_SECRET for each demo administrator that has none;
    returns the devices created (idempotent)."""
    key = hexlify(base64.b32decode(DEMO_TOTP_SECRET)).decode()
    created = 0
    for user in User.objects.filter(username__in=DEMO_TOTP_USERS):
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            continue
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(user=user, name="authenticator (demo)", key=key, confirmed=True)
        created += 1
    return created
