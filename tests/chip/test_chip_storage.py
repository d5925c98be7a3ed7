"""The chip read kept with a record: encrypted, audited, and old records still open."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from desktop_app.core.types import DocumentResult, Field
from desktop_app.storage import StoreSettings, open_store
from desktop_app.storage.chip_records import chip_read_of, save_chip_read

KEY = bytes(range(32))
CHIP = {
    "status": "ok", "access": "BAC", "data_groups": ["COM", "DG1", "DG2", "SOD"],
    "fields": {"surname": {"value": "ERIKSSON", "source": "chip"}},
    "passive_authentication": {"status": "valid", "reason": None},
}


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'chip.sqlite3'}"


def _record(store) -> int:  # type: ignore[no-untyped-def]
    result = DocumentResult(status="ok", format="TD3", document_code="P",
                            fields={"surname": Field("ERIKSSON", 0.99, "mrz"), "document_number": Field("L898902C3", 0.99, "mrz")})
    return store.confirm_record(result, {}, operator="anna", workstation="desk-1")


def test_chip_read_is_kept_encrypted_and_audited(url: str) -> None:
    store = open_store(url, key=KEY, settings=StoreSettings(busy_timeout_s=5.0))
    try:
        rid = _record(store)
        assert chip_read_of(store, rid) is None  # a record saved without a chip read
        save_chip_read(store, rid, CHIP, operator="anna", workstation="desk-1")
        assert chip_read_of(store, rid) == CHIP
        entries = store.audit_entries()
        chip_entries = [e for e in entries if e.action == "record.chip_read"]
        assert len(chip_entries) == 1
        assert "ERIKSSON" not in str(chip_entries[0])
        assert store.verify_audit().ok
    finally:
        store.close()
    engine = create_engine(url)
    with engine.connect() as conn:
        blob, pa = conn.execute(text("select result_enc, passive_auth from record_chip_reads")).one()
    engine.dispose()
    assert pa == "valid"
    assert b"ERIKSSON" not in blob


def test_unknown_status_is_refused(url: str) -> None:
    store = open_store(url, key=KEY)
    try:
        rid = _record(store)
        with pytest.raises(ValueError):
            save_chip_read(store, rid, {"passive_authentication": {"status": "fine"}}, operator="a", workstation="w")
    finally:
        store.close()


def test_records_from_before_the_chip_revision_still_open(url: str) -> None:
    from desktop_app.storage import migrate

    store = open_store(url, key=KEY)
    rid = _record(store)
    store.close()
    engine = create_engine(url)
    migrate._run_upgrade(engine, "0003_audit_anchor", down=True)
    with engine.connect() as conn:
        tables = [r[0] for r in conn.execute(text("select name from sqlite_master where type='table'"))]
    assert "record_chip_reads" not in tables
    migrate._run_upgrade(engine, "head")
    engine.dispose()
    store = open_store(url, key=KEY)
    try:
        assert store.get_record(rid) is not None
        assert chip_read_of(store, rid) is None
    finally:
        store.close()


def test_purge_takes_the_chip_read_with_its_record(url: str) -> None:
    """The chip result is personal data: retention removes it with the record it belongs to."""
    from tests.unit.storage.storage_helpers import days_ago

    store = open_store(url, key=KEY)
    try:
        with days_ago(400):
            old = _record(store)
            save_chip_read(store, old, CHIP, operator="anna", workstation="desk-1")
        new = _record(store)
        save_chip_read(store, new, CHIP, operator="anna", workstation="desk-1")
        store.purge(365)
        assert chip_read_of(store, new) == CHIP
    finally:
        store.close()
    engine = create_engine(url)
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("select record_id from record_chip_reads"))]
    engine.dispose()
    assert ids == [new]
