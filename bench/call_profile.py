"""Where a document's time goes: every model call and pipeline stage, timed.

Used by ``bench/accuracy.py --profile``. It wraps, for the life of the process, the
functions that cost time (the recognisers' model runs, detection, the glyph classifier,
the locator, the decoders, the parsers, the portrait finder and the visual-zone
extraction) and records each call's input shape and wall time against the document being
read. Then :meth:`CallProfile.report` prints, per call kind: calls per document, the
median input shape, milliseconds per document (median and p90) and the share of all
recorded time.

Model runs (``rec.v4``, ``rec.v6``, ``det``) are leaves; stages (``locate``,
``decode``...) include the model runs made inside them, so shares of stages and of model
runs overlap and are not to be summed. Benchmark-only: nothing here ships.
"""

from __future__ import annotations

import functools
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class _Call:
    kind: str
    shape: tuple[int, ...]
    ms: float


@dataclass
class CallProfile:
    """Calls recorded per document; :meth:`start` opens a document's record."""

    docs: list[list[_Call]] = field(default_factory=list)
    _installed: bool = False

    def start(self) -> None:
        self.docs.append([])

    def record(self, kind: str, shape: tuple[int, ...], ms: float) -> None:
        if self.docs:
            self.docs[-1].append(_Call(kind, shape, ms))

    def wrap(self, owner: Any, name: str, kind: str, shape_of: Callable[..., tuple[int, ...]]) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                try:
                    shape = shape_of(*args, **kwargs)
                except Exception:  # a shape we cannot tell is still a timed call
                    shape = ()
                self.record(kind, shape, (time.perf_counter() - t) * 1000)

        setattr(owner, name, timed)

    def install(self) -> None:
        """Wrap the costly functions (once per process)."""
        if self._installed:
            return
        self._installed = True
        from desktop_app.core import pipeline
        from desktop_app.core.ocr import ctc, glyphs, onnx_rec, paddle_engine

        def arr(i: int) -> Callable[..., tuple[int, ...]]:
            def shape(*args: Any, **kwargs: Any) -> tuple[int, ...]:
                value = args[i] if len(args) > i else next(iter(kwargs.values()))
                return tuple(np.asarray(value).shape)

            return shape

        def runner(*args: Any, **kwargs: Any) -> tuple[int, ...]:
            x = args[1] if len(args) > 1 else kwargs["x"]
            return tuple(np.asarray(x).shape)

        def count(i: int) -> Callable[..., tuple[int, ...]]:
            def shape(*args: Any, **kwargs: Any) -> tuple[int, ...]:
                value = args[i] if len(args) > i else ()
                return (len(value),)

            return shape

        self.wrap(paddle_engine.PaddleOcrEngine, "_run", "rec.v4 (model run)", runner)
        self._wrap_recognize(paddle_engine.PaddleOcrEngine, "rec.v4")
        self._wrap_recognize(onnx_rec.OnnxLineRecognizer, "rec.v6")
        self.wrap(ctc.RestrictedDecoder, "decode", "ctc decode (per line)", arr(1))
        self.wrap(paddle_engine.PaddleOcrEngine, "detect", "det (model run)", arr(1))
        self.wrap(onnx_rec.OnnxLineRecognizer, "_run", "rec.v6 (model run)", runner)
        self.wrap(glyphs.GlyphClassifier, "read_line", "glyphs.read_line", arr(1))
        self.wrap(pipeline, "find_mrz", "stage locate (find_mrz)", arr(0))
        self.wrap(pipeline, "decode_lines", "stage decode_lines", count(0))
        self.wrap(pipeline, "read_mrz", "stage read_mrz (parse, repair)", count(0))
        self.wrap(pipeline, "find_portrait", "stage find_portrait", arr(0))
        self.wrap(pipeline, "extract_viz_fields", "stage extract_viz_fields", count(0))
        self.wrap(pipeline, "assess", "stage quality (assess)", arr(0))

    def _wrap_recognize(self, owner: Any, name: str) -> None:
        """``recognize`` calls, told apart by what is read: MRZ lines or visual-zone text."""
        original = owner.recognize

        @functools.wraps(original)
        def timed(engine: Any, crops: Any, *, alphabet: str | None = None) -> Any:
            t = time.perf_counter()
            try:
                return original(engine, crops, alphabet=alphabet)
            finally:
                what = "MRZ lines" if alphabet is not None and "<" in alphabet else "text"
                self.record(
                    f"stage {name}.recognize ({what})", (len(crops),), (time.perf_counter() - t) * 1000
                )

        owner.recognize = timed

    def report(self, timings: list[dict[str, float]] | None = None) -> str:
        """The table; ``timings`` are the results' own ``timings_ms`` (per document)."""
        per_kind: dict[str, list[float]] = defaultdict(list)
        calls: dict[str, list[int]] = defaultdict(list)
        shapes: dict[str, list[tuple[int, ...]]] = defaultdict(list)
        n = len(self.docs)
        for doc in self.docs:
            ms: dict[str, float] = defaultdict(float)
            k_calls: dict[str, int] = defaultdict(int)
            for c in doc:
                ms[c.kind] += c.ms
                k_calls[c.kind] += 1
                shapes[c.kind].append(c.shape)
            for kind in {c.kind for d in self.docs for c in d}:
                per_kind[kind].append(ms.get(kind, 0.0))
                calls[kind].append(k_calls.get(kind, 0))
        if not n:
            return "no documents profiled"
        leaves = sum(sum(v) for k, v in per_kind.items() if "model run" in k or k.startswith("glyphs"))
        out = [
            f"\nper-call profile over {n} documents (ms per document; stages include the model runs inside them)",
            f"{'call':34} {'calls/doc':>9} {'median input shape':>22} {'ms p50':>8} {'ms p90':>8} {'ms mean':>8}",
        ]
        for kind in sorted(per_kind, key=lambda k: -sum(per_kind[k])):
            v = per_kind[kind]
            shape = _median_shape(shapes[kind])
            out.append(
                f"{kind:34} {statistics.mean(calls[kind]):9.1f} {shape:>22} {statistics.median(v):8.1f} "
                f"{float(np.percentile(v, 90)):8.1f} {statistics.mean(v):8.1f}"
            )
        out.append(f"model runs and glyph reads together: {leaves / n:.0f} ms per document (mean)")
        if timings:
            keys = sorted({k for t in timings for k in t})
            out.append(
                "pipeline timings_ms (median per document): "
                + ", ".join(f"{k} {statistics.median([t.get(k, 0.0) for t in timings]):.0f}" for k in keys)
            )
        return "\n".join(out)


def _median_shape(shapes: list[tuple[int, ...]]) -> str:
    shapes = [s for s in shapes if s]
    if not shapes:
        return "-"
    rank = max(len(s) for s in shapes)
    same = [s for s in shapes if len(s) == rank]
    return "x".join(str(int(statistics.median(s[i] for s in same))) for i in range(rank))
