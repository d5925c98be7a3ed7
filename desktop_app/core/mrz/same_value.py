"""Look-alikes no check digit can tell apart, and when the recogniser's evidence can.

The 7-3-1 weights are all prime to 10, so two characters whose values agree mod 10 make the
same contribution at every position: reading one for the other leaves every check digit as
it was. When they also look alike (``1``/``L``, ``8``/``S``, ``6``/``G``, ``0``/``U``,
``<``/``K``: :data:`~.lookalikes.SAME_VALUE`), a misread between them passes every check,
and a check digit that holds proves nothing about that character: ``C19389564`` read as
``CL9389564`` is accepted as "verified by check digit" although it is wrong.

So in every field a check digit covers where both characters may stand (the document number
and its long continuation, the optional data / personal number; alphanumeric positions
only: dates and check digits are digits, where no two characters weigh the same), such a
character is verified only when the recogniser clearly prefers it over each same-weight
rival: ``p(read) >= RATIO * p(rival)``. Rivals are its look-alikes from the table and any
same-weight character the recogniser itself reported as an alternative. The evidence:

* per-character alternatives (``read_mrz(alternatives=...)``): ``p(rival)`` as reported; a
  rival not listed is below the engine's 1% reporting floor (:data:`UNLISTED`);
* only a confidence: every rival together holds at most ``1 - confidence``;
* neither (plain text, a character the alignment inserted, or one the repair changed, whose
  confidence was the old character's): no evidence, not verified.

A filler weighs like ``K``, so a ``<`` is judged too where data could go on (right after the
data, or between data characters); deep in a run of fillers it cannot be data. A swap that
*does* change a check (a ``K`` in a field whose check digit says "empty") is visible and
needs no evidence. Otherwise the field becomes ``unverified`` with the character, its
rival and the evidence in the reason, which blocks ``verified`` and so ``accepted``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from desktop_app.core.mrz.checksum import char_value
from desktop_app.core.mrz.layouts import Layout, Slot, kind_map
from desktop_app.core.mrz.lookalikes import LEGAL, SAME_VALUE
from desktop_app.core.mrz.repair import Pos, Repaired, repair

RATIO: Final = 20.0
"""How much likelier than its rival the character read must be. No check digit helps here,
so the recogniser's odds are all the evidence; 20:1 asks for 95% of the pair's probability.
A clean MRZ read gives far more (PP-OCRv4 on the generated clean set: median character
probability 0.994, and the rest is mostly spread over blank and other classes), while the
look-alike misreads measured on blurred MRZs came with probabilities of 0.25-0.93: doubt the
recogniser admits. A misread it is surer of than this passes, as a confidently misread name
would: no rule on the MRZ alone can see it (the visual zone may)."""
UNLISTED: Final = 0.01
"""The recogniser lists alternatives above 1% (:class:`~desktop_app.core.ocr.base.RecognizedLine`):
a rival it does not list is taken at that bound."""

_FIELDS: Final = ("document_number", "optional_data", "personal_number")


@dataclass(frozen=True, slots=True)
class Doubt:
    """A character the check digits cannot tell from a rival, and the evidence there was."""

    pos: Pos
    read: str
    rivals: tuple[str, ...]
    evidence: str
    """What the recogniser said, in words (for the reason)."""

    def what(self) -> str:
        where = f"line {self.pos[0] + 1}, column {self.pos[1] + 1}"
        rivals = " or ".join(repr(r) for r in self.rivals)
        return f"{self.read!r} at {where} could also be {rivals}"

    def reason(self) -> str:
        return f"{self.what()}: same check value, {self.evidence}"


def _same(a: str, b: str) -> bool:
    try:
        return char_value(a) % 10 == char_value(b) % 10
    except ValueError:
        return False


def _at(seq: Sequence[Sequence[object]], pos: Pos) -> object:
    if pos[0] >= len(seq) or pos[1] >= len(seq[pos[0]]):
        return None
    return seq[pos[0]][pos[1]]


def _owner(layout: Layout, rep: Repaired, pos: Pos) -> str | None:
    """The contract field an alphanumeric position belongs to (a long number's continuation
    and its check digit belong to the document number)."""
    ln = rep.long_number
    if ln is not None and (pos == ln.digit or (ln.overflow.line == pos[0] and ln.overflow.start <= pos[1] < ln.overflow.end)):
        return "document_number"
    for key in _FIELDS:
        f = layout.field(key)
        if f is not None and f.slot.line == pos[0] and f.slot.start <= pos[1] < f.slot.end:
            return key
    return None


def _data_may_go_on(row: str, slot: Slot, i: int) -> bool:
    """Whether a ``<`` at column ``i`` could stand for data: the first filler after data (or
    of an empty field), or a filler with data after it in the same field."""
    return i == slot.start or row[i - 1] != "<" or bool(row[i + 1 : slot.end].strip("<"))


def _scope(layout: Layout, rows: Sequence[str], rep: Repaired) -> dict[Pos, str]:
    """The positions to judge, each with the field it belongs to.

    Data under a check digit, where letters, digits and the filler may all stand; and the
    check digits that may be ``<`` (the document number's, which a long number turns into a
    marker, and the personal number's): ``<`` and ``0`` weigh the same there too, and only
    trying the swap (:func:`_invisible`) says whether a check would see it.
    """
    out: dict[Pos, str] = {}
    covered = {p for g in rep.groups.values() for p in g.data}
    for f in layout.fields:
        s = f.slot
        if f.kind == "check_opt" and f.key.removesuffix("_check") in _FIELDS:
            out[(s.line, s.start)] = f.key.removesuffix("_check")
        if f.kind != "alnum":
            continue
        row = rows[s.line]
        for i in range(s.start, s.end):
            pos = (s.line, i)
            if row[i] == "<" and not _data_may_go_on(row, s, i):
                continue  # deep in a run of fillers nothing can stand for data
            key = _owner(layout, rep, pos)
            if key is not None and (pos in covered or (rep.long_number is not None and pos == rep.long_number.digit)):
                out[pos] = key
    return out


def _p_rivals(
    ch: str, rivals: set[str], conf: float | None, alts: Mapping[str, float] | None
) -> tuple[float | None, dict[str, float | None]]:
    """(p of the character read, p or an upper bound of each rival; None: no evidence)."""
    if alts is not None:
        rivals = rivals | {c for c in alts if c != ch and _same(c, ch)}
        p_read = conf if conf is not None else max(0.0, 1.0 - sum(alts.values()))
        return p_read, {r: alts.get(r, UNLISTED) for r in rivals}
    bound = None if conf is None else 1.0 - conf
    return conf, dict.fromkeys(rivals, bound)


def _words(ch: str, p_read: float | None, p: Mapping[str, float | None], alts_given: bool) -> str:
    if p_read is None:
        return "and the recogniser gave no evidence to tell them apart"
    if not alts_given:
        return f"and the recogniser does not clearly prefer it (confidence {p_read:.2f})"
    shown = ", ".join(f"{r!r} {v:.2f}" for r, v in p.items() if v is not None)
    return f"and the recogniser does not clearly prefer it ({ch!r} {p_read:.2f}, {shown})"


def same_value_doubts(
    layout: Layout,
    rows: Sequence[str],
    rep: Repaired,
    confs: Sequence[Sequence[float | None]],
    alts: Sequence[Sequence[Mapping[str, float] | None]],
) -> dict[str, list[Doubt]]:
    """Per field, the characters the check digits cannot tell from a same-weight look-alike
    and the recogniser did not clearly prefer (see the module docstring)."""
    kinds = kind_map(layout)
    out: dict[str, list[Doubt]] = {}
    base: list[Mapping[str, str]] = []  # the checks as read, computed when first needed
    for pos, key in _scope(layout, rows, rep).items():
        ch = rows[pos[0]][pos[1]]
        legal = LEGAL[kinds[pos[0]][pos[1]]]
        change = rep.changes.get(pos)
        if change is not None and not change.verified:
            continue  # already unverified, with its own reason
        a = _at(alts, pos)
        given = a if isinstance(a, Mapping) else None
        c = _at(confs, pos)
        conf = c if isinstance(c, float) else None
        if change is not None:
            # The repair changed this character: the confidence was the old one's, and the
            # recogniser's word on the new one is only what it listed as an alternative.
            conf = None if given is None else given.get(ch, UNLISTED)
        p_read, p = _p_rivals(ch, set(SAME_VALUE.get(ch, ())), conf, given)
        close = {
            r: v for r, v in p.items() if r in legal and (p_read is None or v is None or p_read < RATIO * v)
        }
        if not close:
            continue
        if not base:
            base.append(repair(layout, rows, [], enabled=False).checks)
        hidden = {r: v for r, v in sorted(close.items()) if _invisible(layout, rows, base[0], pos, r)}
        if hidden:
            rivals = tuple(sorted(hidden, key=lambda r: (-(hidden[r] or 0.0), r)))
            words = _words(ch, p_read, {r: hidden[r] for r in rivals}, given is not None)
            out.setdefault(key, []).append(Doubt(pos, ch, rivals, words))
    return out


def _invisible(layout: Layout, rows: Sequence[str], base: Mapping[str, str], pos: Pos, rival: str) -> bool:
    """Whether reading ``rival`` at ``pos`` leaves every check as it is (same weight, but the
    field's emptiness or the long-number rule could still change a check)."""
    swapped = list(rows)
    line = swapped[pos[0]]
    swapped[pos[0]] = line[: pos[1]] + rival + line[pos[1] + 1 :]
    return dict(repair(layout, swapped, [], enabled=False).checks) == dict(base)


def field_reason(doubts: Sequence[Doubt]) -> str:
    """One reason for a field's doubts; characters with the same evidence share its words."""
    by_words: dict[str, list[Doubt]] = {}
    for d in doubts:
        by_words.setdefault(d.evidence, []).append(d)
    parts = []
    for words, group in by_words.items():
        which = "; ".join(d.what() for d in group)
        parts.append(f"{which}: same check value, {words}")
    return "; ".join(parts)
