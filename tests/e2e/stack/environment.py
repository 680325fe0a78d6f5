"""The environment the stack test gives gunicorn, the worker and beat: docker-compose.yml's, with
loopback addresses, a temporary directory for the volumes, and time compressed.
tests/core/test_container_files.py holds the two against each other."""

import os
import secrets
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
GUNICORN_WORKERS = 2  # as docker-compose.yml's web command
# Time, compressed: every periodic task runs every 2 s; unsent mail is swept after 3 s; a task a dead
# worker held comes back after 10 s; a dead worker's claim on a message lapses after 8 s.
COMPRESSED = {
    "BEAT_INTERVAL_OVERRIDE_SECONDS": "2",
    "NOTIFICATION_SWEEP_AFTER_SECONDS": "3",
    "CELERY_VISIBILITY_TIMEOUT": "10",
    "EMAIL_TIMEOUT": "5",
    "NOTIFICATION_EMAIL_CLAIM_SECONDS": "8",
}


def stack_environment(work: Path, *, pg_port: int, redis_port: int, smtp_port: int, url: str) -> dict[str, str]:
    # The machine's environment (PATH, locale) without the test run's own settings.
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "EMAIL_", "PYTEST_", "OTP_", "AXES_"))
        and key not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"}
    }
    env.update(COMPRESSED)
    env.update({
        "DJANGO_SETTINGS_MODULE": "jiebang.settings",
        "PYTHONPATH": str(REPO),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": url,
        "SITE_URL": url,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pg_port}/jiebang",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "MEDIA_ROOT": str(work / "media"),
        "VAR_DIR": str(work / "var"),
        "STATIC_ROOT": str(work / "static"),  # the image collects into the default at build time
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "0",
        "DEFAULT_FROM_EMAIL": "jiebang@stack.test",
        "OTP_REQUIRED_ROLES": "admin",
        "LOG_LEVEL": "INFO",
    })
    return env
