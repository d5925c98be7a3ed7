"""Export: full values of confirmed records, date range, audited, written safely."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import stat
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from storage_helpers import DOC_NO, KEY, SURNAME, days_ago, make_result

from desktop_app.cli.records import register
from desktop_app.storage import ExportPathError, Store

OP = {"operator": "anna.k", "workstation": "desk-3"}
TODAY = datetime.now().date()


def _records(store: Store) -> tuple[int, int]:
    a = store.confirm_record(make_result(), {"surname": SURNAME + "E"}, **OP)
    b = store.confirm_record(make_result(surname='=HYPERLINK("http://x")', number="AB1234567"), {}, **OP)
    store.flag_for_review(make_result(), {}, [], **OP)  # not confirmed: never exported
    return a, b


def test_csv_export_has_full_values_and_is_audited(store: Store, tmp_path: Path) -> None:
    a, b = _records(store)
    res = store.export("csv", tmp_path / "out.csv", since=TODAY, actor="boris.r")
    assert res.count == 2 and res.path == (tmp_path / "out.csv").resolve()
    rows = list(csv.DictReader(io.StringIO(res.path.read_text(encoding="utf-8-sig"))))
    assert [int(r["record_id"]) for r in rows] == [a, b]
    assert rows[0]["surname"] == SURNAME + "E" and rows[0]["document_number"] == DOC_NO  # not masked
    assert rows[0]["confirmed_by"] == "anna.k"
    assert rows[1]["surname"].startswith("'=")  # a spreadsheet will not run it
    entry = store.audit_entries()[-1]
    assert entry.action == "export" and entry.actor == "boris.r"
    assert entry.details["count"] == 2 and entry.details["record_ids"] == [a, b]
    assert entry.details["format"] == "csv"
    assert store.verify_audit().ok


def test_json_export_with_corrections(store: Store, tmp_path: Path) -> None:
    a, _ = _records(store)
    res = store.export("json", tmp_path / "out.json", since=TODAY, until=TODAY, actor="boris.r")
    data = json.loads(res.path.read_text(encoding="utf-8"))
    first = data["records"][0]
    assert first["record_id"] == a
    assert first["fields"]["surname"] == {"value": SURNAME + "E", "ocr_value": SURNAME, "source": "operator"}
    assert first["corrections"][0]["field"] == "surname" and first["corrections"][0]["by"] == "anna.k"


def test_export_date_range(store: Store, tmp_path: Path) -> None:
    with days_ago(10):
        a = store.confirm_record(make_result(), {}, **OP)
    store.confirm_record(make_result(), {}, **OP)
    res = store.export("csv", tmp_path / "recent.csv", since=TODAY - timedelta(days=2), actor="boris.r")
    assert res.count == 1
    res = store.export(
        "csv", tmp_path / "old.csv", since=date(2000, 1, 1), until=TODAY - timedelta(days=5), actor="x"
    )
    assert res.count == 1
    assert str(a) in res.path.read_text(encoding="utf-8-sig").splitlines()[1].split(",")[0]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_export_file_is_owner_only_even_with_a_loose_umask(store: Store, tmp_path: Path) -> None:
    _records(store)
    old = os.umask(0)
    try:
        res = store.export("json", tmp_path / "out.json", since=TODAY, actor="boris.r")
    finally:
        os.umask(old)
    assert stat.S_IMODE(res.path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_export_refuses_to_escape_the_chosen_folder(store: Store, tmp_path: Path) -> None:
    _records(store)
    exports = tmp_path / "exports"
    exports.mkdir()
    (tmp_path / "elsewhere").mkdir()
    with pytest.raises(ExportPathError, match="outside"):
        store.export("csv", "../elsewhere/x.csv", since=TODAY, actor="b", allowed_dir=exports)
    with pytest.raises(ExportPathError, match="outside"):
        store.export("csv", tmp_path / "elsewhere" / "x.csv", since=TODAY, actor="b", allowed_dir=exports)
    (exports / "link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(ExportPathError, match="outside"):
        store.export("csv", "link/x.csv", since=TODAY, actor="b", allowed_dir=exports)
    assert list((tmp_path / "elsewhere").iterdir()) == []
    ok = store.export("csv", "sub.csv", since=TODAY, actor="b", allowed_dir=exports)
    assert ok.path == (exports / "sub.csv").resolve()
    # Refused exports are not audited as exports; the good one is.
    assert [e.action for e in store.audit_entries()].count("export") == 1


def test_export_never_overwrites_or_follows_a_link(store: Store, tmp_path: Path) -> None:
    _records(store)
    existing = tmp_path / "existing.csv"
    existing.write_text("keep me")
    with pytest.raises(ExportPathError, match="already exists"):
        store.export("csv", existing, since=TODAY, actor="b")
    assert existing.read_text() == "keep me"
    target = tmp_path / "victim.txt"
    target.write_text("keep me too")
    (tmp_path / "trap.csv").symlink_to(target)
    with pytest.raises(ExportPathError):
        store.export("csv", tmp_path / "trap.csv", since=TODAY, actor="b")
    assert target.read_text() == "keep me too"
    with pytest.raises(ExportPathError, match="does not exist"):
        store.export("csv", tmp_path / "no-such-folder" / "x.csv", since=TODAY, actor="b")


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_cli_export(
    store: Store,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PASSPORT_DESK_KEY", KEY.hex())
    monkeypatch.setenv("PASSPORT_DESK_OPERATOR", "clara.e")
    _records(store)
    out = tmp_path / "cli.json"
    argv = [
        "export",
        "--format",
        "json",
        "--since",
        TODAY.isoformat(),
        "--out",
        str(out),
        "--database",
        db_url,
    ]
    assert _cli(argv) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 2
    assert len(json.loads(out.read_text())["records"]) == 2
    assert store.audit_entries()[-1].actor == "clara.e"
    assert _cli(argv) == 2  # exists: refused, plain message
    assert "already exists" in capsys.readouterr().err
    exports = tmp_path / "exports"
    exports.mkdir()
    bad = [
        "export",
        "--format",
        "csv",
        "--since",
        "2020-01-01",
        "--out",
        "../x.csv",
        "--export-dir",
        str(exports),
    ]
    assert _cli([*bad, "--database", db_url]) == 2
    assert "outside" in capsys.readouterr().err
