"""The storage commands (`records list`, `db upgrade`, errors) and `scan --save`'s storage."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from storage_helpers import DOC_NO, KEY, OTHER_KEY, SURNAME, make_result

from desktop_app.cli.records import register, save_scan_results
from desktop_app.core.types import DocumentResult, Flag
from desktop_app.storage import Store, head_revision, open_store, resolve_database_url

OP = {"operator": "anna.k", "workstation": "desk-3"}
REPO = Path(__file__).resolve().parents[3]


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


@pytest.fixture
def key_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSPORT_DESK_KEY", KEY.hex())


def test_records_list_masks_numbers(
    store: Store, db_url: str, key_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    rid = store.confirm_record(make_result(), {}, **OP)
    review_id = store.flag_for_review(make_result(flags=(Flag("check_digit", "bad"),)), {}, [], **OP)
    assert _cli(["records", "list", "--json", "--database", db_url]) == 0
    out = capsys.readouterr().out
    items = json.loads(out)
    assert {(i["kind"], i["id"], i["status"]) for i in items} == {
        ("record", rid, "confirmed"),
        ("review", review_id, "pending"),
    }
    assert DOC_NO not in out and "X7Q****2M" in out
    assert next(i for i in items if i["kind"] == "review")["reasons"] == ["check_digit"]

    assert _cli(["records", "list", "--json", "--status", "confirmed", "--database", db_url]) == 0
    assert [i["id"] for i in json.loads(capsys.readouterr().out)] == [rid]
    assert _cli(["records", "list", "--json", "--status", "approved", "--database", db_url]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert _cli(["records", "list", "--json", "--since", "2999-01-01", "--database", db_url]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert _cli(["records", "list", "--database", db_url]) == 0
    text_out = capsys.readouterr().out
    assert "X7Q****2M" in text_out and SURNAME in text_out and DOC_NO not in text_out


def test_bad_arguments_are_usage_errors(db_url: str) -> None:
    with pytest.raises(SystemExit):
        _cli(["records", "list", "--status", "lost", "--database", db_url])
    with pytest.raises(SystemExit):
        _cli(["records", "list", "--since", "yesterday", "--database", db_url])
    with pytest.raises(SystemExit):
        _cli(["export", "--format", "xml", "--since", "2020-01-01", "--out", "x", "--database", db_url])


def test_db_upgrade_command(sqlite_url: str, key_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(["db", "upgrade", "--database", sqlite_url]) == 0
    assert f"to {head_revision()}" in capsys.readouterr().out
    assert _cli(["db", "upgrade", "--database", sqlite_url]) == 0
    assert "up to date" in capsys.readouterr().out


def test_storage_errors_exit_2_with_a_plain_message(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    open_store(sqlite_url, key=KEY).close()
    monkeypatch.setenv("PASSPORT_DESK_KEY", OTHER_KEY.hex())
    assert _cli(["records", "list", "--database", sqlite_url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "does not match" in err and "Traceback" not in err


def test_database_url_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    default = resolve_database_url(None)
    assert default == f"sqlite:///{os.environ['PASSPORT_DESK_DATA_DIR']}/passport-desk.sqlite3"
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db.example/pd")
    assert resolve_database_url(None) == "postgresql+psycopg://u:p@db.example/pd"
    assert resolve_database_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path / 'x.db'}"
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.delenv("PASSPORT_DESK_DATA_DIR")
    monkeypatch.setenv("PASSPORT_DESK_HOME", str(tmp_path / "home"))
    assert resolve_database_url(None) == f"sqlite:///{tmp_path / 'home' / 'passport-desk.sqlite3'}"
    if sys.platform.startswith("linux"):
        monkeypatch.delenv("PASSPORT_DESK_HOME")
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
        assert (
            resolve_database_url(None)
            == f"sqlite:///{tmp_path / 'xdg' / 'passport-desk' / 'passport-desk.sqlite3'}"
        )


def test_save_scan_results_stores_pending_reviews(db_url: str, key_env: None) -> None:
    results = [
        make_result(flags=(Flag("mrz_viz_mismatch", "surname differs"),)),
        make_result(),
        DocumentResult(status="error", file="/scans/broken.pdf", error="cannot decode"),
        DocumentResult(status="no_mrz", file="/scans/blank.png"),
    ]
    ids = save_scan_results(results, database_url=db_url)
    assert len(ids) == 4 and ids == sorted(ids)
    store = open_store(db_url, key=KEY)
    reviews = {r.id: r for r in store.list_reviews("pending")}
    assert set(reviews) == set(ids)
    assert reviews[ids[0]].reason_codes == ("mrz_viz_mismatch",)
    assert reviews[ids[1]].reason_codes == ("cli_scan",)
    assert reviews[ids[2]].reason_codes == ("read_error",)
    assert reviews[ids[3]].reason_codes == ("no_mrz",)
    assert store.get_review(ids[0]).fields["surname"].value == SURNAME
    assert store.get_review(ids[2]).source_file == "/scans/broken.pdf"
    assert store.verify_audit().ok
    store.close()
    assert save_scan_results([], database_url=db_url) == []


def test_module_runs_as_a_program(sqlite_url: str, key_env: None, tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))

    def verify() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "desktop_app", "audit", "verify", "--database", sqlite_url],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=REPO,
        )

    # A read-only command on a missing (mistyped) database creates nothing and fails.
    proc = verify()
    assert proc.returncode == 2 and "does not exist" in proc.stderr
    assert not Path(sqlite_url.removeprefix("sqlite:///")).exists()
    assert not (tmp_path / "db").exists() and not (tmp_path / "config").exists()
    open_store(sqlite_url).close()
    proc = verify()
    assert proc.returncode == 0, proc.stderr
    assert "intact (1 entries" in proc.stdout


def test_settings_file_database_is_used_by_scan_save_and_records_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """The window and the command line write to one database: a ``database_url`` set in
    settings.json (as the Settings dialog saves it) is where ``scan --save`` stores and what
    ``records list`` reads; ``--database`` and env ``DATABASE_URL`` still win, in that order."""
    from desktop_app.cli import main as cli_main
    from desktop_app.settings import Settings, save_settings

    configured = tmp_path / "configured" / "desk.sqlite3"
    save_settings(Settings(database_url=f"sqlite:///{configured}"), Path(os.environ["PASSPORT_DESK_CONFIG"]))
    scan = tmp_path / "scan 1.jpg"
    scan.write_bytes(b"this is text, not a JPEG")  # read fails fast (no OCR engine); saved as a review item

    assert cli_main(["scan", "--json", "--save", str(scan)]) == 1  # 1: the read failed, the save did not
    [obj] = json.loads(capsys.readouterr().out)
    assert isinstance(obj["saved_id"], int)
    assert configured.exists()
    assert not Path(os.environ["PASSPORT_DESK_DATA_DIR"], "passport-desk.sqlite3").exists()

    assert cli_main(["records", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(i["kind"], i["id"]) for i in listed] == [("review", obj["saved_id"])]

    # DATABASE_URL wins over the settings file, and --database over both.
    env_db, flag_db = tmp_path / "env.sqlite3", tmp_path / "flag.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{env_db}")
    assert cli_main(["scan", "--json", "--save", str(scan)]) == 1
    assert isinstance(json.loads(capsys.readouterr().out)[0]["saved_id"], int) and env_db.exists()
    assert cli_main(["scan", "--json", "--save", "--database", str(flag_db), str(scan)]) == 1
    capsys.readouterr()
    assert flag_db.exists()
    for db, n in ((configured, 1), (env_db, 1), (flag_db, 1)):
        with open_store(f"sqlite:///{db}", key=KEY) as s:
            assert s.counts()["pending"] == n
