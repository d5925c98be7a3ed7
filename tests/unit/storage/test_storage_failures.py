"""A failed save raises a clear error and loses nothing: locked, disk full, read-only."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text
from storage_helpers import KEY, OTHER_KEY, PERSONAL_VALUES, make_result

from desktop_app.storage import (
    DatabaseLockedError,
    DatabaseUnavailableError,
    DiskFullError,
    EncryptionKeyError,
    ReadOnlyDatabaseError,
    StorageError,
    Store,
    StoreSettings,
    open_store,
)
from desktop_app.storage.errors import translate

OP = {"operator": "anna.k", "workstation": "desk-3"}


def _snapshot(store: Store) -> tuple[dict[str, int], list[int]]:
    return store.counts(), [r.id for r in store.search_records(limit=None)]


def _assert_nothing_lost(store: Store, before: tuple[dict[str, int], list[int]]) -> None:
    assert _snapshot(store) == before
    assert store.verify_audit().ok
    for rid in before[1]:
        assert store.get_record(rid).value("surname")  # still readable


def _assert_plain_message(err: StorageError) -> None:
    msg = str(err)
    assert "Nothing was saved" in msg or "nothing was" in msg.lower()
    assert "sqlite3" not in msg and "psycopg" not in msg and "INSERT" not in msg
    for value in PERSONAL_VALUES:
        assert value not in msg


def _with_store(url: str, **settings: Any) -> Store:
    return open_store(url, key=KEY, settings=StoreSettings(**settings))


@contextmanager
def _connect_hook(store: Store, hook: Callable[[Any], None]) -> Iterator[None]:
    """Apply ``hook`` to every new DBAPI connection of ``store`` while inside."""

    def on_connect(dbapi_conn: Any, _rec: Any) -> None:
        hook(dbapi_conn)

    store.engine.dispose()
    event.listen(store.engine, "connect", on_connect)
    try:
        yield
    finally:
        event.remove(store.engine, "connect", on_connect)
        store.engine.dispose()


# -- locked -------------------------------------------------------------------------


def test_locked_sqlite_database_times_out_clearly_and_loses_nothing(sqlite_url: str) -> None:
    store = _with_store(sqlite_url, busy_timeout_s=0.3)
    store.confirm_record(make_result(), {}, **OP)
    before = _snapshot(store)
    other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another window holds the write lock
    try:
        with pytest.raises(DatabaseLockedError) as info:
            store.confirm_record(make_result(), {"surname": "CHANGED"}, **OP)
        _assert_plain_message(info.value)
        # Readers are not blocked by a writer (WAL).
        assert _snapshot(store) == before
    finally:
        other.execute("ROLLBACK")
        other.close()
    _assert_nothing_lost(store, before)
    store.confirm_record(make_result(), {}, **OP)  # and it works again
    assert store.counts()["confirmed"] == 2
    store.close()


@pytest.mark.postgres
def test_locked_postgres_database_times_out_clearly_and_loses_nothing(pg_url: str) -> None:
    store = _with_store(pg_url, busy_timeout_s=0.3)
    store.confirm_record(make_result(), {}, **OP)
    before = _snapshot(store)
    other = create_engine(pg_url)
    with other.connect() as conn:
        conn.execute(text("SELECT * FROM audit_head FOR UPDATE"))
        with pytest.raises(DatabaseLockedError) as info:
            store.confirm_record(make_result(), {}, **OP)
        _assert_plain_message(info.value)
        conn.rollback()
    other.dispose()
    _assert_nothing_lost(store, before)
    store.confirm_record(make_result(), {}, **OP)
    store.close()


# -- disk full ----------------------------------------------------------------------


def test_disk_full_sqlite_page_limit(sqlite_url: str) -> None:
    """The database may not grow (PRAGMA max_page_count): saves fail as DiskFullError."""
    store = _with_store(sqlite_url, keep_review_images=True)
    store.confirm_record(make_result(), {}, **OP)
    before = _snapshot(store)

    def no_growth(conn: sqlite3.Connection) -> None:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")

    with _connect_hook(store, no_growth):
        with pytest.raises(DiskFullError) as info:
            for _ in range(50):  # whatever free space pages still had is used up quickly
                store.flag_for_review(make_result(), {}, [], image_bytes=os.urandom(64_000), **OP)
                before = _snapshot(store)
        _assert_plain_message(info.value)
        _assert_nothing_lost(store, before)
    store.confirm_record(make_result(), {}, **OP)  # space again: works
    store.close()


def _fail_on_insert_into(table: str, error: BaseException) -> Callable[..., None]:
    def before_cursor_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()}"):
            raise error

    return before_cursor_execute


def _disk_full_error(store: Store) -> BaseException:
    if store.dialect == "sqlite":
        err = sqlite3.OperationalError("database or disk is full")
        err.sqlite_errorcode = 13  # type: ignore[attr-defined]
        return err
    import psycopg

    return psycopg.errors.DiskFull("could not extend file: No space left on device")


def test_failure_in_the_middle_of_a_save_leaves_no_partial_record(store: Store) -> None:
    """The disk fills after the record row and some field rows went in: all of it is rolled back."""
    store.confirm_record(make_result(), {}, **OP)
    before = _snapshot(store)
    hook = _fail_on_insert_into("corrections", _disk_full_error(store))
    event.listen(store.engine, "before_cursor_execute", hook)
    try:
        with pytest.raises(DiskFullError) as info:
            store.confirm_record(make_result(), {"surname": "CORRECTED"}, **OP)
        _assert_plain_message(info.value)
    finally:
        event.remove(store.engine, "before_cursor_execute", hook)
    _assert_nothing_lost(store, before)
    with store.engine.connect() as conn:
        fields = conn.execute(text("SELECT count(*) FROM record_fields")).scalar_one()
    assert fields == len(make_result().fields)  # only the first record's


# -- read-only ----------------------------------------------------------------------


def test_read_only_connection_fails_clearly_and_loses_nothing(sqlite_url: str) -> None:
    store = _with_store(sqlite_url)
    store.confirm_record(make_result(), {}, **OP)
    before = _snapshot(store)
    with _connect_hook(store, lambda c: c.execute("PRAGMA query_only = ON")):
        with pytest.raises(ReadOnlyDatabaseError) as info:
            store.confirm_record(make_result(), {}, **OP)
        _assert_plain_message(info.value)
        assert _snapshot(store) == before  # reading still works
    _assert_nothing_lost(store, before)
    store.close()


@pytest.mark.postgres
def test_read_only_postgres_transaction_fails_clearly(pg_url: str) -> None:
    store = _with_store(pg_url)
    store.confirm_record(make_result(), {}, **OP)
    before = _snapshot(store)

    def read_only(conn: Any) -> None:
        conn.execute("SET default_transaction_read_only = on")
        conn.commit()

    with _connect_hook(store, read_only):
        with pytest.raises(ReadOnlyDatabaseError) as info:
            store.confirm_record(make_result(), {}, **OP)
        _assert_plain_message(info.value)
    _assert_nothing_lost(store, before)
    store.close()


@contextmanager
def _read_only_folder(folder: Path) -> Iterator[None]:
    """Make ``folder`` and its files read-only for real, even for root (immutable attribute)."""
    files = [p for p in folder.iterdir() if p.is_file()]
    if os.geteuid() != 0:
        os.chmod(folder, 0o555)
        for f in files:
            os.chmod(f, 0o444)
        try:
            yield
        finally:
            os.chmod(folder, 0o755)
            for f in files:
                os.chmod(f, 0o644)
        return
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("running as root without chattr: cannot make a folder read-only")
    proc = subprocess.run(
        [chattr, "+i", *map(str, files), str(folder)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        subprocess.run([chattr, "-i", *map(str, files), str(folder)], capture_output=True, check=False)
        pytest.skip(f"cannot set the immutable attribute here: {proc.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", *map(str, files), str(folder)], check=True)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_read_only_folder_is_reported_plainly_and_loses_nothing(sqlite_url: str) -> None:
    store = _with_store(sqlite_url)
    store.confirm_record(make_result(), {}, **OP)
    before = _snapshot(store)
    store.close()  # the last connection removes the -wal and -shm files
    folder = Path(sqlite_url.removeprefix("sqlite:///")).parent
    with _read_only_folder(folder):
        with pytest.raises(ReadOnlyDatabaseError) as info:
            _with_store(sqlite_url)
        assert str(folder) in str(info.value)
        _assert_plain_message(info.value)
    store = _with_store(sqlite_url)
    _assert_nothing_lost(store, before)
    store.close()


def test_missing_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    with pytest.raises(StorageError) as info:
        open_store(f"sqlite:///{blocker}/db.sqlite3", key=KEY)
    assert isinstance(info.value, DatabaseUnavailableError | ReadOnlyDatabaseError)


def test_wrong_key_is_refused_before_anything_is_read(sqlite_url: str) -> None:
    store = _with_store(sqlite_url)
    store.confirm_record(make_result(), {}, **OP)
    store.close()
    with pytest.raises(EncryptionKeyError, match="does not match"):
        open_store(sqlite_url, key=OTHER_KEY)


def test_no_key_anywhere_for_an_existing_database(sqlite_url: str) -> None:
    store = open_store(sqlite_url)  # no key given: a key file is created (no keyring in tests)
    store.confirm_record(make_result(), {}, **OP)
    store.close()
    key_file = Path(os.environ["PASSPORT_DESK_CONFIG_DIR"]) / "database.key"
    assert key_file.exists()
    key_file.unlink()
    with pytest.raises(EncryptionKeyError, match="No encryption key was found"):
        open_store(sqlite_url)


def test_server_down_is_unavailable(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://nobody@/db?host={tmp_path}&port=1&connect_timeout=2"
    with pytest.raises(DatabaseUnavailableError):
        open_store(url, key=KEY)


@pytest.mark.parametrize(
    ("sqlstate", "expected"),
    [
        ("53100", DiskFullError),
        ("55P03", DatabaseLockedError),
        ("40P01", DatabaseLockedError),
        ("25006", ReadOnlyDatabaseError),
        ("08006", DatabaseUnavailableError),
    ],
)
def test_postgres_error_codes_are_translated(sqlstate: str, expected: type[StorageError]) -> None:
    class FakePgError(Exception):
        pass

    err = FakePgError("x")
    err.sqlstate = sqlstate  # type: ignore[attr-defined]
    assert isinstance(translate(err), expected)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (5, DatabaseLockedError),
        (13, DiskFullError),
        (8, ReadOnlyDatabaseError),
        (14, DatabaseUnavailableError),
    ],
)
def test_sqlite_error_codes_are_translated(code: int, expected: type[StorageError]) -> None:
    err = sqlite3.OperationalError("some error")
    err.sqlite_errorcode = code  # type: ignore[attr-defined]
    assert isinstance(translate(err), expected)


def test_one_damaged_row_is_skipped_by_id_and_the_rest_listed(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 17, finding 14: a damaged ciphertext no longer stops a whole listing or export."""
    from sqlalchemy import text as sql

    ops = {"operator": "anna.k", "workstation": "desk-3"}
    bad = store.confirm_record(make_result(), {}, **ops)
    good = store.confirm_record(make_result(), {}, **ops)
    with store.engine.begin() as conn:
        blob = conn.execute(
            sql("SELECT final_value_enc FROM record_fields WHERE record_id = :i AND key = 'surname'"), {"i": bad}
        ).scalar_one()
        damaged = bytes(blob[:-1]) + bytes([blob[-1] ^ 1])
        conn.execute(
            sql("UPDATE record_fields SET final_value_enc = :b WHERE record_id = :i AND key = 'surname'"),
            {"b": damaged, "i": bad},
        )
    with caplog.at_level("WARNING"):
        assert [r.id for r in store.search_records()] == [good]
    assert f"[{bad}]" in caplog.text
    res = store.export("json", tmp_path / "out.json", since=date(2000, 1, 1), actor="boris.r")
    assert res.count == 1 and res.skipped == (bad,)
    assert store.audit_entries()[-1].details["skipped_ids"] == [bad]
