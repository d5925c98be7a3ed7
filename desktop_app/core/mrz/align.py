"""Restore a line's exact length when OCR dropped or doubled characters.

An MRZ is positional, so one dropped filler shifts every field after it. OCR most often
drops or doubles a ``<`` inside a run of fillers, so candidates first insert or delete
fillers at filler runs (one representative per run: inserting anywhere in a run gives the
same text), then delete junk (``?``) or a character at either end, and for a single missing
or extra character anywhere, an unknown ``?`` inserted or any character deleted.

Candidates are ranked cheaply here (characters illegal for their position, line-local check
digits that fail, edit cost); the reader fully repairs and scores only the best few, and the
check digits decide. Which edits were made is kept, because an edit the check digits cannot
confirm (a filler inserted into a name) leaves that field unverified.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final, Literal

from desktop_app.core.mrz.checksum import is_valid
from desktop_app.core.mrz.layouts import Kind, Layout
from desktop_app.core.mrz.lookalikes import LEGAL
from desktop_app.core.mrz.names import content_after_names
from desktop_app.core.mrz.normalize import UNKNOWN, Alternatives

MAX_SHIFT: Final = 3
_KEEP: Final = 4
_POINTS: Final = 12
"""Edit points considered for a multi-character shift (those nearest the line end, where
the long filler runs are)."""
_COMBOS: Final = 150


@dataclass(frozen=True, slots=True)
class Edit:
    """One alignment edit, at ``index`` of the aligned line (for a deletion: where it was)."""

    op: Literal["insert", "delete"]
    index: int
    char: str


@dataclass(frozen=True, slots=True)
class Aligned:
    text: str
    confidences: tuple[float | None, ...]
    edits: tuple[Edit, ...]
    cost: float
    rank: float = 0.0
    """Cheap plausibility (lower is better), used to order candidates before full repair."""
    alternatives: tuple[Alternatives | None, ...] = ()
    """The recogniser's alternatives per character (None for an inserted one); empty when
    the line came without them."""


def _runs(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of every run of fillers."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        if text[i] == "<":
            j = i
            while j < len(text) and text[j] == "<":
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


_Alts = tuple[Alternatives | None, ...]


def _insert(text: str, confs: tuple[float | None, ...], points: Sequence[int], ch: str, alts: _Alts = ()) -> Aligned:
    chars = list(text)
    cs = list(confs)
    al = list(alts)
    edits: list[Edit] = []
    for k, p in enumerate(sorted(points)):
        at = p + k
        chars.insert(at, ch)
        cs.insert(at, None)
        if alts:
            al.insert(at, None)  # an inserted character: the recogniser said nothing about it
        edits.append(Edit("insert", at, ch))
    # Ties go to edits near the line end, where the long trailing filler runs are.
    early = sum(len(text) - p for p in points) / (100.0 * max(1, len(text)))
    return Aligned("".join(chars), tuple(cs), tuple(edits), float(len(points)) + early, alternatives=tuple(al))


def _delete(text: str, confs: tuple[float | None, ...], points: Sequence[int], alts: _Alts = ()) -> Aligned:
    keep = sorted(set(points))
    dropped = frozenset(keep)
    chars = [c for i, c in enumerate(text) if i not in dropped]
    cs = [c for i, c in enumerate(confs) if i not in dropped]
    al = tuple(a for i, a in enumerate(alts) if i not in dropped)
    edits = tuple(Edit("delete", p - k, text[p]) for k, p in enumerate(keep))
    cost = sum({UNKNOWN: 0.5, "<": 1.0}.get(text[p], 1.5) for p in keep)
    cost += sum(len(text) - p for p in keep) / (100.0 * max(1, len(text)))
    return Aligned("".join(chars), tuple(cs), edits, cost, alternatives=al)


def _rank(
    a: Aligned,
    kinds: tuple[Kind, ...],
    local_checks: Sequence[tuple[tuple[int, int], int]],
    name: tuple[int, int] | None,
) -> float:
    illegal = sum(1 for ch, k in zip(a.text, kinds, strict=False) if ch not in LEGAL[k])
    if name is not None and content_after_names(a.text[name[0] : name[1]]):
        illegal += 1  # names continuing after their end: a filler doubled or dropped there
    failing = 0
    for (start, end), digit in local_checks:
        if not is_valid(a.text[start:end], a.text[digit]):
            failing += 1
    return a.cost + 2.0 * illegal + 3.0 * failing


def align_line(
    text: str,
    confs: tuple[float | None, ...],
    layout: Layout,
    line: int,
    kinds: tuple[Kind, ...],
    alts: _Alts = (),
) -> list[Aligned]:
    """The few most plausible versions of ``text`` with the layout's exact line length;
    ``confs`` and ``alts`` (per character) follow every edit."""
    length = layout.line_length
    d = length - len(text)
    if d == 0:
        return [Aligned(text, confs, (), 0.0, alternatives=alts)]
    if abs(d) > MAX_SHIFT:
        if d > 0:
            return [_insert(text, confs, [len(text)] * d, UNKNOWN, alts)]
        return [_delete(text, confs, list(range(length, len(text))), alts)]
    local = [
        ((c.covers[0].start, c.covers[0].end), c.digit.start)
        for c in layout.checks
        if len(c.covers) == 1 and c.covers[0].line == line and c.digit.line == line
    ]
    name_field = layout.field("name")
    name = (
        (name_field.slot.start, name_field.slot.end)
        if name_field is not None and name_field.slot.line == line
        else None
    )
    cands: dict[str, Aligned] = {}
    runs = _runs(text)
    if d > 0:
        points = sorted({r[1] for r in runs} | {len(text), 1})
        for combo in itertools.islice(itertools.combinations_with_replacement(points[-_POINTS:], d), _COMBOS):
            a = _insert(text, confs, combo, "<", alts)
            cands.setdefault(a.text, a)
        if d == 1:
            for p in range(len(text) + 1):
                a = _insert(text, confs, [p], UNKNOWN, alts)
                cands.setdefault(a.text, replace(a, cost=2.0))
    else:
        k = -d
        singles = [r[1] - 1 for r in runs] + [i for i, c in enumerate(text) if c == UNKNOWN]
        singles += [0, len(text) - 1]
        pool: list[int] = []
        for p in dict.fromkeys(singles):
            run = next((r for r in runs if r[0] <= p < r[1]), None)
            start = run[0] if run else p
            pool += [p - i for i in range(k) if p - i >= start]
        for combo in itertools.islice(itertools.combinations(sorted(set(pool))[-_POINTS:], k), _COMBOS):
            a = _delete(text, confs, combo, alts)
            cands.setdefault(a.text, a)
        if k == 1:
            for p in range(len(text)):
                a = _delete(text, confs, [p], alts)
                cands.setdefault(a.text, replace(a, cost=a.cost + 1.0))
    ranked = sorted(
        (
            replace(a, rank=_rank(a, kinds, local, name))
            for a in cands.values()
            if len(a.text) == length
        ),
        key=lambda a: (a.rank, a.cost),
    )
    return ranked[:_KEEP]
