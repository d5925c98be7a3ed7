"""Compose exact ICAO 9303 MRZ lines from field values (the inverse of reading).

Used by the synthetic document generator, the tests (random valid MRZs that must read back
exactly) and the corruption bench. Everything is computed here, check digits included, so a
test never asserts a digit nobody computed.

Conventions (ICAO 9303 part 3):

* Names: upper case, transliterated to A-Z by the one table (:mod:`.translit`: ``Ä`` ->
  ``AE``, ``ß`` -> ``SS``, ``Ħ`` -> ``H``, other diacritics dropped), spaces and hyphens become ``<``, apostrophes and other punctuation
  are removed. Surname and given names are joined by ``<<``. When the whole does not fit,
  it is cut at the field's end, so the last character is a letter as ICAO asks when a
  name was truncated (a cut that lands just after a whole name component is unavoidable
  and then leaves the field looking complete).
* A document number over 9 characters (TD1, TD2, TD3) puts its first 9 characters in the
  number field, ``<`` in the check-digit position, and the rest followed by the check
  digit over the whole number at the start of the optional data (TD3: personal number).
* An empty optional / personal-number field gets ``<`` as its check digit.
* The French ID card (``FRID``, before 2021) has its own layout: ``optional_data`` holds the
  6-character department/office code of line 1; there is no expiry date nor nationality.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from desktop_app.core.mrz.checksum import check_digit
from desktop_app.core.mrz.layouts import LAYOUTS, Layout
from desktop_app.core.mrz.translit import letters_for
from desktop_app.core.types import DocumentFormat


@dataclass(frozen=True)
class MrzData:
    """Field values of one document, as plain text (see module docstring for encoding)."""

    format: DocumentFormat
    document_code: str
    issuing_country: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: str
    sex: str
    expiry_date: str
    optional_data: str = ""
    optional_data_2: str = ""


def mrz_text(text: str) -> str:
    """``text`` in MRZ characters: upper case A-Z, 0-9, with spaces and hyphens as ``<``.

    Apostrophes and other punctuation are dropped; every other character is written in
    the letters ICAO 9303 part 3 recommends (``Ä`` -> ``AE``, ``Ħ`` -> ``H``, ``Ж`` -> ``ZH``),
    as the one transliteration table says (:func:`.translit.letters_for`).

    >>> mrz_text("ĦAĠAR Ŋ-Ŧ")
    'HAGAR<N<T'
    """
    out: list[str] = []
    for ch in text.upper():
        if ("A" <= ch <= "Z") or ("0" <= ch <= "9") or ch == "<":
            out.append(ch)
        elif ch in " -\u2010\u2011\u2012\u2013\t":
            out.append("<")
        else:  # a full-width digit is still its digit
            digits = "".join(c for c in unicodedata.normalize("NFKD", ch) if "0" <= c <= "9")
            out.append(letters_for(ch) or digits)
    return "".join(out)


def _pad(text: str, width: int) -> str:
    return (text + "<" * width)[:width]


def encode_name(surname: str, given_names: str, width: int) -> str:
    """The name field: ``SURNAME<<GIVEN<NAMES`` padded with ``<`` or cut to ``width``."""
    primary = _collapse(mrz_text(surname))
    secondary = _collapse(mrz_text(given_names))
    full = primary + ("<<" + secondary if secondary else "")
    return _pad(full, width)


def encode_given_names_fr(given_names: str, width: int) -> str:
    """French ID given names: names separated by ``<<``, a hyphen inside a name as ``<``."""
    names = [_collapse(mrz_text(n)) for n in given_names.split()]
    return _pad("<<".join(n for n in names if n), width)


def _collapse(text: str) -> str:
    """Strip leading/trailing fillers and squeeze runs to one (a name part has single ``<``)."""
    parts = [p for p in text.split("<") if p]
    return "<".join(parts)


def encode_code(code: str) -> str:
    return _pad(mrz_text(code).replace("<", "")[:2], 2)


def encode_country(code: str) -> str:
    return _pad(mrz_text(code).replace("<", "")[:3], 3)


def encode_sex(sex: str) -> str:
    s = mrz_text(sex)[:1]
    return s if s in ("M", "F") else "<"


def _put(rows: list[list[str]], line: int, start: int, text: str) -> None:
    rows[line][start : start + len(text)] = list(text)


def compose_mrz(data: MrzData) -> tuple[str, ...]:
    """The exact MRZ lines for ``data``, with every check digit computed."""
    layout = LAYOUTS[data.format]
    if layout.format == "FRID":
        return _compose_frid(data, layout)
    rows = [["<"] * layout.line_length for _ in range(layout.line_count)]

    def slot_of(key: str) -> tuple[int, int, int]:
        f = layout.field(key)
        assert f is not None, key
        return f.slot.line, f.slot.start, f.slot.end

    line, start, end = slot_of("document_code")
    _put(rows, line, 0, encode_code(data.document_code))
    line, start, end = slot_of("issuing_country")
    _put(rows, line, start, encode_country(data.issuing_country))
    line, start, end = slot_of("name")
    _put(rows, line, start, encode_name(data.surname, data.given_names, end - start))

    number = mrz_text(data.document_number).replace("<", "")
    overflow = ""
    line, start, end = slot_of("document_number")
    _put(rows, line, start, _pad(number[:9], 9))
    if len(number) > 9 and layout.long_number:
        _put(rows, line, end, "<")
        overflow = number[9:] + check_digit(number)
    else:
        _put(rows, line, end, check_digit(_pad(number[:9], 9)))

    line, start, end = slot_of("nationality")
    _put(rows, line, start, encode_country(data.nationality))
    line, start, end = slot_of("birth_date")
    _put(rows, line, start, _pad(mrz_text(data.birth_date), 6))
    _put(rows, line, end, check_digit(_pad(mrz_text(data.birth_date), 6)))
    line, start, _ = slot_of("sex")
    _put(rows, line, start, encode_sex(data.sex))
    line, start, end = slot_of("expiry_date")
    _put(rows, line, start, _pad(mrz_text(data.expiry_date), 6))
    _put(rows, line, end, check_digit(_pad(mrz_text(data.expiry_date), 6)))

    opt1 = mrz_text(data.optional_data)
    if layout.format == "TD3":
        line, start, end = slot_of("personal_number")
        body = _pad(overflow + ("<" if overflow and opt1 else "") + opt1, end - start)
        _put(rows, line, start, body)
        _put(rows, line, end, check_digit(body) if body.strip("<") else "<")
    elif layout.format == "TD1":
        line, start, end = slot_of("optional_data")
        _put(rows, line, start, _pad(overflow + ("<" if overflow and opt1 else "") + opt1, end - start))
        line, start, end = slot_of("personal_number")
        _put(rows, line, start, _pad(mrz_text(data.optional_data_2), end - start))
    else:
        line, start, end = slot_of("optional_data")
        _put(rows, line, start, _pad(overflow + ("<" if overflow and opt1 else "") + opt1, end - start))

    lines = ["".join(r) for r in rows]
    comp = layout.check("composite")
    if comp is not None:
        covered = "".join(lines[s.line][s.start : s.end] for s in comp.covers)
        d = comp.digit
        lines[d.line] = lines[d.line][: d.start] + check_digit(covered) + lines[d.line][d.end :]
    return tuple(lines)


def _compose_frid(data: MrzData, layout: Layout) -> tuple[str, ...]:
    line1 = (
        "ID"
        + encode_country(data.issuing_country or "FRA")
        + _pad(_collapse(mrz_text(data.surname)), 25)
        + _pad(mrz_text(data.optional_data), 6)
    )
    number = _pad(mrz_text(data.document_number).replace("<", ""), 12)[:12]
    birth = _pad(mrz_text(data.birth_date), 6)
    line2 = (
        number
        + check_digit(number)
        + encode_given_names_fr(data.given_names, 14)
        + birth
        + check_digit(birth)
        + encode_sex(data.sex)
    )
    line2 += check_digit(line1 + line2)
    assert len(line1) == len(line2) == layout.line_length
    return (line1, line2)
