# `make run` and `make test` work on a fresh machine with only Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The embedded default runs with DEBUG on; production sets DEBUG=0 and a SECRET_KEY.
export DEBUG ?= 1

.PHONY: run test stack-test install migrate demo lint messages bench backup restore

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

# The demo certificate signs issued task books unless SIGNING_KEY_FILE / SIGNING_CERT_FILE are set
# (kept under var/signing; made once).
demo: migrate
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py make_demo_certificate

run: demo
	PORT=$(PORT) ./scripts/run.sh

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The production shape under test (tests/e2e/stack): gunicorn, a Celery worker and beat on a
# PostgreSQL and a Redis of its own, mail to a local SMTP server, a Chromium journey and the fault
# tests. Needs postgresql, redis-server and chromium (.ci/run installs them and sets STACK=1 for
# the whole suite); about 3 minutes.
stack-test: install
	STACK=1 $(BIN)/python -m pytest tests/e2e/stack $(PYTEST_ARGS)

messages: install
	$(BIN)/python manage.py makemessages -l en --no-location --ignore=.venv --ignore=tests --ignore=staticfiles
	$(BIN)/python manage.py compilemessages -l en --ignore=.venv

# Issue 9's benchmark on a throwaway PostgreSQL and Redis (needs postgresql and redis-server; about
# 15 minutes on 2 cores). Not part of `make test`: a timing is not a test. BENCH_ONLY=pages for a quick run.
bench: install
	BENCH_ONLY=$(BENCH_ONLY) ./scripts/bench.sh

# The database (pg_dump, or a SQLite copy) and MEDIA_ROOT with a SHA-256 manifest, into BACKUP_DIR (default var/backups/<time>/).
backup: install
	$(BIN)/python manage.py backup $(BACKUP_DIR)

# A backup into an EMPTY database and MEDIA_ROOT: make restore BACKUP=var/backups/<time>
restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/<YYYYmmdd-HHMMSS>"; exit 2; }
	$(BIN)/python manage.py restore $(BACKUP)
