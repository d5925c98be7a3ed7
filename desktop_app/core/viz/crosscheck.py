"""MRZ <-> visual zone cross-check: merge the two readings into the contract's fields.

Per key carried by both:

* **exact agreement** (names through every ICAO transliteration of the printed name,
  dates by ISO value, sex, codes, document numbers without spaces or fillers): the MRZ
  field with source "mrz+viz", confidence ``1 - (1 - a)(1 - b)``, box = the visual-zone
  box. Status unchanged, except "low_confidence", "invalid", "corrected" and "unverified"
  become "ok" with the reason "confirmed by the visual zone".
* **loose agreement** (the MRZ name is a truncation of the printed one and the MRZ name
  field is full; the names differ only in spaces; the printed date is partial and agrees
  as far as printed; a long document number continues past the MRZ's nine characters):
  source "mrz+viz", the reason says what was compared. Only a "low_confidence" status
  becomes "ok"; "invalid" / "corrected" / "unverified" stay, with unchanged confidence:
  a loose match cannot confirm what a check digit refuted or a repair guessed.
* **disagreement**, only when sure: status "mismatch", reason "MRZ says X, visual zone says
  Y" (kept after any earlier reason), source "mrz", confidence at most 0.5 (one of the two
  is wrong). Sure means the visual-zone value was read with confidence (``SURE_CONFIDENCE``)
  and clearly belongs to the field: the layout binds it to its label (``VizField.doubt`` is
  None), it is not a specimen marking, not another field's value, not a part of the name
  or number that the MRZ holds whole, not a line in another script, not an unknown code.
  Otherwise the field stays as the MRZ read it ("MRZ only"), and its reason says what the
  visual zone read and why it was not compared: no alarm.
* **not comparable** (the printed nationality is a word we cannot map to a code, or the
  document numbers differ only in look-alike characters such as O/0): the MRZ field is
  kept; for look-alikes the reason notes the printed reading. A missing or unreadable
  visual value is never a mismatch.

Keys only the visual zone has (place_of_birth, issue_date, authority, and any MRZ key
the MRZ reading lacks): ``Field(source="viz")``, status "ok", or "low_confidence" under
``low_confidence``, when the value is in doubt, or when a date of issue is the MRZ's date
of birth or expiry (it was read from that field's line).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Final, Literal

from desktop_app.core.types import FIELD_KEYS, Field, FieldStatus
from desktop_app.core.viz._text import collapse_spaces, lookalike_key
from desktop_app.core.viz.countries import KNOWN_CODES, canonical_code, country_code, names_a_state
from desktop_app.core.viz.extract import VizField
from desktop_app.core.viz.script import looks_non_latin
from desktop_app.core.viz.translit import variants

_Verdict = Literal["exact", "loose", "mismatch", "skip"]

_NAME_KEYS: Final = frozenset({"surname", "given_names"})
_DATE_KEYS: Final = frozenset({"birth_date", "expiry_date", "issue_date"})
_CODE_KEYS: Final = frozenset({"nationality", "issuing_country"})
_UPGRADABLE: Final[frozenset[FieldStatus]] = frozenset(
    {"low_confidence", "invalid", "corrected", "unverified"}
)
_NAME_FIELD_WIDTHS: Final = frozenset({30, 31, 39})
"""Name field width of TD1, TD2/MRV-B and TD3/MRV-A: a truncated name fills one exactly."""
_FRID_WIDTHS: Final = {"surname": 25, "given_names": 14}
"""French ID card (before 2021): surname and given names have fields of their own."""
_CONFIRMED: Final = "confirmed by the visual zone"
SURE_CONFIDENCE: Final = 0.8
"""Visual-zone confidence from which a disagreement with the MRZ is raised as a mismatch."""
MARKINGS: Final = frozenset(
    {"SPECIMEN", "SAMPLE", "MUSTER", "MUESTRA", "VZOR", "UZORAK", "EXEMPLAR", "ESPECIME", "ESEMPLARE",
     "FACSIMILE", "SPECIMENUL", "NAVZOR", "MINTA", "WZOR", "PARAUGS", "VOID"}
)
"""Words printed over specimen documents (and read as a field's value where they cross it)."""


def cross_check(
    mrz_fields: Mapping[str, Field], viz: Mapping[str, VizField], *, low_confidence: float = 0.6
) -> dict[str, Field]:
    """The merged fields of the contract (MRZ fields checked against the visual zone)."""
    out: dict[str, Field] = {}
    for key, field in mrz_fields.items():
        seen = viz.get(key)
        if seen is None or not seen.value:
            out[key] = field
        elif not field.value.strip("< ") and field.status != "ok":
            # The MRZ could not read this field at all: the visual zone is all there is.
            only = _viz_only(seen, low_confidence)
            out[key] = replace(only, reason=_join(field.reason, f"the MRZ gave nothing; {only.reason}"))
        else:
            out[key] = _merge(key, field, seen, mrz_fields)
    for key, seen in viz.items():
        if key in out or key not in FIELD_KEYS or not seen.value:
            continue
        out[key] = _viz_only(seen, low_confidence, _misplaced(key, seen, mrz_fields))
    order = {k: i for i, k in enumerate(FIELD_KEYS)}
    return dict(sorted(out.items(), key=lambda kv: order.get(kv[0], len(order))))


def _misplaced(key: str, seen: VizField, mrz_fields: Mapping[str, Field]) -> str | None:
    """Why a value only the visual zone has may belong to another field, if it may."""
    if seen.doubt:
        return seen.doubt
    if key == "issue_date":
        for other, name in (("birth_date", "date of birth"), ("expiry_date", "date of expiry")):
            f = mrz_fields.get(other)
            if f is not None and f.value and f.value == seen.value:
                return f"it equals the MRZ's {name} and was probably read from that field"
    return None


def _viz_only(seen: VizField, low_confidence: float, doubt: str | None = None) -> Field:
    confidence = _clamp(seen.confidence)
    if doubt:
        return Field(seen.value, min(confidence, low_confidence / 2), "viz", "low_confidence",
                     f"read from the visual zone only, and in doubt: {doubt}", seen.box)
    if confidence < low_confidence:
        return Field(
            seen.value,
            confidence,
            "viz",
            "low_confidence",
            f"read from the visual zone only, with low OCR confidence ({confidence:.2f})",
            seen.box,
        )
    return Field(seen.value, confidence, "viz", "ok", "read from the visual zone only", seen.box)


def _merge(key: str, mrz: Field, seen: VizField, mrz_fields: Mapping[str, Field]) -> Field:
    verdict, note = _compare(key, mrz.value, seen, mrz_fields)
    if verdict == "mismatch":
        unsure = _why_unsure(key, mrz.value, seen, mrz_fields)
        if unsure is not None:
            return replace(mrz, reason=_join(mrz.reason, f"MRZ only: the visual zone reads {_show(seen.value)}, "
                                                          f"not compared because {unsure}"))
    if verdict == "skip":
        if note is None:
            return mrz
        return replace(mrz, reason=_join(mrz.reason, note))
    if verdict == "mismatch":
        return replace(
            mrz,
            source="mrz",
            status="mismatch",
            confidence=min(_clamp(mrz.confidence), 0.5),
            reason=_join(mrz.reason, f"MRZ says {_show(mrz.value)}, visual zone says {_show(seen.value)}"),
            box=mrz.box if mrz.box is not None else seen.box,
        )
    a, b = _clamp(mrz.confidence), _clamp(seen.confidence)
    if verdict == "exact":
        # A code that is not an ICAO code is invalid as a value, not a doubtful read: the
        # page printing the same code does not make it valid (it stays "invalid").
        upgraded = mrz.status in _UPGRADABLE and not (mrz.status == "invalid" and key in _CODE_KEYS)
        status: FieldStatus = "ok" if upgraded else mrz.status
        reason = _join(mrz.reason, _CONFIRMED) if upgraded else (mrz.reason or "MRZ and visual zone agree")
        return replace(mrz, source="mrz+viz", status=status, confidence=1 - (1 - a) * (1 - b), reason=reason,
                       box=seen.box)
    # loose agreement
    text = note or "visual zone agrees"
    if mrz.status == "low_confidence":
        return replace(mrz, source="mrz+viz", status="ok", confidence=1 - (1 - a) * (1 - b),
                       reason=_join(mrz.reason, text), box=seen.box)
    if mrz.status in _UPGRADABLE:
        return replace(mrz, source="mrz+viz", reason=_join(mrz.reason, text), box=seen.box)
    return replace(mrz, source="mrz+viz", confidence=1 - (1 - a) * (1 - b), reason=_join(mrz.reason, text),
                   box=seen.box)


def _why_unsure(key: str, mrz_value: str, seen: VizField, mrz_fields: Mapping[str, Field]) -> str | None:
    """Why a disagreeing visual-zone value is not sure to be this field's, or None if it is."""
    if seen.doubt:
        return seen.doubt
    confidence = _clamp(seen.confidence)
    if confidence < SURE_CONFIDENCE:
        return f"it was read with low confidence ({confidence:.2f})"
    printed = seen.value
    folded = _doc_norm(printed)
    for other, f in mrz_fields.items():
        if other != key and f.value and len(folded) >= 2 and _doc_norm(_mrz_name(f.value)) == folded:
            return f"it is the value of another field ({other.replace('_', ' ')})"
    if key in _NAME_KEYS:
        words = _mrz_name(printed).split()
        if sum(c.isalpha() for c in printed) < 2:
            return "it is too short to be the name"
        if any(w in MARKINGS for w in words):
            return "it is a specimen marking printed over the field"
        if looks_non_latin(printed):
            return "the line may be in another script (Cyrillic, Greek ...) read as Latin letters"
        if names_a_state(seen.raw or printed):
            return "it reads as a state's name (the nationality line)"
        full = _mrz_name(mrz_value).split()
        if words and len(words) < len(full) and any(full[i : i + len(words)] == words for i in range(len(full))):
            return "it shows only part of the name (the rest may be printed on another line)"
    if key in _DATE_KEYS:
        for other in _DATE_KEYS - {key}:
            other_date = mrz_fields.get(other)
            if other_date is not None and other_date.value and other_date.value == printed:
                return f"it is the {other.replace('_', ' ')}"
        if len(re.findall(r"\d{1,4}\D+\d{1,2}\D+\d{2,4}", seen.raw)) > 1:
            return "several dates are printed together there"
    if key == "document_number":
        a, b = _doc_norm(mrz_value), folded
        if a and b and (a in b or b in a or a[1:] == b[:-1] or a[:-1] == b[1:]):
            return "it holds only part of the number, or the number and its neighbours"
    if key in _CODE_KEYS:
        code = country_code(printed)
        if code is None or (len(code) == 3 and code not in KNOWN_CODES):
            return "it is not a known state code"
    return None


def _clamp(x: float) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return 0.0
    if math.isnan(v):
        return 0.0
    return max(0.0, min(1.0, v))


def _join(first: str | None, second: str) -> str:
    return second if not first else f"{first}; {second}"


def _show(value: str) -> str:
    return value if value else "nothing"


# ---------------------------------------------------------------------------------------
# comparisons


def _compare(
    key: str, mrz: str, seen: VizField, mrz_fields: Mapping[str, Field]
) -> tuple[_Verdict, str | None]:
    printed = seen.value
    if key in _NAME_KEYS:
        return _compare_names(key, mrz, printed, mrz_fields)
    if key in _DATE_KEYS:
        return _compare_dates(mrz, printed, seen.raw)
    if key == "sex":
        return _compare_sex(mrz, printed)
    if key in _CODE_KEYS:
        return _compare_codes(mrz, printed)
    if key == "document_number":
        return _compare_document_numbers(mrz, printed)
    return _compare_text(mrz, printed)


def _mrz_name(value: str) -> str:
    return collapse_spaces(value.upper().replace("<", " "))


def _compare_names(
    key: str, mrz_value: str, printed: str, mrz_fields: Mapping[str, Field]
) -> tuple[_Verdict, str | None]:
    mrz = _mrz_name(mrz_value)
    spellings = variants(printed, rare=True)
    if not spellings:
        return "skip", None  # nothing in the printed name the MRZ alphabet can hold
    if mrz in spellings:
        return "exact", None
    squeezed = mrz.replace(" ", "")
    if squeezed and any(s.replace(" ", "") == squeezed for s in spellings):
        return "loose", "MRZ and visual zone agree except for spaces"
    if mrz and _name_field_full(key, mrz_fields):
        for s in spellings:
            if _is_truncation(mrz, s):
                return "loose", f"MRZ name truncated; the visual zone prints {printed}"
    folded = _without_umlauts(mrz).replace(" ", "")
    if folded != squeezed and any(folded == s.replace(" ", "") for s in spellings):
        # PP-OCR often drops the diaeresis (MÜLLER read MULLER) while the MRZ spells it out
        # (MUELLER): agreement, but not strong enough to raise the field to verified.
        return "loose", "agrees with the visual zone if its umlauts were lost in reading"
    return "mismatch", None


def _without_umlauts(name: str) -> str:
    """The MRZ spelling with ICAO's two-letter umlauts (AE, OE, UE) folded back to one letter.

    Every AE, OE and UE is folded (MUELLER, SCHROEDER, BAERBEL; also MICHAEL, JOEL), which is
    harmless: the folded form is only compared with what the visual zone printed."""
    return re.sub(r"([AOU])E", r"\1", name)


def _is_truncation(mrz: str, full: str) -> bool:
    """ICAO truncation: each MRZ name part a prefix of the printed part, trailing parts dropped."""
    short, long_ = mrz.split(), full.split()
    if not short or len(short) > len(long_) or short == long_:
        return False
    return all(f.startswith(s) for s, f in zip(short, long_, strict=False))


def _name_field_full(key: str, mrz_fields: Mapping[str, Field]) -> bool:
    surname = _mrz_name(mrz_fields["surname"].value) if "surname" in mrz_fields else ""
    given = _mrz_name(mrz_fields["given_names"].value) if "given_names" in mrz_fields else ""
    combined = len(surname) + (2 + len(given) if given else 0)
    if combined in _NAME_FIELD_WIDTHS:
        return True
    own = surname if key == "surname" else given
    # the French card separates given names with two fillers ("JEROME<<FRANCO")
    return _FRID_WIDTHS[key] in (len(own), len(own.replace(" ", "  ")))


_ISO: Final = re.compile(r"^(\d{4})(?:-(\d{2}|XX))?(?:-(\d{2}|XX))?$")
"""ISO dates, partial ones as "1974-08" (visual zone) or "1974-08-XX" (MRZ engine)."""
_YYMMDD: Final = re.compile(r"^([0-9<]{2})([0-9<]{2})([0-9<]{2})$")


def _date_parts(value: str) -> tuple[str | None, int | None, int | None, bool] | None:
    """(year, month, day, year_is_full) of an ISO or MRZ-style date; parts may be unknown."""
    text = value.strip()
    m = _ISO.match(text)
    if m:
        month = int(m.group(2)) if m.group(2) and m.group(2) != "XX" else None
        day = int(m.group(3)) if m.group(3) and m.group(3) != "XX" else None
        return m.group(1), month or None, day or None, True
    m = _YYMMDD.match(text)
    if m:
        yy, mm, dd = m.groups()
        return (
            None if "<" in yy else yy,
            None if "<" in mm or mm == "00" else int(mm),
            None if "<" in dd or dd == "00" else int(dd),
            False,
        )
    return None


def _compare_dates(mrz_value: str, printed: str, raw: str) -> tuple[_Verdict, str | None]:
    a, b = _date_parts(mrz_value), _date_parts(printed)
    if b is None:
        return "skip", None
    if a is None:
        return "mismatch", None
    ya, ma, da, full_a = a
    yb, mb, db, full_b = b
    if yb is not None and full_b and raw and yb not in re.sub(r"\D", "", raw):
        full_b = False  # printed with a two-digit year: its century is only our guess
    if ya is not None and yb is not None:
        if full_a and full_b:
            if ya != yb:
                return "mismatch", None
        elif ya[-2:] != yb[-2:]:
            return "mismatch", None
    for x, y in ((ma, mb), (da, db)):
        if x is not None and y is not None and x != y:
            return "mismatch", None
    if all(v is not None for v in (ya, ma, da, yb, mb, db)):
        return "exact", None  # every printed digit agrees (a two-digit year on both sides too)
    if mb is None or db is None:
        return "loose", f"the visual zone prints only {printed}, which agrees"
    return "loose", "MRZ and visual zone agree as far as both are known"


def _compare_sex(mrz_value: str, printed: str) -> tuple[_Verdict, str | None]:
    def norm(v: str) -> str:
        v = v.strip().upper()
        return "X" if v in ("<", "X", "") else v

    return ("exact", None) if norm(mrz_value) == norm(printed) else ("mismatch", None)


def _compare_codes(mrz_value: str, printed: str) -> tuple[_Verdict, str | None]:
    code = country_code(printed)
    if code is None:
        return "skip", None  # a word we cannot map: not comparable, not a mismatch
    return ("exact", None) if canonical_code(mrz_value) == code else ("mismatch", None)


def _doc_norm(value: str) -> str:
    return re.sub(r"[\s<\-./]", "", value.upper())


def _compare_document_numbers(mrz_value: str, printed: str) -> tuple[_Verdict, str | None]:
    a, b = _doc_norm(mrz_value), _doc_norm(printed)
    if not b:
        return "skip", None
    if a == b:
        return "exact", None
    if len(a) == 9 and len(b) > 9 and b.startswith(a):
        return "loose", f"the MRZ holds the first 9 characters of {b}"
    if len(a) == len(b) and lookalike_key(a) == lookalike_key(b):
        return "skip", f"the visual zone reads {b} (differs only in look-alike characters)"
    return "mismatch", None


def _compare_text(mrz_value: str, printed: str) -> tuple[_Verdict, str | None]:
    a, b = _doc_norm(mrz_value), _doc_norm(printed)
    if not b:
        return "skip", None
    return ("exact", None) if a == b else ("mismatch", None)
