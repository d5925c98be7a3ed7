"""Fields found by where they sit, when their printed labels could not be read.

Label text on identity documents is small (often 1.5-2 mm) and is the first thing a phone
photo loses, while the values, printed larger, are still read. Passport and visa data
pages follow the ICAO 9303 part 4 layout closely enough to find three visual-zone-only
fields without labels:

- the dates printed in the visual zone are told apart by value: the one equal to the
  MRZ birth date is the birth date, the one equal to the MRZ expiry date is the expiry
  date, and a remaining date between the two that is not in the future is the date of
  issue (no longer in doubt when it runs whole years to the MRZ's check-digit-proven expiry
  date, the day itself or the day before: that is a check on the value, not on its place);
- the place of birth is the text line right under the birth date, in its column;
- the issuing authority is the text beside the date of issue, on its row (or under it).

Whatever is found by position alone is capped at LAYOUT_CONFIDENCE so that the cross-check
shows it as low confidence with its reason: nothing found by position alone is presented
as verified.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Final

from desktop_app.core.types import Box, Field, TextLine
from desktop_app.core.viz.dates import parse_date_detail, parse_printed_date
from desktop_app.core.viz.extract import VizField
from desktop_app.core.viz.labels import parse_line

LAYOUT_CONFIDENCE: Final = 0.5
_BY_VALUE: Final = "found as the printed date equal to the MRZ's, not by its label"
_BY_VALIDITY: Final = "found as the one other date, whole years before the MRZ's expiry date"
_WORDY = re.compile(r"[A-ZÀ-ÖØ-Þ'][A-ZÀ-ÖØ-Þ' .,\-/()]{2,}")


def _is_value_text(text: str) -> bool:
    """Upper-case words (a place, an authority), not a label in lower case, not a date."""
    t = text.strip()
    letters = [c for c in t if c.isalpha()]
    if len(letters) < 3 or any(c.isdigit() for c in t):
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper / len(letters) >= 0.85 and bool(_WORDY.fullmatch(t.upper()))


def _holds_label(text: str) -> bool:
    return any(seg.field is not None for seg in parse_line(text))


def _below(anchor: Box, lines: Sequence[TextLine]) -> TextLine | None:
    """The nearest line under ``anchor`` whose left edge is in the anchor's column."""
    x0, _, x1, y1 = anchor
    h = anchor[3] - anchor[1]
    best: tuple[float, TextLine] | None = None
    for ln in lines:
        bx0, by0, _, _ = ln.box
        if by0 < y1 - 0.3 * h or by0 > y1 + 4 * h:
            continue
        if not x0 - 1.5 * h <= bx0 <= x1:
            continue  # starts in the anchor's column (the next field of its row may sit right of it)
        d = by0 - y1
        if best is None or d < best[0]:
            best = (d, ln)
    return best[1] if best else None


def _beside(anchor: Box, lines: Sequence[TextLine]) -> TextLine | None:
    """The nearest line to the right of ``anchor`` on the same row."""
    _, y0, x1, y1 = anchor
    h = y1 - y0
    cy = (y0 + y1) / 2
    best: tuple[float, TextLine] | None = None
    for ln in lines:
        bx0, by0, _, by1 = ln.box
        if bx0 < x1 or abs((by0 + by1) / 2 - cy) > 1.2 * h:
            continue
        d = bx0 - x1
        if best is None or d < best[0]:
            best = (d, ln)
    return best[1] if best else None


def _text_after_date(line: TextLine, today: date) -> str | None:
    """Words printed after the date on its line, the next column merged in by the OCR
    ("10 MAR /MARS 15 ST HELENA")."""
    parsed = parse_date_detail(line.text, kind="any", today=today)
    if parsed is None:
        return None
    rest = line.text[parsed.end :].strip(" /,.;:")
    return rest.upper() if _is_value_text(rest) else None


def _field(line: TextLine, value: str, why: str) -> VizField:
    return VizField(value=value, raw=f"{line.text} ({why})", confidence=min(line.confidence, LAYOUT_CONFIDENCE),
                    box=line.box, doubt=why)


def _whole_years_before(issued: str, expires: str) -> bool:
    try:
        a, b = date.fromisoformat(issued), date.fromisoformat(expires)
    except ValueError:
        return False
    return b.year > a.year and (a.month, a.day) in ((b.month, b.day), _day_shifted(b, -1), _day_shifted(b, 1))


def _day_shifted(d: date, days: int) -> tuple[int, int]:
    """Month and day ``days`` from ``d``: a document valid N years "less a day" expires on
    the day before its issue day's anniversary; a few states count the other way."""
    moved = date.fromordinal(d.toordinal() + days)
    return moved.month, moved.day


def infer_from_layout(
    lines: Sequence[TextLine],
    found: Mapping[str, VizField],
    mrz_fields: Mapping[str, Field],
    *,
    today: date | None = None,
    month_first: bool = False,
) -> dict[str, VizField]:
    """``found`` completed with the fields that position alone gives (never overriding it)."""
    out = dict(found)
    birth = mrz_fields.get("birth_date")
    expiry = mrz_fields.get("expiry_date")
    if birth is None or expiry is None:
        return out
    today = today or date.today()
    # Each date as each field would read it: a two-digit year resolves by the field's kind
    # ("12 AUG 74" is 1974 as a birth date, and would be 2074 as "any" date).
    readings: list[tuple[dict[str, str], TextLine]] = []
    for ln in lines:
        kinds: dict[str, str] = {}
        first = parse_printed_date(ln.text, kind="any", today=today, month_first=month_first)
        if first is None or len(first) != 10:
            continue  # a line holds a whole date under every kind or under none (parsing is costly)
        for kind in ("birth", "expiry", "issue"):
            value = parse_printed_date(ln.text, kind=kind, today=today, month_first=month_first)
            if value and len(value) == 10:
                kinds[kind] = value
        if kinds:
            readings.append((kinds, ln))
    dated = [(kinds["issue"], ln) for kinds, ln in readings if "issue" in kinds]
    birth_line = next((ln for kinds, ln in readings if kinds.get("birth") == birth.value), None)
    if "birth_date" not in out and birth_line is not None:
        out["birth_date"] = VizField(birth.value, birth_line.text, birth_line.confidence, birth_line.box,
                                     doubt=_BY_VALUE)
    expiry_line = next((ln for kinds, ln in readings if kinds.get("expiry") == expiry.value), None)
    if "expiry_date" not in out and expiry_line is not None:
        out["expiry_date"] = VizField(expiry.value, expiry_line.text, expiry_line.confidence, expiry_line.box,
                                      doubt=_BY_VALUE)
    issue_line: TextLine | None = None
    if "issue_date" not in out:
        candidates = [(v, ln) for v, ln in dated
                      if birth.value < v < expiry.value and v <= today.isoformat()
                      and ln is not birth_line and ln is not expiry_line]
        if len(candidates) > 1:
            # Documents run for whole years: issued on the expiry's day and month (or a
            # day either side), some years before it.
            candidates = [(v, ln) for v, ln in candidates if _whole_years_before(v, expiry.value)]
        if len(candidates) == 1:
            v, issue_line = candidates[0]
            if expiry.status == "ok" and _whole_years_before(v, expiry.value):
                # Not position alone: the date runs whole years to the expiry date that the
                # MRZ's check digit proves, as documents are issued. A misread date that
                # still does that by chance is about one in 365 x the validity periods.
                out["issue_date"] = VizField(v, f"{issue_line.text} ({_BY_VALIDITY})", issue_line.confidence,
                                             issue_line.box)
            else:
                out["issue_date"] = _field(issue_line, v, "found by position: the only other date on the page")
    else:
        issue_line = next((ln for v, ln in dated if v == out["issue_date"].value), None)
    used = {id(ln) for _, ln in dated}
    # never a label (a label printed in capitals reads like a value: "DATE OF EXPIRY")
    text_lines = [ln for ln in lines if id(ln) not in used and _is_value_text(ln.text) and not _holds_label(ln.text)]
    if "place_of_birth" not in out and birth_line is not None:
        below = _below(birth_line.box, text_lines)
        if below is not None:
            out["place_of_birth"] = _field(below, below.text.strip().upper(), "found by position: under the birth date")
    if "authority" not in out and issue_line is not None:
        after = _text_after_date(issue_line, today)
        beside = _beside(issue_line.box, text_lines) or _below(issue_line.box, text_lines)
        if after is not None:
            out["authority"] = _field(issue_line, after, "found by position: printed after the date of issue")
        elif beside is not None:
            out["authority"] = _field(beside, beside.text.strip().upper(), "found by position: beside the date of issue")
    return out
