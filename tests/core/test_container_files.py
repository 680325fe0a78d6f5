"""The Dockerfile, docker-compose.yml, the settings and the stack test's environment, read against
each other. Docker cannot run on the CI machines; the stack test (tests/e2e/stack) runs the same
processes natively, and these checks keep the files it cannot run in step with it."""

import re
import shlex
from pathlib import Path

import pytest
import yaml

from tests.e2e.stack.environment import GUNICORN_WORKERS, stack_environment

REPO = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
# Set by docker-compose.yml but not by the stack test, and why: the stack serves plain http on
# loopback with no TLS proxy in front, and needs no SMTP login or real signing certificate.
COMPOSE_ONLY = {
    # behind the TLS-terminating proxy
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "AXES_IPWARE_META_PRECEDENCE_ORDER", "AXES_IPWARE_PROXY_COUNT", "AXES_FAILURE_LIMIT", "AXES_COOLOFF_MINUTES",
    # credentials a deployment supplies (empty by default)
    "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "SIGNING_KEY_FILE", "SIGNING_CERT_FILE", "SIGNING_KEY_PASSPHRASE",
}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def dockerfile():
    # One instruction per logical line (continuations joined).
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def settings_names() -> set[str]:
    """Every environment variable jiebang/settings.py reads."""
    source = (REPO / "jiebang" / "settings.py").read_text()
    return set(re.findall(r'env_\w+\(\s*"([A-Z0-9_]+)"', source))


def environment(service: dict) -> dict[str, str]:
    return {key: str(value) for key, value in service["environment"].items()}


def volume_targets(service: dict) -> dict[str, str]:
    return {target: name for name, target in (volume.split(":")[:2] for volume in service["volumes"])}


def image_user(dockerfile) -> str:
    [user] = [line.split()[1] for line in dockerfile if line.startswith("USER ")]
    return user


def test_the_image_runs_as_its_own_user_who_owns_every_volume_mount_point(dockerfile, compose):
    user = image_user(dockerfile)
    assert user not in {"root", "nobody", "0"}
    assert any(re.search(rf"useradd\b.*\b{user}\b", line) for line in dockerfile), "the USER must be created"
    made, owned = set(), set()
    for line in dockerfile:
        for match in re.finditer(r"mkdir -p ((?:/\S+ ?)+)", line):
            made.update(match.group(1).split())
        for match in re.finditer(rf"chown (?:-R )?{user}(?::{user})? ((?:/\S+ ?)+)", line):
            owned.update(match.group(1).split())
    # USER comes after the directories are made and given away.
    user_line = next(i for i, line in enumerate(dockerfile) if line.startswith("USER "))
    assert all("chown" not in line for line in dockerfile[user_line:])
    for name in APP_SERVICES:
        for target in volume_targets(compose["services"][name]):
            assert target in made, f"{target} ({name}'s volume) is not created in the image: Docker would make it root's"
            assert target in owned, f"{target} is not owned by {user}: uploads and the beat schedule would fail"


def test_static_files_are_collected_as_production_serves_them(dockerfile):
    [collect] = [line for line in dockerfile if "collectstatic" in line]
    assert "DEBUG=0" in collect  # whitenoise's compressed storage, which DEBUG=0 uses at run time


def test_compose_sets_only_what_the_settings_read(compose):
    names = settings_names()
    for name in APP_SERVICES:
        unknown = set(environment(compose["services"][name])) - names
        assert not unknown, f"{name} sets {sorted(unknown)}, which jiebang/settings.py never reads"


def test_uploads_and_the_schedule_live_on_volumes_shared_by_every_process(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        env, mounts = environment(service), volume_targets(service)
        assert env["MEDIA_ROOT"] in mounts and env["VAR_DIR"] in mounts
        assert env["DEBUG"] == "0" and "SECRET_KEY" in env
    # Every process sees the same files: the same volume at the same place.
    assert len({tuple(sorted(volume_targets(compose["services"][name]).items())) for name in APP_SERVICES}) == 1


def test_migrations_run_before_gunicorn_and_before_the_worker_and_beat_start(compose):
    web = compose["services"]["web"]
    command = web["command"]
    assert command.index("manage.py migrate") < command.index("gunicorn")
    assert f"-w {GUNICORN_WORKERS}" in command  # the stack test's gunicorn
    port = re.search(r"-b 0\.0\.0\.0:(\d+)", command).group(1)
    assert web["ports"] == [f"{port}:{port}"]
    assert f"127.0.0.1:{port}/healthz" in " ".join(web["healthcheck"]["test"])
    for name in ("worker", "beat"):
        assert compose["services"][name]["depends_on"] == {"web": {"condition": "service_healthy"}}


def test_exactly_one_beat_keeping_its_schedule_on_the_var_volume(compose):
    beats = [name for name, service in compose["services"].items() if " beat" in str(service.get("command", ""))]
    assert beats == ["beat"]
    arguments = shlex.split(compose["services"]["beat"]["command"])
    # No --schedule: the settings put it at VAR_DIR/celerybeat-schedule, on the var volume.
    assert "--schedule" not in arguments and "-s" not in arguments
    assert "celery -A jiebang worker" in compose["services"]["worker"]["command"]
    assert "--beat" not in compose["services"]["worker"]["command"]


def test_the_stack_test_runs_with_the_settings_compose_sets(compose, tmp_path):
    stack = stack_environment(tmp_path, pg_port=1, redis_port=2, smtp_port=3, url="http://127.0.0.1:4")
    composed = set(environment(compose["services"]["web"])) | set(environment(compose["services"]["worker"]))
    assert composed - set(stack) == COMPOSE_ONLY
    assert stack["DEBUG"] == "0" and stack["SECRET_KEY"] and stack["DATABASE_URL"].startswith("postgres://")
    assert stack["CELERY_BROKER_URL"].startswith("redis://")
    # Where compose gives a value (or a default), the stack test runs with the same one.
    web = environment(compose["services"]["web"])
    for name in ("DEBUG", "EMAIL_BACKEND", "EMAIL_USE_TLS", "OTP_REQUIRED_ROLES"):
        default = re.fullmatch(r"\$\{\w+:-(.*)\}", web[name])
        assert stack[name] == (default.group(1) if default else web[name]), name


def test_the_postgresql_client_in_the_image_is_the_servers_version(dockerfile, compose):
    server = compose["services"]["db"]["image"].split(":")[1].split(".")[0]
    assert any(f"postgresql-client-{server}" in line for line in dockerfile)
