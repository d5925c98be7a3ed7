"""Shared helpers for the MRZ engine tests (imported by the test modules beside it)."""

from __future__ import annotations

import datetime

from desktop_app.core.mrz import read_mrz
from desktop_app.core.mrz.checksum import check_digit
from desktop_app.core.types import MrzReading

TODAY = datetime.date(2025, 6, 1)


def read(lines: list[str] | tuple[str, ...], **kw: object) -> MrzReading:
    kw.setdefault("today", TODAY)
    return read_mrz(lines, **kw)  # type: ignore[arg-type]


def values(r: MrzReading) -> dict[str, str]:
    return {k: f.value for k, f in r.fields.items()}


def flag_codes(r: MrzReading) -> set[str]:
    return {f.code for f in r.flags}


def cd(data: str) -> str:
    """Check digit, computed (tests never assert a digit nobody computed)."""
    return check_digit(data)
