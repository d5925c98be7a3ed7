"""Visual-zone field extraction: find printed labels, then the value each one announces.

Given the OCR lines of an upright page, ``extract_viz_fields``:

1. drops the MRZ (lines centred in ``mrz_box`` or less than half its height below it, and
   lines that look like MRZ text wherever they are) and keeps the first ``MAX_LINES``
   lines from the top; text further below the band is another side of the document in
   the same image (a card's back under its front) and is read;
2. splits every line into label runs and free text (``labels.parse_line``): a line may be
   "Surname/Nom ERIKSSON" (label and value), "Surname/Nom" (label only), "ERIKSSON"
   (value only), or two columns merged by the OCR ("Sex/Sexe M Nationality/... SWE");
3. gives each label candidate values: the text right after it on its line; else the
   nearest free text to its right on the same row; else the nearest free text below it,
   in its column (a line below that is another field's label ends the search; the other
   half of a bilingual label split over two lines does not);
4. keeps the values that read as the field (a date for a date label, M/F/X for sex ...)
   and assigns them greedily by score, one value per field and one field per text.

Column limits come from the labels themselves: a label's column runs from its left edge
to the next label on its row, so a value line the OCR merged across columns is cut
where the next column starts. Character positions inside a line are estimated by even
spacing, which a merged line's wide gap defeats; so a value of a recognisable form (a
date, a number, a code) may also be found anywhere in the line as long as it sits in the
column, and a place or authority takes back the words of letters the cut gave to the
column on its left (that column holds a date, a code or a sex).

Visas: "Surname, name" announces "SURNAME, GIVEN NAMES" in one value; "Passport No." is
the holder's passport there, not the document number, which a visa prints unlabelled at
the top (taken with a lower confidence).
"""

from __future__ import annotations

import bisect
import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from desktop_app.core.types import Box, TextLine
from desktop_app.core.viz._text import box_slice
from desktop_app.core.viz.dates import parse_date_detail
from desktop_app.core.viz.labels import (
    FULL_NAME,
    HOLDER_PASSPORT,
    IGNORED,
    VALIDITY,
    VISA_MARK,
    Segment,
    parse_line,
)
from desktop_app.core.viz.script import looks_non_latin
from desktop_app.core.viz.values import (
    DATE_KINDS,
    READABLE_FIELDS,
    TEXT_FIELDS,
    Value,
    is_text_word,
    read_full_name,
    read_value,
)

DATE_FIELDS: Final = frozenset(DATE_KINDS)
SCRIPT_FIELDS: Final = frozenset({"surname", "given_names", FULL_NAME, "place_of_birth", "authority", "nationality"})
"""Fields printed in the national script as well as in Latin letters."""

MAX_LINES: Final = 300
"""Lines considered per page (a passport page has 20-80); the rest, lowest on the page, are ignored."""
MAX_LINE_CHARS: Final = 200

_MRZ_LIKE: Final = re.compile(r"^[A-Z0-9<«‹ ]{20,}$")

_INLINE: Final = 1.0
_RIGHT: Final = 0.97
_BELOW: Final = 0.95
_UNLABELLED: Final = 0.85


@dataclass(frozen=True)
class VizField:
    """One field read from the visual zone."""

    value: str
    """Normalised: ISO dates (or "1974-08" / "1974" when printed partially), sex M/F/X,
    names upper case with single spaces (national characters kept), document number
    upper case without spaces, nationality / issuing country as a code when known."""
    raw: str
    """The printed text the value was read from."""
    confidence: float
    box: Box
    """Box of the value text, in the input lines' coordinates."""
    doubt: str | None = None
    """Why the value may not be this field's, when it may not: None when the layout binds
    it to its label (after it on its line, or under it or right of it in its column, and
    not a label, header, overprint or line in another script). A value in doubt is shown,
    never compared with the MRZ as a mismatch."""


@dataclass(frozen=True, slots=True)
class _Line:
    index: int
    text: str
    confidence: float
    box: Box
    segments: tuple[Segment, ...]

    @property
    def height(self) -> int:
        return max(1, self.box[3] - self.box[1])


@dataclass(frozen=True, slots=True)
class _Piece:
    """A label run or a stretch of free text on one line, with its own box."""

    line: _Line
    field: str | None
    """Label field (IGNORED for labels we do not read), None for free text."""
    start: int
    end: int
    box: Box
    score: float = 1.0
    inline_start: int = 0
    inline_end: int = 0
    """For a label: the text after it on its line, up to the next label."""

    @property
    def is_label(self) -> bool:
        return self.field is not None

    @property
    def has_inline_text(self) -> bool:
        return bool(self.line.text[self.inline_start : self.inline_end].strip())


@dataclass(frozen=True, slots=True)
class DateRule:
    """How this document's printed dates are read: two-digit years against ``today``,
    numeric dates month first or not."""

    today: date
    month_first: bool = False


@dataclass(frozen=True, slots=True)
class _Candidate:
    score: float
    field: str
    line_index: int
    start: int
    end: int
    result: VizField


FAR_RIGHT_LINES: Final = 4.0
"""A value right of its label further than this many line heights may be another column's."""
TALL_LINES: Final = 2.2
"""Text this many times the median line height is a title or an overprint, not a value."""
AFTER_TRANSLATION: Final = 0.8
"""Factor on a value read right after a slash that ends a label run: often the label's
next translation, in capitals ("SURNAME / ZITA REMHURI / ISIBONGO")."""


ROW_ALIGNED: Final = 0.8
"""A value right of its label shares the label's row: their boxes overlap this much."""
OFF_ROW: Final = 0.9
"""Factor on a value right of its label but off its row (under the factor of a value below)."""

LABEL_LIKE: Final = 0.8
"""Factor on a place or authority in lower case right after its label."""


def _doubted(cands: list[_Candidate], doubt: str | None) -> list[_Candidate]:
    if doubt is None:
        return cands
    return [replace(c, result=replace(c.result, doubt=c.result.doubt or doubt)) for c in cands]


def _shape_doubt(line: _Line, start: int, end: int, line_h: float, field: str) -> str | None:
    if line.height > TALL_LINES * line_h:
        return "the text is printed larger than field values (an overprint or a title)"
    if field in SCRIPT_FIELDS and looks_non_latin(line.text[start:end]):
        return "the line may be in another script (Cyrillic, Greek ...) read as Latin letters"
    return None


def extract_viz_fields(
    lines: Sequence[TextLine],
    *,
    page_size: tuple[int, int],
    mrz_box: Box | None = None,
    today: date | None = None,
    month_first: bool = False,
) -> dict[str, VizField]:
    """Fields printed in the visual zone, keyed by contract field key; only those found.

    ``today`` (default: the current date) resolves two-digit years of printed dates;
    ``month_first`` reads numeric dates month first (the issuing state prints them so:
    :func:`desktop_app.core.viz.dates.prints_month_first`).
    """
    ref = DateRule(today if today is not None else date.today(), month_first)
    width, height = _page_size(page_size, lines)
    kept = _usable_lines(lines, mrz_box)
    if not kept:
        return {}
    line_h = statistics.median(ln.height for ln in kept)
    pieces = [p for ln in kept for p in _pieces(ln)]
    labels = [p for p in pieces if p.is_label]
    if not labels:
        return {}
    # On a visa, "Passport No." is the holder's passport, not the visa's number.
    is_visa = any(p.field == VISA_MARK for p in labels)
    labels = [_resolve(p, is_visa=is_visa) for p in labels]
    pieces = [p for p in pieces if not p.is_label] + labels
    rows = _RowIndex(pieces)
    candidates: list[_Candidate] = []
    for label in labels:
        if label.field in READABLE_FIELDS or label.field in (FULL_NAME, VALIDITY):
            found = _candidates_for(label, rows, line_h=line_h, width=width, height=height, today=ref)
            candidates.extend(found)
    if is_visa:
        candidates.extend(_visa_number(pieces, labels, ref))
    return _assign(candidates)


def _visa_number(pieces: list[_Piece], labels: list[_Piece], today: DateRule) -> list[_Candidate]:
    """A visa prints its number without a label, above the first field row (top right)."""
    top = min(p.box[1] for p in labels if p.field not in (IGNORED,)) if labels else 0
    out: list[_Candidate] = []
    for piece in pieces:
        if piece.is_label or piece.box[3] > top:
            continue
        found = _read("document_number", piece.line, (piece.start, piece.end), _UNLABELLED, today)
        found = _doubted(found, "printed without a label")
        out.extend(c for c in found if c.result.value == c.result.raw.replace(" ", "").upper())
    # the rightmost is the number (the issuing state's name sits left of it)
    out.sort(key=lambda c: -c.result.box[2])
    return out[:1]


def _resolve(label: _Piece, *, is_visa: bool) -> _Piece:
    if label.field != HOLDER_PASSPORT:
        return label
    return replace(label, field=IGNORED if is_visa else "document_number")


# ---------------------------------------------------------------------------------------
# input hygiene


def _page_size(page_size: tuple[int, int], lines: Sequence[TextLine]) -> tuple[int, int]:
    try:
        w, h = int(page_size[0]), int(page_size[1])
    except (TypeError, ValueError, IndexError, OverflowError):
        w = h = 0
    if w > 0 and h > 0:
        return w, h
    xs = [ln.box[2] for ln in lines if _box_ok(ln.box)] or [1]
    ys = [ln.box[3] for ln in lines if _box_ok(ln.box)] or [1]
    return max(1, int(max(xs))), max(1, int(max(ys)))


def _box_ok(box: object) -> bool:
    if not isinstance(box, tuple | list) or len(box) != 4:
        return False
    return all(isinstance(v, int | float) and math.isfinite(v) for v in box)


def _clean_box(box: Sequence[float]) -> Box:
    x0, y0, x1, y1 = (round(v) for v in box)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _usable_lines(lines: Sequence[TextLine], mrz_box: Box | None) -> list[_Line]:
    # The MRZ band and a margin under it (half the band's height) hold MRZ text only;
    # text further down is another side of the document shown in the same image (a
    # card's back under its front) and is read.
    band: tuple[float, float] | None = None
    if mrz_box is not None and _box_ok(mrz_box):
        mb = _clean_box(mrz_box)
        band = (mb[1], mb[3] + 0.5 * (mb[3] - mb[1]))
    raw: list[tuple[str, float, Box]] = []
    for ln in lines:
        text = getattr(ln, "text", None)
        box = getattr(ln, "box", None)
        if not isinstance(text, str) or not text.strip() or not _box_ok(box):
            continue
        assert box is not None
        clean = _clean_box(box)
        if band is not None and band[0] <= (clean[1] + clean[3]) / 2 <= band[1]:
            continue  # in or just below the MRZ band
        text = text[:MAX_LINE_CHARS]
        if _MRZ_LIKE.match(text.strip()) and text.count("<") >= 2:
            continue
        conf = getattr(ln, "confidence", 0.0)
        try:
            confidence = float(conf)
        except (TypeError, ValueError):
            confidence = 0.0
        if not math.isfinite(confidence):
            confidence = 0.0
        raw.append((text, min(1.0, max(0.0, confidence)), clean))
    raw.sort(key=lambda t: (t[2][1], t[2][0]))
    kept = raw[:MAX_LINES]
    return [_Line(i, text, conf, box, parse_line(text)) for i, (text, conf, box) in enumerate(kept)]


def _pieces(line: _Line) -> list[_Piece]:
    n = len(line.text)
    out: list[_Piece] = []
    for seg in line.segments:
        if seg.field is None:
            start, end = _trim(line.text, seg.value_start, seg.value_end)
            if start < end:
                out.append(_Piece(line, None, start, end, box_slice(line.box, n, start, end)))
            continue
        start, end = _trim(line.text, seg.label_start, seg.value_start)
        if start >= end:
            continue
        out.append(
            _Piece(
                line,
                seg.field,
                start,
                end,
                box_slice(line.box, n, start, end),
                seg.score,
                seg.value_start,
                seg.value_end,
            )
        )
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# ---------------------------------------------------------------------------------------
# layout


def _v_overlap(a: Box, b: Box) -> float:
    """Vertical overlap over the smaller height (1.0: one spans the other)."""
    inter = min(a[3], b[3]) - max(a[1], b[1])
    return max(0.0, inter) / max(1, min(a[3] - a[1], b[3] - b[1]))


class _RowIndex:
    """Pieces sorted by top edge, for "what is near this box" questions."""

    def __init__(self, pieces: list[_Piece]) -> None:
        self.pieces = sorted(pieces, key=lambda p: (p.box[1], p.box[0]))
        self.tops = [p.box[1] for p in self.pieces]

    def between(self, y_from: float, y_to: float) -> list[_Piece]:
        lo = bisect.bisect_left(self.tops, y_from)
        hi = bisect.bisect_right(self.tops, y_to)
        return self.pieces[lo:hi]


def _column_right(label: _Piece, rows: _RowIndex, line_h: float) -> float:
    """Where the label's column ends: the left edge of the next label on its row."""
    box = label.box
    right = math.inf
    for other in rows.between(box[1] - 2 * line_h, box[3] + line_h):
        if other is label or not other.is_label:
            continue
        if other.box[0] > box[0] + 1 and _v_overlap(box, other.box) >= 0.5:
            right = min(right, other.box[0])
    return right


def _slice_words(piece: _Piece, x_from: float, x_to: float) -> tuple[int, int] | None:
    """The words of a free-text piece whose centre lies in ``[x_from, x_to)``."""
    line = piece.line
    n = len(line.text)
    x0, _, x1, _ = line.box
    per_char = (x1 - x0) / max(1, n)
    start: int | None = None
    end = 0
    for m in re.finditer(r"\S+", line.text[piece.start : piece.end]):
        s, e = piece.start + m.start(), piece.start + m.end()
        centre = x0 + per_char * (s + e) / 2
        if x_from <= centre < x_to:
            if start is None:
                start = s
            end = e
        elif start is not None:
            break
    if start is None:
        return None
    return start, end


def _candidates_for(
    label: _Piece, rows: _RowIndex, *, line_h: float, width: int, height: int, today: DateRule
) -> list[_Candidate]:
    assert label.field is not None
    field = label.field
    line = label.line
    out: list[_Candidate] = []
    label_factor = 0.9 + 0.1 * label.score

    after_slash = line.text[: label.inline_start].rstrip().endswith("/")
    if label.has_inline_text:
        # Glued without a case turn ("SURNAMEIZITA..."); "NomERIKSSON" or "àMONTREAL" turn
        # case where the label ends, a boundary as clear as a space.
        before = line.text[label.inline_start - 1] if label.inline_start > 0 else " "
        after = line.text[label.inline_start] if label.inline_start < len(line.text) else " "
        glued = before.isalnum() and not (before.islower() and after.isupper())
        factor = label_factor * _INLINE * (AFTER_TRANSLATION if after_slash or glued else 1.0)
        found = _read(field, line, (label.inline_start, label.inline_end), factor, today)
        if found and (after_slash or glued):
            found = _doubted(found, "it follows the label's translations and may be one" if after_slash
                             else "it is printed glued to its label and may be the label's translation")
        inline_text = line.text[label.inline_start : label.inline_end]
        label_like = field in TEXT_FIELDS and any(c.islower() for c in inline_text)
        if found and not (after_slash or glued or label_like):
            # a value printed right after its label is the value
            return _doubted(found, _shape_doubt(line, label.inline_start, label.inline_end, line_h, field))
        if label_like:
            # Places and authorities are printed in capitals; lower case after a label is
            # mostly the rest of a misread label ("Place of birtvLou denal"): a value in
            # capitals under the label is preferred.
            found = [replace(c, score=c.score * LABEL_LIKE) for c in found]
        out.extend(found)

    right_edge = _column_right(label, rows, line_h)
    tol_x = max(1.5 * line_h, 0.02 * width)

    # Right of the label, same row.
    best_right: _Piece | None = None
    for other in rows.between(label.box[1] - 2 * line_h, label.box[3] + line_h):
        if other.line is line or _v_overlap(label.box, other.box) < 0.5:
            continue
        gap = other.box[0] - label.box[2]
        if gap < -0.5 * line_h or gap > 0.5 * width:
            continue
        if best_right is None or other.box[0] < best_right.box[0]:
            best_right = other
    if best_right is not None and not best_right.is_label:
        x_from = label.box[2] - 0.5 * line_h
        factor = label_factor * _RIGHT
        found = _read_in_column(field, best_right, x_from, right_edge, factor, today, tol_x)
        far = best_right.box[0] - label.box[2] > FAR_RIGHT_LINES * line_h
        doubt = ("it is printed far right of its label" if far
                 else _shape_doubt(best_right.line, best_right.start, best_right.end, line_h, field))
        if _v_overlap(label.box, best_right.box) < ROW_ALIGNED:
            # Half a line off the label's row: a block beside it (a heading, the next
            # column's text) more often than its value, which shares the label's line.
            found = [replace(c, score=c.score * OFF_ROW) for c in found]
            doubt = doubt or "it is printed beside its label but off its row"
        out.extend(_doubted(found, doubt))

    # Below the label, in its column; a bilingual label split over two lines continues.
    anchor = label.box
    seen_lines = {line.index}
    for _ in range(4):
        below = _nearest_below(anchor, rows, seen_lines, label, right_edge, tol_x, line_h, height)
        if below is None:
            break
        if below.is_label:
            if below.field == field and not below.has_inline_text:
                anchor = (min(anchor[0], below.box[0]), anchor[1], max(anchor[2], below.box[2]), below.box[3])
                seen_lines.add(below.line.index)
                continue
            break
        gap = max(0, below.box[1] - anchor[3])
        closeness = 1.0 - min(0.1, 0.02 * gap / line_h)
        factor = label_factor * _BELOW * closeness
        if field in SCRIPT_FIELDS and looks_non_latin(below.line.text[below.start : below.end]):
            # A national-script line and its Latin transliteration under one label: the
            # Latin one is the value.
            latin = _nearest_below(below.box, rows, seen_lines | {below.line.index}, label, right_edge, tol_x,
                                   line_h, height)
            latin_text = "" if latin is None else latin.line.text[latin.start : latin.end]
            # the transliteration is printed as values are (in capitals), not as labels
            if latin is not None and not latin.is_label and not looks_non_latin(latin_text) and _capitals(latin_text):
                below = latin
        found = _read_in_column(field, below, label.box[0] - tol_x, right_edge, factor, today, tol_x)
        if not found and field == FULL_NAME:
            found = _full_name_over_pieces(below, rows, label.box[0] - tol_x, right_edge, line_h, factor)
        if field in TEXT_FIELDS and found:
            found = [_continued(c, below, rows, seen_lines, line_h) for c in found]
        out.extend(_doubted(found, _shape_doubt(below.line, below.start, below.end, line_h, field)))
        break
    return out


MAX_CONTINUATION_LINES: Final = 3


def _continued(cand: _Candidate, first: _Piece, rows: _RowIndex, seen: set[int], line_h: float) -> _Candidate:
    """A place or an authority printed over several lines ("MINISTRY OF" / "FOREIGN
    AFFAIRS", "CAMPO DE CRIPTANA" / "CIUDAD REAL"): the lines right under the first, starting
    where it starts, in capitals, of its height, none of them a label."""
    value, raw, box = cand.result.value, cand.result.raw, cand.result.box
    last = first
    used = set(seen) | {first.line.index}
    for _ in range(MAX_CONTINUATION_LINES):
        nxt: _Piece | None = None
        for other in rows.between(last.box[3] - 0.5 * line_h, last.box[3] + 0.8 * line_h):
            if other.line.index in used or other.box[1] < last.box[1] + 0.5 * last.line.height:
                continue
            left_aligned = abs(other.box[0] - first.box[0]) <= 0.8 * line_h
            centred = abs((other.box[0] + other.box[2]) - (first.box[0] + first.box[2])) / 2 <= 0.8 * line_h
            if not (left_aligned or centred):
                continue
            nxt = other
            break
        if nxt is None or nxt.is_label:
            break
        text = nxt.line.text[nxt.start : nxt.end].strip()
        heights_match = 0.7 * last.line.height <= nxt.line.height <= 1.4 * last.line.height
        if not _same_case_style(raw, text) or not heights_match:
            break  # mixed case under a value in capitals is mostly the next field's label
        more = read_value(cand.field, text, today=date.min)
        if more is None:
            break
        value, raw = f"{value} {more.value}", f"{raw} {text}"
        box = (min(box[0], nxt.box[0]), box[1], max(box[2], nxt.box[2]), max(box[3], nxt.box[3]))
        used.add(nxt.line.index)
        last = nxt
    if last is first:
        return cand
    return replace(cand, result=replace(cand.result, value=value, raw=raw, box=box))


def _capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _title_case(text: str) -> bool:
    """Every word of four letters or more starts with a capital ("Department of State")."""
    words = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) >= 4]
    return bool(words) and all(w[0].isupper() for w in words)


def _same_case_style(value: str, text: str) -> bool:
    """A line continues a value printed in its style: capitals under capitals, or title
    case under a value printed in title case ("United States" / "Department of State")."""
    if _capitals(value):
        return _capitals(text)
    return _title_case(value) and _title_case(text)


_TYPED: Final = frozenset(
    {"birth_date", "expiry_date", "issue_date", "sex", "document_number", "issuing_country"}
)


def _extend_left(piece: _Piece, start: int) -> int:
    """Where two columns were read as one line, estimated positions may cut the first
    words of a place or authority into the column on the left; that column holds a date,
    a code or a sex, so words of letters before the cut are taken back ("14 SEP 2017 HM
    PASSPORT OFFICE" -> "HM PASSPORT OFFICE")."""
    text = piece.line.text
    words = list(re.finditer(r"\S+", text[piece.start : start]))
    for m in reversed(words):
        word = m.group()
        if not is_text_word(word):
            break
        start = piece.start + m.start()
    return start


def _read_in_column(
    field: str, piece: _Piece, x_from: float, x_to: float, factor: float, today: DateRule, tol_x: float
) -> list[_Candidate]:
    """Read ``field`` from the part of a free-text piece that lies in the label's column.

    Where the OCR merged two columns into one line, character positions are only
    estimated, so a value of a recognisable form (a date, a number, a code) may also be
    found in the whole line, as long as it sits in the column.
    """
    span = _slice_words(piece, x_from, x_to)
    if span is not None and field in TEXT_FIELDS:
        span = (_extend_left(piece, span[0]), span[1])
    found = _read(field, piece.line, span, factor, today) if span is not None else []
    partial = bool(found) and field in DATE_FIELDS and len(found[0].result.value) < 10
    if field in _TYPED and (not found or partial) and piece.start < piece.end:
        line = piece.line
        x0, _, x1, _ = line.box
        per_char = (x1 - x0) / max(1, len(line.text))
        for cand in _read(field, line, (piece.start, piece.end), factor * 0.97, today):
            centre = x0 + per_char * (cand.start + cand.end) / 2
            if x_from - tol_x <= centre < x_to + tol_x and (not found or len(cand.result.value) >= 10):
                return [cand]
    return found


def _split_at_comma(piece: _Piece, comma_x: float, factor: float) -> list[_Candidate]:
    line = piece.line
    x0, _, x1, _ = line.box
    per_char = (x1 - x0) / max(1, len(line.text))
    cut = round((comma_x - x0) / per_char) if per_char > 0 else 0
    spaces = [m.start() for m in re.finditer(r"\s", line.text[piece.start : piece.end])]
    if not spaces:
        return []
    k = piece.start + min(spaces, key=lambda sp: abs(piece.start + sp - cut))
    surname = read_value("surname", line.text[piece.start : k], today=date.min)
    given = read_value("given_names", line.text[k : piece.end], today=date.min)
    if surname is None or given is None:
        return []
    f = factor * 0.9
    return [
        _candidate("surname", line, piece.start + surname.start, piece.start + surname.end, surname, f),
        _candidate("given_names", line, k + given.start, k + given.end, given, f),
    ]


def _full_name_over_pieces(
    first: _Piece, rows: _RowIndex, left_edge: float, right_edge: float, line_h: float, factor: float
) -> list[_Candidate]:
    """"SURNAME" "," "GIVEN NAMES" read by the OCR as separate pieces of one row."""
    row = sorted(
        (
            p
            for p in rows.between(first.box[1] - line_h, first.box[3])
            if not p.is_label
            and _v_overlap(p.box, first.box) >= 0.5
            and left_edge <= p.box[0] < right_edge
        ),
        key=lambda p: p.box[0],
    )
    if len(row) < 2:
        return []
    first = row[0]
    texts = [p.line.text[p.start : p.end] for p in row]
    if len(row) == 2 and texts[1].strip() == "," and row[1].box[0] < first.box[2]:
        # the comma was read on its own but the names as one line: cut that line there
        return _split_at_comma(first, row[1].box[0], factor)
    surname = read_value("surname", texts[0].rstrip(" ,"), today=date.min)
    if surname is None:
        return []
    rest = row[1:]
    quality = 1.0
    if not texts[0].rstrip().endswith(",") and not texts[1].lstrip().startswith(","):
        if len(row) != 2:
            return []
        quality = 0.9  # two name pieces, the comma between them unread
    given_piece = rest[0]
    offset = len(texts[1]) - len(texts[1].lstrip(" ,"))
    if not texts[1][offset:].strip() and len(rest) > 1:
        given_piece, offset = rest[1], 0
    g_text = given_piece.line.text[given_piece.start + offset : given_piece.end]
    given = read_value("given_names", g_text, today=date.min)
    if given is None:
        return []
    g0 = given_piece.start + offset
    f = factor * quality
    return [
        _candidate("surname", first.line, first.start + surname.start, first.start + surname.end, surname, f),
        _candidate("given_names", given_piece.line, g0 + given.start, g0 + given.end, given, f),
    ]


def _nearest_below(
    anchor: Box,
    rows: _RowIndex,
    seen_lines: set[int],
    label: _Piece,
    right_edge: float,
    tol_x: float,
    line_h: float,
    page_h: int,
) -> _Piece | None:
    anchor_h = max(1, anchor[3] - anchor[1])
    max_gap = max(2.5 * line_h, 2.5 * anchor_h, 0.01 * page_h)
    best: tuple[float, float, _Piece] | None = None
    for other in rows.between(anchor[1] + 0.5 * anchor_h, anchor[3] + max_gap):
        if other.line.index in seen_lines:
            continue
        box = other.box
        if (box[1] + box[3]) / 2 <= anchor[3] - 0.25 * anchor_h:
            continue
        # In the column: overlaps it, and does not start right of the label's end.
        starts_too_far_right = box[0] >= min(right_edge, max(label.box[2], label.box[0] + tol_x))
        if box[2] <= label.box[0] - tol_x or starts_too_far_right:
            continue
        if box[0] < label.box[0] - tol_x and not other.is_label and box[2] <= label.box[0]:
            continue  # starts in the column to the left and does not reach into ours
        # Nearest row first (rows a fraction of a line apart are one row), then the
        # piece that starts nearest the label's left edge.
        gap = max(0.0, box[1] - anchor[3])
        key = (float(round(gap / max(1.0, 0.5 * line_h))), abs(box[0] - label.box[0]))
        if best is None or key < best[:2]:
            best = (key[0], key[1], other)
    return None if best is None else best[2]


def _read(field: str, line: _Line, span: tuple[int, int], factor: float, today: DateRule) -> list[_Candidate]:
    """Candidates from ``line.text[span]`` read as ``field`` (two for a "SURNAME, GIVEN" label)."""
    text = line.text[span[0] : span[1]]
    if field == FULL_NAME:
        pair = read_full_name(text)
        if pair is None:
            return []
        return [
            _candidate(key, line, span[0] + v.start, span[0] + v.end, v, factor)
            for key, v in zip(("surname", "given_names"), pair, strict=True)
        ]
    if field == VALIDITY:
        return _validity(line, span, factor, today)
    value = read_value(field, text, today=today.today, month_first=today.month_first)
    if value is None:
        return []
    return [_candidate(field, line, span[0] + value.start, span[0] + value.end, value, factor)]


VALIDITY_START: Final = "the start of the printed validity, taken as the date of issue"


def _validity(line: _Line, span: tuple[int, int], factor: float, today: DateRule) -> list[_Candidate]:
    """"01.01.2004-01.01.2009" under "Valid from - until": the expiry date, and the date
    of issue in doubt (a card valid from a day was mostly, not surely, issued that day)."""
    text = line.text[span[0] : span[1]]
    first = parse_date_detail(text, kind="issue", today=today.today, month_first=today.month_first)
    if first is None or first.partial:
        return []
    rest = text[first.end :]
    second = parse_date_detail(rest, kind="expiry", today=today.today, month_first=today.month_first)
    if second is None or second.partial or second.iso <= first.iso:
        return []
    s0, s1 = span[0] + first.start, span[0] + first.end
    e0, e1 = span[0] + first.end + second.start, span[0] + first.end + second.end
    issued = _candidate("issue_date", line, s0, s1, Value(first.iso, 0, 0, 0.9 if first.repaired else 1.0), factor)
    expiry = _candidate("expiry_date", line, e0, e1, Value(second.iso, 0, 0, 0.9 if second.repaired else 1.0), factor)
    return [replace(issued, result=replace(issued.result, doubt=VALIDITY_START)), expiry]


def _candidate(field: str, line: _Line, start: int, end: int, value: Value, factor: float) -> _Candidate:
    box = box_slice(line.box, len(line.text), start, end)
    confidence = max(0.0, min(1.0, line.confidence * factor * value.quality))
    # A place or an authority whose digits were read back as letters ("RIGAS1." ->
    # "RIGASI."): no check digit vouches for the repair, so it is shown, not sure.
    doubt = REPAIRED_TEXT if field in TEXT_FIELDS and value.quality < 1.0 else None
    if field == "surname" and re.search(r"[^\W\d_]\s*,\s*[^\W\d_]", line.text[start:end]):
        # "MOLLER, ASTRID" under a misread "Surname, name": surname and given names in one
        doubt = SURNAME_WITH_COMMA
    result = VizField(value.value, line.text[start:end].strip(), confidence, box, doubt)
    return _Candidate(confidence, field, line.index, start, end, result)


REPAIRED_TEXT: Final = "digits in it were read as the letters they resemble"
SURNAME_WITH_COMMA: Final = "a comma in it: it may be the surname and the given names in one"


def _assign(candidates: list[_Candidate]) -> dict[str, VizField]:
    """One value per field and one field per piece of text, best score first."""
    out: dict[str, VizField] = {}
    used: list[tuple[int, int, int]] = []
    for cand in sorted(candidates, key=lambda c: (-c.score, c.line_index, c.start)):
        if cand.field in out:
            continue
        if any(li == cand.line_index and s < cand.end and cand.start < e for li, s, e in used):
            continue
        out[cand.field] = cand.result
        used.append((cand.line_index, cand.start, cand.end))
    return out
