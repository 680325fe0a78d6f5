"""Test settings: the same as production, made fast and self-contained.

DATABASE_URL still decides the database, so CI runs this against PostgreSQL.
"""

import os

os.environ.setdefault("DEBUG", "1")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
LANGUAGE_CODE = "zh-hans"
# Tests sign administrators in with force_login; tests/accounts/test_two_factor.py turns this on.
OTP_REQUIRED_ROLES = []
