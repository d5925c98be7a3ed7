"""Small text helpers shared by the visual-zone modules: folding, edit distance, look-alikes.

Everything here is pure and cheap; the label matcher calls it thousands of times per page.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Final

# Letters NFKD does not decompose into a base letter plus marks, folded for *matching* only
# (labels, month names, country names). Name transliteration for the MRZ has its own table.
_FOLD_SPECIAL: Final[dict[str, str]] = {
    "ß": "SS",
    "ẞ": "SS",
    "Æ": "AE",
    "æ": "AE",
    "Œ": "OE",
    "œ": "OE",
    "Ø": "O",
    "ø": "O",
    "Ł": "L",
    "ł": "L",
    "Đ": "D",
    "đ": "D",
    "Ð": "D",
    "ð": "D",
    "Þ": "TH",
    "þ": "TH",
    "ı": "I",
    "Ħ": "H",
    "ħ": "H",
    "°": "O",  # "N°" is "No"
    "º": "O",
    "ª": "A",
}


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """One character, upper-cased with accents and marks removed (may be 0-2 characters)."""
    special = _FOLD_SPECIAL.get(ch)
    if special is not None:
        return special
    if ch.isascii():
        return ch.upper()
    decomposed = unicodedata.normalize("NFKD", ch)
    out = "".join(c for c in decomposed if not unicodedata.combining(c))
    return out.upper()


def fold(text: str) -> str:
    """Upper case without accents: "Date d'émission" -> "DATE D'EMISSION"."""
    return "".join(fold_char(c) for c in text)


def upper_keep(text: str) -> str:
    """Upper case that keeps national characters as printed ("ß" stays "ß", not "SS")."""
    return "".join(c if c in "ßẞ" else c.upper() for c in text)


def collapse_spaces(text: str) -> str:
    return " ".join(text.split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insert, delete, substitute all cost 1)."""
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


# Digits OCR reads where letters were printed (labels and names are letters only).
DIGIT_TO_LETTER: Final[dict[str, str]] = {
    "0": "O",
    "1": "I",
    "2": "Z",
    "5": "S",
    "6": "G",
    "8": "B",
    "|": "I",
}

# Letters OCR reads where digits were printed (dates are digits plus month names).
LETTER_TO_DIGIT: Final[dict[str, str]] = {
    "O": "0",
    "Q": "0",
    "D": "0",
    "I": "1",
    "L": "1",
    "|": "1",
    "!": "1",
    "Z": "2",
    "S": "5",
    "B": "8",
    "G": "6",
}

# Pairs a check digit cannot tell apart and OCR confuses: used to call two readings
# "equal up to look-alikes" (never to call them equal).
_LOOKALIKE_CLASSES: Final = ("0ODQ", "1IL", "2Z", "5S", "8B", "6G")
LOOKALIKE: Final[dict[str, str]] = {c: cls[0] for cls in _LOOKALIKE_CLASSES for c in cls}


def lookalike_key(text: str) -> str:
    """``text`` with every look-alike class collapsed to one representative."""
    return "".join(LOOKALIKE.get(c, c) for c in text)


def box_slice(
    box: tuple[int, int, int, int], text_len: int, start: int, end: int
) -> tuple[int, int, int, int]:
    """The part of a line box that holds characters ``[start, end)``, assuming even spacing."""
    x0, y0, x1, y1 = box
    if text_len <= 0 or (start <= 0 and end >= text_len):
        return box
    width = x1 - x0
    nx0 = x0 + round(width * max(0, start) / text_len)
    nx1 = x0 + round(width * min(text_len, end) / text_len)
    if nx1 <= nx0:
        nx1 = min(x1, nx0 + 1)
    return (nx0, y0, nx1, y1)
