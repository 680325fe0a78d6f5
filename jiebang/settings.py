"""Settings for the 揭榜挂帅 portal, read from environment variables.

The defaults make `make run` work on a machine with nothing installed (SQLite, a filesystem
Celery broker); production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and friends.
"""

import datetime
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    import os

    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name, "1" if default else "0").strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = env_str(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_optional_int(name: str) -> int | None:
    """An integer, or None when the variable is unset (for settings where None means "not configured")."""
    raw = env_str(name, "")
    if raw == "":
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_header_pair(name: str) -> tuple[str, str] | None:
    """`HTTP_X_FORWARDED_PROTO,https` → ("HTTP_X_FORWARDED_PROTO", "https"); unset → None."""
    raw = env_str(name, "")
    if raw == "":
        return None
    parts = [part.strip() for part in raw.split(",")]
    if len(parts) != 2 or not parts[0].startswith("HTTP_") or not parts[1]:
        raise ImproperlyConfigured(
            f"{name} must be a request.META header and its value, e.g. HTTP_X_FORWARDED_PROTO,https; got {raw!r}"
        )
    return parts[0], parts[1]


def env_otp_roles(name: str, default: str) -> list[str]:
    """`admin,staff` → the kinds of account that must sign in with a second factor (two_factor)."""
    allowed = {"admin", "staff", "recommender"}
    roles = env_list(name, default)
    if not set(roles) <= allowed:
        raise ImproperlyConfigured(f"{name}: {roles!r} may only name {sorted(allowed)}")
    return roles


def env_lockout_parameters(name: str, default: str) -> list[str | list[str]]:
    """`username,ip_address` → each counted on its own; `username+ip_address` → counted together."""
    allowed = {"username", "ip_address", "user_agent"}
    parameters: list[str | list[str]] = []
    for item in env_list(name, default):
        combined = [part.strip() for part in item.split("+")]
        if not set(combined) <= allowed:
            raise ImproperlyConfigured(f"{name}: {item!r} is not one of {sorted(allowed)} or a '+' combination of them")
        parameters.append(combined[0] if len(combined) == 1 else combined)
    return parameters


# Files the processes write besides uploads: beat's schedule, the demo signing certificate, the
# filesystem broker of `make run`. The container puts it on a volume (/data/var).
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEFAULT_SECRET_KEY = "insecure-development-key-change-me"
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", DEFAULT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (the default key is public).")

# `make bench` only: routes /bench/floor/, the yardstick every page is measured against (issue 9).
BENCH_FLOOR = env_bool("BENCH_FLOOR", False)

# The public page cache (core.pagecache): anonymous visitors' pages, per process, kept until the data
# they show changes, a deadline or opening passes, or this many seconds at most (0 turns it off).
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 60)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "jiebang"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "jiebang-pages",
        "OPTIONS": {"MAX_ENTRIES": 300},
    },
}
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"  # a Chinese page in the portal's layout, not Django's

PORTAL_NAME = env_str("PORTAL_NAME", "内蒙古自治区“揭榜挂帅”项目管理平台")
PORTAL_ORGANISER = env_str("PORTAL_ORGANISER", "内蒙古自治区科学技术厅")
# Confirmed awards are numbered in this format ({year}, {seq}); objections are handled within this
# many working days of being accepted.
PROJECT_NUMBER_FORMAT = env_str("PROJECT_NUMBER_FORMAT", "NMKJ-JBGS-{year}-{seq:03d}")
OBJECTION_HANDLING_DAYS = env_int("OBJECTION_HANDLING_DAYS", 15)
# The task book (contracts/): who seals it (any of lead, issuer, organiser, partner; issuer means
# each issuing enterprise), and for how many years a failed lead is barred from leading (军令状).
TASK_BOOK_SIGNING_PARTIES = env_list("TASK_BOOK_SIGNING_PARTIES", "lead,issuer,organiser")
MILITARY_ORDER_BAR_YEARS = env_int("MILITARY_ORDER_BAR_YEARS", 3)
# The platform's signing key and certificate (PEM files) for the PAdES signature on issued PDFs.
# `make run` makes a self-signed demo pair under var/ when these are not set (scripts/demo_cert.py).
SIGNING_KEY_FILE = env_str("SIGNING_KEY_FILE", "")
SIGNING_CERT_FILE = env_str("SIGNING_CERT_FILE", "")
SIGNING_KEY_PASSPHRASE = env_str("SIGNING_KEY_PASSPHRASE", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "core",
    "accounts",
    "notifications",
    "demands",
    "bangs",
    "applications",
    "reviews",
    "notices",
    "contracts",
    "stats",
    "benchmark",  # make bench tooling only
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): signed in with a second factor in this session (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Sends the password-only sign-in to the code page and logs out sessions without the second
    # factor their account needs (accounts.two_factor).
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.MethodNotAllowedPageMiddleware",
    # Last, so it sees the flag the authentication backend sets and replaces the response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiebang.urls"
WSGI_APPLICATION = "jiebang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Persistent connections: opening a PostgreSQL connection per request costs more CPU than
        # a simple page. The health check replaces a connection the server dropped (a restart).
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # select_for_update does nothing on SQLite and a deferred transaction that reads, then writes,
    # fails with "database is locked" when another writer got in between (two disbursements posted
    # at once). BEGIN IMMEDIATE takes the write lock at the start, so the second one waits its turn.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Password sign-in; permissions are the rules above, not Django model permissions.
    "accounts.backends.PasswordBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    # Our users have a full name and a mobile number rather than Django's first and last name.
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["username", "full_name", "email", "mobile"]},
    },
    # Django's own validator, with a message that is translated (see accounts.validators).
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: a filesystem broker needs no server, so `make run` works with nothing installed.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", env_str("REDIS_URL", "filesystem://"))
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith("redis"):
    # Fail fast when Redis is down or unreachable; notifications.services publishes off the
    # request, and the pending sweep sends what could not be published.
    # A task taken by a worker that died is given to another after `visibility_timeout` seconds
    # (late acknowledgement, below); longer than any task runs, shorter than anyone would wait.
    _visibility = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "visibility_timeout": _visibility,
    }
    if _visibility < 600:
        # A compressed timeout (the stack test): look for abandoned tasks every 2 s rather than
        # kombu's every 10 × 10 s, or the timeout would not be what decides.
        CELERY_BROKER_TRANSPORT_OPTIONS.update(unacked_restore_interval=2, unacked_restore_throttle=1)
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged when it has finished, not when a worker takes it, so a worker killed
# mid-task (SIGKILL, out of memory, a host restart) does not lose it: the broker hands it out
# again. Every task is idempotent (messages are claimed before sending and marked once sent;
# reminders are keyed by event), so running one twice is harmless. One task prefetched at a time,
# so a dying worker holds back no more than it was running.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    "send-pending-emails": {"task": "notifications.send_pending_emails", "schedule": 60.0},
    "bangs-deadline-soon": {"task": "bangs.remind_deadline_soon", "schedule": 3600.0},
    "bangs-deadline-passed": {"task": "bangs.notify_deadline_passed", "schedule": 600.0},
    "applications-remind-drafts": {"task": "applications.remind_drafts", "schedule": 3600.0},
    "applications-notify-recommenders": {"task": "applications.notify_recommenders", "schedule": 600.0},
    "applications-deadline-summaries": {"task": "applications.send_deadline_summaries", "schedule": 900.0},
    "reviews-expire-invitations": {"task": "reviews.expire_invitations", "schedule": 300.0},
    "reviews-remind-scores": {"task": "reviews.remind_scores", "schedule": 3600.0},
    "notices-confirm-due": {"task": "notices.confirm_due", "schedule": 600.0},
    "notices-remind-handling": {"task": "notices.remind_handling", "schedule": 3600.0},
    "contracts-draft-due": {"task": "contracts.draft_due", "schedule": 3600.0},
    "contracts-remind-signing": {"task": "contracts.remind_signing", "schedule": 86400.0},
    "contracts-remind-reports": {"task": "contracts.remind_reports", "schedule": 86400.0},
}
# The stack test compresses time: every periodic task runs this often (seconds). Unset in production.
BEAT_INTERVAL_OVERRIDE_SECONDS = env_optional_int("BEAT_INTERVAL_OVERRIDE_SECONDS")
if BEAT_INTERVAL_OVERRIDE_SECONDS:
    for _entry in CELERY_BEAT_SCHEDULE.values():
        _entry["schedule"] = float(BEAT_INTERVAL_OVERRIDE_SECONDS)
# Unsent e-mail older than this is sent by the sweep (its publish was lost: the broker was down).
NOTIFICATION_SWEEP_AFTER_SECONDS = env_int("NOTIFICATION_SWEEP_AFTER_SECONDS", 60)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "jiebang@localhost")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# A worker's claim on a message it is e-mailing; after this long without the message being marked
# sent, the worker is taken to have died and another may send it. Longer than one message can take.
NOTIFICATION_EMAIL_CLAIM_SECONDS = env_int("NOTIFICATION_EMAIL_CLAIM_SECONDS", 300)
if NOTIFICATION_EMAIL_CLAIM_SECONDS <= EMAIL_TIMEOUT:
    raise ImproperlyConfigured("NOTIFICATION_EMAIL_CLAIM_SECONDS must be longer than EMAIL_TIMEOUT.")

# HTTPS. The defaults suit `make run` (plain http on loopback); production behind a TLS proxy sets
# them all (docker-compose.yml does), and `manage.py check --deploy` is then clean.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# The container's own health check talks plain http to gunicorn, not through the proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Only set this behind a proxy that always overwrites the header, or any client can claim https.
SECURE_PROXY_SSL_HEADER = env_header_pair("SECURE_PROXY_SSL_HEADER")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SESSION_COOKIE_SECURE)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# No inline script and no inline style anywhere (templates, crispy-forms' bootstrap5 pack and
# the Django admin have none; Bootstrap's and our JavaScript set styles through the CSSOM,
# which style-src does not govern), so neither needs 'unsafe-inline'. data: images are
# Bootstrap's SVG icons in its CSS and the empty favicon in base.html.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Sign-in throttling (django-axes): failures are counted per username and, separately, per client
# address; either reaching the limit refuses logins for the cool-off time. Per username stops
# guessing one account from many addresses, per address stops one client trying many accounts.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = env_lockout_parameters("AXES_LOCKOUT_PARAMETERS", "username,ip_address")
# The page says when to retry; tries while locked must not move that time.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Not reset on success: one's own account would wipe an address's count of failures on others.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# The client address: REMOTE_ADDR unless a reverse proxy is configured (README, "Sign-in protection").
AXES_IPWARE_META_PRECEDENCE_ORDER = env_list("AXES_IPWARE_META_PRECEDENCE_ORDER", "REMOTE_ADDR")
AXES_IPWARE_PROXY_COUNT = env_optional_int("AXES_IPWARE_PROXY_COUNT")
# With a proxy count, take the address that many hops from the right of X-Forwarded-For even when
# the client put its own entries in front; strict mode would drop such a header altogether.
IPWARE_STRICT = False

# Second factor (django-otp, accounts.two_factor): a code from an authenticator app (TOTP) after the
# password. OTP_REQUIRED_ROLES names the accounts that must use one: admin (平台管理员 and superusers),
# staff, recommender; the others with those roles may turn it on themselves. Wrong codes count as
# failed logins in django-axes above, so codes and passwords share one lockout; django-otp's own
# per-device delay is off (factor 0) so that there is only that one rule.
OTP_REQUIRED_ROLES = env_otp_roles("OTP_REQUIRED_ROLES", "admin")
OTP_TOTP_ISSUER = PORTAL_NAME
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# The Django admin shows no device's secret, QR code or recovery codes: one superuser must not be
# able to copy another's second factor.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

PAGE_SIZE = 20
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 20) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Links in e-mails point at the port `make run` serves on (scripts/run.sh exports PORT) unless set.
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_str('PORT', '8000')}")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "揭榜挂帅 open data API",
    "DESCRIPTION": "Published lists (榜单) with their bangs (技术榜), indicators and contacts. Read-only.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}
