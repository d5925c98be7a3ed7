"""Text lines the detector split inside one printed field, joined back.

The text detector often cuts a printed value where its letters are spaced widely: a date
"25 MAY /MAY 14" comes back as "25MAY /MAY" and "14", a place "ST HELENA" as "ST" and
"HELENA". Each piece alone is not the field (a date without its year is nothing), so
pieces on one row, of one text height, closer than a character gap apart, are one line
again. Columns of a visual zone are several character widths apart, so they stay apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

from desktop_app.core.types import TextLine
from desktop_app.core.viz.dates import parse_printed_date

_REFERENCE: Final = date(2000, 1, 1)
"""Any date serves: only whether a piece is a whole date matters, not its century."""

MAX_GAP: Final = 1.2
"""Largest gap between two pieces of one line, in text heights."""
MAX_HEIGHT_RATIO: Final = 1.6
DATE_GAP: Final = 1.5
DATE_HEIGHT_RATIO: Final = 2.0
"""Looser limits (gap in the taller piece's height) for pieces that make a whole date
together and neither alone: a year's digits are boxed tighter than letters."""
MIN_ROW_OVERLAP: Final = 0.6


def _height(line: TextLine) -> int:
    return max(1, line.box[3] - line.box[1])


def _same_row(a: TextLine, b: TextLine) -> bool:
    inter = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
    return inter / min(_height(a), _height(b)) >= MIN_ROW_OVERLAP


def _joinable(left: TextLine, right: TextLine) -> bool:
    ha, hb = _height(left), _height(right)
    if not _same_row(left, right):
        return False
    gap = right.box[0] - left.box[2]
    if gap < -0.3 * min(ha, hb):
        return False
    if max(ha, hb) > MAX_HEIGHT_RATIO * min(ha, hb) or gap > MAX_GAP * min(ha, hb):
        # A year's digits are often boxed tighter than the letters of "25 MAY /MAY": the
        # gap is then measured on the taller piece, but only where the two pieces make a
        # whole date that neither is alone.
        if max(ha, hb) > DATE_HEIGHT_RATIO * min(ha, hb) or gap > DATE_GAP * max(ha, hb):
            return False
        if not _completes_date(left.text, right.text):
            return False
    # Two whole dates side by side are two fields ("valid from ... until ..."), not one.
    return not (_whole_date(left.text) and _whole_date(right.text))


def _completes_date(left: str, right: str) -> bool:
    return not _whole_date(left) and not _whole_date(right) and _whole_date(f"{left} {right}")


def _whole_date(text: str) -> bool:
    found = parse_printed_date(text, kind="any", today=_REFERENCE)
    return found is not None and len(found) == 10


def join_fragments(lines: Sequence[TextLine]) -> list[TextLine]:
    """``lines`` with the pieces of one printed line joined (left to right, one space)."""
    pending = sorted(lines, key=lambda ln: (ln.box[0], ln.box[1]))
    out: list[TextLine] = []
    used = [False] * len(pending)
    for i, line in enumerate(pending):
        if used[i]:
            continue
        used[i] = True
        current = line
        weight = len(line.text)
        total = line.confidence * weight
        grown = True
        while grown:
            grown = False
            for j in range(i + 1, len(pending)):
                other = pending[j]
                if used[j] or other.box[0] < current.box[0] or not _joinable(current, other):
                    continue
                used[j] = True
                box = (min(current.box[0], other.box[0]), min(current.box[1], other.box[1]),
                       max(current.box[2], other.box[2]), max(current.box[3], other.box[3]))
                total += other.confidence * len(other.text)
                weight += len(other.text)
                current = TextLine(f"{current.text} {other.text}", total / max(1, weight), box)
                grown = True
                break
        out.append(current)
    return out
