"""Two real processes (an operator's window and a reviewer's window) on one database at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from storage_helpers import KEY

from desktop_app.storage import open_store

WORKER = Path(__file__).with_name("concurrency_worker.py")
REPO = Path(__file__).resolve().parents[3]
N = 25


def _run_two_windows(url: str, tmp_path: Path) -> list[dict[str, int]]:
    open_store(url, key=KEY).close()  # created once, as the application would on start
    env = dict(os.environ, PASSPORT_DESK_KEY=KEY.hex(), PYTHONPATH=str(REPO))
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), role, url, str(N), str(go)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for role in ("operator", "reviewer")
    ]
    try:
        deadline = time.monotonic() + 60
        while not all((tmp_path / f"{r}.ready").exists() for r in ("operator", "reviewer")):
            assert time.monotonic() < deadline, "workers did not start"
            assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
            time.sleep(0.02)
        go.touch()
        outs = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    return [json.loads(out.strip().splitlines()[-1]) for out, _ in outs]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_operator_and_reviewer_processes_both_succeed(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = str(request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url"))
    operator, reviewer = _run_two_windows(url, tmp_path)
    assert operator["confirmed"] == N and operator["flagged"] == N
    assert reviewer["approved"] + reviewer["rejected"] == N
    assert reviewer["locked"] == 0
    store = open_store(url, key=KEY)
    counts = store.counts()
    assert counts["confirmed"] == N + reviewer["confirmed"] + reviewer["approved"]
    assert counts["approved"] == reviewer["approved"] and counts["rejected"] == reviewer["rejected"]
    assert counts["pending"] == 0
    # Every save was audited exactly once per action, in one unbroken chain.
    verification = store.verify_audit()
    assert verification.ok, verification
    entries = store.audit_entries(limit=100_000)
    actions = [e.action for e in entries]
    actors = [e.actor for e in entries]
    first_op, last_op = actors.index("anna"), len(actors) - 1 - actors[::-1].index("anna")
    assert "boris" in actors[first_op:last_op], "the two windows did not work at the same time"
    assert actions.count("review.flag") == N
    assert actions.count("record.create") == counts["confirmed"]
    assert actions.count("review.approve") == reviewer["approved"]
    store.close()
