"""ICAO 9303 check digits (part 3, 4.9): weights 7, 3, 1 repeating, modulo 10."""

from __future__ import annotations

from typing import Final

_WEIGHTS: Final = (7, 3, 1)


def char_value(ch: str) -> int:
    """Value of one MRZ character: digits as is, A-Z as 10-35, the filler `<` as 0.

    Raises ValueError for anything else, so a caller cannot compute a check digit over
    text that was never normalised.
    """
    if "0" <= ch <= "9":
        return ord(ch) - 48
    if "A" <= ch <= "Z":
        return ord(ch) - 55
    if ch == "<":
        return 0
    raise ValueError(f"not an MRZ character: {ch!r}")


def check_digit(data: str) -> str:
    """The check digit of ``data`` as a single character ``'0'``-``'9'``."""
    total = 0
    for i, ch in enumerate(data):
        total += char_value(ch) * _WEIGHTS[i % 3]
    return str(total % 10)


def is_valid(data: str, digit: str) -> bool:
    """True if ``digit`` is the check digit of ``data``; `<` never matches (it means absent)."""
    try:
        return check_digit(data) == digit
    except ValueError:
        return False
