"""An OCR engine that remembers: benchmarks re-score the same images offline.

Detection and recognition are deterministic for the same pixels, so their results can be
kept on disk keyed by the input array (shape, dtype, bytes) and the alphabet asked for.
A second run of ``bench/accuracy.py --ocr-cache DIR`` over the same images with the same
OCR-facing code then loads no model and costs only the OpenCV stages, which makes
measuring a change in the visual-zone extraction, the cross-check or the portrait finder a
matter of seconds instead of many minutes. Any change that alters what is given to the
engine (a crop, a scale) misses the cache and is read for real, so a cached figure is never
stale.

Benchmark-only: the product never caches OCR output (it is personal data).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from desktop_app.core.ocr.base import DetectedText, Image, OcrEngine, RecognizedLine, StepProbabilities


def _encode(value: list[Any]) -> bytes:
    """Results as an ``.npz``: a JSON description and the step matrices as arrays (no
    pickle: a cache file is data, never code)."""
    items: list[dict[str, Any]] = []
    arrays: dict[str, np.ndarray] = {}
    for i, v in enumerate(value):
        if isinstance(v, DetectedText):
            items.append({"kind": "det", "quad": [list(map(float, pt)) for pt in v.quad], "score": float(v.score)})
            continue
        item: dict[str, Any] = {"kind": "rec", "text": v.text, "confidence": float(v.confidence),
                                "char_confidences": list(v.char_confidences), "char_centers": list(v.char_centers),
                                "char_alternatives": [dict(a) for a in v.char_alternatives], "steps": None}
        if v.steps is not None:
            item["steps"] = v.steps.alphabet
            arrays[f"steps{i}"] = np.asarray(v.steps.probs)
        items.append(item)
    buf = io.BytesIO()
    np.savez(buf, meta=np.frombuffer(json.dumps(items).encode(), dtype=np.uint8), **arrays)
    return buf.getvalue()


def _decode(data: bytes) -> list[Any]:
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        items = json.loads(bytes(z["meta"]).decode())
        out: list[Any] = []
        for i, it in enumerate(items):
            if it["kind"] == "det":
                out.append(DetectedText(tuple(tuple(pt) for pt in it["quad"]), it["score"]))  # type: ignore[arg-type]
                continue
            steps = StepProbabilities(it["steps"], z[f"steps{i}"]) if it["steps"] is not None else None
            out.append(RecognizedLine(it["text"], it["confidence"], tuple(it["char_confidences"]),
                                      tuple(it["char_centers"]), tuple(it["char_alternatives"]), steps))
        return out


def _key(kind: str, arrays: Sequence[Image], alphabet: str | None) -> str:
    h = hashlib.sha1(kind.encode())
    h.update(repr(alphabet).encode())
    for a in arrays:
        arr = np.ascontiguousarray(a)
        h.update(repr((arr.shape, str(arr.dtype))).encode())
        h.update(arr.tobytes())
    return h.hexdigest()


class CachingEngine:
    """Wraps an engine built on first miss; results are kept under ``folder`` as ``.npz`` files."""

    def __init__(self, factory: Callable[[], OcrEngine], folder: Path) -> None:
        self._factory = factory
        self._inner: OcrEngine | None = None
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.hits = 0
        self.misses = 0

    @property
    def inner(self) -> OcrEngine:
        if self._inner is None:
            self._inner = self._factory()
        return self._inner

    def _cached(self, key: str, compute: Callable[[], Any]) -> Any:
        path = self.folder / f"{key}.npz"
        if path.exists():
            self.hits += 1
            return _decode(path.read_bytes())
        self.misses += 1
        value = compute()
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(_encode(list(value)))
        tmp.replace(path)
        return value

    def recognize(self, crops: Sequence[Image], *, alphabet: str | None = None) -> list[RecognizedLine]:
        key = _key("rec", crops, alphabet)
        return list(self._cached(key, lambda: self.inner.recognize(crops, alphabet=alphabet)))

    def detect(self, image: Image) -> list[DetectedText]:
        return list(self._cached(_key("det", [image], None), lambda: self.inner.detect(image)))
