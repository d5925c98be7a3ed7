"""Fixtures for the storage tests: isolated folders and env, a key, SQLite and PostgreSQL URLs.

PostgreSQL: tests marked ``postgres`` use env ``TEST_DATABASE_URL``. When it is unset,
``scripts/postgres_for_tests.sh`` is run once to install (as root on Debian) and start a
throwaway local server; set ``PASSPORT_DESK_TEST_PG=0`` to skip that and the tests.
Each test gets a database of its own (created and dropped around it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from desktop_app.storage import Store, StoreSettings, open_store

sys.path.insert(0, str(Path(__file__).parent))  # storage_helpers, whichever test file pytest starts from
from storage_helpers import KEY

REPO = Path(__file__).resolve().parents[3]
PG_SCRIPT = REPO / "scripts" / "postgres_for_tests.sh"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test touches the real data folder, keyring, key or database."""
    monkeypatch.setenv("PASSPORT_DESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PASSPORT_DESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PASSPORT_DESK_NO_KEYRING", "1")
    for var in ("DATABASE_URL", "PASSPORT_DESK_KEY", "PASSPORT_DESK_HOME", "PASSPORT_DESK_EXPORT_DIR"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'db' / 'passport-desk.sqlite3'}"


def _start_postgres() -> tuple[str | None, str]:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url, ""
    if os.environ.get("PASSPORT_DESK_TEST_PG") == "0":
        return None, "TEST_DATABASE_URL is not set (and PASSPORT_DESK_TEST_PG=0 forbids starting a server)"
    if not PG_SCRIPT.exists():
        return None, "TEST_DATABASE_URL is not set and scripts/postgres_for_tests.sh is missing"
    try:
        proc = subprocess.run(
            ["bash", str(PG_SCRIPT)], capture_output=True, text=True, timeout=240, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"TEST_DATABASE_URL is not set and the local server could not be started: {e}"
    out = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not out:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        return None, f"TEST_DATABASE_URL is not set and scripts/postgres_for_tests.sh failed: {tail}"
    return out[-1].strip(), ""


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    url, why = _start_postgres()
    if not url:
        pytest.skip(why)
    return url


@pytest.fixture
def pg_url(pg_server_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    base = make_url(pg_server_url)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"pdtest_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        own = True
    except Exception:
        # No CREATEDB right: use the given database, emptied.
        own = False
        name = base.database or ""
        with admin.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        if own:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url, key=KEY, settings=StoreSettings(busy_timeout_s=5.0))
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def image_store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url, key=KEY, settings=StoreSettings(keep_review_images=True, busy_timeout_s=5.0))
    try:
        yield s
    finally:
        s.close()
