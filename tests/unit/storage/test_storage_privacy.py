"""Privacy: nothing personal in the database files, in the server's rows, or in the logs."""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from storage_helpers import GIVEN, KEY, PERSONAL_VALUES, SURNAME, make_result

from desktop_app.cli.records import register, save_scan_results
from desktop_app.storage import DatabaseLockedError, Store, StoreSettings, open_store

OP = {"operator": "anna.k", "workstation": "desk-3"}
IMAGE = b"\x89PNG-" + SURNAME.encode() + b"-image-bytes" * 100


def _encodings(value: str) -> list[bytes]:
    return [value.encode("utf-8"), value.encode("utf-16-le"), value.encode().hex().encode()]


def _work(url: str) -> None:
    store = open_store(url, key=KEY, settings=StoreSettings(keep_review_images=True))
    store.confirm_record(make_result(), {"given_names": GIVEN + " JR"}, **OP)
    a = store.flag_for_review(make_result(), {}, [f"name {SURNAME} looks odd"], image_bytes=IMAGE, **OP)
    store.flag_for_review(make_result(), {}, [], image_bytes=IMAGE, **OP)  # image kept, pending
    store.approve_review(
        a, {"surname": SURNAME + "Z"}, reviewer="boris.r", comment=f"{SURNAME} confirmed by phone"
    )
    store.close()


def test_sqlite_files_hold_no_personal_value_in_plain_bytes(sqlite_url: str) -> None:
    _work(sqlite_url)
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    # While open (WAL and shared memory files present) and after close (checkpointed).
    store = open_store(sqlite_url, key=KEY)
    assert store.get_record(1).value("surname") == SURNAME  # the data is there, encrypted
    live = {p.name: p.read_bytes() for p in path.parent.iterdir()}
    store.close()
    closed = {p.name: p.read_bytes() for p in path.parent.iterdir()}
    assert path.name in closed
    for files in (live, closed):
        for name, data in files.items():
            for value in (*PERSONAL_VALUES, SURNAME + "Z", "quistorpelli-passport"):
                for enc in _encodings(value):
                    assert enc not in data, f"{value!r} found in {name}"
            assert IMAGE[:40] not in data


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_database_file_and_folder_are_owner_only(tmp_path: Path) -> None:
    store = open_store(None, key=KEY)  # the default location (isolated by the fixtures)
    store.confirm_record(make_result(), {}, **OP)
    folder = Path(os.environ["PASSPORT_DESK_DATA_DIR"])
    db = folder / "passport-desk.sqlite3"
    assert db.exists()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for p in folder.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0, p.name
    store.close()


@pytest.mark.postgres
def test_postgres_rows_hold_no_personal_value(pg_url: str) -> None:
    _work(pg_url)
    store = open_store(pg_url, key=KEY)
    with store.engine.connect() as conn:
        tables = inspect(conn).get_table_names()
        dump = "\n".join(
            str(row) for table in tables for row in conn.execute(text(f'SELECT t::text FROM "{table}" t'))
        )
    store.close()
    assert "\\x" in dump  # bytea shows as hex: check for hex encodings too
    for value in PERSONAL_VALUES:
        for enc in _encodings(value):
            assert enc.decode("latin-1") not in dump, value


def _all_log_text(records: list[logging.LogRecord]) -> str:
    parts = []
    for r in records:
        parts.append(r.getMessage())
        if r.exc_info:
            parts.append(logging.Formatter().formatException(r.exc_info))
    return "\n".join(parts)


def test_logs_of_a_full_run_hold_no_personal_value(
    sqlite_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Everything at DEBUG, SQLAlchemy's statement log included: still no value."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)
    monkeypatch.setenv("PASSPORT_DESK_KEY", KEY.hex())
    try:
        _work(sqlite_url)
        store = open_store(sqlite_url, key=KEY, settings=StoreSettings(busy_timeout_s=0.2))
        store.search_records(name=SURNAME)
        store.search_records(document_number=make_result().fields["document_number"].value)
        store.list_reviews()
        store.get_review(2)
        store.export("json", tmp_path / "e.json", since=None, actor="boris.r")
        blocker = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        with pytest.raises(DatabaseLockedError):
            store.confirm_record(make_result(), {}, **OP)
        blocker.execute("ROLLBACK")
        blocker.close()
        store.purge(0)
        store.verify_audit()
        store.close()
        save_scan_results([make_result()], database_url=sqlite_url)
        parser = argparse.ArgumentParser()
        register(parser.add_subparsers(dest="command", required=True))
        for argv in (["records", "list", "--json"], ["audit", "verify"], ["db", "upgrade"]):
            args = parser.parse_args([*argv, "--database", sqlite_url])
            assert args.func(args) == 0
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    logged = _all_log_text(caplog.records)
    assert "Saved confirmed record" in logged and "SELECT" in logged  # the logs were really captured
    for value in (*PERSONAL_VALUES, SURNAME + "Z", "quistorpelli-passport"):
        assert value not in logged, value


def test_reason_codes_are_not_stored_in_plain_text(store: Store) -> None:
    """Issue 17, finding 13: `minor`, `expired` tell an age group; they stay encrypted, also in the audit log."""
    from desktop_app.core.types import Flag

    rid = store.flag_for_review(make_result(), {}, [Flag("minor", "The holder is under 18.")], **OP)
    assert store.list_reviews()[0].reason_codes == ("minor",)
    with store.engine.connect() as conn:
        rows = [str(r) for r in conn.execute(text("SELECT * FROM reviews")).all()]
        audit_rows = [str(r) for r in conn.execute(text("SELECT * FROM audit_log")).all()]
    assert not any("minor" in r for r in rows + audit_rows)
    assert store.get_review(rid).reasons[0].code == "minor"
