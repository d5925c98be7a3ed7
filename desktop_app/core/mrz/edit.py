"""The operator's edits: single-field sanity checks and live re-validation.

:func:`revalidate` writes edited values back into the MRZ lines at their positions and
re-runs every check on the result *without repairing anything*: the operator's text is
taken as typed. Printed check digits are kept as they were, so an edited document number
is checked against the digit printed on the document, which is the point: a typo in the
correction shows up as a failing check.

Fields the operator did not touch keep the doubt the reading had (an unverified repair, or
a look-alike the check digits cannot tell apart, stays unverified until the operator
confirms the value by sending it as an edit). Fields edited earlier (``source ==
"operator"``) stay the operator's. A reading with any field of the operator's is not
``verified``, hence not ``accepted`` (:mod:`desktop_app.core.trust`): what is shown is no
longer the machine's read, and the operator's confirm is the human look. The check digits
over the edited lines are still re-run and shown: ``valid``, ``checks`` and every field's
status say whether the typed values agree with the printed digits.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import replace
from typing import Final

from desktop_app.core.mrz.compose import (
    encode_code,
    encode_country,
    encode_given_names_fr,
    encode_name,
    encode_sex,
    mrz_text,
)
from desktop_app.core.mrz.countries import SPECIMEN_CODES, country_name
from desktop_app.core.mrz.dates import parse_iso
from desktop_app.core.mrz.interpret import STATUS_RANK, VALID_CODES, interpret
from desktop_app.core.mrz.layouts import LAYOUTS, Layout, Slot
from desktop_app.core.mrz.repair import repair
from desktop_app.core.types import FIELD_KEYS, Field, FieldStatus, Flag, MrzReading

_ALNUM: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def validate_field(
    key: str, value: str, *, today: datetime.date | None = None
) -> tuple[FieldStatus, str | None]:
    """Is ``value`` a plausible value for field ``key``? (``"ok"``/``"invalid"``, reason)."""
    today = today or datetime.date.today()
    v = value.strip()
    if key in ("birth_date", "expiry_date", "issue_date"):
        parsed = parse_iso(v)
        if parsed is None:
            return "invalid", "not a date (YYYY-MM-DD; XX for an unknown day or month of birth)"
        if parsed[1] and key != "birth_date":
            return "invalid", "this date cannot be partial"
        if not parsed[1]:
            day = datetime.date.fromisoformat(v)
            if key in ("birth_date", "issue_date") and day > today:
                return "invalid", "in the future"
        elif key == "birth_date" and int(v[:4]) > today.year:
            return "invalid", "in the future"
        return "ok", ("partial date" if parsed[1] else None)
    if key in ("issuing_country", "nationality"):
        code = v.upper().rstrip("<")
        if country_name(code) is None:
            return "invalid", "not an ICAO 9303 country code"
        if code in SPECIMEN_CODES:
            return "ok", "ICAO specimen state"
        return "ok", None
    if key == "sex":
        return ("ok", None) if v.upper() in ("M", "F", "X") else ("invalid", "sex must be M, F or X")
    if key == "document_code":
        code = v.upper()
        if not 1 <= len(code) <= 2 or not code.isalpha() or not code.isascii() or code[0] not in VALID_CODES:
            return "invalid", "an ICAO document code is 1-2 letters starting with A, C, I, P or V"
        return "ok", None
    if key == "document_number":
        number = v.upper()
        if not number or not set(number) <= _ALNUM:
            return "invalid", "letters A-Z and digits only"
        if len(number) > 22:
            return "invalid", "too long for any MRZ"
        return "ok", None
    if key in ("personal_number", "optional_data"):
        text = v.upper().replace(" ", "<")
        if not set(text) <= _ALNUM | {"<"}:
            return "invalid", "letters A-Z, digits and spaces only"
        return "ok", None
    if key in ("surname", "given_names"):
        if any(ch.isdigit() for ch in v):
            return "invalid", "digits in a name"
        if any(not (ch.isalpha() or ch in " -'.,") for ch in v):
            return "invalid", "unexpected characters in a name"
        if key == "surname" and not mrz_text(v).strip("<"):
            return "invalid", "a surname is required"
        return "ok", None
    if key in FIELD_KEYS:
        return "ok", None
    return "invalid", f"unknown field {key!r}"


class _NoFitError(ValueError):
    """The value cannot be written into this layout."""


class _NotInFormatError(ValueError):
    """This format's MRZ has no such field (a French ID card has no expiry date)."""


def _put(rows: list[list[str]], s: Slot, text: str) -> None:
    if len(text) > s.width:
        raise _NoFitError(f"longer than the {s.width} characters the MRZ holds")
    rows[s.line][s.start : s.end] = list(text + "<" * (s.width - len(text)))


def _slot(layout: Layout, key: str) -> Slot:
    f = layout.field(key)
    if f is None:
        raise _NotInFormatError("not part of this MRZ format; kept as entered")
    return f.slot


def _display(key: str, value: str) -> str:
    v = value.strip()
    if key in ("surname", "given_names"):
        return " ".join(v.split())
    if key in ("birth_date", "expiry_date"):
        return v.upper()
    if key in ("personal_number", "optional_data"):
        return " ".join(v.upper().split())
    return v.upper().replace(" ", "")


def _write(layout: Layout, rows: list[list[str]], key: str, value: str, cur: dict[str, str]) -> None:
    v = _display(key, value)
    fr = layout.format == "FRID"
    if key == "document_code":
        _put(rows, Slot(0, 0, 2), encode_code(v))
    elif key == "issuing_country":
        _put(rows, _slot(layout, key), encode_country(v))
    elif key == "nationality":
        if fr:
            if v != "FRA":
                raise _NoFitError("the French identity card implies French nationality")
            return
        _put(rows, _slot(layout, key), encode_country(v))
    elif key == "sex":
        _put(rows, _slot(layout, key), encode_sex(v))
    elif key in ("birth_date", "expiry_date"):
        parsed = parse_iso(v)
        if parsed is None:
            raise _NoFitError("not a date")
        _put(rows, _slot(layout, key), parsed[0])
    elif key in ("surname", "given_names"):
        if fr:
            s = _slot(layout, key)
            text = "<".join(p for p in mrz_text(v).split("<") if p)
            if key == "given_names":
                text = encode_given_names_fr(v, s.width)
            _put(rows, s, text[: s.width])
        else:
            s = _slot(layout, "name")
            _put(rows, s, encode_name(cur.get("surname", ""), cur.get("given_names", ""), s.width))
    elif key in ("document_number", "personal_number", "optional_data"):
        _slot(layout, key)
        _write_number_tail(layout, rows, cur)
    else:
        raise _NotInFormatError("not part of the MRZ; kept as entered")


def _write_number_tail(layout: Layout, rows: list[list[str]], cur: dict[str, str]) -> None:
    """Document number, its printed check digit, and the field a long number continues in."""
    lines = ["".join(r) for r in rows]
    before = repair(layout, lines, [], enabled=False)
    num = _slot(layout, "document_number")
    chk = _slot(layout, "document_number_check")
    ln = before.long_number
    printed = lines[ln.digit[0]][ln.digit[1]] if ln is not None else lines[chk.line][chk.start]
    number = mrz_text(cur.get("document_number", "")).replace("<", "")
    over_key = layout.overflow_key
    if layout.format == "FRID" or len(number) <= num.width:
        _put(rows, num, number)
        _put(rows, chk, printed)
        tail = ""
    elif over_key is None:
        raise _NoFitError(f"longer than the {num.width} characters this format holds")
    else:
        _put(rows, num, number[: num.width])
        _put(rows, chk, "<")
        tail = number[num.width :] + printed
    for key in ("personal_number", "optional_data"):
        f = layout.field(key)
        if f is None:
            continue
        body = mrz_text(cur.get(key, ""))
        if key == over_key and tail:
            body = tail + ("<" + body if body else "")
        _put(rows, f.slot, body)


def _worse(a: FieldStatus, b: FieldStatus) -> FieldStatus:
    return a if STATUS_RANK[a] >= STATUS_RANK[b] else b


def revalidate(
    reading: MrzReading,
    edits: Mapping[str, str],
    *,
    today: datetime.date | None = None,
    expiry_warning_days: int = 90,
) -> MrzReading:
    """A new reading with ``edits`` written into the MRZ lines and every check re-run."""
    today = today or datetime.date.today()
    merged = {k: f.value for k, f in reading.fields.items() if f.source == "operator"}
    merged.update({k: str(v) for k, v in edits.items()})
    verdicts = {k: validate_field(k, v, today=today) for k, v in merged.items()}
    layout = LAYOUTS.get(reading.format) if reading.format is not None else None
    if (
        layout is None
        or len(reading.lines) != layout.line_count
        or any(len(line) != layout.line_length for line in reading.lines)
    ):
        kept = dict(reading.fields)
        for key, value in merged.items():
            st, why = verdicts[key]
            kept[key] = Field(_display(key, value), 1.0, "operator", st, why)
        return replace(reading, fields=kept)

    cur = {k: f.value for k, f in reading.fields.items()}
    cur.update({k: _display(k, v) for k, v in merged.items()})
    rows = [list(line) for line in reading.lines]
    errors: dict[str, str] = {}
    notes: dict[str, str] = {}
    for key, value in merged.items():
        try:
            _write(layout, rows, key, value, cur)
        except _NoFitError as exc:
            errors[key] = str(exc)
        except _NotInFormatError as exc:
            notes[key] = str(exc)
    new_lines = ["".join(r) for r in rows]
    rep = repair(layout, new_lines, [], enabled=False)
    it = interpret(
        layout,
        new_lines,
        confs=[],
        rep=rep,
        edits=[],
        non_icao=[],
        today=today,
        expiry_warning_days=expiry_warning_days,
        low_confidence=0.0,
    )
    fields: dict[str, Field] = {}
    for key, f in it.fields.items():
        if key in merged:
            st, why = verdicts[key]
            if key in errors:
                st, why = "invalid", errors[key]
            reasons = [r for r in (why,) if r]
            if f.status == "invalid":
                st = "invalid"
                reasons.append(f.reason or "does not match the MRZ")
            fields[key] = Field(_display(key, merged[key]), 1.0, "operator", st, "; ".join(reasons) or None)
            continue
        prev = reading.fields.get(key)
        if (
            prev is not None
            and prev.value == f.value
            and STATUS_RANK[prev.status] > STATUS_RANK[f.status]
            and f.status != "invalid"
        ):
            fields[key] = replace(f, status=prev.status, reason=prev.reason, confidence=prev.confidence)
        else:
            conf = prev.confidence if prev is not None and prev.value == f.value else f.confidence
            fields[key] = replace(f, confidence=min(conf, f.confidence))
    for key, value in merged.items():
        if key not in fields:
            st, why = verdicts[key]
            if key in errors:
                st, why = "invalid", errors[key]
            why = "; ".join(r for r in (why, notes.get(key)) if r) or None
            fields[key] = Field(_display(key, value), 1.0, "operator", st, why)

    flags = [
        f for f in it.flags if not (f.code == "name_truncated" and {"surname", "given_names"} & merged.keys())
    ]
    _ensure_flags(fields, flags)
    return replace(
        reading,
        lines=tuple(new_lines),
        valid=it.valid,
        checks=it.checks,
        fields=fields,
        spans=it.spans,
        flags=tuple(flags),
        document_code=fields["document_code"].value or None,
    )


def _ensure_flags(fields: Mapping[str, Field], flags: list[Flag]) -> None:
    """Carried-over and operator-invalid statuses are reflected in the flags."""
    codes = {f.code for f in flags}
    unverified = [k for k, f in fields.items() if f.status == "unverified"]
    if unverified and "repaired_unverified" not in codes:
        flags.append(
            Flag("repaired_unverified", "needs a look: " + ", ".join(k.replace("_", " ") for k in unverified))
        )
    low = [k for k, f in fields.items() if f.status == "low_confidence"]
    if low and "low_confidence" not in codes:
        flags.append(
            Flag("low_confidence", "OCR was unsure of: " + ", ".join(k.replace("_", " ") for k in low))
        )
    invalid = [k for k, f in fields.items() if f.status == "invalid" and f.source == "operator"]
    if invalid and "invalid_field" not in codes:
        flags.append(
            Flag("invalid_field", "edited values to fix: " + ", ".join(k.replace("_", " ") for k in invalid))
        )
