"""The OCR engine seam: the pipeline talks to this protocol, never to Paddle directly.

Keeping the protocol free of Paddle lets the pipeline, the command line and the tests run
with a fake engine, and lets the real engine live in another process (the GUI does that).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

import numpy.typing as npt

Image = npt.NDArray[Any]
"""An image array (BGR or gray, uint8 by convention). The dtype is left open because
OpenCV's stubs type every returned array loosely."""
Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]

MRZ_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"


@dataclass(frozen=True, slots=True)
class RecognizedLine:
    """One recognised text line.

    ``char_confidences[i]`` is the model's probability for ``text[i]``;
    ``char_centers[i]`` is where that character's centre lies, as a fraction (0..1) of the
    crop width, so the caller can map a span of characters back to pixels.
    ``char_alternatives[i]``, when the engine reports it, holds the probability of every
    other character the recogniser considered for ``text[i]`` (those above 1%); empty when
    unknown.
    ``steps`` holds the per-step class probabilities the text was decoded from, when the
    engine reports them, so a caller that knows more about the text (the MRZ layout) can
    decode them again under its own constraints.
    """

    text: str
    confidence: float
    char_confidences: tuple[float, ...]
    char_centers: tuple[float, ...]
    char_alternatives: tuple[Mapping[str, float], ...] = ()
    steps: StepProbabilities | None = None


@dataclass(frozen=True, slots=True, eq=False)
class StepProbabilities:
    """A CTC recogniser's output for one line: ``probs[t, 0]`` is the blank's probability at
    time step ``t`` and ``probs[t, 1 + k]`` that of ``alphabet[k]``."""

    alphabet: str
    probs: npt.NDArray[Any]


@dataclass(frozen=True, slots=True)
class DetectedText:
    """A text region found by the detector: its quadrilateral in the image given."""

    quad: Quad
    score: float


class LineRecognizer(Protocol):
    """A recogniser of text lines alone (a second reader of the MRZ lines)."""

    def recognize(self, crops: Sequence[Image], *, alphabet: str | None = None) -> list[RecognizedLine]:
        ...


class OcrEngine(Protocol):
    """What the pipeline needs from an OCR engine. Implementations are not thread-safe."""

    def recognize(self, crops: Sequence[Image], *, alphabet: str | None = None) -> list[RecognizedLine]:
        """Read one text line per crop (BGR or gray). ``alphabet`` restricts the output
        characters at decoding time (e.g. :data:`MRZ_ALPHABET`); None means the engine's
        Latin printable set."""
        ...

    def detect(self, image: Image) -> list[DetectedText]:
        """Find text lines in a page image (BGR)."""
        ...


class OcrError(RuntimeError):
    """The OCR engine failed; the message is fit for an operator."""
