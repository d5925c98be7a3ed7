#!/usr/bin/env bash
# A throwaway PostgreSQL server for the storage tests. Idempotent: run it as often as you
# like; a cluster it already started is reused.
#
#   export TEST_DATABASE_URL="$(bash scripts/postgres_for_tests.sh)"
#   .venv/bin/python -m pytest tests/unit/storage -q
#   bash scripts/postgres_for_tests.sh --stop      # stop it and delete its files
#
# Prints only the URL on standard output (progress goes to standard error). As root on
# Debian, installs the `postgresql` package if no server binaries are found, and runs the
# cluster as the `postgres` user. The cluster lives in $PASSPORT_DESK_PG_DIR (default
# ${TMPDIR:-/tmp}/passport-desk-pg), listens on a unix socket in that folder only (no TCP),
# trusts local connections, and runs with fsync off: test data only.
set -euo pipefail

PG_DIR="${PASSPORT_DESK_PG_DIR:-${TMPDIR:-/tmp}/passport-desk-pg}"
PG_PORT="${PASSPORT_DESK_PG_PORT:-55432}"  # names the socket file; no TCP port is opened
DB_NAME="${PASSPORT_DESK_PG_DB:-passport_desk_test}"
DATA="$PG_DIR/data"
LOG="$PG_DIR/server.log"

say() { echo "postgres_for_tests: $*" >&2; }

find_bindir() {
    local d
    if command -v pg_config >/dev/null 2>&1; then
        d="$(pg_config --bindir 2>/dev/null || true)"
        if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
    fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
    done
    for d in /usr/local/pgsql/bin /usr/pgsql-*/bin; do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
    done
    return 1
}

install_postgres() {
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        say "no PostgreSQL server found, and cannot install one (needs root and apt-get)"
        return 1
    fi
    say "installing the postgresql package (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends postgresql >&2; then
        apt-get update >&2
        apt-get install -y --no-install-recommends postgresql >&2
    fi
}

# Run a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        if command -v runuser >/dev/null 2>&1; then
            runuser -u postgres -- "$@"
        else
            su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
        fi
    else
        "$@"
    fi
}

url() {
    local user
    if [ "$(id -u)" -eq 0 ]; then user=postgres; else user="$(id -un)"; fi
    echo "postgresql+psycopg://${user}@/${DB_NAME}?host=${PG_DIR}&port=${PG_PORT}"
}

BINDIR="$(find_bindir || true)"

if [ "${1:-}" = "--stop" ]; then
    if [ -n "$BINDIR" ] && [ -f "$DATA/PG_VERSION" ]; then
        as_owner "$BINDIR/pg_ctl" -D "$DATA" -m fast -w stop >&2 || true
    fi
    rm -rf "$PG_DIR"
    say "stopped and removed $PG_DIR"
    exit 0
fi

if [ -z "$BINDIR" ]; then
    install_postgres
    BINDIR="$(find_bindir)" || { say "PostgreSQL server binaries still not found"; exit 1; }
fi

if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    say "there is no 'postgres' user to run the server as"
    exit 1
fi

if [ ! -f "$DATA/PG_VERSION" ]; then
    rm -rf "$PG_DIR"
    mkdir -p "$PG_DIR"
    chmod 700 "$PG_DIR"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$PG_DIR"; fi
    say "creating a throwaway cluster in $DATA"
    su_user="$(if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi)"
    as_owner "$BINDIR/initdb" -D "$DATA" -U "$su_user" -A trust -E UTF8 --locale=C --no-sync >"$PG_DIR/initdb.log" 2>&1 \
        || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
fi

if ! as_owner "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    say "starting the server (socket in $PG_DIR)"
    rm -f "$DATA/postmaster.pid"
    as_owner "$BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
        -o "-c listen_addresses='' -k $PG_DIR -p $PG_PORT -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
        start >&2 || { tail -n 30 "$LOG" >&2 || true; exit 1; }
fi

if ! as_owner "$BINDIR/psql" -h "$PG_DIR" -p "$PG_PORT" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
    as_owner "$BINDIR/createdb" -h "$PG_DIR" -p "$PG_PORT" "$DB_NAME"
fi

url
