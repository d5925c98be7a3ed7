"""Shared helpers for the MRZ engine tests (imported by the test modules beside it)."""

from __future__ import annotations

import datetime

from desktop_app.core.mrz import read_mrz
from desktop_app.core.mrz.checksum import check_digit
from desktop_app.core.types import MrzReading

TODAY = datetime.date(2025, 6, 1)


CONFIDENT = 0.99
"""What a recogniser reports for a clean read: well over the same-value rule's 20:1 odds."""


def confident(lines: list[str] | tuple[str, ...]) -> list[list[float]]:
    """Per-character confidences of a confident recogniser, one per character given."""
    return [[CONFIDENT] * len(line) for line in lines]


def read(lines: list[str] | tuple[str, ...], *, plain: bool = False, **kw: object) -> MrzReading:
    """``read_mrz`` as a confident recogniser would feed it (every character at 0.99) unless
    the test gives its own evidence, so that the tests of repairs, checks and flags are not
    about the same-value look-alike rule, which needs evidence; ``plain=True`` reads the
    bare text (no evidence at all)."""
    kw.setdefault("today", TODAY)
    if not plain and kw.get("confidences") is None and kw.get("alternatives") is None:
        kw["confidences"] = confident(lines)
    return read_mrz(lines, **kw)  # type: ignore[arg-type]


def values(r: MrzReading) -> dict[str, str]:
    return {k: f.value for k, f in r.fields.items()}


def flag_codes(r: MrzReading) -> set[str]:
    return {f.code for f in r.flags}


def cd(data: str) -> str:
    """Check digit, computed (tests never assert a digit nobody computed)."""
    return check_digit(data)
