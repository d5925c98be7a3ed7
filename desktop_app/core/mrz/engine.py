"""``read_mrz``: raw OCR lines to an :class:`~desktop_app.core.types.MrzReading`.

Steps: normalise every line (:mod:`.normalize`); pick the lines that look like an MRZ (junk
lines around it are skipped, one OCR line holding a whole MRZ is cut) and the formats they
could be (line count, length, document code, ``IDFRA``); restore each line's length
(:mod:`.align`); order all (window, format, alignment) candidates by a cheap score (look-alike
mapped check digits that fail, characters illegal where they stand, unknown states, what
the document code says); fully repair (:mod:`.repair`) and interpret (:mod:`.interpret`)
the best few, stopping at the first whose check digits all hold without a guess; keep the
one with the smallest penalty. The work is bounded (candidates, repairs, check-digit
evaluations), so garbage costs milliseconds, not seconds.

Safety rules applied here: when two readings are equally good but disagree on a field, that
field is unverified (the engine never picks silently between readings the check digits
cannot separate); a character of a checked field whose same-weight look-alike no check
digit can tell apart is unverified unless the recogniser clearly preferred it
(:mod:`.same_value`, judged on the reading chosen, so it never changes which one that is);
a document code that contradicts the layout chosen (``P`` read as a
visa) raises the blocking ``format_mismatch``; anything that is not an MRZ gives
``format=None`` with ``no_mrz``; and no input makes :func:`read_mrz` raise (an internal
error would give ``engine_error``, which the property tests assert never happens).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final, TypeVar

from desktop_app.core.mrz.align import Aligned, align_line
from desktop_app.core.mrz.countries import country_name
from desktop_app.core.mrz.interpret import Interpretation, interpret
from desktop_app.core.mrz.layouts import LAYOUTS, Layout, kind_map
from desktop_app.core.mrz.lookalikes import LEGAL
from desktop_app.core.mrz.normalize import Alternatives, NormLine, normalize_line
from desktop_app.core.mrz.repair import Repaired, quick_failures, repair
from desktop_app.core.mrz.same_value import field_reason, same_value_doubts
from desktop_app.core.types import CHECK_KEYS, Field, Flag, MrzReading

_MIN_LINE: Final = 20
_MAX_WINDOWS: Final = 4
_MAX_COMBOS: Final = 4
_MAX_ATTEMPTS: Final = 6
_MAX_WORK: Final = 12000
"""Check-digit evaluations one reading may spend on alternatives (keeps noise fast)."""
_QUICK_MARGIN: Final = 4.0
"""Full repairs are run for candidates whose cheap score is within this of the best."""


@dataclass
class _Attempt:
    layout: Layout
    rows: list[str]
    interp: Interpretation
    penalty: float
    legal_ratio: float
    prior: float
    guessed: bool
    """Some character was searched for or guessed (not just mapped from a look-alike)."""
    work: int
    rep: Repaired
    confs: list[tuple[float | None, ...]]
    alts: list[tuple[Alternatives | None, ...]]


def _settled(a: _Attempt) -> bool:
    """Every check digit holds, in a format the document code agrees with, and nothing was
    guessed: look no further."""
    invalid = any(f.status == "invalid" for f in a.interp.fields.values())
    return a.prior == 0.0 and a.interp.valid and not a.guessed and not invalid


def _nothing(raw: tuple[str, ...], flag: Flag) -> MrzReading:
    return MrzReading(
        format=None,
        document_code=None,
        lines=(),
        raw_lines=raw,
        valid=False,
        checks={k: "absent" for k in CHECK_KEYS},
        fields={},
        spans={},
        flags=(flag,),
    )


MAX_RAW_LINE = 200
MAX_RAW_LINES = 20


def read_mrz(
    lines: Sequence[str],
    *,
    confidences: Sequence[Sequence[float]] | None = None,
    alternatives: Sequence[Sequence[Mapping[str, float]]] | None = None,
    today: datetime.date | None = None,
    expiry_warning_days: int = 90,
    low_confidence: float = 0.6,
) -> MrzReading:
    """Read MRZ lines as OCR gave them (see the package docstring for the contract).

    ``confidences[i][j]`` is the recogniser's probability for character ``j`` of line ``i``;
    ``alternatives[i][j]`` the probabilities of the other characters it considered there.
    Both are optional evidence: without them, a character whose look-alike weighs the same
    in the check digits cannot be verified (:mod:`.same_value`).
    """
    try:
        # No MRZ line is longer than 44 characters: a longer "line" is other text, and
        # bounding it keeps the alignment search fast on whatever a caller pipes in.
        raw = tuple(str(x)[:MAX_RAW_LINE] for x in itertools.islice(lines, MAX_RAW_LINES))
    except Exception:  # an iterable that fails while iterating
        raw = ()
    try:
        evidence = (confidences, alternatives)
        return _read(raw, evidence, today or datetime.date.today(), expiry_warning_days, low_confidence)
    except Exception as exc:  # the contract is "never raises"; tests assert this path is never taken
        return _nothing(raw, Flag("engine_error", f"the MRZ could not be read ({type(exc).__name__})"))


_T = TypeVar("_T")


def _per_line(evidence: Sequence[Sequence[_T]] | None, i: int) -> list[_T] | None:
    """Line ``i`` of per-character evidence (confidences or alternatives), if usable."""
    if evidence is None:
        return None
    try:
        return list(evidence[i])
    except (IndexError, TypeError, ValueError):
        return None


def _split_single(line: NormLine) -> list[list[NormLine]]:
    """One OCR line holding a whole MRZ: cut it into 2 x 44, 2 x 36 or 3 x 30."""
    out: list[list[NormLine]] = []
    n = len(line.text)
    for count, length in ((2, 44), (2, 36), (3, 30)):
        if abs(n - count * length) <= 3:
            parts = []
            for k in range(count):
                a, b = k * length, (k + 1) * length if k + 1 < count else n
                parts.append(NormLine(line.text[a:b], line.confidences[a:b], line.non_icao, line.alternatives[a:b]))
            out.append(parts)
    return out


def _mrz_likeness(line: NormLine) -> float:
    t = line.text
    if not t:
        return 0.0
    good = sum(1 for c in t if c != "?")
    return (
        good / len(t)
        + min(t.count("<"), 10) / 20.0
        - min(abs(len(t) - 44), abs(len(t) - 36), abs(len(t) - 30)) / 10
    )


def _windows(norm: list[NormLine]) -> list[list[NormLine]]:
    lines = [n for n in norm if len(n.text) >= _MIN_LINE]
    if len(lines) == 1:
        return _split_single(lines[0])
    wins: list[list[NormLine]] = []
    for size in (2, 3):
        for start in range(len(lines) - size + 1):
            wins.append(lines[start : start + size])
    wins.sort(
        key=lambda w: -sum(_mrz_likeness(x) for x in w) / len(w) - (0.3 if len(w) == len(lines) else 0.0)
    )
    return wins[:_MAX_WINDOWS]


def _formats(window: list[NormLine]) -> list[Layout]:
    if len(window) == 3:
        return [LAYOUTS["TD1"]]
    mean = sum(len(x.text) for x in window) / 2
    out: list[Layout] = []
    if mean >= 38:
        out += [LAYOUTS["TD3"], LAYOUTS["MRVA"]]
    if mean <= 42:
        out += [LAYOUTS["TD2"], LAYOUTS["MRVB"], LAYOUTS["FRID"]]
    first = [x.text for x in window]
    return sorted(out, key=lambda lay: _prior(lay, first))


def _french(line: str) -> bool:
    """Starts like a French ID card (``IDFRA``), allowing one misread character."""
    return sum(a != b for a, b in zip(line[:5].ljust(5), "IDFRA", strict=True)) <= 1


def _prior(layout: Layout, rows: list[str]) -> float:
    """Penalty for a format the document code argues against."""
    code = rows[0][:1]
    p = 0.0
    if layout.format in ("MRVA", "MRVB"):
        p += 0.0 if code == "V" else 6.0
    elif code == "V":
        p += 6.0
    if layout.format == "FRID" and not _french(rows[0]):
        p += 8.0
    if layout.format == "TD2" and _french(rows[0]):
        p += 2.0
    return p


def _unknown_states(layout: Layout, texts: list[str]) -> int:
    n = 0
    for key in ("issuing_country", "nationality"):
        f = layout.field(key)
        if f is not None and country_name(texts[f.slot.line][f.slot.start : f.slot.end]) is None:
            n += 1
    return n


def _legal_ratio(layout: Layout, texts: list[str]) -> float:
    kinds = kind_map(layout)
    total = good = 0
    for li, t in enumerate(texts):
        for ci, ch in enumerate(t):
            total += 1
            good += ch in LEGAL[kinds[li][ci]]
    return good / total if total else 0.0


@dataclass(frozen=True)
class _Candidate:
    """One way to read the lines: a window, a format and an alignment of each line."""

    quick: float
    layout: Layout
    window: tuple[NormLine, ...]
    combo: tuple[Aligned, ...]


def _substantial(a: _Attempt) -> bool:
    """Enough of an MRZ to report: mostly legal characters, some data, and either a known
    issuing state or a check digit that holds over real data."""
    if a.legal_ratio < 0.6 or sum(len(r.replace("<", "")) for r in a.rows) < 12:
        return False
    known_state = a.interp.fields["issuing_country"].status != "invalid"
    data_checked = any(
        v == "valid" and a.interp.fields.get(k) is not None and a.interp.fields[k].value
        for k, v in a.interp.checks.items()
    )
    return known_state or data_checked


def _candidates(norm: list[NormLine]) -> list[_Candidate]:
    """Every plausible (window, format, alignment), best first by a cheap score."""
    out: list[_Candidate] = []
    for window in _windows(norm):
        for layout in _formats(window):
            kinds = kind_map(layout)
            per_line = [
                align_line(nl.text, nl.confidences, layout, i, kinds[i], nl.alternatives)
                for i, nl in enumerate(window)
            ]
            combos = sorted(itertools.product(*per_line), key=lambda c: sum(a.rank for a in c))[:_MAX_COMBOS]
            for combo in combos:
                texts = [a.text for a in combo]
                quick = (
                    _prior(layout, texts) + sum(a.rank for a in combo) + 3.0 * quick_failures(layout, texts)
                )
                out.append(_Candidate(quick, layout, tuple(window), combo))
    out.sort(key=lambda c: c.quick)
    return out


def _attempt(c: _Candidate, today: datetime.date, warn_days: int, low_conf: float) -> _Attempt:
    layout, combo = c.layout, c.combo
    texts = [a.text for a in combo]
    confs = [a.confidences for a in combo]
    rep = repair(layout, texts, confs, alternatives=[a.alternatives for a in combo])
    interp = interpret(
        layout,
        rep.rows,
        confs=confs,
        rep=rep,
        edits=[a.edits for a in combo],
        non_icao=[ch for nl in c.window for ch in nl.non_icao],
        today=today,
        expiry_warning_days=warn_days,
        low_confidence=low_conf,
    )
    prior = _prior(layout, rep.rows)
    penalty = interp.penalty + rep.cost + prior + sum(a.cost for a in combo) * 0.01
    guessed = bool(rep.ambiguous) or any(ch.how in ("search", "wildcard") for ch in rep.changes.values())
    alts = [a.alternatives for a in combo]
    return _Attempt(
        layout, rep.rows, interp, penalty, _legal_ratio(layout, texts), prior, guessed, rep.work, rep, confs, alts
    )


_Evidence = tuple[Sequence[Sequence[float]] | None, Sequence[Sequence[Mapping[str, float]]] | None]


def _read(
    raw: tuple[str, ...],
    evidence: _Evidence,
    today: datetime.date,
    warn_days: int,
    low_conf: float,
) -> MrzReading:
    confidences, alternatives = evidence
    norm = [
        normalize_line(line, _per_line(confidences, i), _per_line(alternatives, i))
        for i, line in enumerate(raw)
    ]
    attempts: list[_Attempt] = []
    cands = _candidates(norm)
    for c in cands:
        if len(attempts) >= _MAX_ATTEMPTS or (attempts and c.quick > cands[0].quick + _QUICK_MARGIN):
            break
        if attempts and sum(a.work for a in attempts) > _MAX_WORK:
            break
        if _legal_ratio(c.layout, [a.text for a in c.combo]) < 0.6:
            continue  # mostly characters that cannot stand there: not this format, or not an MRZ
        attempts.append(_attempt(c, today, warn_days, low_conf))
        if _settled(attempts[-1]):
            break
    if not attempts:
        return _nothing(raw, Flag("no_mrz", "no line looks like an MRZ line"))
    best = min(attempts, key=lambda a: a.penalty)
    it = best.interp
    if not _substantial(best):
        return _nothing(raw, Flag("no_mrz", "the text does not form a readable MRZ"))
    fields = dict(it.fields)
    flags = list(it.flags)
    if best.prior >= 6.0:  # the document code contradicts the layout (not a mere tie-break)
        flags.append(
            Flag(
                "format_mismatch",
                f"the document code {fields['document_code'].value!r} does not fit the {best.layout.format} "
                "layout the lines match best",
            )
        )
    _mark_rivals(best, attempts, fields, flags)
    for key, doubts in same_value_doubts(best.layout, best.rows, best.rep, best.confs, best.alts).items():
        _doubt(fields, key, field_reason(doubts))
    _needs_a_look(fields, flags)
    return MrzReading(
        format=best.layout.format,
        document_code=fields["document_code"].value or None,
        lines=tuple(best.rows),
        raw_lines=raw,
        valid=it.valid,
        checks=it.checks,
        fields=fields,
        spans=it.spans,
        flags=tuple(flags),
    )


def _doubt(fields: dict[str, Field], key: str, reason: str) -> None:
    """Field ``key`` becomes unverified (unless invalid already) with ``reason`` added."""
    f = fields.get(key)
    if f is None:
        return
    fields[key] = replace(
        f,
        status="invalid" if f.status == "invalid" else "unverified",
        reason=f"{f.reason}; {reason}" if f.reason else reason,
        confidence=min(f.confidence, 0.5),
    )


_NEEDS_A_LOOK: Final = "needs a look: "


def _needs_a_look(fields: dict[str, Field], flags: list[Flag]) -> None:
    """The ``repaired_unverified`` finding names every unverified field (the interpretation's
    list predates the rival readings and the same-value rule)."""
    unverified = [k.replace("_", " ") for k, f in fields.items() if f.status == "unverified"]
    if not unverified:
        return
    flag = Flag("repaired_unverified", _NEEDS_A_LOOK + ", ".join(unverified))
    at = next((i for i, f in enumerate(flags) if f.code == "repaired_unverified"), None)
    if at is None:
        flags.append(flag)
    elif flags[at].message.startswith(_NEEDS_A_LOOK):
        flags[at] = flag


def _mark_rivals(
    best: _Attempt, attempts: list[_Attempt], fields: dict[str, Field], flags: list[Flag]
) -> None:
    """Fields on which an equally good rival reading disagrees become unverified."""
    differing: set[str] = set()
    for a in attempts:
        if a is best or a.penalty > best.penalty + 0.05:
            continue
        for key, f in fields.items():
            other = a.interp.fields.get(key)
            if other is None or other.value != f.value:
                differing.add(key)
    for key in sorted(differing):
        _doubt(fields, key, "another reading of these lines fits equally well")
