"""Faults while saving (issue 8): locked database, read-only folder, full disk and a power
cut (SIGKILL inside the transaction). A clear message, nothing half-saved, the reads not
lost, and a retry that succeeds once the fault clears.

The store-level behaviour of each fault is tested in tests/unit/storage; here are the
parts that were missing: ``scan --save`` from the command line, a real full disk (a
small tmpfs, when this machine lets us mount one) and a process killed mid-transaction.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from desktop_app.storage import Store, open_store
from tests.hardening.clitools import ROOT, CliRun, assert_no_traceback, cli_env, run_cli
from tests.hardening.hostile import bad_inputs, write
from tests.hardening.powercut_worker import FINAL_VALUES, OP, specimen

TEXT_AS_JPG = next(b for b in bad_inputs() if b.name == "text-file.jpg")


def _scan_save(db: Path, inputs: list[Path], timeout: float = 120) -> CliRun:
    run = run_cli(["scan", "--json", "--save", "--database", str(db), *inputs], timeout=timeout)
    assert_no_traceback(run)
    return run


def _assert_failed_save_kept_the_reads(run: CliRun, inputs: list[Path], message: str) -> None:
    assert run.returncode == 1
    assert "error: the results could not be saved: " in run.stderr
    assert message.lower() in run.stderr.lower(), run.stderr
    objs = run.json()  # the reads are still printed: nothing of the OCR work is lost
    assert [o["file"] for o in objs] == [str(p) for p in inputs]
    assert all(o["saved_id"] is None for o in objs)


def _assert_saved(run: CliRun, n: int) -> list[int]:
    assert "could not be saved" not in run.stderr, run.stderr
    ids = [o["saved_id"] for o in run.json()]
    assert len(ids) == n and all(isinstance(i, int) for i in ids)
    return ids


def _pending(db: Path) -> int:
    with open_store(str(db)) as store:
        assert store.verify_audit().ok
        return store.counts()["pending"]


def _inputs(folder: Path, n: int = 2) -> list[Path]:
    # Files that fail to read are saved too (as review items saying why): no OCR engine
    # is needed, so these tests take seconds.
    return [write(folder, f"scan {i}.jpg", TEXT_AS_JPG.data) for i in range(n)]


# -- locked -------------------------------------------------------------------------------------


@pytest.mark.slow  # waits out the 10 s busy timeout
def test_scan_save_against_a_locked_database(tmp_path: Path) -> None:
    db = tmp_path / "db" / "passport desk.sqlite3"
    inputs = _inputs(tmp_path)
    _assert_saved(_scan_save(db, inputs[:1]), 1)
    locker = sqlite3.connect(db, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another window in the middle of a long save
    try:
        run = _scan_save(db, inputs)
        _assert_failed_save_kept_the_reads(run, inputs, "The database is busy")
        assert run.seconds < 60
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    _assert_saved(_scan_save(db, inputs), 2)  # retry once the lock is gone
    assert _pending(db) == 3


# -- read-only folder ---------------------------------------------------------------------------


@contextmanager
def _immutable(*paths: Path) -> Iterator[None]:
    """Read-only even for root (the tests may run as root): chattr +i, where supported."""
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("chattr is not installed")
    proc = subprocess.run([chattr, "+i", *map(str, paths)], capture_output=True, text=True)
    try:
        if proc.returncode != 0:
            pytest.skip(f"cannot make files immutable here: {proc.stderr.strip()}")
        yield
    finally:
        subprocess.run([chattr, "-i", *map(str, paths)], capture_output=True)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file attributes")
def test_scan_save_into_a_read_only_database_folder(tmp_path: Path) -> None:
    db = tmp_path / "db" / "passport-desk.sqlite3"
    inputs = _inputs(tmp_path)
    _assert_saved(_scan_save(db, inputs[:1]), 1)
    files = [p for p in db.parent.iterdir()]
    with _immutable(db.parent, *files):
        run = _scan_save(db, inputs)
        _assert_failed_save_kept_the_reads(run, inputs, "read-only")
        assert str(db.parent) in run.stderr
    _assert_saved(_scan_save(db, inputs), 2)
    assert _pending(db) == 3


# -- disk full ----------------------------------------------------------------------------------


@contextmanager
def _small_disk(where: Path, size_kb: int) -> Iterator[Path]:
    where.mkdir(parents=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a tmpfs can be mounted only as root")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0700", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _fill(folder: Path) -> Path:
    """Take every free byte of the file system holding ``folder``."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as f, suppress(OSError):
        while True:
            f.write(b"\0" * 4096)
    return filler


@pytest.mark.parametrize("other_window", [False, True], ids=["alone", "database-open-elsewhere"])
def test_scan_save_when_the_disk_is_full(tmp_path: Path, other_window: bool) -> None:
    """Alone, the save fails when SQLite cannot grow its -shm file (opening); with the
    database open in another window it fails half way through writing the WAL."""
    inputs = _inputs(tmp_path, 40)
    with _small_disk(tmp_path / "small disk", 4096) as disk:
        db = disk / "passport-desk.sqlite3"
        _assert_saved(_scan_save(db, inputs[:1]), 1)
        other = sqlite3.connect(db) if other_window else None
        if other is not None:
            other.execute("SELECT count(*) FROM reviews").fetchone()  # keeps the -wal and -shm
        try:
            filler = _fill(disk)
            run = _scan_save(db, inputs)
            _assert_failed_save_kept_the_reads(run, inputs, "The disk holding the database is full")
            filler.unlink()
            _assert_saved(_scan_save(db, inputs), 40)
        finally:
            if other is not None:
                other.close()
        assert _pending(db) == 41
        con = sqlite3.connect(db)
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        con.close()


# -- power cut ----------------------------------------------------------------------------------

WORKER = [sys.executable, "-m", "tests.hardening.powercut_worker"]


def _worker(url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([*WORKER, url, *args], cwd=ROOT, env=cli_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _kill_when_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if line != "READY":
        proc.kill()
        _out, err = proc.communicate(timeout=30)
        pytest.fail(f"the worker did not stop at its kill point: {line!r}\n{err[-2000:]}")
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _check_database(db: Path) -> None:
    """A clean open after the crash: WAL recovered, no damage, no dangling row."""
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        con.close()


def _state(store: Store) -> tuple[dict[str, int], list[int]]:
    return store.counts(), [r.id for r in store.search_records(limit=None)]


def _assert_whole_record(store: Store, record_id: int) -> None:
    rec = store.get_record(record_id)
    assert rec.value("surname") == "ERIKSSON" and rec.value("document_number") == "L898902C3"
    for key, value in FINAL_VALUES.items():
        assert rec.value(key) == value
    assert len(rec.corrections) == len(FINAL_VALUES)


def test_power_cut_inside_a_save_leaves_the_whole_record_or_none(tmp_path: Path) -> None:
    """SIGKILL at points spread over the save's transaction (its SQL statements, just before
    the COMMIT, just after it): the database always opens cleanly, holds the record whole
    or not at all, its audit chain verifies, and the next save works."""
    db = tmp_path / "db" / "passport-desk.sqlite3"
    url = f"sqlite:///{db}"
    count = _worker(url, "count")
    out, err = count.communicate(timeout=60)
    assert count.returncode == 0, err
    n_statements = int(out.split()[1])
    assert n_statements >= 5
    points = sorted({1, 2, 3, n_statements // 2, n_statements - 1, n_statements})
    wal = db.with_name(db.name + "-wal")
    spilled = 0
    for kill_at in [*(("statement", str(i)) for i in points), ("commit",), ("committed",)]:
        with open_store(url) as store:
            before = _state(store)
        proc = _worker(url, *kill_at)
        _kill_when_ready(proc)
        spilled += wal.exists() and wal.stat().st_size > 0
        _check_database(db)
        with open_store(url) as store:
            counts, ids = _state(store)
            assert store.verify_audit().ok, kill_at
            if kill_at == ("committed",):
                assert counts["confirmed"] == before[0]["confirmed"] + 1
                _assert_whole_record(store, ids[-1])
            else:
                assert (counts, ids) == before, kill_at  # nothing of the killed save
            new_id = store.confirm_record(specimen(), FINAL_VALUES, **OP)  # the next save works
            _assert_whole_record(store, new_id)
    assert spilled, "no kill left anything in the WAL: recovery was never exercised"


def test_power_cut_at_random_moments_of_a_busy_save_loop(tmp_path: Path) -> None:
    db = tmp_path / "db" / "passport-desk.sqlite3"
    url = f"sqlite:///{db}"
    rng = random.Random(8)
    saved: list[int] = []
    for _ in range(3):
        proc = _worker(url, "loop")
        assert proc.stdout is not None
        for _ in range(rng.randint(1, 4)):
            line = proc.stdout.readline().split()
            assert line and line[0] == "SAVED", line
            saved.append(int(line[-1]))
        # Let it get into the next transaction, then cut the power.
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        _check_database(db)
    with open_store(url) as store:
        assert store.verify_audit().ok
        records = store.search_records(limit=None)
        assert set(saved) <= {r.id for r in records}
        for r in records:
            _assert_whole_record(store, r.id)
        for review in store.list_reviews("pending", limit=None):
            detail = store.get_review(review.id)
            assert detail.fields["given_names"].value == FINAL_VALUES["given_names"]
            assert len(detail.corrections) == len(FINAL_VALUES)
