#!/usr/bin/env bash
# Set up (idempotent) and run every check: ruff, mypy, layer contracts, the whole pytest
# suite (unit, storage on SQLite and PostgreSQL, GUI offscreen, real-OCR end to end).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
export PYTHONDONTWRITEBYTECODE=1

echo "== ruff"
.venv/bin/ruff check desktop_app tests bench scripts installer resources/pyinstaller resources/icons
echo "== mypy (strict on core)"
.venv/bin/mypy
echo "== import contracts"
.venv/bin/lint-imports
echo "== model manifest"
(cd resources/models && sha256sum -c --quiet MANIFEST.sha256)

if [ -z "${TEST_DATABASE_URL:-}" ] && [ -x scripts/postgres_for_tests.sh ]; then
  if url=$(scripts/postgres_for_tests.sh 2>/tmp/passport-desk-postgres.log | tail -n 1) && [ -n "$url" ]; then
    export TEST_DATABASE_URL="$url"
    echo "== PostgreSQL for tests: ready"
  else
    echo "== PostgreSQL for tests: not available (see /tmp/passport-desk-postgres.log); those tests skip"
  fi
fi

echo "== pytest"
.venv/bin/python -m pytest "$@"
