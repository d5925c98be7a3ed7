"""Restricted CTC decoding: pooling look-alike classes and greedy decoding."""

from __future__ import annotations

import numpy as np

from desktop_app.core.ocr.base import MRZ_ALPHABET
from desktop_app.core.ocr.ctc import RestrictedDecoder

CLASSES = ["blank", "A", "a", "く", "<", "0", "O", "中", "B", "Ａ", " "]


def _probs(seq: list[str], classes: list[str] = CLASSES) -> np.ndarray:
    """One time step per entry, probability 0.9 on that class."""
    out = np.full((len(seq), len(classes)), 0.1 / (len(classes) - 1), dtype=np.float32)
    for t, name in enumerate(seq):
        out[t, classes.index(name)] = 0.9
    return out


def test_pools_lookalikes_onto_alphabet() -> None:
    dec = RestrictedDecoder.build(CLASSES, MRZ_ALPHABET)
    groups = dict(zip(dec.alphabet, dec.groups, strict=True))
    assert sorted(groups["<"].tolist()) == [3, 4]
    assert sorted(groups["A"].tolist()) == [1, 2, 9]  # 'a' and full-width 'Ａ'
    assert groups["O"].tolist() == [6]
    assert groups["Z"].size == 0


def test_greedy_decode_collapses_runs_and_keeps_blank_separated_repeats() -> None:
    dec = RestrictedDecoder.build(CLASSES, MRZ_ALPHABET)
    line = dec.decode(_probs(["A", "A", "blank", "A", "く", "<", "blank", "<", "中", "0"]))
    # 中 is not allowed in an MRZ: its step goes to the allowed class with the most pooled
    # mass; the leftover mass is spread evenly, and 'A' pools three classes (A, a, Ａ).
    assert line.text == "AA<<A0"
    assert len(line.char_confidences) == len(line.text) == len(line.char_centers)
    assert all(0.0 < c <= 1.0 for c in line.char_confidences)
    assert list(line.char_centers) == sorted(line.char_centers)


def test_char_centres_are_fractions_of_the_valid_width() -> None:
    dec = RestrictedDecoder.build(CLASSES, MRZ_ALPHABET)
    probs = _probs(["A", "blank", "B", "blank"] + ["blank"] * 4)  # last 4 steps are batch padding
    line = dec.decode(probs, valid_steps=4)
    assert line.text == "AB"
    assert line.char_centers[0] == 0.5 / 4
    assert line.char_centers[1] == 2.5 / 4


def test_case_is_kept_for_mixed_alphabets() -> None:
    dec = RestrictedDecoder.build(CLASSES, "Aa<")
    line = dec.decode(_probs(["a", "blank", "A"]))
    assert line.text == "aA"


def test_empty_input_gives_empty_line() -> None:
    dec = RestrictedDecoder.build(CLASSES, MRZ_ALPHABET)
    line = dec.decode(_probs(["blank", "blank"]))
    assert line.text == ""
    assert line.confidence == 0.0
