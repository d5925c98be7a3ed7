"""Migrations: from empty, from the first schema (with data), backup first, atomic, version checks."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from storage_helpers import KEY, SURNAME, make_result

from desktop_app.storage import (
    DatabaseUnavailableError,
    MigrationError,
    SchemaOutdatedError,
    StoreSettings,
    head_revision,
    open_store,
    upgrade_database,
)
from desktop_app.storage.migrate import FIRST_REVISION, downgrade_database
from desktop_app.storage.models import Base
from desktop_app.storage.service import Store

OP = {"operator": "anna.k", "workstation": "desk-3"}
T = TypeVar("T")


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def _schema_diff(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(ctx, Base.metadata))
    finally:
        engine.dispose()


def test_there_are_at_least_two_revisions() -> None:
    assert head_revision() != FIRST_REVISION


def test_upgrade_from_empty_matches_the_models(db_url: str) -> None:
    result = upgrade_database(db_url)
    assert result.from_revision is None and result.to_revision == head_revision()
    assert result.backup_path is None  # nothing to back up in an empty database
    assert _revision(db_url) == head_revision()
    assert _schema_diff(db_url) == []
    again = upgrade_database(db_url)
    assert not again.changed and again.backup_path is None


def test_open_store_creates_an_empty_database_at_head(db_url: str) -> None:
    open_store(db_url, key=KEY).close()
    assert _revision(db_url) == head_revision()


def _old_database(url: str, fill: Callable[[Store], T], revision: str = FIRST_REVISION) -> T:
    """A database at an older revision, holding what ``fill`` wrote: written at head, then
    taken down with the revisions' own downgrades (which drop what the old schema lacks)."""
    store = open_store(url, key=KEY, settings=StoreSettings(keep_review_images=True))
    try:
        out = fill(store)
    finally:
        store.close()
    downgrade_database(url, revision, backup=False)
    return out


def test_migrate_from_the_first_schema_keeps_the_data(db_url: str) -> None:
    rid, review_id = _old_database(
        db_url,
        lambda old: (
            old.confirm_record(make_result(), {"surname": SURNAME + "X"}, **OP),
            old.flag_for_review(make_result(), {}, ["check"], **OP),
        ),
    )
    assert _revision(db_url) == FIRST_REVISION

    with pytest.raises(SchemaOutdatedError, match="db upgrade"):
        open_store(db_url, key=KEY)

    result = upgrade_database(db_url, backup=True)
    assert result.from_revision == FIRST_REVISION and result.to_revision == head_revision()
    if db_url.startswith("sqlite"):
        # The backup copy holds the old schema and the old data, owner-only.
        assert result.backup_path is not None and result.backup_path.exists()
        assert oct(result.backup_path.stat().st_mode & 0o777) == "0o600"
        con = sqlite3.connect(result.backup_path)
        try:
            assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == FIRST_REVISION
            assert con.execute("SELECT count(*) FROM records").fetchone()[0] == 1
        finally:
            con.close()
    else:
        assert result.backup_path is None  # PostgreSQL: the server's own backups
    assert _schema_diff(db_url) == []

    store = open_store(db_url, key=KEY, settings=StoreSettings(keep_review_images=True))
    assert store.get_record(rid).value("surname") == SURNAME + "X"
    assert store.verify_audit().ok
    new_id = store.approve_review(review_id, {}, reviewer="boris.r")  # touches the new table
    assert store.get_record(new_id).review_id == review_id
    v = store.verify_audit()
    assert v.ok and v.rows_checked == 3
    assert [e.action for e in store.audit_entries()].count("database.seal") == 1
    store.close()


def test_an_older_database_is_sealed_once_and_then_protected(db_url: str) -> None:
    """Revision 0002 databases had no row MACs and no checkpoints: the first open with the key
    seals them (one audited entry), later opens do not seal again, and from then on a changed
    or deleted older row is caught like any other."""
    rid = _old_database(db_url, lambda old: old.confirm_record(make_result(), {}, **OP), revision="0002")
    upgrade_database(db_url, backup=False)
    for _ in range(2):
        open_store(db_url, key=KEY).close()
    store = open_store(db_url, key=KEY)
    seal = [e for e in store.audit_entries() if e.action == "database.seal"]
    assert len(seal) == 1 and seal[0].details["record_ids"] == [[rid, rid]]
    assert store.verify_audit().ok
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE records SET confirmed_by = 'mallory'"))
    v = store.verify_audit()
    assert not v.ok and f"record {rid}" in (v.reason or "")
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM record_fields"))
        conn.execute(text("DELETE FROM corrections"))
        conn.execute(text("DELETE FROM records"))
    v = store.verify_audit()
    assert not v.ok and f"record {rid} was deleted" in (v.reason or "")
    store.close()


def test_downgrade_and_upgrade_again(db_url: str) -> None:
    store = open_store(db_url, key=KEY)
    rid = store.confirm_record(make_result(), {}, **OP)
    store.close()
    downgrade_database(db_url, FIRST_REVISION, backup=False)
    assert "review_images" not in inspect(create_engine(db_url)).get_table_names()
    upgrade_database(db_url, backup=False)
    store = open_store(db_url, key=KEY)
    assert store.get_record(rid).value("surname") == SURNAME
    store.close()


def test_failed_upgrade_leaves_the_database_unchanged(db_url: str) -> None:
    rid = _old_database(db_url, lambda old: old.confirm_record(make_result(), {}, **OP))
    engine = create_engine(db_url)
    with engine.begin() as conn:  # something in the way of revision 0002
        conn.execute(text("CREATE TABLE review_images (x INTEGER)"))
    engine.dispose()
    with pytest.raises(MigrationError, match="left unchanged"):
        upgrade_database(db_url, backup=False)
    assert _revision(db_url) == FIRST_REVISION
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE review_images"))
    engine.dispose()
    upgrade_database(db_url, backup=False)
    store = open_store(db_url, key=KEY)
    assert store.get_record(rid).value("surname") == SURNAME
    store.close()


def test_a_newer_schema_is_refused(db_url: str) -> None:
    open_store(db_url, key=KEY).close()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(SchemaOutdatedError, match="newer"):
        open_store(db_url, key=KEY)
    with pytest.raises(SchemaOutdatedError, match="newer"):
        upgrade_database(db_url)


def test_tables_without_a_version_are_not_touched(sqlite_url: str) -> None:
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.commit()
    con.close()
    with pytest.raises(MigrationError, match="not made by this application"):
        open_store(sqlite_url, key=KEY)
    with pytest.raises(MigrationError):
        upgrade_database(sqlite_url)


def test_create_false_refuses_an_empty_database(sqlite_url: str) -> None:
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True)
    sqlite3.connect(path).close()  # an empty file
    with pytest.raises(SchemaOutdatedError, match="empty"):
        open_store(sqlite_url, key=KEY, settings=StoreSettings(create=False))


def test_create_false_creates_nothing_for_a_missing_file(sqlite_url: str, tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailableError, match="does not exist"):
        open_store(sqlite_url, settings=StoreSettings(create=False))
    assert not (tmp_path / "db").exists()
    assert not (tmp_path / "config").exists()  # no key, no signing key either
