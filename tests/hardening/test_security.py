"""Security hardening (issue 8): exports stay in their folder, files holding personal data
or the key are owner-only even under a careless umask, nothing deserialises or evaluates
data from files, and the locked dependencies are audited for known vulnerabilities."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.settings import Settings
from desktop_app.storage import ExportPathError, open_store
from desktop_app.storage.exportfile import resolve_export_path
from desktop_app.storage.migrate import backup_sqlite
from tests.hardening.clitools import ROOT, assert_no_traceback, run_cli
from tests.hardening.powercut_worker import FINAL_VALUES, OP, specimen

# -- exports cannot escape the chosen folder ------------------------------------------------------


@pytest.fixture
def export_tree(tmp_path: Path) -> Path:
    """exports/ (allowed, with sub/ and a symlink to outside/), outside/, and a link file."""
    (tmp_path / "exports" / "sub").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (tmp_path / "exports" / "to-outside").symlink_to(tmp_path / "outside", target_is_directory=True)
    (tmp_path / "exports" / "loop").symlink_to(tmp_path / "exports" / "loop")
    (tmp_path / "outside" / "secret.csv").write_text("x")
    (tmp_path / "exports" / "link.csv").symlink_to(tmp_path / "outside" / "secret.csv")
    return tmp_path


PARTS = ["..", ".", "sub", "to-outside", "loop", "outside", "exports", "x.csv", "link.csv", "~", "", "...",
         "..\\x.csv", "%2e%2e", "sub/..", "/tmp", "\u2024\u2024", "ｘ.csv"]


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PARTS), min_size=1, max_size=6), st.booleans())
def test_export_path_never_escapes(export_tree: Path, parts: list[str], absolute: bool) -> None:
    allowed = export_tree / "exports"
    out = ("/" if absolute else "") + "/".join(parts)
    try:
        path = resolve_export_path(out, allowed)
    except ExportPathError as exc:
        assert str(exc)  # a plain refusal
        return
    base = allowed.resolve()
    assert path.parent.resolve() == path.parent and path.parent.is_relative_to(base), (out, path)
    assert path.name not in ("", ".", "..")


def test_cli_export_refuses_escapes_and_writes_nothing_outside(export_tree: Path) -> None:
    db = export_tree / "db.sqlite3"
    with open_store(str(db)) as store:
        store.confirm_record(specimen(), FINAL_VALUES, **OP)
    exports, outside = export_tree / "exports", export_tree / "outside"
    before = sorted(p.name for p in outside.iterdir())
    for out in ("../outside/a.csv", str(outside / "b.csv"), "to-outside/c.csv", "sub/../../outside/d.csv",
                "link.csv", "loop/e.csv"):
        run = run_cli(["export", "--database", str(db), "--format", "csv", "--since", "2000-01-01",
                       "--out", out, "--export-dir", str(exports)], timeout=60)
        assert run.returncode == 2, (out, run.stderr)
        assert run.stdout == b"" and run.stderr.startswith("error: "), run.stderr
        assert_no_traceback(run)
    assert sorted(p.name for p in outside.iterdir()) == before
    assert (outside / "secret.csv").read_text() == "x"
    good = run_cli(["export", "--database", str(db), "--format", "json", "--since", "2000-01-01",
                    "--out", "sub/ok.json", "--export-dir", str(exports)], timeout=60)
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["count"] == 1
    assert stat.S_IMODE((exports / "sub" / "ok.json").stat().st_mode) == 0o600


# -- owner-only files ---------------------------------------------------------------------------


@contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_database_key_and_backup_files_are_owner_only_under_a_loose_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """umask 000 (a shared workstation set up carelessly): the data and config folders,
    the database with its -wal and -shm, the key file and an upgrade's backup copy are
    still readable by their owner alone."""
    monkeypatch.delenv("PASSPORT_DESK_KEY")  # the key file is made, as on a desk with no keyring
    data, config = Path(os.environ["PASSPORT_DESK_DATA_DIR"]), Path(os.environ["PASSPORT_DESK_CONFIG_DIR"])
    with _umask(0):
        store = open_store(None)
        try:
            store.confirm_record(specimen(), FINAL_VALUES, **OP)
            with store.engine.connect() as conn:  # while a connection is open the -wal and -shm exist
                conn.exec_driver_sql("SELECT count(*) FROM records").fetchone()
                names = {p.name for p in data.iterdir()}
                assert {"passport-desk.sqlite3", "passport-desk.sqlite3-wal", "passport-desk.sqlite3-shm"} <= names
                modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in data.iterdir()}
            backup = backup_sqlite(data / "passport-desk.sqlite3", "test")
        finally:
            store.close()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE(config.stat().st_mode) == 0o700
    for name, mode in modes.items():
        assert mode & 0o077 == 0, f"{name} is {oct(mode)}"
    assert stat.S_IMODE((config / "database.key").stat().st_mode) == 0o600
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


# -- nothing deserialises or evaluates data -------------------------------------------------------

SOURCE_DIRS = ("desktop_app", "bench", "scripts")
UNSAFE = {
    r"\bpickle\.(loads?|Unpickler)\b": "pickle",
    r"\b(cPickle|dill|jsonpickle|shelve|marshal)\b": "pickle-like module",
    r"(?<![.\w])eval\(": "eval",
    r"(?<![.\w])exec\(": "exec",
    r"\bcompile\([^)]*['\"]exec['\"]": "compile(..., 'exec')",
    r"\byaml\.(unsafe_load|full_load|load_all)\(": "unsafe YAML",
    r"\byaml\.load\((?![^)]*SafeLoader)": "yaml.load without SafeLoader",
    r"\b(torch|joblib)\.load\(|\bread_pickle\(": "pickle-based loader",
    r"allow_pickle\s*=\s*True": "numpy allow_pickle",
    r"\b__import__\(": "__import__",
    r"shell\s*=\s*True|\bos\.(system|popen)\(": "shell command",
}
ALLOWED = {
    # The engine child speaks JSON frames (desktop_app.engine_wire), never pickle: it parses
    # hostile documents. The GUI's own command pipe (GUI thread -> IPC thread, one process)
    # still carries pickled _Cmd objects: ours, never bytes from the child.
    ("desktop_app/ui/engine_client.py", "multiprocessing recv"),
    ("bench/soak.py", "multiprocessing recv"),  # the fallback child when engine_process is missing
    # The reader factory named "module:function" comes from code (AppConfig / app.main's
    # keyword, the tests), never from the settings file: see the check below.
    ("desktop_app/engine_process.py", "import_module"),
}
EXTRA = {r"\.recv\(\)": "multiprocessing recv", r"\bimport_module\(": "import_module"}


def _python_files() -> Iterator[Path]:
    for d in SOURCE_DIRS:
        yield from sorted((ROOT / d).rglob("*.py"))


def _code_lines(path: Path) -> Iterator[tuple[int, str]]:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        code = line.split("#", 1)[0]
        if code.strip():
            yield n, code


def test_nothing_unpickles_or_evaluates_data() -> None:
    found: list[str] = []
    used: set[tuple[str, str]] = set()
    for path in _python_files():
        rel = path.relative_to(ROOT).as_posix()
        for n, code in _code_lines(path):
            for pattern, what in {**UNSAFE, **EXTRA}.items():
                if re.search(pattern, code):
                    if (rel, what) in ALLOWED:
                        used.add((rel, what))
                    elif not (what == "exec" and re.search(r"\.exec\(", code)):  # Qt's dialog.exec()
                        found.append(f"{rel}:{n}: {what}: {code.strip()}")
    assert not found, "unsafe deserialisation or evaluation:\n" + "\n".join(found)
    assert used, "the allow-list no longer matches anything: review it"


def test_reader_factory_cannot_come_from_the_settings_file() -> None:
    names = {f.name for f in fields(Settings)}
    assert not {n for n in names if "factory" in n or "module" in n or "plugin" in n}, names


# -- dependency audit ------------------------------------------------------------------------------


def _pip_audit(service: str, out: Path) -> tuple[list[dict[str, object]] | None, str]:
    exe = Path(sys.executable).with_name("pip-audit")
    cmd = [str(exe), "-r", str(ROOT / "requirements.lock"), "-r", str(ROOT / "requirements-dev.lock"),
           "--no-deps", "--disable-pip", "-s", service,
           "-f", "json", "-o", str(out), "--progress-spinner", "off", "--timeout", "30"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return None, f"{service}: no answer in 10 minutes"
    try:
        deps = json.loads(out.read_text())["dependencies"]
    except (OSError, ValueError, KeyError):
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"{service}: {last[:300]}"
    return deps, ""


@pytest.mark.slow
def test_locked_dependencies_have_no_known_vulnerabilities(tmp_path: Path) -> None:
    """pip-audit over requirements.lock, OSV first, then PyPI's JSON API. Fails on a known
    vulnerability; when the audit cannot reach a vulnerability database for every package,
    it says so and skips: an audit that did not run must never look like a pass."""
    if not Path(sys.executable).with_name("pip-audit").exists():
        pytest.skip("dependency audit NOT RUN: pip-audit is not installed in this environment "
                    "(pip install pip-audit; see the issue-8 hardening report)")
    problems: list[str] = []
    for service in ("osv", "pypi"):
        deps, why = _pip_audit(service, tmp_path / f"{service}.json")
        if deps is None:
            problems.append(why)
            continue
        vulnerable = [f"{d['name']} {d.get('version')}: " + ", ".join(
            f"{v['id']} (fixed in {', '.join(v.get('fix_versions') or []) or 'no release yet'})" for v in d["vulns"])
            for d in deps if d.get("vulns")]  # type: ignore[attr-defined, union-attr]
        assert not vulnerable, "known vulnerabilities in requirements.lock:\n" + "\n".join(vulnerable)
        skipped = [d for d in deps if "skip_reason" in d]
        if not skipped:
            return  # every pinned package audited, none vulnerable
        problems.append(f"{service}: {len(skipped)} of {len(deps)} pinned packages could not be audited "
                        f"({str(skipped[0]['skip_reason']).split(':')[0]})")
    pytest.skip("dependency audit NOT RUN: no vulnerability database answered for every package from this "
                f"machine ({date.today()}): " + "; ".join(problems))
