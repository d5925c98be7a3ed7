"""MRZ dates (``YYMMDD``) to ISO text, with the century chosen by what each date means.

* Birth: the latest century that does not put the date after today. A holder is never
  born in the future; the price is that a person over 100 reads as a child (the VIZ date
  shows the difference, and ``minor`` is flagged, so a human looks).
* Expiry: the century that puts the date in ``(today - 80 years, today + 20 years]``. No
  document is issued for more than 20 years, so every genuine expiry date lies in that
  window; reading a far-future year as the past makes a misread or "permanent" marker show
  up as ``expired`` (a human looks) instead of passing as valid for decades.

Unknown parts: some states print ``<<`` or ``XX`` for an unknown day or month of birth. The
ISO text then has ``XX`` there (``1974-08-XX``, ``1974-XX-XX``) and :class:`MrzDate` says
the date is partial; comparisons use the earliest or latest possible day as appropriate.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from typing import Literal

DateKind = Literal["birth", "expiry"]


@dataclass(frozen=True, slots=True)
class MrzDate:
    """A decoded MRZ date; ``earliest``/``latest`` bound a partial date."""

    iso: str
    earliest: datetime.date
    latest: datetime.date
    partial: bool


def _add_years(d: datetime.date, years: int) -> datetime.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _unknown(pair: str) -> bool:
    return pair in ("<<", "XX")


def decode(text: str, kind: DateKind, today: datetime.date) -> MrzDate | None:
    """Decode six MRZ characters; None when they are not a (possibly partial) real date."""
    if len(text) != 6 or not text[:2].isdigit():
        return None
    yy, mm, dd = text[:2], text[2:4], text[4:6]
    if kind == "expiry" and (_unknown(mm) or _unknown(dd)):
        return None
    if not (mm.isdigit() or _unknown(mm)) or not (dd.isdigit() or _unknown(dd)):
        return None
    if _unknown(mm) and not _unknown(dd):
        return None
    month = int(mm) if mm.isdigit() else None
    day = int(dd) if dd.isdigit() else None
    if month is not None and not 1 <= month <= 12:
        return None
    year2 = int(yy)
    for year in _century_order(year2, today):
        lo_m, hi_m = (month, month) if month is not None else (1, 12)
        first = datetime.date(year, lo_m, 1)
        last = datetime.date(year, hi_m, calendar.monthrange(year, hi_m)[1])
        if day is not None:
            if not 1 <= day <= calendar.monthrange(year, lo_m)[1]:
                if lo_m == 2 and day == 29 and not calendar.isleap(year):
                    continue  # 29 February: only some centuries have it
                return None
            first = last = datetime.date(year, lo_m, day)
        if kind == "birth" and first > today:
            continue
        if kind == "expiry" and not _add_years(today, -80) < last <= _add_years(today, 20):
            continue
        iso = f"{year:04d}-{mm if month is not None else 'XX'}-{dd if day is not None else 'XX'}"
        return MrzDate(iso, first, last, month is None or day is None)
    return None


def _century_order(year2: int, today: datetime.date) -> list[int]:
    """Newest first, so a birth date takes the latest century not in the future."""
    century = today.year // 100 * 100
    return [century + 100 + year2, century + year2, century - 100 + year2]


def parse_iso(text: str) -> tuple[str, bool] | None:
    """ISO ``YYYY-MM-DD`` (``XX`` allowed for day, or month and day) to (``YYMMDD``, partial)."""
    parts = text.strip().split("-")
    if len(parts) != 3 or len(parts[0]) != 4 or not parts[0].isdigit():
        return None
    y, m, d = parts[0], parts[1].upper(), parts[2].upper()
    if len(m) != 2 or len(d) != 2:
        return None
    if m == "XX" and d != "XX":
        return None
    if m != "XX":
        if not m.isdigit() or not 1 <= int(m) <= 12:
            return None
        if d != "XX" and (not d.isdigit() or not 1 <= int(d) <= calendar.monthrange(int(y), int(m))[1]):
            return None
    return y[2:] + (m if m != "XX" else "<<") + (d if d != "XX" else "<<"), m == "XX" or d == "XX"


def age_on(birth: datetime.date, today: datetime.date) -> int:
    """Whole years from ``birth`` to ``today``."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
