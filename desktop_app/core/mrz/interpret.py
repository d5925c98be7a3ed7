"""Repaired MRZ lines to contract fields, spans, checks and flags.

Field statuses, strongest first: ``invalid`` (a failing check digit, not a date, unknown
country ...), ``unverified`` (changed or doubtful with no proof, see :mod:`.repair`),
``low_confidence`` (OCR was unsure of a character nothing confirms), ``corrected`` (a
verified repair), ``ok``.

Values: dates ISO ``YYYY-MM-DD`` (``XX`` for an unknown day or month, see :mod:`.dates`);
names with single spaces and no ``<``; sex ``M``/``F``/``X`` (``<`` is ``X``); countries
as printed without fillers (``D`` for Germany). A field the format does not carry is
absent from ``fields`` (a French ID card has no expiry date or personal number; its
nationality ``FRA`` is implied and pointed at the issuing state). On TD1, ``optional_data``
is optional data 1 (line 1) and ``personal_number`` optional data 2 (line 2), where several
states put a national number; neither has its own check digit. A long document number's
continuation and check digit belong to ``document_number``, not to the optional data.

What the statuses and flags mean for ``verified`` and ``accepted`` is decided in one place,
:mod:`desktop_app.core.trust`: ``expired``, ``minor`` (possibly under 18 at a bank counter
needs a guardian), ``specimen``, ``partial_date`` and ``name_truncated`` (the MRZ does not
hold the whole name: the operator takes it from the visual zone) ask for a human;
``expires_soon``, ``corrected``, ``format_deviation`` and ``length_repaired`` inform.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from desktop_app.core.mrz.align import Edit
from desktop_app.core.mrz.countries import SPECIMEN_CODES, country_name
from desktop_app.core.mrz.dates import MrzDate, age_on, decode
from desktop_app.core.mrz.layouts import Layout, Slot, kind_map
from desktop_app.core.mrz.lookalikes import CHECK_BLIND
from desktop_app.core.mrz.repair import Pos, Repaired
from desktop_app.core.types import CHECK_KEYS, CharSpan, CheckStatus, Field, FieldStatus, Flag

STATUS_RANK: Final[dict[FieldStatus, int]] = {
    "ok": 0,
    "corrected": 1,
    "low_confidence": 2,
    "mismatch": 3,
    "unverified": 4,
    "invalid": 5,
}
"""Field statuses, weakest first: a field takes the strongest doubt any rule finds."""
_CONF_CAP: Final[dict[FieldStatus, float]] = {
    "ok": 1.0,
    "corrected": 0.9,
    "low_confidence": 1.0,
    "mismatch": 0.5,
    "unverified": 0.5,
    "invalid": 0.2,
}
_NEVER_PROVED: Final = frozenset(
    {"surname", "given_names", "document_code", "issuing_country", "nationality", "sex"}
)
"""Fields whose repairs are never verified (:mod:`.repair`): no check digit covers them,
except the French card's composite, which also covers its names, and a misread letter of a
name (legal, never flagged) can make that composite hold over a wrong repair elsewhere
(``ID`` read ``I0``, repaired ``IO``, while a filler of the given names read ``L`` cancels
the difference)."""
_FlagFn = Callable[[str, str], None]
VALID_CODES: Final = frozenset("ACIPV")


@dataclass
class _Draft:
    """A field under construction."""

    value: str
    span: CharSpan
    positions: list[Pos]
    status: FieldStatus = "ok"
    reasons: list[str] = field(default_factory=list)

    def worse(self, status: FieldStatus, reason: str | None) -> None:
        if STATUS_RANK[status] > STATUS_RANK[self.status]:
            self.status = status
        if reason and reason not in self.reasons:
            self.reasons.append(reason)


@dataclass
class Interpretation:
    """Everything :func:`interpret` derives; ``penalty`` ranks competing interpretations."""

    fields: dict[str, Field]
    spans: dict[str, CharSpan]
    checks: dict[str, CheckStatus]
    flags: list[Flag]
    valid: bool
    penalty: float


def _slot(layout: Layout, key: str) -> Slot:
    f = layout.field(key)
    assert f is not None, key
    return f.slot


def _span(s: Slot) -> CharSpan:
    return CharSpan(s.line, s.start, s.end)


def _cells(s: Slot) -> list[Pos]:
    return [(s.line, i) for i in range(s.start, s.end)]


def _text(rows: Sequence[str], s: Slot) -> str:
    return rows[s.line][s.start : s.end]


def _plain(text: str) -> str:
    return " ".join(p for p in text.split("<") if p)


def _drafts(layout: Layout, rows: Sequence[str], rep: Repaired) -> dict[str, _Draft]:
    """Raw field values and positions (no judgement yet)."""
    d: dict[str, _Draft] = {}
    code = Slot(0, 0, 2)
    d["document_code"] = _Draft(_text(rows, code).replace("<", ""), _span(code), _cells(code))
    s = _slot(layout, "issuing_country")
    d["issuing_country"] = _Draft(_text(rows, s).rstrip("<"), _span(s), _cells(s))

    if layout.format == "FRID":
        s = _slot(layout, "surname")
        t = _text(rows, s)
        n = len(t.rstrip("<"))
        d["surname"] = _Draft(_plain(t), CharSpan(s.line, s.start, s.start + n), _cells(s))
        g = _slot(layout, "given_names")
        t = _text(rows, g)
        n = len(t.rstrip("<"))
        d["given_names"] = _Draft(_plain(t), CharSpan(g.line, g.start, g.start + n), _cells(g))
        iss = _slot(layout, "issuing_country")
        d["nationality"] = _Draft("FRA", _span(iss), [])
        d["nationality"].reasons.append("implied by the French identity card (not in its MRZ)")
    else:
        s = _slot(layout, "name")
        t = _text(rows, s)
        sep = t.find("<<")
        if sep < 0:
            n = len(t.rstrip("<"))
            d["surname"] = _Draft(_plain(t), CharSpan(s.line, s.start, s.start + n), _cells(s))
            d["given_names"] = _Draft("", CharSpan(s.line, s.start + n, s.start + n), [])
        else:
            sur, rest = t[:sep], t[sep + 2 :]
            lead = len(rest) - len(rest.lstrip("<"))
            end = rest.find("<<", lead)
            given = rest[lead:] if end < 0 else rest[lead:end]
            g0 = s.start + sep + 2 + lead
            d["surname"] = _Draft(_plain(sur), CharSpan(s.line, s.start, s.start + sep), _cells(s)[: sep + 1])
            d["given_names"] = _Draft(
                _plain(given), CharSpan(s.line, g0, g0 + len(given.rstrip("<"))), _cells(s)[sep + 1 :]
            )
        s = _slot(layout, "nationality")
        d["nationality"] = _Draft(_text(rows, s).rstrip("<"), _span(s), _cells(s))

    s = _slot(layout, "document_number")
    chk = _slot(layout, "document_number_check")
    number = _text(rows, s).rstrip("<")
    pos = _cells(s) + _cells(chk)
    ln = rep.long_number
    if ln is not None:
        number = _text(rows, s) + _text(rows, ln.overflow)
        pos += [*_cells(ln.overflow), ln.digit]
    d["document_number"] = _Draft(number, _span(s), pos)

    for key in ("birth_date", "expiry_date"):
        f = layout.field(key)
        if f is None:
            continue
        c = _slot(layout, key + "_check")
        d[key] = _Draft(_text(rows, f.slot), _span(f.slot), _cells(f.slot) + _cells(c))
    s = _slot(layout, "sex")
    sx = _text(rows, s)
    d["sex"] = _Draft("X" if sx == "<" else sx, _span(s), _cells(s))

    for key in ("personal_number", "optional_data"):
        f = layout.field(key)
        if f is None:
            continue
        s = f.slot
        cells = _cells(s)
        if ln is not None and layout.overflow_key == key:
            skip = ln.digit[1] + 1 - s.start
            if skip < s.width and rows[s.line][s.start + skip] == "<":
                skip += 1
            s = Slot(s.line, s.start + skip, s.end)
            cells = _cells(s)
        body = _text(rows, s)
        n = len(body.rstrip("<"))
        lead = len(body) - len(body.lstrip("<")) if n else 0
        check = layout.field(key + "_check")
        if check is not None:
            cells += _cells(check.slot)
        d[key] = _Draft(body.strip("<"), CharSpan(s.line, s.start + lead, s.start + n), cells)
    return d


def interpret(
    layout: Layout,
    rows: Sequence[str],
    *,
    confs: Sequence[Sequence[float | None]],
    rep: Repaired,
    edits: Sequence[Sequence[Edit]],
    non_icao: Sequence[str],
    today: datetime.date,
    expiry_warning_days: int,
    low_confidence: float,
) -> Interpretation:
    """Fields, checks and flags of repaired ``rows`` (see module docstring).

    The steps, in order (a field keeps the strongest doubt any of them finds; ``penalty``
    ranks competing readings and is summed in this order): check digits, repairs,
    alignment edits, values, low OCR confidence, then the summary flags.
    """
    d = _drafts(layout, rows, rep)
    flags: list[Flag] = []

    def flag(code: str, message: str) -> None:
        if all(f.code != code for f in flags):
            flags.append(Flag(code, message))

    checks: dict[str, CheckStatus] = {k: rep.checks.get(k, "absent") for k in CHECK_KEYS}
    owner: dict[Pos, str] = {}
    for key, dr in d.items():
        for p in dr.positions:
            owner.setdefault(p, key)

    penalty = _judge_checks(layout, d, checks, flag, 0.0)
    corrected, penalty = _judge_repairs(layout, rep, d, owner, flag, penalty)
    penalty = _judge_edits(layout, rows, edits, d, owner, flag, penalty)
    penalty += _judge_values(layout, rows, d, flag=flag, today=today, warn_days=expiry_warning_days)
    _judge_confidence(layout, rows, confs, d, checks=checks, threshold=low_confidence)
    _summary_flags(d, non_icao, corrected, flag)

    penalty += 0.5 * sum(1 for dr in d.values() if dr.status == "unverified")
    fields: dict[str, Field] = {}
    spans: dict[str, CharSpan] = {}
    for key, dr in d.items():
        conf = _confidence(confs, dr.positions)
        conf = min(conf, _CONF_CAP[dr.status])
        fields[key] = Field(dr.value, conf, "mrz", dr.status, "; ".join(dr.reasons) or None, None)
        spans[key] = dr.span
    valid = all(v != "invalid" for v in checks.values())
    return Interpretation(fields, spans, checks, flags, valid, penalty)


def _judge_checks(
    layout: Layout, d: dict[str, _Draft], checks: Mapping[str, CheckStatus], flag: _FlagFn, penalty: float
) -> float:
    """A failing own check digit makes its field invalid (the layout table says which digit
    is whose); a failing composite leaves every field under it that no valid own digit
    proves unverified."""
    failed = [k for k, v in checks.items() if v == "invalid"]
    for spec in layout.checks:
        own_field = spec.own_field
        if own_field is not None and own_field in d and checks.get(spec.key) == "invalid":
            d[own_field].worse("invalid", "check digit does not match")
    if checks.get("composite") == "invalid":
        for key, dr in d.items():
            own = layout.own_check(key)
            if own is not None and checks.get(own) == "valid":
                continue
            if dr.value and _covered_by_composite(layout, dr):
                dr.worse("unverified", "the composite check digit does not match")
    if failed:
        flag("check_failed", "check digit mismatch: " + ", ".join(k.replace("_", " ") for k in failed))
        penalty += 10.0 * len(failed)
    return penalty


_UNPROVED_WHY: Final[dict[str, str]] = {
    "wildcard": "unreadable character, guessed",
    "context": "taken as a filler inside a filler run",
    "search": "a check digit failed; this is one guess that satisfies it",
}


def _judge_repairs(
    layout: Layout,
    rep: Repaired,
    d: dict[str, _Draft],
    owner: Mapping[Pos, str],
    flag: _FlagFn,
    penalty: float,
) -> tuple[list[str], float]:
    """Each change of the repair: ``corrected`` when a check digit proved it (never for a
    field in :data:`_NEVER_PROVED`), else ``unverified`` with why; ambiguous positions and
    the repair's notes make their field unverified. Returns the proved changes in words."""
    corrected: list[str] = []
    comp_spec = layout.check("composite")
    comp_digit = (comp_spec.digit.line, comp_spec.digit.start) if comp_spec is not None else None
    for pos, ch in sorted(rep.changes.items()):
        what = f"{ch.old!r} read as {ch.new!r} at line {pos[0] + 1}, column {pos[1] + 1}"
        owned = owner.get(pos)
        if owned is None:
            label = "composite check digit" if pos == comp_digit else "filler position"
            if ch.verified:
                corrected.append(f"{label}: {what}")
            else:
                flag("repaired_unverified", f"{label} repaired without proof: {what}")
            continue
        if ch.verified and owned not in _NEVER_PROVED:
            d[owned].worse("corrected", what + " (confirmed by the check digit)")
            corrected.append(owned.replace("_", " ") + ": " + what)
        else:
            if ch.how == "lookalike":
                name = owned in ("surname", "given_names")
                why = "names carry no check digit" if name else "no check digit of its own confirms it"
            else:
                why = _UNPROVED_WHY[ch.how]
            d[owned].worse("unverified", f"{what}: {why}")
        penalty += 0.3 if ch.how == "lookalike" else 1.0
    for pos, reason in sorted(rep.ambiguous.items()):
        key_amb = owner.get(pos)
        if key_amb is not None:
            d[key_amb].worse("unverified", reason)
        else:
            flag("repaired_unverified", reason)
    for pos, note in rep.notes.items():
        key_note = owner.get(pos)
        if key_note is not None:
            d[key_note].worse("unverified", note)
    return corrected, penalty


def _judge_edits(
    layout: Layout,
    rows: Sequence[str],
    edits: Sequence[Sequence[Edit]],
    d: dict[str, _Draft],
    owner: dict[Pos, str],
    flag: _FlagFn,
    penalty: float,
) -> float:
    """Fillers the alignment inserted or removed: the field they touch is judged by
    :func:`_judge_edit`."""
    if any(edits):
        flag("length_repaired", "a line had the wrong length; fillers were inserted or removed")
    for line, line_edits in enumerate(edits):
        for e in line_edits:
            _judge_edit(layout, rows, line, e, d=d, owner=owner)
            penalty += 1.0 if e.char in "<?" else 2.0
    return penalty


def _summary_flags(d: Mapping[str, _Draft], non_icao: Sequence[str], corrected: Sequence[str], flag: _FlagFn) -> None:
    """The document-level findings that sum up the fields."""
    if non_icao:
        flag(
            "format_deviation",
            "characters outside the ICAO set were read: " + "".join(dict.fromkeys(non_icao)),
        )
    if corrected:
        flag("corrected", "repaired and confirmed by check digits: " + "; ".join(corrected))
    unverified = [k for k, v in d.items() if v.status == "unverified"]
    if unverified:
        flag("repaired_unverified", "needs a look: " + ", ".join(k.replace("_", " ") for k in unverified))
    low = [k for k, v in d.items() if v.status == "low_confidence"]
    if low:
        flag("low_confidence", "OCR was unsure of: " + ", ".join(k.replace("_", " ") for k in low))


def _covered_by_composite(layout: Layout, dr: _Draft) -> bool:
    comp = layout.check("composite")
    if comp is None:
        return False
    cells = {(s.line, i) for s in comp.covers for i in range(s.start, s.end)}
    return any(p in cells for p in dr.positions)


def _judge_edit(
    layout: Layout, rows: Sequence[str], line: int, e: Edit, *, d: dict[str, _Draft], owner: dict[Pos, str]
) -> None:
    """Mark fields an alignment edit may have falsified (see :mod:`.align`)."""
    text = rows[line]
    i = min(e.index, len(text) - 1)
    if e.op == "delete" and i > 0 and text[i - 1] == "<" and text[i] != "<":
        i -= 1  # a filler removed at the end of a run belongs to that run
    if e.char == "<" and text[i] == "<":
        while i > 0 and text[i - 1] == "<":
            i -= 1  # judge a filler edit by the field its run starts in
    key = owner.get((line, i))
    if key is None:
        return
    f = next((f for f in layout.fields if f.slot.line == line and f.slot.start <= i < f.slot.end), None)
    kind = f.kind if f is not None else "alnum"
    where = f"line {line + 1}, column {i + 1}"
    if kind == "name":
        if e.op == "delete" and e.char == "<" and f is not None:
            names = text[f.slot.start : f.slot.end].rstrip("<")
            if "<" not in names and e.index >= f.slot.start + len(names):
                return  # a single name: one filler fewer in the run after it changes nothing
        for k in ("surname", "given_names"):
            if k in d:
                d[k].worse(
                    "unverified",
                    f"line length repaired in the names ({where}): a filler between name parts "
                    "may have been dropped or doubled",
                )
        return
    if kind == "alnum" and e.char == "<" and f is not None:
        seg = text[f.slot.start : f.slot.end]
        j = i - f.slot.start
        left = j
        while left > 0 and seg[left - 1] == "<":
            left -= 1
        content_before = seg[:left].strip("<")
        if not content_before:
            return
        if e.op == "insert" or content_before[-1] in CHECK_BLIND:
            d[key].worse(
                "unverified",
                f"a filler was {'inserted' if e.op == 'insert' else 'removed'} after the data ({where}); "
                "a dropped or doubled 0, A, K or U there would pass the check digit too",
            )
        return
    if e.char == "?" and e.op == "delete":
        return
    d[key].worse("unverified", f"line length repaired at {where}; the position is a guess")


def _judge_values(
    layout: Layout,
    rows: Sequence[str],
    d: dict[str, _Draft],
    *,
    flag: _FlagFn,
    today: datetime.date,
    warn_days: int,
) -> float:
    penalty = 0.0
    code = d["document_code"]
    if not code.value or code.value[0] not in VALID_CODES or any(not c.isalpha() for c in code.value):
        code.worse("invalid", "not an ICAO document code")
        flag("invalid_field", f"document code {code.value!r} is not an ICAO code")
        penalty += 4.0
    for key in ("issuing_country", "nationality"):
        dr = d[key]
        if country_name(dr.value) is None:
            dr.worse("invalid", "not an ICAO 9303 country code")
            flag("unknown_country", f"{key.replace('_', ' ')} {dr.value!r} is not an ICAO 9303 code")
            penalty += 4.0
        elif dr.value in SPECIMEN_CODES:
            flag("specimen", f"{dr.value} ({country_name(dr.value)}) is the ICAO specimen state")
    for key in ("surname", "given_names"):
        if key in d and "?" in d[key].value:
            d[key].worse("invalid", "unreadable characters")
    _truncation(layout, rows, d, flag)
    if not d["surname"].value:
        d["surname"].worse("invalid", "no surname")
        penalty += 2.0

    number = d["document_number"]
    if not number.value.strip("<"):
        number.worse("invalid", "no document number")
        penalty += 2.0
    elif "<" in number.value.strip("<") or number.value.startswith("<"):
        number.worse("unverified", "fillers inside the document number")
        penalty += 2.0

    sex = d["sex"]
    if sex.value not in ("M", "F", "X"):
        sex.worse("invalid", "sex must be M, F or X")
        flag("invalid_field", "sex is not M, F or X")
        penalty += 2.0

    birth: MrzDate | None = None
    expiry: MrzDate | None = None
    for key, kind in (("birth_date", "birth"), ("expiry_date", "expiry")):
        maybe = d.get(key)
        if maybe is None:
            continue
        dr = maybe
        raw = dr.value
        md = decode(raw, "birth" if kind == "birth" else "expiry", today)
        if md is None:
            dr.value = ""
            dr.worse("invalid", f"not a valid date: {raw!r}")
            flag("invalid_date", f"{key.replace('_', ' ')} {raw!r} is not a valid date")
            penalty += 4.0
            continue
        dr.value = md.iso
        if md.partial:
            dr.reasons.append("partial date: unknown parts shown as XX")
            flag("partial_date", f"{key.replace('_', ' ')} is incomplete ({md.iso})")
            if "X" in raw:
                flag("format_deviation", "unknown date parts printed as 'XX' instead of '<<'")
        if kind == "birth":
            birth = md
        else:
            expiry = md
    if expiry is not None:
        if expiry.latest < today:
            flag("expired", f"expired on {expiry.iso}")
        elif (expiry.earliest - today).days <= warn_days:
            flag("expires_soon", f"expires on {expiry.iso}, within {warn_days} days")
    if birth is not None:
        if age_on(birth.latest, today) < 18:
            flag("minor", "the holder is (or may be) under 18")
        if expiry is not None and expiry.latest < birth.earliest:
            flag("date_inconsistent", "expiry date before birth date")
            penalty += 3.0
    return penalty


def _truncation(layout: Layout, rows: Sequence[str], d: dict[str, _Draft], flag: _FlagFn) -> None:
    """A name field filled to its last character may have been cut (ICAO truncation)."""
    pairs: list[tuple[str, Slot]]
    if layout.format == "FRID":
        pairs = [("surname", _slot(layout, "surname")), ("given_names", _slot(layout, "given_names"))]
    else:
        pairs = [("given_names" if d["given_names"].value else "surname", _slot(layout, "name"))]
    for key, s in pairs:
        if rows[s.line][s.end - 1] != "<":
            d[key].reasons.append("fills the whole name field: possibly truncated")
            flag("name_truncated", f"{key.replace('_', ' ')} fills the MRZ field and may be truncated")


def _judge_confidence(
    layout: Layout,
    rows: Sequence[str],
    confs: Sequence[Sequence[float | None]],
    d: dict[str, _Draft],
    *,
    checks: dict[str, CheckStatus],
    threshold: float,
) -> None:
    """Low-confidence characters nothing confirms make their field ``low_confidence``.

    A digit in a digits-only position under a valid check digit is confirmed: any other
    digit there would change the check. In an alphanumeric field it is not: ``9`` and ``T``
    (or ``0`` and ``U``, ``6`` and ``G`` ...) can weigh the same.
    """
    kinds = kind_map(layout)
    for key, dr in d.items():
        own = layout.own_check(key)
        checked = own is not None and checks.get(own, "absent") == "valid"
        for li, ci in dr.positions:
            c = _conf_at(confs, (li, ci))
            if c is None or c >= threshold:
                continue
            ch = rows[li][ci]
            if checked and ch.isdigit() and kinds[li][ci] in ("date", "birth", "check", "check_opt"):
                continue  # any other digit would have failed the valid check digit
            row = rows[li]
            if ch == "<" and (ci == 0 or row[ci - 1] == "<") and (ci + 1 >= len(row) or row[ci + 1] == "<"):
                continue  # a filler inside a filler run
            dr.worse("low_confidence", f"OCR confidence {c:.2f} at line {li + 1}, column {ci + 1}")


def _conf_at(confs: Sequence[Sequence[float | None]], pos: Pos) -> float | None:
    if pos[0] >= len(confs) or pos[1] >= len(confs[pos[0]]):
        return None
    return confs[pos[0]][pos[1]]


def _confidence(confs: Sequence[Sequence[float | None]], positions: Sequence[Pos]) -> float:
    vals = [c for c in (_conf_at(confs, p) for p in positions) if c is not None]
    return min(vals) if vals else 1.0
