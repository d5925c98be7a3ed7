"""Issue 17, findings 4, 6, 8: retention runs by itself (at open, daily while open, from the
CLI with the settings' period), and purges what it must: pending reviews' images after N
days, and pre-migration backup copies that hold purged data."""

from __future__ import annotations

import argparse
import json
import sqlite3
from pathlib import Path

import pytest
from storage_helpers import KEY, days_ago, make_result

from desktop_app.cli.records import register
from desktop_app.settings import Settings, save_settings
from desktop_app.storage import NotFoundError, StoreSettings, open_store, upgrade_database
from desktop_app.storage.backups import backups_of
from desktop_app.storage.migrate import downgrade_database

OP = {"operator": "anna.k", "workstation": "desk-3"}


def _old_and_young(url: str) -> tuple[int, int]:
    store = open_store(url, key=KEY)
    try:
        with days_ago(400):
            old = store.confirm_record(make_result(), {}, **OP)
        young = store.confirm_record(make_result(), {}, **OP)
    finally:
        store.close()
    return old, young


def test_a_record_older_than_retention_days_is_gone_once_the_store_opens(db_url: str) -> None:
    old, young = _old_and_young(db_url)
    store = open_store(db_url, key=KEY, settings=StoreSettings(retention_days=365))
    try:
        with pytest.raises(NotFoundError):
            store.get_record(old)
        assert store.get_record(young).id == young
        purge = [e for e in store.audit_entries() if e.action == "purge"]
        assert len(purge) == 1 and purge[0].actor == "retention" and purge[0].details["records"] == 1
        assert store.verify_audit().ok
    finally:
        store.close()


def test_retention_runs_again_once_a_day_while_open(db_url: str) -> None:
    store = open_store(db_url, key=KEY, settings=StoreSettings(retention_days=30))
    try:
        with days_ago(31):
            rid = store.confirm_record(make_result(), {}, **OP)
        store.counts()  # less than a day since the last run: nothing yet
        assert store.get_record(rid).id == rid
        assert store._retention_last is not None
        store._retention_last -= 24 * 3600 + 1  # a day later
        store.counts()
        with pytest.raises(NotFoundError):
            store.get_record(rid)
        assert [e.action for e in store.audit_entries()].count("purge") == 2
    finally:
        store.close()


def test_the_app_opens_its_store_with_retention_on(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.app import store_opener

    monkeypatch.setenv("PASSPORT_DESK_KEY", KEY.hex())
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    old, _ = _old_and_young(sqlite_url)
    store = store_opener(Settings(retention_days=100))()
    try:
        with pytest.raises(NotFoundError):
            store.get_record(old)
    finally:
        store.close()


def test_cli_purge_without_a_period_uses_the_settings(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PASSPORT_DESK_KEY", KEY.hex())
    config = tmp_path / "settings" / "settings.json"
    monkeypatch.setenv("PASSPORT_DESK_CONFIG", str(config))
    save_settings(Settings(retention_days=200), config)
    old, young = _old_and_young(db_url)
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["purge", "--json", "--database", db_url])
    assert args.func(args) == 0
    assert json.loads(capsys.readouterr().out)["records"] == 1
    store = open_store(db_url, key=KEY)
    try:
        with pytest.raises(NotFoundError):
            store.get_record(old)
        assert store.get_record(young).id == young
    finally:
        store.close()


def test_pending_images_are_dropped_after_the_set_days(db_url: str) -> None:
    store = open_store(db_url, key=KEY, settings=StoreSettings(keep_review_images=True, pending_image_days=7))
    try:
        with days_ago(8):
            stale = store.flag_for_review(make_result(), {}, [], image_bytes=b"old scan", **OP)
        fresh = store.flag_for_review(make_result(), {}, [], image_bytes=b"new scan", **OP)
        res = store.purge(365)
        assert res.pending_images == 1 and res.reviews == 0
        assert store.get_review_image(stale) is None and store.get_review(stale).status == "pending"
        assert store.get_review_image(fresh) == b"new scan"
        assert store.verify_audit().ok
    finally:
        store.close()


def _backup_records(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute("SELECT count(*) FROM records").fetchone()[0])
    finally:
        con.close()


def test_backups_holding_purged_records_are_purged_with_them(sqlite_url: str) -> None:
    """The reviewer's probe: after `purge --older-than 0` no backup still holds the records."""
    db = Path(sqlite_url.removeprefix("sqlite:///"))
    _old_and_young(sqlite_url)
    for _ in range(2):  # two upgrades, two backup copies
        downgrade_database(sqlite_url, "0002", backup=False)
        assert upgrade_database(sqlite_url).backup_path is not None
    copies = backups_of(db)
    assert len(copies) == 2 and all(_backup_records(c) == 2 for c in copies)
    store = open_store(sqlite_url, key=KEY)
    try:
        res = store.purge(365)  # the old record is in both copies: both go
        assert res.records == 1 and res.backups == 2
        assert backups_of(db) == []
        purge = [e for e in store.audit_entries() if e.action == "purge"][-1]
        assert purge.details["backups"] == 2
    finally:
        store.close()


def test_a_backup_holding_only_newer_data_stays_until_its_data_expires(sqlite_url: str) -> None:
    db = Path(sqlite_url.removeprefix("sqlite:///"))
    store = open_store(sqlite_url, key=KEY)
    store.confirm_record(make_result(), {}, **OP)
    store.close()
    downgrade_database(sqlite_url, "0002", backup=False)
    upgrade_database(sqlite_url)
    store = open_store(sqlite_url, key=KEY)
    try:
        assert store.purge(365).backups == 0 and len(backups_of(db)) == 1
        assert store.purge(0).backups == 1 and backups_of(db) == []
    finally:
        store.close()


