"""CTC decoding with the output restricted to an alphabet.

The recogniser scores ~6,600 classes (PP-OCR's Chinese+Latin dictionary). For an MRZ only
37 characters are possible, so each allowed character collects the probability of the
classes that look like it (``<`` also gets ``く``, ``〈``, ``«``...; ``A`` also gets ``a``,
full-width ``Ａ``...). Decoding then picks among the allowed characters only: the model can
no longer answer with a character that cannot be in an MRZ.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from desktop_app.core.ocr.base import RecognizedLine, StepProbabilities

ALTERNATIVE_MIN = 0.01
"""Other characters are reported as alternatives from this share of the probability up."""

# Classes that an MRZ filler is commonly read as by Latin/CJK recognisers.
_FILLER_LOOKALIKES = "<く〈‹«＜⟨〈"


def _fold(ch: str) -> str:
    """Map a dictionary character to the ASCII character it stands for, or ''."""
    norm = unicodedata.normalize("NFKC", ch)
    if len(norm) != 1:
        return ""
    if norm.isascii():
        return norm.upper() if norm.isalpha() else norm
    return ""


@dataclass(frozen=True)
class RestrictedDecoder:
    """Pools class probabilities onto an alphabet and decodes greedily (best path)."""

    alphabet: str
    groups: tuple[npt.NDArray[np.int64], ...]
    """groups[i] are the class indices pooled into alphabet[i]."""

    @classmethod
    def build(cls, characters: Sequence[str], alphabet: str, *, fold_case: bool = True) -> RestrictedDecoder:
        """``characters`` is the model's class list with the CTC blank at index 0."""
        index: dict[str, list[int]] = {c: [] for c in alphabet}
        for i, ch in enumerate(characters):
            if i == 0:
                continue
            if ch in index:
                index[ch].append(i)
                continue
            if "<" in index and ch in _FILLER_LOOKALIKES:
                index["<"].append(i)
                continue
            folded = _fold(ch) if fold_case else ch
            if folded and folded in index and folded != ch:
                index[folded].append(i)
        groups = tuple(np.asarray(sorted(set(v)), dtype=np.int64) for v in index.values())
        return cls(alphabet=alphabet, groups=groups)

    def pool(self, probs: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """(T, C) class probabilities -> (T, 1 + len(alphabet)), column 0 the blank."""
        out = np.empty((probs.shape[0], len(self.groups) + 1), dtype=np.float32)
        out[:, 0] = probs[:, 0]
        for j, g in enumerate(self.groups, start=1):
            out[:, j] = probs[:, g].sum(axis=1) if g.size else 0.0
        return out

    def decode(self, probs: npt.NDArray[np.float32], valid_steps: int | None = None) -> RecognizedLine:
        """Greedy CTC decode of one line's (T, C) probabilities.

        ``valid_steps`` is how many time steps hold the line itself (the rest is batch
        padding); character centres are fractions of that width.
        """
        steps = probs.shape[0] if valid_steps is None else max(1, min(valid_steps, probs.shape[0]))
        pooled = self.pool(probs[:steps])
        # Renormalise so that mass on characters outside the alphabet doesn't dilute confidence.
        pooled /= np.maximum(pooled.sum(axis=1, keepdims=True), 1e-9)
        best = pooled.argmax(axis=1)
        best_p = pooled[np.arange(steps), best]
        chars: list[str] = []
        confs: list[float] = []
        centers: list[float] = []
        alternatives: list[dict[str, float]] = []
        prev = -1
        run_start = 0
        for t in range(steps + 1):
            cls_t = int(best[t]) if t < steps else -1
            if cls_t == prev:
                continue
            if prev > 0:  # close the run of a non-blank class
                chars.append(self.alphabet[prev - 1])
                peak = run_start + int(best_p[run_start:t].argmax())
                confs.append(float(best_p[peak]))
                centers.append(((run_start + t) / 2.0) / steps)
                # What else the recogniser saw at the character's peak (blank left out).
                row = pooled[peak, 1:]
                total = float(row.sum())
                alternatives.append({self.alphabet[j]: round(float(row[j]) / total, 4)
                                     for j in np.flatnonzero(row > ALTERNATIVE_MIN * total) if j != prev - 1})
            prev = cls_t
            run_start = t
        text = "".join(chars)
        conf = float(np.mean(confs)) if confs else 0.0
        # The renormalised per-step matrix goes with the text, so a caller that knows the
        # layout can decode it again under that layout's constraints.
        return RecognizedLine(text, conf, tuple(confs), tuple(centers), tuple(alternatives),
                              steps=StepProbabilities(self.alphabet, pooled))


BATCH_WIDTH_RATIO = 1.3
"""Lines whose prepared width is within this factor of a batch's narrowest share its model
call: every line of a batch is padded to the widest, the largest waste in recognition."""


def recognise_in_batches(
    prepared: Mapping[int, npt.NDArray[np.float32]],
    run: Callable[[npt.NDArray[np.float32]], npt.NDArray[np.float32]],
    decoder: RestrictedDecoder,
    *,
    max_batch: int | None = None,
) -> dict[int, RecognizedLine]:
    """Recognise prepared (3, H, W) line inputs with ``run`` (a padded (N, 3, H, W) batch ->
    (N, T, C) class probabilities), lines of similar width together, and decode each with
    ``decoder``; keyed like ``prepared``."""
    out: dict[int, RecognizedLine] = {}
    order = sorted(prepared, key=lambda i: prepared[i].shape[2])
    batches: list[list[int]] = []
    for i in order:
        last = batches[-1] if batches else None
        if (last is None or (max_batch is not None and len(last) >= max(1, max_batch))
                or prepared[i].shape[2] > BATCH_WIDTH_RATIO * prepared[last[0]].shape[2]):
            batches.append([i])
        else:
            last.append(i)
    for idx in batches:
        max_w = max(prepared[i].shape[2] for i in idx)
        first = prepared[idx[0]]
        x = np.zeros((len(idx), first.shape[0], first.shape[1], max_w), dtype=np.float32)
        for row, i in enumerate(idx):
            x[row, :, :, : prepared[i].shape[2]] = prepared[i]
        probs = run(x)
        steps = probs.shape[1]
        for row, i in enumerate(idx):
            valid = max(1, min(steps, math.ceil(steps * prepared[i].shape[2] / max_w)))
            out[i] = decoder.decode(probs[row], valid_steps=valid)
    return out


def prepare_line(crop: npt.NDArray[Any], *, height: int = 48, max_width: int = 3200,
                 min_width: int = 8) -> npt.NDArray[np.float32]:
    """A line crop (gray, BGR or BGRA) as PP-OCR recognisers take it: BGR resized to
    ``height`` keeping its proportions, ``(3, height, W)``, scaled to [-1, 1]."""
    if crop.ndim == 2:
        crop = cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)
    elif crop.shape[2] == 4:
        crop = cv2.cvtColor(crop, cv2.COLOR_BGRA2BGR)
    h, w = crop.shape[:2]
    width = min(max_width, max(min_width, math.ceil(height * w / max(1, h))))
    resized = crop if (h, w) == (height, width) else cv2.resize(
        crop, (width, height), interpolation=cv2.INTER_AREA if h > height else cv2.INTER_CUBIC)
    x = resized.astype(np.float32).transpose(2, 0, 1) / 255.0
    prepared: npt.NDArray[np.float32] = (x - 0.5) / 0.5
    return prepared


class DecoderCache:
    """One :class:`RestrictedDecoder` per alphabet asked for, over a model's class list."""

    def __init__(self, characters: Sequence[str]) -> None:
        self._characters = list(characters)
        self._decoders: dict[str, RestrictedDecoder] = {}

    def get(self, alphabet: str) -> RestrictedDecoder:
        dec = self._decoders.get(alphabet)
        if dec is None:
            dec = RestrictedDecoder.build(self._characters, alphabet, fold_case=alphabet.isupper())
            self._decoders[alphabet] = dec
        return dec
