"""Issue 17 finding 10: a key id in every blob, `key rotate` (batched, resumable, audited),
`key backup` for escrow. Old blobs (no key id, or an older id) stay readable until rotated."""

from __future__ import annotations

import argparse
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from storage_helpers import DOC_NO, KEY, SURNAME, make_result

from desktop_app.cli.records import register
from desktop_app.core.types import Flag
from desktop_app.storage import DecryptionError, Store, StoreSettings, open_store, rotation
from desktop_app.storage.crypto import FieldCipher, Keys, blob_key_id
from desktop_app.storage.keys import decode_key, key_fingerprint
from desktop_app.storage.models import AuditEntry, RecordField

OP = {"operator": "anna.k", "workstation": "desk-3"}
IMAGE = b"\x89PNG fake scan bytes" * 50


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


@pytest.fixture
def full(db_url: str) -> Iterator[Store]:
    """Records with corrections, an approved review, a pending review with its image."""
    s = open_store(db_url, key=KEY, settings=StoreSettings(keep_review_images=True, busy_timeout_s=5.0))
    s.confirm_record(make_result(), {"surname": SURNAME + "A"}, **OP)
    s.confirm_record(make_result(number="Y1234567"), {}, **OP)
    approved = s.flag_for_review(make_result(flags=(Flag("check_digit", "bad"),)), {"sex": "M"}, [], **OP)
    s.approve_review(approved, {"given_names": "ZENA"}, reviewer="boris.r", comment="checked")
    s.flag_for_review(make_result(), {}, ["looks odd"], image_bytes=IMAGE, **OP)
    try:
        yield s
    finally:
        s.close()


def _read_everything(s: Store) -> list[object]:
    out: list[object] = []
    for r in s.search_records():
        d = s.get_record(r.id, viewer="auditor")
        out.append((d.value("surname"), d.value("document_number"), [c.final_value for c in d.corrections]))
    for rv in s.list_reviews(None):
        d = s.get_review(rv.id)
        out.append(
            (d.status, d.comment, [r.code for r in d.reasons], s.get_review_image(rv.id, viewer="auditor"))
        )
    return out


def _only(s: Store, *ids: int) -> None:
    s._cipher = FieldCipher(s._keys, max(ids), only=frozenset(ids))


def test_every_new_blob_names_its_key_id(full: Store) -> None:
    status = full.key_status()
    assert status["key_id"] == 0 and status["rotation"] is None
    assert set(status["blobs_by_key_id"]) == {0}  # type: ignore[arg-type]
    with full.engine.connect() as conn:
        blob = conn.execute(select(RecordField.final_value_enc).limit(1)).scalar_one()
    assert blob[0] == 2 and blob[1:5] == b"\0\0\0\0"


def test_blobs_written_before_key_ids_still_decrypt() -> None:
    cipher = FieldCipher(Keys.from_master(KEY))
    new = cipher.encrypt("ERIKSSON", "record:u:surname:final")
    legacy = b"\x01" + new[5:]  # the version-1 layout: no key id
    assert blob_key_id(legacy) == 0
    assert cipher.decrypt(legacy, "record:u:surname:final") == "ERIKSSON"
    with pytest.raises(DecryptionError):
        cipher.decrypt(legacy, "record:u:given_names:final")


def test_rotate_then_read_every_record_with_the_new_key_only(full: Store) -> None:
    before = _read_everything(full)
    res = full.rotate_key(actor="sec.officer", batch=2)
    assert res.done and res.key_id == 1 and res.records == 3 and res.reviews == 2 and res.blobs > 20
    assert full.key_status()["blobs_by_key_id"] == {1: res.blobs}
    _only(full, 1)  # key id 0 is no longer usable: everything must be under key 1
    assert _read_everything(full) == before
    ids = [r.id for r in full.search_records()]
    _only(full, 0)
    assert full.search_records() == []  # every record is "damaged" to the old key alone
    with pytest.raises(DecryptionError):
        full.get_record(ids[0])
    _only(full, 0, 1)
    assert full.verify_audit().ok, full.verify_audit()
    phases = [json.loads(e.details)["phase"] for e in _entries(full) if e.action == "key.rotate"]
    assert phases[0] == "start" and phases[-1] == "done" and phases.count("batch") == 3


def _entries(s: Store) -> list[AuditEntry]:
    with s.engine.connect() as conn:
        return list(conn.execute(select(AuditEntry).order_by(AuditEntry.id)).all())  # type: ignore[arg-type]


def test_new_saves_during_a_rotation_use_the_new_key_and_old_ids_stay_readable(full: Store) -> None:
    res = full.rotate_key(actor="sec.officer", batch=1, max_batches=1)
    assert not res.done and full.key_status()["rotation"] is not None
    counts = full.key_status()["blobs_by_key_id"]
    assert set(counts) == {0, 1}  # type: ignore[arg-type]
    rid = full.confirm_record(make_result(surname="NEWCOMER"), {}, **OP)
    with full.engine.connect() as conn:
        blobs = conn.execute(
            select(RecordField.final_value_enc).where(RecordField.record_id == rid)
        ).scalars()
        assert {blob_key_id(b) for b in blobs} == {1}
    assert full.get_record(rid).value("surname") == "NEWCOMER"
    assert all(r for r in _read_everything(full))  # key 0 rows read fine, not yet rotated
    assert full.verify_audit().ok


def test_an_interrupted_rotation_resumes_where_it_stopped(
    full: Store, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _read_everything(full)
    assert not full.rotate_key(actor="sec.officer", batch=1, max_batches=2).done

    # The process dies in the middle of the reviews: that batch is rolled back whole.
    def crash(self: object, session: object, rev: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as m, pytest.raises(KeyboardInterrupt):
        m.setattr(rotation._Recrypt, "review", crash)
        full.rotate_key(actor="sec.officer", batch=10)
    state = full.key_status()["rotation"]
    assert state == {"from": 0, "to": 1, "record_after": 3, "review_after": 0}
    full.close()

    again = open_store(db_url, key=KEY, settings=StoreSettings(busy_timeout_s=5.0))
    try:
        assert again.verify_audit().ok
        res = again.rotate_key(actor="sec.officer", batch=10)
        assert res.done and res.resumed and res.key_id == 1 and res.records == 0 and res.reviews == 2
        assert set(again.key_status()["blobs_by_key_id"]) == {1}  # type: ignore[arg-type]
        _only(again, 1)
        assert _read_everything(again) == before
        _only(again, 0, 1)
        assert again.verify_audit().ok
        # A second rotation starts a fresh key id.
        assert again.rotate_key(actor="sec.officer").key_id == 2
        assert set(again.key_status()["blobs_by_key_id"]) == {2}  # type: ignore[arg-type]
    finally:
        again.close()


def test_a_rotation_never_launders_a_tampered_row(full: Store) -> None:
    from sqlalchemy import text

    from desktop_app.storage.errors import TamperedError

    with full.engine.begin() as conn:
        conn.execute(text("UPDATE records SET confirmed_by = 'mallory' WHERE id = 1"))
    with pytest.raises(TamperedError):
        full.rotate_key(actor="sec.officer")
    assert not full.verify_audit().ok


def test_cli_key_rotate_status_and_backup(
    full: Store,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PASSPORT_DESK_KEY", KEY.hex())
    capsys.readouterr()
    assert _cli(["key", "rotate", "--database", db_url, "--batch", "1", "--max-batches", "1"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["done"] is False and first["key_id"] == 1
    assert _cli(["key", "rotate", "--database", db_url]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["done"] is True and second["resumed"] is True
    assert _cli(["key", "status", "--database", db_url]) == 0
    assert json.loads(capsys.readouterr().out)["blobs_by_key_id"] == {"1": first["blobs"] + second["blobs"]}

    out = tmp_path / "escrow" / "passport-desk.key"
    out.parent.mkdir()
    assert _cli(["key", "backup", "--database", db_url, "--out", str(out), "--operator", "sec.officer"]) == 0
    shown = capsys.readouterr().out
    assert KEY.hex() not in shown and json.loads(shown)["fingerprint"] == key_fingerprint(KEY)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    line = next(ln for ln in out.read_text().splitlines() if not ln.startswith("#"))
    assert decode_key(line, where="the backup") == KEY
    assert _cli(["key", "backup", "--database", db_url, "--out", str(out)]) == 2  # never overwritten
    assert any(e.action == "key.backup" for e in _entries(full))
    assert DOC_NO not in out.read_text()


def test_cli_key_commands_create_nothing_on_a_missing_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PASSPORT_DESK_KEY", KEY.hex())
    missing = tmp_path / "typo.sqlite3"
    assert _cli(["key", "rotate", "--database", str(missing)]) == 2
    assert _cli(["key", "backup", "--database", str(missing), "--out", str(tmp_path / "k")]) == 2
    assert not missing.exists() and not (tmp_path / "k").exists()
    assert os.listdir(tmp_path) == []
