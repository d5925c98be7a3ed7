"""Check-digit-guided repair of aligned MRZ lines, and the policy on what counts as proof.

The lines given here already have the layout's exact lengths (see :mod:`.align`). Every
position has a *kind* (:mod:`.layouts`) and the repair works in four steps:

1. Context: a filler look-alike (``K X S C E L 1``) standing alone inside a run of
   fillers is taken as ``<``; so are look-alikes after the end of the holder's names. A
   ``K`` right before the fillers of an alphanumeric field, and a one-letter name part
   that looks like a filler, are kept but marked doubtful.
2. Class: a character illegal for its position (``O`` in a date) is replaced by its
   look-alike of the legal class (``0``), or, when it has none (``?``), by every legal
   character in turn (a wildcard).
3. Own check digits: for each checked field, the combinations of step-2 options that make
   its check digit hold are collected (level 0). When none does, legal characters are
   searched too: one substitution from the confusion table (level 1), then two among the
   characters OCR reported as doubtful (level 2), lowest confidence and most frequent
   confusion first, with a bounded number of evaluations (about 1,500 per check digit).
4. The composite check digit picks among the surviving combinations and searches the
   positions only it covers.

Decision: what may keep a reading accepted. "Accepted but wrong" is the worst outcome, so a
change is *verified* only when all of these hold:

* nothing proves a legal character wrong, so the character must have been *illegal* where
  it stood (a letter in a date, a ``?``), or a filler look-alike alone in a filler run
  whose weighted value differs from ``<`` (``X S C E L 1``, not ``K``);
* its replacement came from the look-alike table (not a wildcard, not the confusion table);
* a check digit covers the position and exactly one combination of options satisfies it
  (the field's own check digit, or failing that the composite), and every present check
  digit of the result holds.

The check digit then confirms the look-alike guess: the guess was made before the check
was consulted, and a wrong guess survives only if another error cancels it exactly, which
the composite check must also miss. That is what "provably right" means here, and only such
changes keep ``accepted``. Everything else is *unverified* and blocks acceptance: a search
among legal characters (7-3-1 check digits cannot tell ``<`` from ``0 A K U``, nor
``1 B L V``, ``8 I S``, ``6 G Q``, ``2 C M W``, so the error may be elsewhere), a wildcard
(the check digit picks a digit, nothing confirms it), and any change to a name, a country,
the document code or the sex (no check digit covers them; the French card's composite
covers its names, but a name is never treated as proved).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from desktop_app.core.mrz.checksum import char_value
from desktop_app.core.mrz.layouts import Kind, Layout, Slot, kind_map
from desktop_app.core.mrz.lookalikes import (
    CHECK_BLIND,
    FILLER_LIKE,
    LEGAL,
    confusable,
    illegal_options,
    is_strong,
)
from desktop_app.core.mrz.names import icao_names_end
from desktop_app.core.mrz.normalize import UNKNOWN
from desktop_app.core.types import CheckStatus

Pos = tuple[int, int]
How = Literal["lookalike", "wildcard", "context", "search"]

_WEIGHTS: Final = (7, 3, 1)
_VAL: Final = {c: char_value(c) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"}
_MAX_PRODUCT: Final = 4096
_MAX_EVALS: Final = 1500
_DOUBTFUL: Final = 0.75
_COST: Final[dict[How, float]] = {"lookalike": 0.1, "context": 0.3, "wildcard": 0.5, "search": 1.0}


@dataclass(frozen=True, slots=True)
class Change:
    """One character the repair changed."""

    pos: Pos
    old: str
    new: str
    how: How
    verified: bool = False


@dataclass(frozen=True, slots=True)
class Group:
    """A check digit over data positions (the long-number rule makes these content-dependent)."""

    key: str
    data: tuple[Pos, ...]
    digit: Pos
    allow_empty: bool


@dataclass(frozen=True, slots=True)
class LongNumber:
    """A document number continued in the optional data: where the rest and its check sit."""

    overflow: Slot
    """The continuation, without its check digit."""
    digit: Pos


@dataclass
class Repaired:
    """The result of :func:`repair`."""

    rows: list[str]
    changes: dict[Pos, Change]
    checks: dict[str, CheckStatus]
    groups: dict[str, Group]
    ambiguous: dict[Pos, str] = field(default_factory=dict)
    """Positions where several different repairs satisfy the check digits, with the reason."""
    long_number: LongNumber | None = None
    cost: float = 0.0
    notes: dict[Pos, str] = field(default_factory=dict)
    """Positions whose reading is doubtful though unchanged (e.g. ``K`` before fillers)."""
    work: int = 0
    """Check-digit evaluations spent (the reader bounds its total)."""


@dataclass(frozen=True, slots=True)
class _Opt:
    ch: str
    how: How
    cost: float


Assign = dict[Pos, _Opt]
_Delta = tuple[int, int, int]


def _kind_rows(layout: Layout) -> tuple[tuple[Kind, ...], ...]:
    return kind_map(layout)


def _field_of(layout: Layout, pos: Pos) -> str | None:
    for f in layout.fields:
        s = f.slot
        if s.line == pos[0] and s.start <= pos[1] < s.end:
            return f.key
    return None


# ----------------------------------------------------------------------------- context


def _context(layout: Layout, rows: Sequence[str]) -> tuple[dict[Pos, _Opt], dict[Pos, str]]:
    """Fillers misread inside filler runs (step 1) and doubtful-but-kept positions."""
    forced: dict[Pos, _Opt] = {}
    notes: dict[Pos, str] = {}
    for f in layout.fields:
        s = f.slot
        text = rows[s.line][s.start : s.end]
        if f.kind == "alnum":
            for i, ch in enumerate(text):
                if ch == "<" or not (ch in FILLER_LIKE or ch == UNKNOWN):
                    continue
                right = text[i + 1] if i + 1 < len(text) else "<"
                if not (i > 0 and text[i - 1] == "<" and right == "<"):
                    continue
                if text[i - 2 : i] == "<<" or not text[:i].strip("<"):
                    forced[(s.line, s.start + i)] = _Opt("<", "context", _COST["context"])
                else:  # after a single filler it may be data (the optional data after a long number)
                    notes[(s.line, s.start + i)] = f"{ch!r} alone between fillers may be a misread '<'"
        elif f.kind == "name":
            if layout.format == "FRID":
                marker = "<<<" if f.key == "given_names" else "<<"
                end = text.find(marker)
            else:
                end = icao_names_end(text)
            if end >= 0:
                _after_names(s, text, end, forced, notes)
            for i, ch in enumerate(text):
                pos = (s.line, s.start + i)
                if ch in FILLER_LIKE and pos not in forced and i > 0 and _lone(text, i):
                    notes.setdefault(pos, f"one-letter name part {ch!r} may be a misread filler")
        if f.kind == "alnum":
            _alnum_notes(s, text, forced, notes)
    return forced, notes


def _alnum_notes(s: Slot, text: str, forced: dict[Pos, _Opt], notes: dict[Pos, str]) -> None:
    """Doubtful spots of left-aligned data: a final ``K`` (weighs like ``<``), and
    characters after a run of fillers (where only fillers should follow)."""
    for i in range(len(text) - 1):
        if text[i] == "K" and text[i + 1] == "<" and (i == 0 or text[i - 1] != "<"):
            notes[(s.line, s.start + i)] = (
                "'K' before the fillers may be a misread '<' (no check digit can tell)"
            )
    run = 0
    for i, ch in enumerate(text):
        if ch == "<":
            run += 1
            continue
        pos = (s.line, s.start + i)
        leading = run > 0 and not text[:i].strip("<")  # data is left-aligned: nothing before it
        if (run >= 2 or leading) and pos not in forced:
            notes.setdefault(pos, f"{ch!r} after a run of fillers may be a misread '<', or misaligned")
        run = 0 if pos not in forced else run


def _lone(text: str, i: int) -> bool:
    """Whether ``text[i]`` has a filler (or the line's end) on both sides."""
    return (i == 0 or text[i - 1] == "<") and (i + 1 == len(text) or text[i + 1] == "<")


def _after_names(s: Slot, text: str, end: int, forced: dict[Pos, _Opt], notes: dict[Pos, str]) -> None:
    """After the names only fillers may stand: a lone look-alike there is a misread ``<``."""
    for i in range(end, len(text)):
        ch = text[i]
        if ch == "<":
            continue
        pos = (s.line, s.start + i)
        isolated = text[i - 1] == "<" and (i + 1 == len(text) or text[i + 1] == "<")
        if isolated and (ch in FILLER_LIKE or ch == UNKNOWN or ch.isdigit()):
            forced[pos] = _Opt("<", "context", _COST["context"])
        else:
            notes[pos] = f"{ch!r} after the end of the names"


# ------------------------------------------------------------------------------ groups


def _groups(layout: Layout, rows: Sequence[str]) -> tuple[list[Group], LongNumber | None]:
    """The check-digit groups of ``rows``; applies the long document number rule."""
    groups: list[Group] = []
    long_number: LongNumber | None = None
    for c in layout.checks:
        data = tuple((s.line, i) for s in c.covers for i in range(s.start, s.end))
        digit = (c.digit.line, c.digit.start)
        groups.append(Group(c.key, data, digit, c.key == "personal_number"))
    if not layout.long_number or layout.overflow_key is None:
        return groups, None
    num = layout.field("document_number")
    over = layout.field(layout.overflow_key)
    assert num is not None and over is not None
    marker = rows[num.slot.line][num.slot.end]
    number = rows[num.slot.line][num.slot.start : num.slot.end]
    if marker != "<" or "<" in number:
        return groups, None
    body = rows[over.slot.line][over.slot.start : over.slot.end]
    cut = body.find("<")
    n = cut if cut >= 0 else len(body)
    if n < 2:
        return groups, None
    line, start = over.slot.line, over.slot.start
    long_number = LongNumber(Slot(line, start, start + n - 1), (line, start + n - 1))
    data = tuple((num.slot.line, i) for i in range(num.slot.start, num.slot.end)) + tuple(
        (line, i) for i in range(start, start + n - 1)
    )
    groups = [
        g if g.key != "document_number" else Group(g.key, data, long_number.digit, False) for g in groups
    ]
    return groups, long_number


# ------------------------------------------------------------------------------ solver


def _check_holds(total: int, digit: str, empty: bool, allow_empty: bool) -> bool:
    if digit == "<":
        return allow_empty and empty
    return digit.isdigit() and total % 10 == ord(digit) - 48


@dataclass(frozen=True, slots=True)
class _Base:
    """A group's weighted sum over the characters as read, to evaluate changes incrementally."""

    weights: dict[Pos, int]
    total: int
    unknown: int
    filled: int


class _Solver:
    """Evaluates check groups under partial assignments, counting work to stay bounded."""

    def __init__(self, rows: Sequence[str], confs: Sequence[Sequence[float | None]]) -> None:
        self.rows = rows
        self.confs = confs
        self.evals = 0
        self._bases: dict[Pos, _Base] = {}

    def char(self, pos: Pos, assign: Assign) -> str:
        o = assign.get(pos)
        return o.ch if o is not None else self.rows[pos[0]][pos[1]]

    def _base(self, g: Group) -> _Base:
        b = self._bases.get(g.digit)
        if b is None:
            weights: dict[Pos, int] = {}
            total = unknown = filled = 0
            for i, pos in enumerate(g.data):
                ch = self.rows[pos[0]][pos[1]]
                w = _WEIGHTS[i % 3]
                weights[pos] = w
                v = _VAL.get(ch)
                if v is None:
                    unknown += 1
                else:
                    total += v * w
                filled += ch != "<"
            b = _Base(weights, total, unknown, filled)
            self._bases[g.digit] = b
        return b

    def holds(self, g: Group, assign: Assign) -> bool:
        self.evals += 1
        b = self._base(g)
        total, unknown, filled = b.total, b.unknown, b.filled
        weights = b.weights
        for pos, o in assign.items():
            w = weights.get(pos)
            if w is None:
                continue
            old = self.rows[pos[0]][pos[1]]
            v_old = _VAL.get(old)
            if v_old is None:
                unknown -= 1
            else:
                total -= v_old * w
            filled -= old != "<"
            v_new = _VAL.get(o.ch)
            if v_new is None:
                return False
            total += v_new * w
            filled += o.ch != "<"
        if unknown:
            return False
        return _check_holds(total, self.char(g.digit, assign), filled == 0, g.allow_empty)

    def delta(self, g: Group, items: Iterable[tuple[Pos, _Opt]]) -> _Delta | None:
        """What replacing ``items`` changes in ``g``'s (sum, unknowns, non-fillers); None if
        a replacement is not an MRZ character."""
        weights = self._base(g).weights
        total = unknown = filled = 0
        for pos, o in items:
            w = weights.get(pos)
            if w is None:
                continue
            old = self.rows[pos[0]][pos[1]]
            v_old = _VAL.get(old)
            if v_old is None:
                unknown -= 1
            else:
                total -= v_old * w
            filled -= old != "<"
            v_new = _VAL.get(o.ch)
            if v_new is None:
                return None
            total += v_new * w
            filled += o.ch != "<"
        return total, unknown, filled

    def holds_delta(self, g: Group, d: _Delta, digit: str) -> bool:
        """Whether ``g`` holds after a change summarised by :meth:`delta`, with ``digit``."""
        self.evals += 1
        b = self._base(g)
        if b.unknown + d[1]:
            return False
        return _check_holds(b.total + d[0], digit, b.filled + d[2] == 0, g.allow_empty)

    def conf(self, pos: Pos) -> float:
        row = self.confs[pos[0]] if pos[0] < len(self.confs) else ()
        c = row[pos[1]] if pos[1] < len(row) else None
        return 0.9 if c is None else c


def _product(options: Sequence[Sequence[tuple[Pos, _Opt]]]) -> Iterable[tuple[tuple[Pos, _Opt], ...]]:
    size = 1
    for o in options:
        size *= max(1, len(o))
    if size > _MAX_PRODUCT:
        return iter(())
    return itertools.product(*options)


def _search_cost(old: str, new: str, conf: float, left: str = "", right: str = "") -> float:
    """Cheaper for frequent confusions, characters OCR was unsure of, and a letter among
    digits becoming a digit (or the reverse): only an order for guesses, never a proof."""
    cost = _COST["search"] + (0.0 if is_strong(old, new) else 0.5) + conf
    same_sides = (
        bool(left and right) and left.isalnum() and right.isalnum() and left.isdigit() == right.isdigit()
    )
    if same_sides and new.isdigit() == left.isdigit() != old.isdigit():
        cost -= 0.3
    return cost


def _solve_group(
    s: _Solver,
    g: Group,
    *,
    base: Assign,
    forced: dict[Pos, list[_Opt]],
    fixed: set[Pos],
    kinds: tuple[tuple[Kind, ...], ...],
) -> tuple[int, list[tuple[Assign, float]]]:
    """(level, solutions) for one check group; level -1 with no solutions when unresolved."""
    positions = (*g.data, g.digit)
    fpos = [p for p in dict.fromkeys(positions) if p in forced and p not in fixed]
    opts = [[(p, o) for o in forced[p]] for p in fpos]
    free = [p for p in dict.fromkeys(g.data) if p not in forced and p not in fixed]
    limit = s.evals + _MAX_EVALS

    base_d = s.delta(g, base.items()) or (0, 0, 0)
    memo: dict[tuple[Pos, str], _Delta | None] = {}

    def opt_delta(p: Pos, o: _Opt) -> _Delta | None:
        key = (p, o.ch)
        if key not in memo:
            memo[key] = s.delta(g, ((p, o),))
        return memo[key]

    base_digit = base[g.digit].ch if g.digit in base else s.rows[g.digit[0]][g.digit[1]]

    def run(extra: list[list[tuple[Pos, _Opt]]]) -> list[tuple[Assign, float]]:
        found: list[tuple[Assign, float]] = []
        for combo in _product(opts + extra):
            t, u, f = base_d
            digit = base_digit
            cost = 0.0
            for p, o in combo:
                d = opt_delta(p, o)
                if d is None:
                    break
                t, u, f = t + d[0], u + d[1], f + d[2]
                cost += o.cost
                if p == g.digit:
                    digit = o.ch
            else:
                if s.holds_delta(g, (t, u, f), digit):
                    found.append((dict(combo), cost))
            if s.evals > limit:
                break
        return found

    sols = run([])
    if sols:
        return 0, sols
    alts: list[tuple[Pos, list[_Opt]]] = []
    for p in sorted(free, key=lambda q: (s.conf(q), q)):
        ch = s.rows[p[0]][p[1]]
        row = s.rows[p[0]]
        left = row[p[1] - 1] if p[1] > 0 else ""
        right = row[p[1] + 1] if p[1] + 1 < len(row) else ""
        a = [
            _Opt(c, "search", _search_cost(ch, c, s.conf(p), left, right))
            for c in confusable(kinds[p[0]][p[1]], ch)
        ]
        if a:
            alts.append((p, a))
    sols = []
    for p, a in alts:
        sols += run([[(p, o) for o in a]])
        if s.evals > limit:
            break
    if sols:
        return 1, sols
    # Two substitutions in one field: only among characters the OCR itself doubted, since
    # without that hint almost any pair of changes can be made to fit a single check digit.
    pair_alts = [(p, a) for p, a in alts if s.conf(p) < _DOUBTFUL][:8]
    for (p1, a1), (p2, a2) in itertools.combinations(pair_alts, 2):
        sols += run([[(p1, o) for o in a1], [(p2, o) for o in a2]])
        if s.evals > limit:
            break
    if sols:
        return 2, sols
    return -1, []


def quick_failures(layout: Layout, rows: Sequence[str]) -> int:
    """How many check digits fail once illegal characters take their look-alike: a cheap
    measure of how well ``rows`` fit ``layout``, used to order full repairs."""
    kinds = _kind_rows(layout)
    mapped: list[str] = []
    for li, row in enumerate(rows):
        chars = list(row)
        for ci, ch in enumerate(chars):
            kind = kinds[li][ci]
            if ch not in LEGAL[kind]:
                chars[ci] = illegal_options(kind, ch)[0][0]
        mapped.append("".join(chars))
    groups, _ = _groups(layout, mapped)
    s = _Solver(mapped, ())
    return sum(1 for g in groups if _status(s, g) == "invalid")


def repair(
    layout: Layout,
    rows: Sequence[str],
    confs: Sequence[Sequence[float | None]],
    *,
    enabled: bool = True,
) -> Repaired:
    """Repair ``rows`` (exact layout lengths) as described in the module docstring.

    With ``enabled=False`` nothing is changed: only the check digits are evaluated (the
    operator's edits are taken as typed).
    """
    kinds = _kind_rows(layout)
    context, notes = _context(layout, rows) if enabled else ({}, {})
    forced: dict[Pos, list[_Opt]] = {}
    for li, row in enumerate(rows if enabled else ()):
        for ci, ch in enumerate(row):
            pos = (li, ci)
            if pos in context:
                forced[pos] = [context[pos]]
                continue
            kind = kinds[li][ci]
            if ch in LEGAL[kind]:
                continue
            options, lookalike = illegal_options(kind, ch)
            how: How = "lookalike" if lookalike else "wildcard"
            opts = [_Opt(c, how, _COST[how]) for c in options]
            if ch in FILLER_LIKE and kind in ("code1", "name") and _lone(row, ci):
                opts.insert(0, _Opt("<", "context", _COST["context"]))
            forced[pos] = opts

    # The long-number rule depends on the marker and the continuation as read, after context.
    pre = [list(r) for r in rows]
    for (li, ci), opts in forced.items():
        if len(opts) == 1:
            pre[li][ci] = opts[0].ch
    groups, long_number = _groups(layout, ["".join(r) for r in pre])
    if long_number is not None and enabled:
        d = long_number.digit
        ch = rows[d[0]][d[1]]
        if ch.isdigit():
            forced.pop(d, None)
        else:
            options, lookalike = illegal_options("check", ch)
            how2: How = "lookalike" if lookalike else "wildcard"
            forced[d] = [_Opt(c, how2, _COST[how2]) for c in options]

    if not enabled:
        s0 = _Solver(rows, confs)
        checks0: dict[str, CheckStatus] = {g.key: _status(s0, g) for g in groups}
        return Repaired(list(rows), {}, checks0, {g.key: g for g in groups}, {}, long_number, 0.0, {})

    s = _Solver(rows, confs)
    base: Assign = {}
    own = [g for g in groups if g.key != "composite"]
    comp = next((g for g in groups if g.key == "composite"), None)
    results: dict[str, tuple[int, list[tuple[Assign, float]]]] = {}
    fixed: set[Pos] = set()
    for g in own:
        level, sols = _solve_group(s, g, base=base, forced=forced, fixed=fixed, kinds=kinds)
        results[g.key] = (level, sols)
        if level >= 0 and len(sols) == 1:
            base.update(sols[0][0])
        fixed.update(g.data)
        fixed.add(g.digit)

    # Group options for the composite: unresolved groups keep their first options.
    group_opts: list[list[tuple[Assign, float]]] = []
    for g in own:
        level, sols = results[g.key]
        if level >= 0:
            group_opts.append(sorted(sols, key=lambda t: t[1])[:12])
        else:
            fallback: Assign = {p: forced[p][0] for p in (*g.data, g.digit) if p in forced}
            group_opts.append([(fallback, sum(o.cost for o in fallback.values()))])

    chosen: Assign = {}
    ambiguous: dict[Pos, str] = {}
    checks: dict[str, CheckStatus] = {}
    comp_level = -1
    comp_unique = False
    if comp is not None:
        group_pos = {p for g in own for p in (*g.data, g.digit)}
        only = [p for p in dict.fromkeys((*comp.data, comp.digit)) if p not in group_pos]
        comp_forced = [[(p, o) for o in forced[p]] for p in only if p in forced]
        extras = list(itertools.islice(_product(comp_forced), 257))
        if not extras or len(extras) > 256:
            extras = [tuple(opts[0] for opts in comp_forced)]
        comp_free = [p for p in only if p not in forced and p != comp.digit]
        sols_c: list[tuple[Assign, float, tuple[int, ...]]] = []
        comp_limit = s.evals + _MAX_EVALS
        combos = list(itertools.islice(itertools.product(*[range(len(o)) for o in group_opts]), 256))
        gdeltas = [[s.delta(comp, a.items()) for a, _ in opts] for opts in group_opts]
        edeltas = [s.delta(comp, extra) for extra in extras]
        read_digit = rows[comp.digit[0]][comp.digit[1]]
        edigits = [next((o.ch for p, o in extra if p == comp.digit), read_digit) for extra in extras]

        def combo_delta(combo: tuple[int, ...]) -> tuple[_Delta, float] | None:
            total = (0, 0, 0)
            cost = 0.0
            for gi, oi in enumerate(combo):
                d = gdeltas[gi][oi]
                if d is None:
                    return None
                total = (total[0] + d[0], total[1] + d[1], total[2] + d[2])
                cost += group_opts[gi][oi][1]
            return total, cost

        def merged_assign(combo: tuple[int, ...], *more: Iterable[tuple[Pos, _Opt]]) -> Assign:
            out: Assign = {}
            for gi, oi in enumerate(combo):
                out.update(group_opts[gi][oi][0])
            for items in more:
                out.update(items)
            return out

        for combo in combos:
            cd = combo_delta(combo)
            if cd is None or s.evals > comp_limit:
                continue
            (t, u, f), cost = cd
            for extra, ed, dig in zip(extras, edeltas, edigits, strict=True):
                if ed is None:
                    continue
                if s.holds_delta(comp, (t + ed[0], u + ed[1], f + ed[2]), dig):
                    ecost = cost + sum(o.cost for _, o in extra)
                    sols_c.append((merged_assign(combo, extra), ecost, combo))
        comp_level = 0 if sols_c else -1
        if not sols_c:
            alts: list[tuple[Pos, _Opt, _Delta]] = []
            for p in sorted(comp_free, key=lambda q: (s.conf(q), q)):
                ch = rows[p[0]][p[1]]
                for c in confusable(kinds[p[0]][p[1]], ch):
                    o = _Opt(c, "search", _search_cost(ch, c, s.conf(p)))
                    ad = s.delta(comp, [(p, o)])
                    if ad is not None:
                        alts.append((p, o, ad))
            for combo in combos[:16]:
                cd = combo_delta(combo)
                if cd is None or s.evals > comp_limit + _MAX_EVALS:
                    continue
                (t, u, f), cost = cd
                for p, o, ad in alts:
                    for extra, ed, dig in zip(extras, edeltas, edigits, strict=True):
                        if ed is None:
                            continue
                        tot = (t + ed[0] + ad[0], u + ed[1] + ad[1], f + ed[2] + ad[2])
                        if s.holds_delta(comp, tot, dig):
                            ecost = cost + o.cost + sum(o2.cost for _, o2 in extra)
                            sols_c.append((merged_assign(combo, extra, [(p, o)]), ecost, combo))
            comp_level = 1 if sols_c else -1
        if sols_c:
            sols_c.sort(key=lambda t: t[1])
            chosen = sols_c[0][0]
            distinct = {_signature(a) for a, _, _ in sols_c}
            comp_unique = len(distinct) == 1
            if not comp_unique:
                for p in _differing([a for a, _, _ in sols_c], rows):
                    ambiguous[p] = f"{len(distinct)} different repairs satisfy the check digits"
        else:
            best = min(combos, key=lambda cb: sum(group_opts[gi][oi][1] for gi, oi in enumerate(cb)))
            for gi, oi in enumerate(best):
                chosen.update(group_opts[gi][oi][0])
            for p in only:
                if p in forced:
                    chosen[p] = forced[p][0]
    else:
        for opts_list in group_opts:
            chosen.update(min(opts_list, key=lambda t: t[1])[0])

    # Any forced position not yet decided (names, codes, unchecked fields) takes its first option.
    for p, opts in forced.items():
        if p not in chosen:
            chosen[p] = opts[0]

    final = [list(r) for r in rows]
    for (li, ci), o in chosen.items():
        final[li][ci] = o.ch
    out_rows = ["".join(r) for r in final]
    s_final = _Solver(out_rows, confs)
    for g in groups:
        checks[g.key] = _status(s_final, g)

    changes: dict[Pos, Change] = {}
    comp_ok = comp is None or checks.get("composite") == "valid"
    for g in own:
        level, sols = results[g.key]
        n = len({_signature(a) for a, _ in sols})
        if level >= 0 and n > 1 and not (comp is not None and comp_unique and comp_level == 0):
            for p in _differing([a for a, _ in sols], rows):
                ambiguous.setdefault(p, f"{n} different repairs satisfy the {g.key.replace('_', ' ')} check")
    for (li, ci), o in chosen.items():
        old = rows[li][ci]
        if o.ch == old:
            continue
        pos = (li, ci)
        verified = False
        provable = o.how == "lookalike" or (
            o.how == "context" and old in FILLER_LIKE and old not in CHECK_BLIND
        )
        if provable and comp_ok:
            owner = next((g for g in own if pos in g.data or pos == g.digit), None)
            if owner is not None:
                level, sols = results[owner.key]
                unique_own = level == 0 and len({_signature(a) for a, _ in sols}) == 1
                unique_by_comp = comp is not None and comp_unique and comp_level == 0 and level == 0
                verified = checks.get(owner.key) == "valid" and (unique_own or unique_by_comp)
            elif comp is not None and (pos in comp.data or pos == comp.digit):
                verified = comp_unique and comp_level == 0
        changes[pos] = Change(pos, old, o.ch, o.how, verified)
    cost = sum(o.cost for p, o in chosen.items() if o.ch != rows[p[0]][p[1]])
    return Repaired(
        out_rows,
        changes,
        checks,
        {g.key: g for g in groups},
        ambiguous,
        long_number,
        cost,
        notes,
        s.evals,
    )


def _differing(assigns: Sequence[Assign], rows: Sequence[str]) -> set[Pos]:
    """Positions on which ``assigns`` do not all put the same character."""
    keys = {p for a in assigns for p in a}
    out: set[Pos] = set()
    for p in keys:
        seen = {a[p].ch if p in a else rows[p[0]][p[1]] for a in assigns}
        if len(seen) > 1:
            out.add(p)
    return out


def _signature(a: Assign) -> tuple[tuple[Pos, str], ...]:
    return tuple(sorted((p, o.ch) for p, o in a.items()))


def _status(s: _Solver, g: Group) -> CheckStatus:
    digit = s.char(g.digit, {})
    data = [s.char(p, {}) for p in g.data]
    if digit == "<" and g.allow_empty and all(c == "<" for c in data):
        return "absent"
    return "valid" if s.holds(g, {}) else "invalid"
