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
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from desktop_app.core.ocr.base import DetectedText, Image, OcrEngine, RecognizedLine


def _key(kind: str, arrays: Sequence[Image], alphabet: str | None) -> str:
    h = hashlib.sha1(kind.encode())
    h.update(repr(alphabet).encode())
    for a in arrays:
        arr = np.ascontiguousarray(a)
        h.update(repr((arr.shape, str(arr.dtype))).encode())
        h.update(arr.tobytes())
    return h.hexdigest()


class CachingEngine:
    """Wraps an engine built on first miss; results are pickled under ``folder``."""

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
        path = self.folder / f"{key}.pkl"
        if path.exists():
            self.hits += 1
            return pickle.loads(path.read_bytes())
        self.misses += 1
        value = compute()
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(path)
        return value

    def recognize(self, crops: Sequence[Image], *, alphabet: str | None = None) -> list[RecognizedLine]:
        key = _key("rec", crops, alphabet)
        return list(self._cached(key, lambda: self.inner.recognize(crops, alphabet=alphabet)))

    def detect(self, image: Image) -> list[DetectedText]:
        return list(self._cached(_key("det", [image], None), lambda: self.inner.detect(image)))
