"""Retention: old records and closed reviews are purged, securely, and the purge is audited."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from sqlalchemy import select, text
from storage_helpers import KEY, days_ago, make_result

from desktop_app.cli.records import register
from desktop_app.storage import InvalidInputError, NotFoundError, Store
from desktop_app.storage.models import Record, RecordField

OP = {"operator": "anna.k", "workstation": "desk-3"}


def test_purge_removes_only_what_is_older_than_the_period(image_store: Store) -> None:
    store = image_store
    with days_ago(400):
        old = store.confirm_record(make_result(), {"surname": "CORRECTED"}, **OP)
        old_rejected = store.flag_for_review(make_result(), {}, [], image_bytes=b"img", **OP)
        store.reject_review(old_rejected, reviewer="boris.r")
        old_pending = store.flag_for_review(make_result(), {}, [], image_bytes=b"img", **OP)
        old_approved = store.flag_for_review(make_result(), {}, [], **OP)
    with days_ago(10):
        young_pending = store.flag_for_review(make_result(), {}, [], image_bytes=b"img2", **OP)
    young = store.confirm_record(make_result(), {}, **OP)
    young_record_of_old_review = store.approve_review(old_approved, {"sex": "M"}, reviewer="boris.r")

    result = store.purge(365, actor="retention-job")
    assert (result.records, result.reviews, result.pending_kept) == (1, 1, 1)
    assert result.pending_images == 1  # kept past pending_image_days (30): dropped, review kept
    with pytest.raises(NotFoundError):
        store.get_record(old)
    with pytest.raises(NotFoundError):
        store.get_review(old_rejected)
    assert store.get_record(young).id == young
    assert store.get_review(old_pending).status == "pending"  # nobody decided it yet: kept
    assert store.get_review_image(old_pending) is None
    assert store.get_review_image(young_pending) == b"img2"
    kept = store.get_record(young_record_of_old_review)  # its review is kept while the record lives
    assert kept.review_id == old_approved and {c.stage for c in kept.corrections} == {"review"}
    with store.engine.connect() as conn:
        orphans = conn.execute(text("SELECT count(*) FROM corrections WHERE record_id = :i"), {"i": old})
        assert orphans.scalar_one() == 0
        assert conn.execute(select(RecordField).where(RecordField.record_id == old)).first() is None

    entry = [e for e in store.audit_entries() if e.action == "purge"][-1]
    assert entry.action == "purge" and entry.actor == "retention-job"
    assert entry.details["records"] == 1 and entry.details["reviews"] == 1
    assert entry.details["older_than_days"] == 365
    assert entry.details["record_ids"] == [[old, old]] and entry.details["review_ids"] == [[old_rejected, old_rejected]]
    overdue = [e for e in store.audit_entries() if e.action == "review.overdue"]
    assert overdue and overdue[-1].details["review_ids"] == [[old_pending, old_pending]]
    assert store.verify_audit().ok


def test_purge_zero_days_and_bad_input(store: Store) -> None:
    store.confirm_record(make_result(), {}, **OP)
    assert store.purge(0).records == 1
    with pytest.raises(InvalidInputError):
        store.purge(-1)


def test_sqlite_purge_is_secure(sqlite_url: str) -> None:
    """secure_delete is on, and the purged ciphertext is nowhere in the files afterwards."""
    from desktop_app.storage import open_store

    store = open_store(sqlite_url, key=KEY)
    with days_ago(30):
        old = store.confirm_record(make_result(), {}, **OP)
    store.confirm_record(make_result(), {}, **OP)
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA secure_delete")).scalar_one() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        blobs = [
            bytes(b)
            for (b,) in conn.execute(select(RecordField.final_value_enc).where(RecordField.record_id == old))
        ]
        index = conn.execute(select(Record.document_number_index).where(Record.id == old)).scalar_one()
    # Push everything into the main file first, so the test really checks deletion there.
    with store.engine.connect() as conn:
        conn.connection.dbapi_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    assert blobs[0] in path.read_bytes()
    index_copies = path.read_bytes().count(index.encode())  # table rows and index entries, both records
    assert store.purge(7).records == 1
    data = b"".join(p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name))
    for blob in blobs:
        assert blob not in data
    assert data.count(index.encode()) == index_copies // 2  # the young record's (same number) only
    store.close()


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_cli_purge(
    store: Store, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PASSPORT_DESK_KEY", KEY.hex())
    with days_ago(100):
        store.confirm_record(make_result(), {}, **OP)
    assert _cli(["purge", "--older-than", "90", "--json", "--database", db_url]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["records"] == 1
    with pytest.raises(SystemExit):
        _cli(["purge", "--older-than", "-3", "--database", db_url])
