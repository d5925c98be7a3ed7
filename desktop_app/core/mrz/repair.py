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
covers its names, but a name is never treated as proved). A character no repair touched
can be wrong in the same way, a look-alike of the same weight (``1`` for ``L``): that is
judged on the recogniser's evidence, in :mod:`.same_value`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from desktop_app.core.mrz.context import context_rules, lone
from desktop_app.core.mrz.layouts import Kind, Layout, Slot, kind_map
from desktop_app.core.mrz.lookalikes import CHECK_BLIND, FILLER_LIKE, LEGAL, illegal_options
from desktop_app.core.mrz.solver import (
    COST,
    MAX_EVALS,
    Assign,
    Delta,
    Group,
    How,
    Opt,
    Pos,
    Solver,
    check_status,
    differing,
    product,
    search_cost,
    signature,
    solve_group,
)
from desktop_app.core.types import CheckStatus

KindMap = tuple[tuple[Kind, ...], ...]

__all__ = ["Change", "Group", "LongNumber", "Pos", "Repaired", "quick_failures", "repair"]


@dataclass(frozen=True, slots=True)
class Change:
    """One character the repair changed."""

    pos: Pos
    old: str
    new: str
    how: How
    verified: bool = False


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


def quick_failures(layout: Layout, rows: Sequence[str]) -> int:
    """How many check digits fail once illegal characters take their look-alike: a cheap
    measure of how well ``rows`` fit ``layout``, used to order full repairs."""
    kinds = kind_map(layout)
    mapped: list[str] = []
    for li, row in enumerate(rows):
        chars = list(row)
        for ci, ch in enumerate(chars):
            kind = kinds[li][ci]
            if ch not in LEGAL[kind]:
                chars[ci] = illegal_options(kind, ch)[0][0]
        mapped.append("".join(chars))
    groups, _ = _groups(layout, mapped)
    s = Solver(mapped, ())
    return sum(1 for g in groups if check_status(s, g) == "invalid")


def repair(
    layout: Layout,
    rows: Sequence[str],
    confs: Sequence[Sequence[float | None]],
    *,
    enabled: bool = True,
    alternatives: Sequence[Sequence[Mapping[str, float] | None]] | None = None,
) -> Repaired:
    """Repair ``rows`` (exact layout lengths) as described in the module docstring.

    With ``enabled=False`` nothing is changed: only the check digits are evaluated (the
    operator's edits are taken as typed).
    """
    if not enabled:
        groups, long_number = _groups(layout, rows)
        s0 = Solver(rows, confs)
        checks0: dict[str, CheckStatus] = {g.key: check_status(s0, g) for g in groups}
        return Repaired(list(rows), {}, checks0, {g.key: g for g in groups}, {}, long_number, 0.0, {})

    kinds = kind_map(layout)
    # Steps 1 and 2: context and class options for every position that needs one.
    context, notes = context_rules(layout, rows)
    forced = _forced_options(rows, kinds, context)
    groups, long_number = _long_number_groups(layout, rows, forced)

    s = Solver(rows, confs, alternatives)
    own = [g for g in groups if g.key != "composite"]
    comp = next((g for g in groups if g.key == "composite"), None)
    # Step 3: each field's own check digit.
    results = _solve_own_checks(s, own, forced, kinds)
    group_opts = _group_options(own, results, forced)
    # Step 4: the composite picks among the survivors and searches what only it covers.
    if comp is not None:
        pick = _solve_composite(s, comp, own, group_opts, forced, rows, kinds)
    else:
        chosen0: Assign = {}
        for opts_list in group_opts:
            chosen0.update(min(opts_list, key=lambda t: t[1])[0])
        pick = _CompositePick(chosen0, {}, -1, False)
    chosen, ambiguous = pick.chosen, pick.ambiguous

    # Any forced position not yet decided (names, codes, unchecked fields) takes its first option.
    for p, opts in forced.items():
        if p not in chosen:
            chosen[p] = opts[0]

    out_rows = _applied(rows, chosen)
    s_final = Solver(out_rows, confs)
    checks: dict[str, CheckStatus] = {g.key: check_status(s_final, g) for g in groups}

    by_comp = comp is not None and pick.unique and pick.level == 0
    _note_own_ambiguities(own, results, rows, ambiguous, settled_by_composite=by_comp)
    changes = _judged_changes(rows, chosen, own, comp, results, checks, pick)
    cost = sum(o.cost for p, o in chosen.items() if o.ch != rows[p[0]][p[1]])
    notes = {p: why for p, why in notes.items() if not _answered(p, out_rows, confs, alternatives, groups, checks)}
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


def _forced_options(rows: Sequence[str], kinds: KindMap, context: Mapping[Pos, Opt]) -> dict[Pos, list[Opt]]:
    """Steps 1 and 2: the options of every position a context rule settles or whose
    character is illegal there (its look-alike, or every legal character: a wildcard)."""
    forced: dict[Pos, list[Opt]] = {}
    for li, row in enumerate(rows):
        for ci, ch in enumerate(row):
            pos = (li, ci)
            if pos in context:
                forced[pos] = [context[pos]]
                continue
            kind = kinds[li][ci]
            if ch in LEGAL[kind]:
                continue
            forced[pos] = _class_options(kind, ch)
            if ch in FILLER_LIKE and kind in ("code1", "name") and lone(row, ci):
                forced[pos].insert(0, Opt("<", "context", COST["context"]))
    return forced


def _class_options(kind: Kind, ch: str) -> list[Opt]:
    """``ch`` is illegal for ``kind``: its look-alikes of the legal class, else a wildcard."""
    options, lookalike = illegal_options(kind, ch)
    how: How = "lookalike" if lookalike else "wildcard"
    return [Opt(c, how, COST[how]) for c in options]


def _long_number_groups(
    layout: Layout, rows: Sequence[str], forced: dict[Pos, list[Opt]]
) -> tuple[list[Group], LongNumber | None]:
    """The check-digit groups. The long-number rule depends on the marker and the
    continuation as read after the context rules; a long number's check digit, when it
    is not a digit, gets its class options (``forced`` is updated)."""
    pre = [list(r) for r in rows]
    for (li, ci), opts in forced.items():
        if len(opts) == 1:
            pre[li][ci] = opts[0].ch
    groups, long_number = _groups(layout, ["".join(r) for r in pre])
    if long_number is not None:
        d = long_number.digit
        ch = rows[d[0]][d[1]]
        if ch.isdigit():
            forced.pop(d, None)
        else:
            forced[d] = _class_options("check", ch)
    return groups, long_number


_OwnResults = dict[str, tuple[int, list[tuple[Assign, float]]]]
"""Per own check digit: the search level that satisfied it (-1: none) and the solutions."""


def _solve_own_checks(s: Solver, own: Sequence[Group], forced: dict[Pos, list[Opt]], kinds: KindMap) -> _OwnResults:
    """Step 3: each own check digit in turn; a unique solution is taken as the base of the next."""
    base: Assign = {}
    results: _OwnResults = {}
    fixed: set[Pos] = set()
    for g in own:
        level, sols = solve_group(s, g, base=base, forced=forced, fixed=fixed, kinds=kinds)
        results[g.key] = (level, sols)
        if level >= 0 and len(sols) == 1:
            base.update(sols[0][0])
        fixed.update(g.data)
        fixed.add(g.digit)
    return results


def _group_options(
    own: Sequence[Group], results: _OwnResults, forced: Mapping[Pos, list[Opt]]
) -> list[list[tuple[Assign, float]]]:
    """Each own group's options for the composite: its cheapest solutions, or, unresolved,
    its first options."""
    group_opts: list[list[tuple[Assign, float]]] = []
    for g in own:
        level, sols = results[g.key]
        if level >= 0:
            group_opts.append(sorted(sols, key=lambda t: t[1])[:12])
        else:
            fallback: Assign = {p: forced[p][0] for p in (*g.data, g.digit) if p in forced}
            group_opts.append([(fallback, sum(o.cost for o in fallback.values()))])
    return group_opts


@dataclass
class _CompositePick:
    """What step 4 chose: the assignment, the ambiguous positions, the level at which the
    composite held (0: among the options, 1: with a search, -1: never) and whether every
    solution was the same repair."""

    chosen: Assign
    ambiguous: dict[Pos, str]
    level: int
    unique: bool


@dataclass
class _Combos:
    """The composite's candidates: one option per own group (``combos`` index
    ``group_opts``) times one choice of the positions only the composite covers (``extras``),
    with their precomputed check-sum deltas."""

    group_opts: list[list[tuple[Assign, float]]]
    combos: list[tuple[int, ...]]
    gdeltas: list[list[Delta | None]]
    extras: list[tuple[tuple[Pos, Opt], ...]]
    edeltas: list[Delta | None]
    edigits: list[str]

    def delta(self, combo: tuple[int, ...]) -> tuple[Delta, float] | None:
        total = (0, 0, 0)
        cost = 0.0
        for gi, oi in enumerate(combo):
            d = self.gdeltas[gi][oi]
            if d is None:
                return None
            total = (total[0] + d[0], total[1] + d[1], total[2] + d[2])
            cost += self.group_opts[gi][oi][1]
        return total, cost

    def assign(self, combo: tuple[int, ...], *more: Iterable[tuple[Pos, Opt]]) -> Assign:
        out: Assign = {}
        for gi, oi in enumerate(combo):
            out.update(self.group_opts[gi][oi][0])
        for items in more:
            out.update(items)
        return out


_CompSolutions = list[tuple[Assign, float, tuple[int, ...]]]


def _solve_composite(
    s: Solver,
    comp: Group,
    own: Sequence[Group],
    group_opts: list[list[tuple[Assign, float]]],
    forced: Mapping[Pos, list[Opt]],
    rows: Sequence[str],
    kinds: KindMap,
) -> _CompositePick:
    """Step 4: the combinations of group options (and of the options of positions only the
    composite covers) that make the composite hold; failing that, one search substitution
    at a position only it covers."""
    group_pos = {p for g in own for p in (*g.data, g.digit)}
    only = [p for p in dict.fromkeys((*comp.data, comp.digit)) if p not in group_pos]
    comp_forced = [[(p, o) for o in forced[p]] for p in only if p in forced]
    extras = list(itertools.islice(product(comp_forced), 257))
    if not extras or len(extras) > 256:
        extras = [tuple(opts[0] for opts in comp_forced)]
    comp_free = [p for p in only if p not in forced and p != comp.digit]
    comp_limit = s.evals + MAX_EVALS
    combos = list(itertools.islice(itertools.product(*[range(len(o)) for o in group_opts]), 256))
    gdeltas = [[s.delta(comp, a.items()) for a, _ in opts] for opts in group_opts]
    edeltas = [s.delta(comp, extra) for extra in extras]
    read_digit = rows[comp.digit[0]][comp.digit[1]]
    edigits = [next((o.ch for p, o in extra if p == comp.digit), read_digit) for extra in extras]
    cands = _Combos(group_opts, combos, gdeltas, extras, edeltas, edigits)

    sols = _composite_among_options(s, comp, cands, comp_limit)
    level = 0 if sols else -1
    if not sols:
        sols = _composite_with_search(s, comp, cands, comp_free, rows, kinds, comp_limit + MAX_EVALS)
        level = 1 if sols else -1
    chosen: Assign = {}
    ambiguous: dict[Pos, str] = {}
    unique = False
    if sols:
        sols.sort(key=lambda t: t[1])
        chosen = sols[0][0]
        distinct = {signature(a) for a, _, _ in sols}
        unique = len(distinct) == 1
        if not unique:
            for p in differing([a for a, _, _ in sols], rows):
                ambiguous[p] = f"{len(distinct)} different repairs satisfy the check digits"
    else:
        best = min(combos, key=lambda cb: sum(group_opts[gi][oi][1] for gi, oi in enumerate(cb)))
        for gi, oi in enumerate(best):
            chosen.update(group_opts[gi][oi][0])
        for p in only:
            if p in forced:
                chosen[p] = forced[p][0]
    return _CompositePick(chosen, ambiguous, level, unique)


def _composite_among_options(s: Solver, comp: Group, c: _Combos, limit: int) -> _CompSolutions:
    """Level 0: the candidates that make the composite hold as they are."""
    sols: _CompSolutions = []
    for combo in c.combos:
        cd = c.delta(combo)
        if cd is None or s.evals > limit:
            continue
        (t, u, f), cost = cd
        for extra, ed, dig in zip(c.extras, c.edeltas, c.edigits, strict=True):
            if ed is None:
                continue
            if s.holds_delta(comp, (t + ed[0], u + ed[1], f + ed[2]), dig):
                ecost = cost + sum(o.cost for _, o in extra)
                sols.append((c.assign(combo, extra), ecost, combo))
    return sols


def _composite_with_search(
    s: Solver,
    comp: Group,
    c: _Combos,
    comp_free: Sequence[Pos],
    rows: Sequence[str],
    kinds: KindMap,
    limit: int,
) -> _CompSolutions:
    """Level 1: the first 16 candidates with one search substitution at a position only the
    composite covers (lowest confidence first)."""
    alts: list[tuple[Pos, Opt, Delta]] = []
    for p in sorted(comp_free, key=lambda q: (s.conf(q), q)):
        ch = rows[p[0]][p[1]]
        for cand in s.search_options(p, kinds[p[0]][p[1]]):
            o = Opt(cand, "search", search_cost(ch, cand, s.conf(p)))
            ad = s.delta(comp, [(p, o)])
            if ad is not None:
                alts.append((p, o, ad))
    sols: _CompSolutions = []
    for combo in c.combos[:16]:
        cd = c.delta(combo)
        if cd is None or s.evals > limit:
            continue
        (t, u, f), cost = cd
        for p, o, ad in alts:
            for extra, ed, dig in zip(c.extras, c.edeltas, c.edigits, strict=True):
                if ed is None:
                    continue
                tot = (t + ed[0] + ad[0], u + ed[1] + ad[1], f + ed[2] + ad[2])
                if s.holds_delta(comp, tot, dig):
                    ecost = cost + o.cost + sum(o2.cost for _, o2 in extra)
                    sols.append((c.assign(combo, extra, [(p, o)]), ecost, combo))
    return sols


def _applied(rows: Sequence[str], chosen: Assign) -> list[str]:
    final = [list(r) for r in rows]
    for (li, ci), o in chosen.items():
        final[li][ci] = o.ch
    return ["".join(r) for r in final]


def _note_own_ambiguities(
    own: Sequence[Group],
    results: _OwnResults,
    rows: Sequence[str],
    ambiguous: dict[Pos, str],
    *,
    settled_by_composite: bool,
) -> None:
    """Positions where several repairs satisfy a field's own check digit, unless the
    composite settled them (one repair held it among the options)."""
    for g in own:
        level, sols = results[g.key]
        n = len({signature(a) for a, _ in sols})
        if level >= 0 and n > 1 and not settled_by_composite:
            for p in differing([a for a, _ in sols], rows):
                ambiguous.setdefault(p, f"{n} different repairs satisfy the {g.key.replace('_', ' ')} check")


def _judged_changes(
    rows: Sequence[str],
    chosen: Assign,
    own: Sequence[Group],
    comp: Group | None,
    results: _OwnResults,
    checks: Mapping[str, CheckStatus],
    pick: _CompositePick,
) -> dict[Pos, Change]:
    """Every changed character, *verified* only as the module docstring's decision allows."""
    changes: dict[Pos, Change] = {}
    comp_ok = comp is None or checks.get("composite") == "valid"
    for (li, ci), o in chosen.items():
        old = rows[li][ci]
        if o.ch == old:
            continue
        pos = (li, ci)
        verified = False
        if _provable(o, old) and comp_ok:
            verified = _proved(pos, own, comp, results, checks, pick)
        changes[pos] = Change(pos, old, o.ch, o.how, verified)
    return changes


def _provable(o: Opt, old: str) -> bool:
    """A change a check digit may prove: a look-alike of an illegal character, or a filler
    look-alike alone in a filler run whose weight differs from ``<``."""
    return o.how == "lookalike" or (o.how == "context" and old in FILLER_LIKE and old not in CHECK_BLIND)


def _proved(
    pos: Pos,
    own: Sequence[Group],
    comp: Group | None,
    results: _OwnResults,
    checks: Mapping[str, CheckStatus],
    pick: _CompositePick,
) -> bool:
    """Whether a check digit over ``pos`` holds and exactly one repair satisfies it (the
    field's own digit, or failing that the composite, at level 0)."""
    owner = next((g for g in own if pos in g.data or pos == g.digit), None)
    if owner is not None:
        level, sols = results[owner.key]
        unique_own = level == 0 and len({signature(a) for a, _ in sols}) == 1
        unique_by_comp = comp is not None and pick.unique and pick.level == 0 and level == 0
        return checks.get(owner.key) == "valid" and (unique_own or unique_by_comp)
    if comp is not None and (pos in comp.data or pos == comp.digit):
        return pick.unique and pick.level == 0
    return False


UNLISTED = 0.01
"""Probability taken for a character the recogniser did not list (its reporting floor)."""
FILLER_RATIO = 20.0
"""How much likelier than a filler the recogniser must have found a character for the
doubt "this may be a misread ``<``" to be answered (the same 20:1 as for same-value twins)."""


def _answered(
    pos: Pos,
    rows: Sequence[str],
    confs: Sequence[Sequence[float | None]],
    alternatives: Sequence[Sequence[Mapping[str, float] | None]] | None,
    groups: Sequence[Group],
    checks: Mapping[str, CheckStatus],
) -> bool:
    """Whether a context doubt at ``pos`` (a character where fillers are expected) is
    answered by the evidence: the recogniser, with every second opinion it had, found the
    character at least :data:`FILLER_RATIO` times likelier than a filler, and every check
    digit over the position holds (so a misalignment would have shown). Where no check digit
    covers the position (an MRV-B's optional data), every check digit on its line must hold
    instead: the line is aligned, and the character is then as sure as a name's letters."""
    if alternatives is None or pos[0] >= len(alternatives) or pos[1] >= len(alternatives[pos[0]]):
        return False
    alts = alternatives[pos[0]][pos[1]]
    ch = rows[pos[0]][pos[1]]
    if alts is None or ch == "<" or alts.get(ch) is not None:
        return False
    covering = [g for g in groups if pos in g.data] or [g for g in groups if g.digit[0] == pos[0]]
    if not covering or any(checks.get(g.key) != "valid" for g in covering):
        return False
    row = confs[pos[0]] if pos[0] < len(confs) else ()
    p_char = row[pos[1]] if pos[1] < len(row) else None
    if p_char is None:
        return False
    return p_char >= FILLER_RATIO * alts.get("<", UNLISTED)
