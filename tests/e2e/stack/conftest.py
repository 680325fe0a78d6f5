"""The production shape, run natively: gunicorn (2 workers, DEBUG=0, whitenoise), a Celery worker
and a separate beat, on a PostgreSQL and a Redis of the test's own, with mail going to a local SMTP
server. Nothing eager, nothing in memory. Started once for the module; the fault tests stop and
start its parts, and each test begins by bringing back whatever is down.

Runs when STACK=1 (`make stack-test`, and `.ci/run`). Needs PostgreSQL's server binaries and
redis-server; with STACK=1 their absence fails the run rather than skipping it.
"""

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .environment import GUNICORN_WORKERS, REPO, stack_environment
from .smtp_sink import SinkServer

BIN = Path(sys.executable).parent
ENABLED = os.environ.get("STACK") == "1"
def wait_for(condition, *, what: str, timeout: float = 90, interval: float = 0.1):
    """Poll `condition` until it returns something truthy, which is returned; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Stack:
    def __init__(self, work: Path):
        self.work = work
        self.pg_port, self.redis_port, self.smtp_port, self.web_port = (free_port() for _ in range(4))
        self.url = f"http://127.0.0.1:{self.web_port}"
        pg_bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not pg_bins or not shutil.which("redis-server"):
            message = "the stack test needs PostgreSQL's server binaries and redis-server (.ci/run installs them)"
            if ENABLED:
                pytest.fail(message)
            pytest.skip(message)
        self.pg_bin = Path(pg_bins[-1]).parent
        self.python = str(BIN / "python")
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.generation: dict[str, int] = {}
        self.env = stack_environment(
            work, pg_port=self.pg_port, redis_port=self.redis_port, smtp_port=self.smtp_port, url=self.url
        )

    # --- running things ------------------------------------------------------------------------

    def _as_postgres(self, *command: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)

    def run(self, *command: str, timeout: float = 300) -> str:
        done = subprocess.run(command, cwd=REPO, env=self.env, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def manage(self, *args: str, timeout: float = 300) -> str:
        return self.run(str(BIN / "python"), "manage.py", *args, timeout=timeout)

    def start(self, name: str, *command: str) -> subprocess.Popen:
        """A long-running process in its own process group (so a kill reaches its children), logging
        to a file per start: worker-1.log, worker-2.log, ..."""
        self.generation[name] = self.generation.get(name, 0) + 1
        log = self.work / f"{name}-{self.generation[name]}.log"
        self.logs[name] = log
        process = subprocess.Popen(
            command, cwd=REPO, env=self.env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = process
        return process

    def signal(self, name: str, signum: int) -> None:
        process = self.processes.pop(name)
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            pass
        process.wait(timeout=60)

    def running(self, name: str) -> bool:
        process = self.processes.get(name)
        return process is not None and process.poll() is None

    def log(self, name: str, generation: int | None = None) -> str:
        path = self.work / f"{name}-{generation or self.generation[name]}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # --- PostgreSQL ----------------------------------------------------------------------------

    def postgres_init(self) -> None:
        data = self.work / "pg"
        if os.geteuid() == 0:
            shutil.chown(self.work, "postgres")
        subprocess.run(self._as_postgres(str(self.pg_bin / "initdb"), "-D", str(data), "-U", "postgres",
                                         "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"),
                       check=True, capture_output=True, text=True)
        self.postgres_start()
        subprocess.run([str(self.pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres",
                        "jiebang"], check=True, capture_output=True)

    def postgres_start(self) -> None:
        options = f"-p {self.pg_port} -k {self.work} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(self._as_postgres(str(self.pg_bin / "pg_ctl"), "-D", str(self.work / "pg"), "-l",
                                         str(self.work / "pg.log"), "-w", "-o", options, "start"),
                       check=True, capture_output=True)

    def postgres_stop(self, mode: str = "fast") -> None:
        subprocess.run(self._as_postgres(str(self.pg_bin / "pg_ctl"), "-D", str(self.work / "pg"), "-m", mode,
                                         "-w", "stop"), capture_output=True)

    def postgres_up(self) -> bool:
        return port_open(self.pg_port)

    def sql(self, query: str, *params):
        """Rows of a query on the stack's database (a connection of its own, like any other client)."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.pg_port, user="postgres", dbname="jiebang",
                             autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    # --- Redis ---------------------------------------------------------------------------------

    def redis_start(self) -> None:
        subprocess.run(["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "no", "--daemonize", "yes", "--pidfile", str(self.work / "redis.pid"),
                        "--dir", str(self.work), "--logfile", str(self.work / "redis.log")], check=True)
        wait_for(lambda: port_open(self.redis_port), what="Redis to accept connections", timeout=30)

    def redis_stop(self) -> None:
        pid = int((self.work / "redis.pid").read_text())
        os.kill(pid, signal.SIGTERM)
        wait_for(lambda: not port_open(self.redis_port), what="Redis to stop", timeout=30)

    def redis_up(self) -> bool:
        return port_open(self.redis_port)

    # --- the portal's processes ----------------------------------------------------------------

    def web_start(self) -> None:
        # As docker-compose.yml's web service, bound to loopback.
        self.start("web", str(BIN / "gunicorn"), "jiebang.wsgi", "-b", f"127.0.0.1:{self.web_port}", "-w", str(GUNICORN_WORKERS),
                   "--timeout", "120", "--access-logfile", "-")
        wait_for(lambda: self.get("/healthz")[0] == 200, what="gunicorn to answer /healthz", timeout=120)

    def worker_start(self) -> None:
        generation = self.generation.get("worker", 0) + 1
        self.start("worker", str(BIN / "celery"), "-A", "jiebang", "worker", "--loglevel=INFO", "--concurrency=2",
                   "-n", f"stack{generation}@%h", "--without-gossip", "--without-mingle")
        wait_for(lambda: " ready." in self.log("worker"), what="the Celery worker to be ready", timeout=120)

    def beat_start(self) -> None:
        # Its schedule file is VAR_DIR/celerybeat-schedule, as in docker-compose.yml.
        self.start("beat", str(BIN / "celery"), "-A", "jiebang", "beat", "--loglevel=INFO")
        wait_for(lambda: "Sending due task" in self.log("beat"), what="beat to send its first task", timeout=60)

    def web_workers(self) -> set[int]:
        """The gunicorn master's worker processes."""
        master = self.processes["web"].pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return {int(pid) for pid in children}

    def get(self, path: str) -> tuple[int, str, dict]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)
        except OSError:
            return 0, "", {}

    def health(self) -> dict:
        status, body, _headers = self.get("/healthz")
        return {"status": status, **(json.loads(body) if body.startswith("{") else {})}

    def task_runs(self, task: str, generation: int | None = None) -> int:
        """How many runs of `task` a worker has finished, by its log."""
        return sum(1 for line in self.log("worker", generation).splitlines()
                   if f"Task {task}[" in line and " succeeded in " in line)

    def ensure_up(self) -> None:
        """Bring back whatever an earlier test stopped."""
        if not self.postgres_up():
            self.postgres_start()
        if not self.redis_up():
            self.redis_start()
        if not self.running("worker"):
            self.worker_start()
        if not self.running("beat"):
            self.beat_start()
        wait_for(lambda: self.health() == {"status": 200, "database": "ok", "broker": "ok"},
                 what="/healthz to report the database and the broker up", timeout=60)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.signal(name, signal.SIGTERM)
        if (self.work / "redis.pid").exists() and self.redis_up():
            self.redis_stop()
        self.postgres_stop("immediate")


@pytest.fixture(scope="module")
def stack():
    if not ENABLED:
        pytest.skip("the stack test runs with STACK=1 (make stack-test, .ci/run)")
    # Not under pytest's temporary directory: the postgres user must reach it.
    work = Path(tempfile.mkdtemp(prefix="jiebang-stack."))
    work.chmod(0o755)
    for volume in ("media", "var"):  # as the image makes /data/media and /data/var
        (work / volume).mkdir()
    stack = Stack(work)
    sink_server = SinkServer(stack.smtp_port)
    stack.sink = sink_server.start()
    stack.sink_loop = sink_server.loop
    try:
        stack.postgres_init()
        stack.redis_start()
        collect = subprocess.Popen([str(BIN / "python"), "manage.py", "collectstatic", "--noinput"], cwd=REPO,
                                   env=stack.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        stack.manage("migrate", "--noinput")
        assert collect.wait(timeout=300) == 0, collect.stderr.read()
        stack.seeded = json.loads(stack.run(str(BIN / "python"), "-m", "tests.e2e.stack.seed", "people"))
        stack.web_start()
        stack.worker_start()
        stack.beat_start()
        yield stack
    finally:
        stack.stop_all()
        sink_server.stop()
        if os.environ.get("STACK_KEEP") != "1":  # STACK_KEEP=1 keeps the logs for a look
            shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def reference_data():
    """The e2e journeys' fixture reloads reference data into pytest-django's test database; the stack
    has its own database, migrated with that data, so there is nothing to do."""


@pytest.fixture
def up(stack):
    stack.ensure_up()
    return stack


@pytest.fixture
def open_page(browser, stack):
    """A Chromium page on the stack's gunicorn, as in the other journeys; CSP reports fail the test."""
    contexts, csp_violations = [], []

    def make(**options):
        context = browser.new_context(base_url=stack.url, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
        context.set_default_timeout(60_000)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        page.on("console", lambda m: "Content Security Policy" in m.text and csp_violations.append(m.text))
        return page

    yield make
    for context in contexts:
        context.close()
    assert csp_violations == []
