"""The bounded search behind :mod:`.repair`: check-digit groups evaluated incrementally.

A check digit is a weighted sum modulo 10, so the effect of replacing a few characters is a
small delta on a precomputed sum: the search tries thousands of combinations in a few
milliseconds. Every search is bounded (product sizes, evaluations per check digit) so that
no input, however garbled, makes reading slow.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from desktop_app.core.mrz.checksum import char_value
from desktop_app.core.mrz.layouts import Kind
from desktop_app.core.mrz.lookalikes import LEGAL, confusable, is_strong
from desktop_app.core.types import CheckStatus

Pos = tuple[int, int]
How = Literal["lookalike", "wildcard", "context", "search"]

_WEIGHTS: Final = (7, 3, 1)
_VAL: Final = {c: char_value(c) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"}
_MAX_PRODUCT: Final = 4096
MAX_EVALS: Final = 1500
_DOUBTFUL: Final = 0.75
SEARCH_MIN: Final = 0.02
"""Smallest probability the recogniser must have given a character for a check-digit
search to try it (when the recogniser reported its alternatives)."""
COST: Final[dict[How, float]] = {"lookalike": 0.1, "context": 0.3, "wildcard": 0.5, "search": 1.0}


@dataclass(frozen=True, slots=True)
class Group:
    """A check digit over data positions (the long-number rule makes these content-dependent)."""

    key: str
    data: tuple[Pos, ...]
    digit: Pos
    allow_empty: bool


@dataclass(frozen=True, slots=True)
class Opt:
    """One candidate character for a position, how it was proposed, and its search cost."""

    ch: str
    how: How
    cost: float


Assign = dict[Pos, Opt]
Delta = tuple[int, int, int]


def check_holds(total: int, digit: str, empty: bool, allow_empty: bool) -> bool:
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


class Solver:
    """Evaluates check groups under partial assignments, counting work to stay bounded."""

    def __init__(
        self,
        rows: Sequence[str],
        confs: Sequence[Sequence[float | None]],
        alternatives: Sequence[Sequence[Mapping[str, float] | None]] | None = None,
    ) -> None:
        self.rows = rows
        self.confs = confs
        self.alternatives = alternatives
        self.evals = 0
        self._bases: dict[Pos, _Base] = {}

    def search_options(self, pos: Pos, kind: Kind) -> str:
        """Legal characters a search may put at ``pos`` when a check digit fails.

        Without the recogniser's alternatives, the confusion table's (what OCR often reads
        for the character). With them, only characters the recogniser itself gave at least
        :data:`SEARCH_MIN` there: a character it was sure of is not searched, so a check
        digit that is wrong as printed (it happens on real documents) is reported as
        failing instead of being "repaired" with a digit nothing saw.
        """
        ch = self.rows[pos[0]][pos[1]]
        table = confusable(kind, ch)
        alts = None
        if self.alternatives is not None and pos[0] < len(self.alternatives):
            row = self.alternatives[pos[0]]
            alts = row[pos[1]] if pos[1] < len(row) else None
        if alts is None:
            return table
        legal = LEGAL[kind]
        seen = "".join(sorted((c for c, p in alts.items() if p >= SEARCH_MIN and c in legal and c != ch),
                              key=lambda c: -alts[c]))
        return seen

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
        d = self.delta(g, assign.items())
        if d is None:
            return False
        d_total, d_unknown, d_filled = d
        if b.unknown + d_unknown:
            return False
        return check_holds(b.total + d_total, self.char(g.digit, assign), b.filled + d_filled == 0, g.allow_empty)

    def delta(self, g: Group, items: Iterable[tuple[Pos, Opt]]) -> Delta | None:
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

    def holds_delta(self, g: Group, d: Delta, digit: str) -> bool:
        """Whether ``g`` holds after a change summarised by :meth:`delta`, with ``digit``."""
        self.evals += 1
        b = self._base(g)
        if b.unknown + d[1]:
            return False
        return check_holds(b.total + d[0], digit, b.filled + d[2] == 0, g.allow_empty)

    def conf(self, pos: Pos) -> float:
        row = self.confs[pos[0]] if pos[0] < len(self.confs) else ()
        c = row[pos[1]] if pos[1] < len(row) else None
        return 0.9 if c is None else c


def product(options: Sequence[Sequence[tuple[Pos, Opt]]]) -> Iterable[tuple[tuple[Pos, Opt], ...]]:
    size = 1
    for o in options:
        size *= max(1, len(o))
    if size > _MAX_PRODUCT:
        return iter(())
    return itertools.product(*options)


def search_cost(old: str, new: str, conf: float, left: str = "", right: str = "") -> float:
    """Cheaper for frequent confusions, characters OCR was unsure of, and a letter among
    digits becoming a digit (or the reverse): only an order for guesses, never a proof."""
    cost = COST["search"] + (0.0 if is_strong(old, new) else 0.5) + conf
    same_sides = (
        bool(left and right) and left.isalnum() and right.isalnum() and left.isdigit() == right.isdigit()
    )
    if same_sides and new.isdigit() == left.isdigit() != old.isdigit():
        cost -= 0.3
    return cost


def solve_group(
    s: Solver,
    g: Group,
    *,
    base: Assign,
    forced: dict[Pos, list[Opt]],
    fixed: set[Pos],
    kinds: tuple[tuple[Kind, ...], ...],
) -> tuple[int, list[tuple[Assign, float]]]:
    """(level, solutions) for one check group; level -1 with no solutions when unresolved."""
    positions = (*g.data, g.digit)
    fpos = [p for p in dict.fromkeys(positions) if p in forced and p not in fixed]
    opts = [[(p, o) for o in forced[p]] for p in fpos]
    free = [p for p in dict.fromkeys(g.data) if p not in forced and p not in fixed]
    limit = s.evals + MAX_EVALS

    base_d = s.delta(g, base.items()) or (0, 0, 0)
    memo: dict[tuple[Pos, str], Delta | None] = {}

    def opt_delta(p: Pos, o: Opt) -> Delta | None:
        key = (p, o.ch)
        if key not in memo:
            memo[key] = s.delta(g, ((p, o),))
        return memo[key]

    base_digit = base[g.digit].ch if g.digit in base else s.rows[g.digit[0]][g.digit[1]]

    def run(extra: list[list[tuple[Pos, Opt]]]) -> list[tuple[Assign, float]]:
        found: list[tuple[Assign, float]] = []
        for combo in product(opts + extra):
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
    alts: list[tuple[Pos, list[Opt]]] = []
    for p in sorted(free, key=lambda q: (s.conf(q), q)):
        ch = s.rows[p[0]][p[1]]
        row = s.rows[p[0]]
        left = row[p[1] - 1] if p[1] > 0 else ""
        right = row[p[1] + 1] if p[1] + 1 < len(row) else ""
        a = [
            Opt(c, "search", search_cost(ch, c, s.conf(p), left, right))
            for c in s.search_options(p, kinds[p[0]][p[1]])
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


def differing(assigns: Sequence[Assign], rows: Sequence[str]) -> set[Pos]:
    """Positions on which ``assigns`` do not all put the same character."""
    keys = {p for a in assigns for p in a}
    out: set[Pos] = set()
    for p in keys:
        seen = {a[p].ch if p in a else rows[p[0]][p[1]] for a in assigns}
        if len(seen) > 1:
            out.add(p)
    return out


def signature(a: Assign) -> tuple[tuple[Pos, str], ...]:
    return tuple(sorted((p, o.ch) for p, o in a.items()))


def check_status(s: Solver, g: Group) -> CheckStatus:
    digit = s.char(g.digit, {})
    data = [s.char(p, {}) for p in g.data]
    if digit == "<" and g.allow_empty and all(c == "<" for c in data):
        return "absent"
    return "valid" if s.holds(g, {}) else "invalid"
