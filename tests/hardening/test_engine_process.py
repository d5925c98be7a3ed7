"""Hostile input through the engine child process that the window drives (no Qt here).

The GUI's reads go to :func:`desktop_app.engine_process.child_main` in a spawned process
(the loader runs there); this test speaks that protocol directly, the way
``desktop_app.ui.engine_client`` does, with a scripted recogniser so it takes seconds. What
the window then shows (the banner text, the form kept) is for tests/ui; see the hardening
report for the window-side checklist.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from desktop_app.engine_process import (
    EngineFailed,
    EngineReady,
    ReadFailed,
    ReadFinished,
    ReadRequest,
    ShutdownRequest,
)
from desktop_app.engine_spawn import EngineProcess, spawn_engine
from desktop_app.settings import Settings
from tests.hardening.engine_fakes import FACTORY, GATE_PREFIX, good_document, good_lines
from tests.hardening.hostile import bad_inputs, encode, write


@dataclass
class Engine:
    process: EngineProcess
    pid: int

    def ask(self, request_id: int, source: str | bytes, name: str | None = None) -> None:
        self.process.send(ReadRequest(request_id, source, name))

    def answers(self, ids: set[int], timeout: float = 60.0) -> dict[int, Any]:
        """The final message (finished / failed) of each request id."""
        done: dict[int, Any] = {}
        deadline = time.monotonic() + timeout
        while set(done) != ids:
            left = deadline - time.monotonic()
            assert left > 0, f"no answer for requests {sorted(ids - set(done))}"
            assert self.process.is_alive(), f"the engine died (exit code {self.process.exitcode})"
            if self.process.events.poll(min(left, 0.5)):
                msg = self.process.receive()  # JSON frames (engine_wire), never pickle
                if isinstance(msg, ReadFinished | ReadFailed):
                    done[msg.request_id] = msg
        return done


@pytest.fixture
def engine() -> Iterator[Engine]:
    proc = spawn_engine(Settings(read_visual_zone=False), FACTORY)
    try:
        assert proc.events.poll(60), "the engine did not start in 60 s"
        hello = proc.receive()
        assert isinstance(hello, EngineReady), hello if isinstance(hello, EngineFailed) else type(hello)
        yield Engine(proc, hello.pid)
    finally:
        with contextlib.suppress(OSError):
            proc.send(ShutdownRequest())
        proc.join(10)
        if proc.is_alive():
            proc.kill()
            proc.join(5)
        proc.requests.close()
        proc.events.close()
        proc.close()


def test_every_bad_input_is_an_error_result_and_the_engine_keeps_reading(
    engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "scans à lire"
    good = write(folder, "good passport.jpg", encode(good_document().image, ".jpg"))
    bads = bad_inputs()
    rid = 0
    expect: dict[int, str | None] = {}
    for bad in bads:
        for source in (str(write(folder, bad.name, bad.data)), bad.data):  # a file, and a paste/camera frame
            rid += 1
            engine.ask(rid, source, bad.name)
            expect[rid] = bad.message
        rid += 1
        engine.ask(rid, str(good))
        expect[rid] = None
    rid += 1
    engine.ask(rid, str(folder))
    expect[rid] = r"^This is a folder, not an image file\.$"
    t0 = time.monotonic()
    answers = engine.answers(set(expect))
    assert time.monotonic() - t0 < 60
    for request_id, pattern in expect.items():
        msg = answers[request_id]
        assert isinstance(msg, ReadFinished), f"request {request_id}: {msg}"  # ReadFailed = internal error
        [result] = msg.results
        if pattern is None:
            assert result.status == "ok" and list(result.mrz.lines) == list(good_lines())
        else:
            assert result.status == "error" and re.search(pattern, result.error, re.IGNORECASE), result.error
    assert engine.process.is_alive() and engine.process.pid == engine.pid  # never restarted


def test_file_deleted_between_queueing_and_reading(engine: Engine, tmp_path: Path) -> None:
    """Three documents queued; the second is deleted while the first is being read."""
    docs = [write(tmp_path, f"queued {i}.jpg", encode(good_document().image, ".jpg")) for i in range(3)]
    gate = tmp_path / "first read may finish"
    engine.ask(1, str(docs[0]), GATE_PREFIX + str(gate))  # held in its OCR stage until the gate opens
    engine.ask(2, str(docs[1]))
    engine.ask(3, str(docs[2]))
    docs[1].unlink()
    gate.touch()
    answers = engine.answers({1, 2, 3})
    results = [answers[i].results[0] for i in (1, 2, 3)]
    assert [r.status for r in results] == ["ok", "error", "ok"]
    assert results[1].error == "The file does not exist (it may have been moved or deleted)."
    assert results[1].file == str(docs[1])
