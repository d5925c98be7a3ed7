"""The audit chain: every action is logged; a changed, deleted or cut-off row is caught."""

from __future__ import annotations

import argparse
import hashlib
import json
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update
from storage_helpers import KEY, make_result

from desktop_app.cli.records import register
from desktop_app.storage import Store
from desktop_app.storage.models import AuditEntry

OP = {"operator": "anna.k", "workstation": "desk-3"}


def _fill(store: Store) -> None:
    store.confirm_record(make_result(), {"surname": "CHANGED"}, **OP)  # create + correct
    a = store.flag_for_review(make_result(), {}, ["check"], **OP)
    b = store.flag_for_review(make_result(), {}, ["check"], **OP)
    store.approve_review(a, {"sex": "M"}, reviewer="boris.r")  # approve + create + correct
    store.reject_review(b, reviewer="boris.r")
    store.purge(3650)


def _sql(store: Store, statement: str) -> None:
    """Tamper as the reviewer did. On PostgreSQL the audit tables are append-only for every
    role (revision 0003's trigger), so this plays a superuser who bypasses triggers."""
    with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(statement))


def test_every_action_is_in_the_chain(store: Store) -> None:
    _fill(store)
    actions = [e.action for e in store.audit_entries()]
    assert actions == [
        "database.create",
        "record.create",
        "record.correct",
        "review.flag",
        "review.flag",
        "review.approve",
        "record.create",
        "record.correct",
        "review.reject",
        "purge",
    ]
    v = store.verify_audit()
    assert v.ok and v.checked == 10 and v.bad_row_id is None
    assert v.rows_checked == 4 and v.covered == 10 and v.signatures_checked


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE audit_log SET details = '{\"fields\":[]}' WHERE id = 5",
        "UPDATE audit_log SET actor = 'mallory' WHERE id = 5",
        "UPDATE audit_log SET action = 'review.reject' WHERE id = 5",
        "UPDATE audit_log SET entity_id = 99 WHERE id = 5",
    ],
)
def test_a_changed_row_is_caught(store: Store, tamper: str) -> None:
    _fill(store)
    _sql(store, tamper)
    v = store.verify_audit()
    assert not v.ok and v.bad_row_id == 5 and "altered" in (v.reason or "")


def test_a_changed_time_is_caught(store: Store) -> None:
    _fill(store)
    with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        at = conn.execute(select(AuditEntry.at).where(AuditEntry.id == 7)).scalar_one()
        conn.execute(update(AuditEntry).where(AuditEntry.id == 7).values(at=at - timedelta(seconds=1)))
    v = store.verify_audit()
    assert not v.ok and v.bad_row_id == 7


def test_a_row_rehashed_without_the_key_is_caught(store: Store) -> None:
    """Someone who recomputes a plain SHA-256 over a changed row still fails: the chain is keyed."""
    _fill(store)
    fake = hashlib.sha256(b"whatever they compute").hexdigest()
    _sql(store, f"UPDATE audit_log SET actor = 'mallory', row_hash = '{fake}' WHERE id = 10")
    _sql(store, f"UPDATE audit_head SET last_hash = '{fake}'")
    v = store.verify_audit()
    assert not v.ok and v.bad_row_id == 10


def test_a_deleted_row_is_caught(store: Store) -> None:
    _fill(store)
    _sql(store, "DELETE FROM audit_log WHERE id = 6")
    v = store.verify_audit()
    assert not v.ok and v.bad_row_id == 6 and "missing" in (v.reason or "")


def test_a_cut_off_tail_is_caught(store: Store) -> None:
    _fill(store)
    _sql(store, "DELETE FROM audit_log WHERE id >= 9")
    v = store.verify_audit()
    assert not v.ok and v.bad_row_id == 9


def test_a_rewound_head_is_caught(store: Store) -> None:
    _fill(store)
    _sql(store, "DELETE FROM audit_log WHERE id = 10")
    with store.engine.begin() as conn:
        prev = conn.execute(text("SELECT row_hash FROM audit_log WHERE id = 9")).scalar_one()
        conn.execute(text("UPDATE audit_head SET last_id = 9, last_hash = :h"), {"h": prev})
    v = store.verify_audit()
    assert not v.ok and v.bad_row_id == 10 and "checkpoint" in (v.reason or "")


def test_audit_rows_hold_no_personal_values(store: Store) -> None:
    from storage_helpers import PERSONAL_VALUES

    _fill(store)
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM audit_log")).all()
    dump = json.dumps([[str(c) for c in row] for row in rows])
    for value in (*PERSONAL_VALUES, "CHANGED"):
        assert value not in dump


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_cli_audit_verify_exit_codes(
    store: Store, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PASSPORT_DESK_KEY", KEY.hex())
    _fill(store)
    assert _cli(["audit", "verify", "--database", db_url]) == 0
    assert "intact (10 entries" in capsys.readouterr().out
    _sql(store, "UPDATE audit_log SET workstation = 'elsewhere' WHERE id = 3")
    assert _cli(["audit", "verify", "--database", db_url]) == 1
    assert "row 3" in capsys.readouterr().out
    assert _cli(["audit", "verify", "--json", "--database", db_url]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and out["bad_row_id"] == 3
