"""A second opinion on MRZ characters: one OCR-B glyph at a time, at the MRZ's fixed pitch.

The line recogniser reads a whole line and, on documents it was not trained on, confuses
the filler ``<`` with ``K`` or ``C`` and ``0`` with ``O``/``Q``/``D``. In OCR-B those glyphs
differ plainly (a chevron has no stem; the zero is narrower than the letter O), and an MRZ
is monospaced: once the recogniser has placed its characters, every glyph's cell is known.
This module cuts those cells and classifies each with a small network trained on rendered
OCR-B by ``scripts/train_mrz_glyphs.py`` (weights in ``resources/models/mrz_glyphs``).

Only numpy and OpenCV: the classifier is a two-layer perceptron, a few hundred kilobytes,
well under a millisecond per line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import cv2
import numpy as np
import numpy.typing as npt

from desktop_app.core.ocr.base import Image, OcrError
from desktop_app.core.resources import models_dir

CELL_W: Final = 24
CELL_H: Final = 24
MODEL_DIR: Final = "mrz_glyphs"
MODEL_FILE: Final = "glyphs.npz"
_MAX_RESIDUAL: Final = 0.15
"""Largest spread (in pitches) of the recogniser's character centres around the fitted
pitch line that still lets the cells be trusted. Measured: 0.03-0.05 on scans and clean
photos, 0.26-0.41 on phone photos whose centres wander (cells there held halves of two
glyphs and their opinions turned fillers into letters)."""

Floats = npt.NDArray[np.float32]


def local_grid(centers_px: Sequence[float], window: int = 6) -> tuple[Floats, Floats, float] | None:
    """Per character, a centre and a pitch from a straight line fitted to the recogniser's
    centres within ``window`` characters either side, and the median residual in pitches.

    Local, because a photographed line's pitch drifts along it and a recogniser that
    merged or split a character shifts every centre after that point by a pitch; a single
    straight line would then cut cells across two glyphs. None for fewer than 4 characters
    or centres that do not advance.
    """
    n = len(centers_px)
    if n < 4:
        return None
    xs = np.asarray(centers_px, dtype=np.float64)
    idx = np.arange(n, dtype=np.float64)
    centres = np.empty(n, dtype=np.float32)
    pitches = np.empty(n, dtype=np.float32)
    resid = np.empty(n, dtype=np.float64)
    for i in range(n):
        a, b = max(0, min(i - window, n - 2 * window - 1)), min(n, max(i + window + 1, 2 * window + 1))
        slope, icpt = np.polyfit(idx[a:b], xs[a:b], 1)
        if slope <= 0:
            return None
        centres[i], pitches[i] = icpt + slope * i, slope
        resid[i] = abs(xs[i] - centres[i]) / slope
    return centres, pitches, float(np.median(resid))


def cells(crop: Image, centres: Sequence[float] | Floats, pitches: Sequence[float] | Floats) -> Floats:
    """The character cells of a line crop (gray or BGR), cell ``i`` centred at ``centres[i]``
    and ``pitches[i]`` wide, each resized to ``CELL_H x CELL_W`` and normalised (zero mean,
    unit contrast), as ``(n, CELL_H*CELL_W)``."""
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    gray = gray.astype(np.float32)
    h = gray.shape[0]
    n = len(centres)
    out = np.empty((n, CELL_H * CELL_W), dtype=np.float32)
    for i in range(n):
        cx, pitch = float(centres[i]), float(pitches[i])
        # Map the cell [cx - pitch/2, cx + pitch/2] x [0, h] onto the output grid.
        src = np.array([[cx - pitch / 2, 0], [cx + pitch / 2, 0], [cx - pitch / 2, h]], dtype=np.float32)
        dst = np.array([[0, 0], [CELL_W, 0], [0, CELL_H]], dtype=np.float32)
        m = cv2.getAffineTransform(src, dst)
        cell = cv2.warpAffine(gray, m, (CELL_W, CELL_H), flags=cv2.INTER_AREA if pitch > CELL_W else cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_REPLICATE)
        out[i] = cell.ravel()
    # Each cell to zero mid-level and unit contrast (robust to a stray dark pixel).
    lo, hi = np.percentile(out, (2, 98), axis=1, keepdims=True)
    normalised: Floats = ((out - (lo + hi) / 2) / np.maximum(hi - lo, 16.0)).astype(np.float32)
    return normalised


@dataclass(frozen=True)
class GlyphClassifier:
    """A two-layer perceptron over OCR-B cells: ``probabilities(cells) -> (n, classes)``."""

    classes: str
    w1: Floats
    b1: Floats
    w2: Floats
    b2: Floats

    @classmethod
    def load(cls, path: Path | None = None) -> GlyphClassifier:
        path = path or models_dir() / MODEL_DIR / MODEL_FILE
        try:
            with np.load(path, allow_pickle=False) as z:
                return cls(str(z["classes"]), z["w1"], z["b1"], z["w2"], z["b2"])
        except (OSError, KeyError, ValueError) as exc:
            raise OcrError(f"The MRZ glyph model could not be loaded from {path}: {exc}") from exc

    def probabilities(self, x: Floats) -> Floats:
        hidden = np.maximum(x @ self.w1 + self.b1, 0.0)
        logits = hidden @ self.w2 + self.b2
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        probs: Floats = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
        return probs

    def read_line(self, crop: Image, centers: Sequence[float]) -> list[dict[str, float]] | None:
        """Per character, the glyph probabilities of every class, for a line whose
        recogniser placed its characters at ``centers`` (fractions of the crop width);
        None when those centres do not lie on one pitch (the cells would be wrong)."""
        width = crop.shape[1]
        grid = local_grid([c * width for c in centers])
        if grid is None or grid[2] > _MAX_RESIDUAL:
            return None
        probs = self.probabilities(cells(crop, grid[0], grid[1]))
        return [dict(zip(self.classes, map(float, row), strict=True)) for row in probs]


@lru_cache(maxsize=1)
def default_classifier() -> GlyphClassifier | None:
    """The bundled classifier, or None when it is not installed (the reader then goes on
    without the second opinion)."""
    path = models_dir() / MODEL_DIR / MODEL_FILE
    return GlyphClassifier.load(path) if path.is_file() else None


def save(path: Path, classes: str, params: dict[str, Any]) -> None:
    """Write the weights in the format :meth:`GlyphClassifier.load` reads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, Any] = {k: np.asarray(v, dtype=np.float32) for k, v in params.items()}
    np.savez_compressed(path, classes=np.array(classes), **arrays)
