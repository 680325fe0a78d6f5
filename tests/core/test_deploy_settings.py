"""Production settings from the environment: `check --deploy` is clean with them, and complains without."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),  # 67 characters, as check --deploy wants (50+, varied)
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "SESSION_COOKIE_SECURE": "1",
    "CSRF_COOKIE_SECURE": "1",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
}
# Only what a process needs to start: the test run's own variables (DJANGO_ALLOW_ASYNC_UNSAFE set
# by the browser journeys, DEBUG, DATABASE_URL, …) have no place in a production environment.
PASSED_THROUGH = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}


def run(args, env_overrides):
    env = {k: v for k, v in os.environ.items() if k in PASSED_THROUGH}
    env.update(env_overrides, DJANGO_SETTINGS_MODULE="jiebang.settings")
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def deploy_check(env_overrides):
    return run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env_overrides)


def setting(name, env_overrides):
    return run(["-c", f"import django; django.setup(); from django.conf import settings; print(repr(settings.{name}))"],
               env_overrides)


def test_deploy_check_is_clean_with_production_environment():
    result = deploy_check(PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_deploy_check_complains_without_the_https_settings():
    result = deploy_check({"DEBUG": "0", "SECRET_KEY": PRODUCTION["SECRET_KEY"]})
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_deploy_check_complains_about_hsts_without_subdomains_and_preload():
    env = dict(PRODUCTION, SECURE_HSTS_INCLUDE_SUBDOMAINS="0", SECURE_HSTS_PRELOAD="0")
    result = deploy_check(env)
    assert result.returncode != 0
    assert "security.W005" in result.stderr and "security.W021" in result.stderr


def test_make_run_defaults_are_plain_http():
    result = run(["-c", "import django; django.setup(); from django.conf import settings as s; "
                        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
                        "s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)"], {"DEBUG": "1"})
    assert result.stdout.split() == ["False", "0", "False", "False", "None"], result.stderr


def test_proxy_ssl_header_is_read_and_a_malformed_one_fails_loudly():
    good = setting("SECURE_PROXY_SSL_HEADER", {"DEBUG": "1", "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https"})
    assert good.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"
    bad = setting("SECURE_PROXY_SSL_HEADER", {"DEBUG": "1", "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https"})
    assert bad.returncode != 0 and "SECURE_PROXY_SSL_HEADER must be" in bad.stderr


def test_lockout_settings_come_from_the_environment():
    env = {"DEBUG": "1", "AXES_FAILURE_LIMIT": "8", "AXES_COOLOFF_MINUTES": "30",
           "AXES_LOCKOUT_PARAMETERS": "username+ip_address", "AXES_IPWARE_PROXY_COUNT": "1",
           "AXES_IPWARE_META_PRECEDENCE_ORDER": "HTTP_X_FORWARDED_FOR,REMOTE_ADDR"}
    result = run(["-c", "import django; django.setup(); from django.conf import settings as s; "
                        "print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME, s.AXES_LOCKOUT_PARAMETERS, "
                        "s.AXES_IPWARE_PROXY_COUNT, s.AXES_IPWARE_META_PRECEDENCE_ORDER)"], env)
    assert result.stdout.strip() == "8 0:30:00 [['username', 'ip_address']] 1 ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR']"
    defaults = run(["-c", "import django; django.setup(); from django.conf import settings as s; "
                          "print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME, s.AXES_LOCKOUT_PARAMETERS, "
                          "s.AXES_IPWARE_PROXY_COUNT, s.AXES_IPWARE_META_PRECEDENCE_ORDER)"], {"DEBUG": "1"})
    assert defaults.stdout.strip() == "5 0:15:00 ['username', 'ip_address'] None ['REMOTE_ADDR']"
    bad = setting("AXES_LOCKOUT_PARAMETERS", {"DEBUG": "1", "AXES_LOCKOUT_PARAMETERS": "user"})
    assert bad.returncode != 0 and "AXES_LOCKOUT_PARAMETERS" in bad.stderr


def test_database_connections_persist_by_default_and_are_health_checked():
    env = {**PRODUCTION, "DATABASE_URL": "postgres://u@127.0.0.1:5/db"}
    default = setting('DATABASES["default"]', env).stdout
    assert "'CONN_MAX_AGE': 60" in default and "'CONN_HEALTH_CHECKS': True" in default
    assert "'CONN_MAX_AGE': 0" in setting('DATABASES["default"]', {**env, "CONN_MAX_AGE": "0"}).stdout
