"""Issue 17, findings 1, 2, 5, 12: what a local user with the database file (and maybe the
master key) can do to the audit trail and the rows, probed as the reviewer did, with SQL."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy import exc as sa_exc
from storage_helpers import KEY, OTHER_KEY, make_result

from desktop_app.cli.records import register
from desktop_app.storage import EncryptionKeyError, Store, StoreSettings, open_store, rowmac
from desktop_app.storage import audit as audit_mod
from desktop_app.storage.crypto import Keys
from desktop_app.storage.errors import TamperedError
from desktop_app.storage.models import Record
from desktop_app.storage.signing import create_signer, public_key_text

OP = {"operator": "anna.k", "workstation": "desk-3"}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "share" / "checkpoints"


@pytest.fixture
def anchored(db_url: str, folder: Path) -> Iterator[Store]:
    """A store that signs its checkpoints and appends them to a folder, as the app does."""
    s = open_store(db_url, key=KEY, settings=StoreSettings(busy_timeout_s=5.0, checkpoint_dir=folder))
    try:
        yield s
    finally:
        s.close()


def _fill(store: Store) -> dict[str, int]:
    rec = store.confirm_record(make_result(), {"surname": "CHANGED"}, **OP)
    a = store.flag_for_review(make_result(), {"sex": "X"}, ["check"], **OP)
    b = store.flag_for_review(make_result(), {}, ["check"], **OP)
    approved = store.approve_review(a, {"sex": "M"}, reviewer="boris.r")
    return {"record": rec, "review": a, "pending": b, "approved": approved}


def _tamper(store: Store, *statements: str, params: dict[str, object] | None = None) -> None:
    """Raw SQL past the application. PostgreSQL: as a superuser bypassing the append-only trigger."""
    with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        for st in statements:
            conn.execute(text(st), params or {})


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


# -- finding 1: wipe and truncation ------------------------------------------------------
def test_a_wiped_log_is_broken_not_intact(
    anchored: Store, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(anchored)
    _tamper(anchored, "DELETE FROM audit_log", "DELETE FROM audit_head")
    v = anchored.verify_audit()
    assert not v.ok and "missing" in (v.reason or "")
    _tamper(anchored, "DELETE FROM audit_checkpoints")  # and every checkpoint in the database too
    v = anchored.verify_audit()
    assert not v.ok and "entries 1 to 8 are missing" in (v.reason or "")  # the folder's checkpoints
    no_folder = open_store(db_url, key=KEY, settings=StoreSettings(create=False))
    try:
        v = no_folder.verify_audit()
    finally:
        no_folder.close()
    assert not v.ok and "empty" in (v.reason or "")  # nothing outside: the first entry is missing
    monkeypatch.setenv("PASSPORT_DESK_KEY", KEY.hex())
    assert _cli(["audit", "verify", "--database", db_url]) == 1
    assert "intact" not in capsys.readouterr().out


def test_a_cut_tail_with_an_older_head_put_back_is_caught(anchored: Store) -> None:
    _fill(anchored)
    with anchored.engine.connect() as conn:
        old_head = conn.execute(text("SELECT last_id, last_hash, mac FROM audit_head")).one()
    anchored.confirm_record(make_result(), {}, **OP)
    anchored.confirm_record(make_result(), {}, **OP)
    restore = "UPDATE audit_head SET last_id = :i, last_hash = :h, mac = :m"
    params = {"i": old_head[0], "h": old_head[1], "m": old_head[2]}
    _tamper(anchored, f"DELETE FROM audit_log WHERE id > {old_head[0]}", restore, params=params)
    v = anchored.verify_audit()
    assert not v.ok and v.bad_row_id == old_head[0] + 1 and "checkpoint" in (v.reason or "")


def test_sqlite_cut_with_its_table_checkpoints_is_caught_by_the_folder(anchored: Store, folder: Path) -> None:
    """On SQLite the local user can trim the checkpoint table too; the folder still knows."""
    if anchored.dialect != "sqlite":
        pytest.skip("PostgreSQL: the checkpoint table is append-only")
    _fill(anchored)
    with anchored.engine.connect() as conn:
        old_head = conn.execute(text("SELECT last_id, last_hash, mac FROM audit_head")).one()
    anchored.confirm_record(make_result(), {}, **OP)
    params = {"i": old_head[0], "h": old_head[1], "m": old_head[2]}
    _tamper(
        anchored,
        f"DELETE FROM audit_log WHERE id > {old_head[0]}",
        f"DELETE FROM audit_checkpoints WHERE count > {old_head[0]}",
        "DELETE FROM records WHERE id = (SELECT max(id) FROM records)",
        "UPDATE audit_head SET last_id = :i, last_hash = :h, mac = :m",
        params=params,
    )
    v = anchored.verify_audit()
    assert not v.ok and str(folder) in (v.reason or "") and "missing" in (v.reason or "")


def test_postgres_audit_tables_are_append_only_for_the_application(anchored: Store) -> None:
    if anchored.dialect != "postgresql":
        pytest.skip("SQLite has no roles: the README says what a local user can do there")
    _fill(anchored)
    for statement in (
        "DELETE FROM audit_log",
        "UPDATE audit_log SET actor = 'mallory'",
        "DELETE FROM audit_checkpoints",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(sa_exc.DBAPIError, match="append-only"), anchored.engine.begin() as conn:
            conn.execute(text(statement))
    assert anchored.verify_audit().ok


# -- finding 2: someone with the master key re-MACs the chain ----------------------------
def _rechain_without(conn: Connection, keys: Keys, drop: set[int]) -> int:
    """What the reviewer's script did: drop entries, renumber, re-MAC, fix the head."""
    rows = conn.execute(
        text("SELECT id, at, actor, workstation, action, entity, entity_id, details FROM audit_log ORDER BY id")
    ).all()
    conn.execute(text("DELETE FROM audit_log"))
    prev, n = audit_mod.GENESIS_HASH, 0
    db_uid = conn.execute(text("SELECT value FROM store_meta WHERE name = 'db_uid'")).scalar_one()
    for r in rows:
        if r.id in drop:
            continue
        n += 1
        at = (datetime.fromisoformat(r.at) if isinstance(r.at, str) else r.at).replace(tzinfo=UTC)
        cols = dict(
            id=n, at=at, actor=r.actor, workstation=r.workstation, action=r.action, entity=r.entity,
            entity_id=r.entity_id, details=r.details, prev_hash=prev,
        )
        digest = audit_mod.row_hash(keys, **cols)
        conn.execute(
            text(
                "INSERT INTO audit_log (id, at, actor, workstation, action, entity, entity_id, details, "
                "prev_hash, row_hash) VALUES (:id, :at, :actor, :workstation, :action, :entity, :entity_id, "
                ":details, :prev_hash, :row_hash)"
            ),
            {**cols, "at": at.replace(tzinfo=None), "row_hash": digest},
        )
        prev = digest
    conn.execute(
        text("UPDATE audit_head SET last_id = :i, last_hash = :h, mac = :m"),
        {"i": n, "h": prev, "m": audit_mod.head_mac(keys, n, prev, db_uid)},
    )
    return n


def test_a_chain_re_maced_with_the_master_key_fails_against_the_signed_checkpoints(
    anchored: Store, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(anchored)
    keys = Keys.from_master(KEY)  # all an operator workstation holds
    with anchored.engine.begin() as conn:
        if anchored.dialect == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        n = _rechain_without(conn, keys, {3, 4})
        # ... and replace the checkpoints by unsigned ones that agree with the new chain.
        conn.execute(text("DELETE FROM audit_checkpoints"))
        last = conn.execute(text("SELECT row_hash FROM audit_log WHERE id = :n"), {"n": n}).scalar_one()
        conn.execute(
            text("INSERT INTO audit_checkpoints (count, last_hash, at) VALUES (:n, :h, '2026-12-02T00:00:00')"),
            {"n": n, "h": last},
        )
    # Without signatures (and without the folder) the forgery passes: that is finding 2.
    unsigned_view = open_store(db_url, key=KEY, settings=StoreSettings(sign_checkpoints=False, create=False))
    try:
        assert unsigned_view.verify_audit(public_keys=[]).ok
    finally:
        unsigned_view.close()
    # With the signing key's public half, neither the table's nor the folder's checkpoints agree.
    v = anchored.verify_audit()
    assert not v.ok
    v = anchored.verify_audit(checkpoints=[])
    assert not v.ok
    # The auditor's pinned public key, from a file, through the command line:
    pub = tmp_path / "auditor.pub"
    signer_pub = anchored.current_checkpoint()  # signed by the workstation's key
    assert signer_pub.signature is not None
    monkeypatch.setenv("PASSPORT_DESK_KEY", KEY.hex())
    from desktop_app.storage.signing import default_signing_key_path, load_signer

    signer = load_signer(default_signing_key_path())
    assert signer is not None
    pub.write_text(public_key_text(signer.public) + "\n")
    assert _cli(["audit", "verify", "--database", db_url, "--public-key", str(pub)]) == 1


def test_checkpoints_signed_with_another_key_are_refused(anchored: Store, tmp_path: Path) -> None:
    """Someone who makes a signing key of their own cannot stand in for the pinned one."""
    _fill(anchored)
    mallory = create_signer(tmp_path / "mallory" / "audit-signing.key")
    assert anchored.verify_audit().ok
    v = anchored.verify_audit(public_keys=[mallory.public])
    assert not v.ok and "signature" in (v.reason or "")


# -- finding 5: rows outside the audit table ---------------------------------------------
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE records SET confirmed_by = 'mallory' WHERE id = :record",
        "UPDATE records SET confirmed_at = '2099-01-01 00:00:00' WHERE id = :record",
        "UPDATE reviews SET status = 'rejected', reviewer = 'mallory' WHERE id = :pending",
        "DELETE FROM corrections WHERE record_id = :record",
        "DELETE FROM record_fields WHERE record_id = :record AND key = 'sex'",
        "UPDATE record_fields SET source = 'mrz', confidence = 0.99 WHERE record_id = :record",
        "DELETE FROM corrections WHERE review_id = :review",
    ],
)
def test_a_row_changed_past_the_application_is_caught(anchored: Store, statement: str) -> None:
    ids = _fill(anchored)
    _tamper(anchored, statement, params=ids)
    v = anchored.verify_audit()
    assert not v.ok and v.reason and "changed outside" in v.reason


def test_a_whole_record_deleted_is_caught(anchored: Store) -> None:
    ids = _fill(anchored)
    _tamper(
        anchored,
        "DELETE FROM corrections WHERE record_id = :record",
        "DELETE FROM record_fields WHERE record_id = :record",
        "DELETE FROM records WHERE id = :record",
        params=ids,
    )
    v = anchored.verify_audit()
    assert not v.ok and f"record {ids['record']} was deleted" in (v.reason or "")


def test_reading_a_changed_record_or_review_refuses_it(anchored: Store) -> None:
    ids = _fill(anchored)
    _tamper(anchored, "UPDATE records SET confirmed_by = 'mallory' WHERE id = :record", params=ids)
    with pytest.raises(TamperedError, match=f"Record {ids['record']}"):
        anchored.get_record(ids["record"])
    _tamper(anchored, "UPDATE review_fields SET confidence = 1.0 WHERE review_id = :pending", params=ids)
    with pytest.raises(TamperedError):
        anchored.get_review(ids["pending"])
    with pytest.raises(TamperedError):  # and it cannot be approved into a record
        anchored.approve_review(ids["pending"], {}, reviewer="boris.r")
    assert anchored.get_record(ids["approved"]).confirmed_by == "boris.r"  # the others still read


def test_a_row_re_maced_with_the_master_key_still_disagrees_with_its_audit_entry(anchored: Store) -> None:
    ids = _fill(anchored)
    _tamper(anchored, "UPDATE records SET confirmed_by = 'mallory' WHERE id = :record", params=ids)
    keys = Keys.from_master(KEY)
    with anchored.engine.begin() as conn:
        from sqlalchemy.orm import Session

        with Session(bind=conn) as session:
            rec = session.get(Record, ids["record"])
            assert rec is not None
            rec.row_mac = rowmac.compute_record(session, keys, rec)
            session.flush()
    assert anchored.get_record(ids["record"]).confirmed_by == "mallory"  # the MAC alone is fooled
    v = anchored.verify_audit()
    assert not v.ok and "differs from its audit entry" in (v.reason or "")


# -- finding 12: the key check cannot be reset --------------------------------------------
def test_a_deleted_key_check_does_not_let_another_key_take_over(db_url: str) -> None:
    store = open_store(db_url, key=KEY)
    rid = store.confirm_record(make_result(), {}, **OP)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM store_meta WHERE name = 'key_check'"))
    store.close()
    with pytest.raises(EncryptionKeyError, match="key check value is missing"):
        open_store(db_url, key=OTHER_KEY)
    with pytest.raises(EncryptionKeyError, match="key check value is missing"):
        open_store(db_url, key=KEY)  # nothing was rewritten by the wrong key's attempt
    from sqlalchemy import create_engine

    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM store_meta WHERE name = 'key_check'")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM records WHERE id = :i"), {"i": rid}).scalar() == 1
    finally:
        engine.dispose()


def test_cli_checkpoint_export_and_verify_against_it(
    anchored: Store, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PASSPORT_DESK_KEY", KEY.hex())
    _fill(anchored)
    out = tmp_path / "auditor" / "desk-3.checkpoints.jsonl"
    out.parent.mkdir()
    assert _cli(["audit", "checkpoint", "--database", db_url, "--out", str(out)]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["count"] == 8 and out.stat().st_mode & 0o077 == 0
    assert _cli(["audit", "verify", "--database", db_url, "--checkpoints", str(out)]) == 0
    capsys.readouterr()
    # Everything inside the database rewound to before the export: the exported one knows.
    _tamper(anchored, "DELETE FROM audit_log WHERE id > 5")
    if anchored.dialect == "sqlite":
        _tamper(anchored, "DELETE FROM audit_checkpoints WHERE count > 5")
    assert _cli(["audit", "verify", "--database", db_url, "--checkpoints", str(out)]) == 1
    assert "broken" in capsys.readouterr().out
    assert _cli(["audit", "verify", "--database", db_url, "--checkpoints", str(tmp_path / "nowhere")]) == 1


# -- finding 9: who acted, and full views --------------------------------------------------
def test_full_views_and_unmasked_searches_are_audited_with_the_os_account(anchored: Store) -> None:
    import pwd

    ids = _fill(anchored)
    account = pwd.getpwuid(os.geteuid()).pw_name
    anchored.get_record(ids["record"], viewer="boris.r")
    anchored.search_records(masked=False)
    anchored.search_records(masked=True)  # masked: no entry
    entries = anchored.audit_entries()
    views = [(e.action, e.actor, e.entity_id) for e in entries if e.action in ("record.view", "records.search_unmasked")]
    assert views == [("record.view", "boris.r", ids["record"]), ("records.search_unmasked", account, None)]
    assert all(e.details["os_account"] == account for e in entries)
    assert anchored.verify_audit().ok


def test_a_review_image_view_is_audited(db_url: str) -> None:
    store = open_store(db_url, key=KEY, settings=StoreSettings(keep_review_images=True))
    try:
        rid = store.flag_for_review(make_result(), {}, [], image_bytes=b"scan", **OP)
        assert store.get_review_image(rid, viewer="boris.r") == b"scan"
        last = store.audit_entries()[-1]
        assert (last.action, last.actor, last.entity_id) == ("review.image_view", "boris.r", rid)
    finally:
        store.close()


def test_a_schema_upgrade_is_audited_once(db_url: str) -> None:
    from desktop_app.storage import upgrade_database
    from desktop_app.storage.migrate import downgrade_database, head_revision

    open_store(db_url, key=KEY).close()
    downgrade_database(db_url, "0002", backup=False)
    upgrade_database(db_url, backup=False)
    for _ in range(2):
        open_store(db_url, key=KEY).close()
    store = open_store(db_url, key=KEY)
    try:
        ups = [e for e in store.audit_entries() if e.action == "database.upgrade"]
        assert len(ups) == 1 and ups[0].details["to"] == head_revision()
    finally:
        store.close()
