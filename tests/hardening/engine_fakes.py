"""A scripted OCR engine and reader factories for the hardening tests.

The real loader, MRZ locator, MRZ engine and pipeline run; only the recogniser is
scripted (it answers the good document's MRZ lines), so hostile inputs go through every
stage in milliseconds. The factories are named by ``"module:function"`` for the engine
child process (:mod:`desktop_app.engine_process`), which imports them after spawn.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from desktop_app.core.ocr.base import DetectedText, Image, RecognizedLine
from desktop_app.core.pipeline import DocumentReader, ReaderSettings

GOOD_FORMAT = "TD3"
GOOD_SEED = 7
GATE_PREFIX = "gate:"
"""A request named ``gate:/some/file`` waits, before its OCR, until that file exists."""


@functools.cache
def good_document() -> Any:
    from tests.synth import generate

    return generate(GOOD_FORMAT, seed=GOOD_SEED, condition="clean")


def good_lines() -> tuple[str, ...]:
    return tuple(good_document().truth["mrz_lines"])


class ScriptedEngine:
    """Answers every MRZ read with ``lines``; finds no visual-zone text."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        self.calls = 0

    def recognize(self, crops: Sequence[Image], *, alphabet: str | None = None) -> list[RecognizedLine]:
        self.calls += 1
        out = []
        for i, _ in enumerate(crops):
            text = self.lines[i] if i < len(self.lines) else ""
            n = max(1, len(text))
            out.append(
                RecognizedLine(
                    text,
                    0.97,
                    tuple([0.97] * len(text)),
                    tuple(0.05 + 0.9 * (j + 0.5) / n for j in range(len(text))),
                )
            )
        return out

    def detect(self, image: Image) -> list[DetectedText]:
        return []


def scripted_reader(settings: ReaderSettings | None = None) -> DocumentReader:
    return DocumentReader(
        settings or ReaderSettings(read_visual_zone=False), engine=ScriptedEngine(good_lines())
    )


class GatedReader:
    """The scripted reader, except that a request named ``gate:PATH`` waits for PATH."""

    def __init__(self) -> None:
        self._reader = scripted_reader()

    def warm_up(self) -> None:
        good_lines()

    def read(
        self, source: Any, *, name: str | None = None, on_progress: Any = None, cancel: Any = None
    ) -> Any:
        if name and name.startswith(GATE_PREFIX):
            gate = Path(name[len(GATE_PREFIX) :])
            deadline = time.monotonic() + 60
            while not gate.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
        return self._reader.read(source, name=name, on_progress=on_progress, cancel=cancel)


def gated_reader_factory(_settings: object) -> GatedReader:
    """For ``desktop_app.engine_process.child_main`` (factory path of this module)."""
    return GatedReader()


FACTORY = f"{__name__}:gated_reader_factory"


# -- factories that probe or attack the parent (tests/hardening/test_engine_isolation.py) --------
def probe_factory(settings: Any) -> Any:
    """Reports what the child was given, as the text of :class:`EngineFailed`."""
    import json
    import os
    import resource

    probe = {
        "env": dict(os.environ),
        "core": list(resource.getrlimit(resource.RLIMIT_CORE)),
        "database_url": settings.database_url,
        "audit_signing_key": settings.audit_signing_key,
    }
    raise RuntimeError("PROBE" + json.dumps(probe))


class _Touch:
    """Unpickling this creates a file: proof that the parent ran code of the child's."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> Any:
        return (open, (self.path, "w"))


def hostile_factory(settings: Any) -> Any:
    """Sends the parent a pickle (a code-execution attempt) instead of a message, then
    hangs. The marker file that unpickling would create is ``settings.watched_folder``."""
    import pickle
    import sys
    from multiprocessing.connection import Connection

    events = Connection(int(sys.argv[-1]), readable=False)
    events.send_bytes(pickle.dumps(_Touch(settings.watched_folder)))
    time.sleep(60)
    raise RuntimeError("unreachable")


PROBE_FACTORY = f"{__name__}:probe_factory"
HOSTILE_FACTORY = f"{__name__}:hostile_factory"
