#!/usr/bin/env bash
# `make bench` (issue 9): a throwaway PostgreSQL and Redis on loopback (as .ci/run starts them), the
# bench data set, then scripts/bench.py, which serves with gunicorn and prints one BENCH line per
# figure. Exits non-zero if a figure falls short. BENCH_ONLY=pages,export,crush,sweeps,pdf picks phases.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PGBIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
WORK=$(mktemp -d /tmp/jiebang-bench.XXXXXX)
PGPORT=${BENCH_PGPORT:-55532}
REDISPORT=${BENCH_REDISPORT:-56479}

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cleanup() {
    [ -f "$WORK/redis.pid" ] && kill "$(cat "$WORK/redis.pid")" 2>/dev/null || true
    if [ -d "$WORK/pg" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$WORK"
fi
as_pg "$PGBIN/initdb" -D "$WORK/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w \
    -o "-p $PGPORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
redis-server --port "$REDISPORT" --bind 127.0.0.1 --save "" --appendonly no \
    --daemonize yes --pidfile "$WORK/redis.pid" --dir "$WORK" >/dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres jiebang

export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/jiebang"
export CELERY_BROKER_URL="redis://127.0.0.1:$REDISPORT/0"
export REDIS_URL="$CELERY_BROKER_URL"
export DEBUG=0
export SECRET_KEY="bench-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export MEDIA_ROOT="$WORK/media"
export EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"
export BENCH_WORK="$WORK"

"$BIN/python" manage.py migrate --noinput -v0
"$BIN/python" manage.py collectstatic --noinput -v0
echo "loading the bench data set ..."
"$BIN/python" manage.py load_bench ${BENCH_LOAD_ARGS:-} --out "$WORK/manifest.json" 2>&1 | grep -v "^AXES"
# Statistics for the planner, as a database in service has them (autovacuum would gather them a
# little later, in the middle of the first measurement).
"$PGBIN/vacuumdb" -h 127.0.0.1 -p "$PGPORT" -U postgres --analyze-only --quiet jiebang
"$BIN/python" scripts/bench.py "$WORK/manifest.json"
