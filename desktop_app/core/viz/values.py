"""Reading one field's value out of printed text: validate, normalise, say how sure.

``read_value`` is given the text found next to a label and returns the normalised value
with the span of ``text`` it came from, or None when the text cannot be that field
(a date label followed by a name, a sex label followed by a word, ...). Returning None
is what lets the layout search try the next candidate instead of taking garbage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from desktop_app.core.viz._text import DIGIT_TO_LETTER, collapse_spaces, fold, upper_keep
from desktop_app.core.viz.countries import canonical_code, country_code
from desktop_app.core.viz.dates import MONTHS, DateKind, parse_date_detail

DATE_KINDS: Final[dict[str, DateKind]] = {
    "birth_date": "birth",
    "expiry_date": "expiry",
    "issue_date": "issue",
}
NAME_FIELDS: Final = frozenset({"surname", "given_names"})
TEXT_FIELDS: Final = frozenset({"place_of_birth", "authority"})
READABLE_FIELDS: Final = frozenset(
    {
        "surname",
        "given_names",
        "birth_date",
        "sex",
        "nationality",
        "document_number",
        "expiry_date",
        "issue_date",
        "place_of_birth",
        "authority",
        "issuing_country",
    }
)

_SEX_WORDS: Final[dict[str, str]] = {
    # single letters as printed: M, F, X; W (weiblich), V (vrouw), K (kvinna/kvinde/kobieta),
    # H (homme/hombre), D (divers, printed as X in the MRZ)
    "M": "M", "F": "F", "X": "X", "W": "F", "V": "F", "K": "F", "H": "M", "D": "X",
    "MALE": "M", "MASCULIN": "M", "MASCULINO": "M", "MASCHILE": "M", "MANNLICH": "M",
    "MAENNLICH": "M", "MANNELIJK": "M", "MAN": "M", "MANLIG": "M", "MAND": "M", "HOMME": "M",
    "HOMBRE": "M", "MASC": "M",
    "FEMALE": "F", "FEMININ": "F", "FEMININE": "F", "FEMENINO": "F", "FEMININO": "F",
    "FEMMINILE": "F", "WEIBLICH": "F", "VROUWELIJK": "F", "VROUW": "F", "KVINNA": "F",
    "KVINDE": "F", "KVINNE": "F", "FEMME": "F", "MUJER": "F", "FEM": "F",
    "UNSPECIFIED": "X", "DIVERS": "X", "NONBINARY": "X",
}
_NAME_ALLOWED: Final = re.compile(r"[^\w\s'’\-<,./]", re.UNICODE)
_DOC_TOKEN: Final = re.compile(r"[A-Z0-9]+")


@dataclass(frozen=True, slots=True)
class Value:
    value: str
    start: int
    """Span of the text the value was read from (for its box)."""
    end: int
    quality: float
    """1.0 read cleanly; lower when look-alike characters were repaired or the form is loose."""


def _stripped_span(text: str) -> tuple[int, int]:
    start = len(text) - len(text.lstrip(" \t:;,.-/|"))
    end = len(text.rstrip(" \t:;,/|"))
    return start, max(start, end)


def read_value(field: str, text: str, *, today: date, month_first: bool = False) -> Value | None:
    """The value of ``field`` in ``text``, or None if ``text`` cannot hold it (numeric
    dates read month first when ``month_first``)."""
    start, end = _stripped_span(text)
    core = text[start:end]
    if not core:
        return None
    kind = DATE_KINDS.get(field)
    if kind is None and any(c.islower() for c in core) and not any(c.isupper() for c in core):
        return None  # values are printed in capitals; lower case is what is left of a label
    if kind is not None:
        parsed = parse_date_detail(core, kind=kind, today=today, month_first=month_first)
        if parsed is None:
            return None
        if kind == "expiry":
            # A validity range ("01.01.2004 - 01.01.2009", "valid from - until"): the expiry
            # is the date that ends it.
            later = parse_date_detail(core[parsed.end :], kind=kind, today=today, month_first=month_first)
            if later is not None and not later.partial and not parsed.partial:
                offset = parsed.end
                parsed = replace(later, start=later.start + offset, end=later.end + offset)
        return Value(parsed.iso, start + parsed.start, start + parsed.end, 0.9 if parsed.repaired else 1.0)
    if field in NAME_FIELDS:
        return _name(core, start)
    if field == "sex":
        return _sex(core, start)
    if field == "nationality":
        return _nationality(core, start, end)
    if field == "issuing_country":
        return _code(core, start, end)
    if field == "document_number":
        return _document_number(core, start)
    if field in TEXT_FIELDS:
        return _free_text(core, start, end)
    return None


def _name(core: str, offset: int) -> Value | None:
    junk = len(_NAME_ALLOWED.findall(core))
    if junk > 0.2 * len(core):
        return None
    letters = sum(c.isalpha() for c in core)
    digits = sum(c.isdigit() for c in core)
    if letters == 0 or digits > 0.25 * (letters + digits):
        return None
    repaired = False
    chars: list[str] = []
    for c in core:
        if c.isdigit():
            mapped = DIGIT_TO_LETTER.get(c)
            if mapped is None:
                return None
            chars.append(mapped)
            repaired = True
        elif c.isalpha() or c in "'’-":
            chars.append(c)
        else:
            chars.append(" ")  # "<", ",", "." and stray marks separate name parts
    value = collapse_spaces(upper_keep("".join(chars))).strip("-' ")
    if not value or not any(c.isalpha() for c in value):
        return None
    return Value(value, offset, offset + len(core), 0.85 if repaired else 1.0)


def read_full_name(text: str) -> tuple[Value, Value] | None:
    """"ERIKSSON, ANNA MARIA" -> (surname, given names); None without the comma."""
    comma = text.find(",")
    if comma < 0:
        return None
    surname = read_value("surname", text[:comma], today=date.min)
    given = read_value("given_names", text[comma + 1 :], today=date.min)
    if surname is None or given is None:
        return None
    shift = comma + 1
    return surname, Value(given.value, given.start + shift, given.end + shift, given.quality)


def _sex(core: str, offset: int) -> Value | None:
    found: str | None = None
    first: tuple[int, int] | None = None
    for m in re.finditer(r"[^\s/|,;.\\]+", core):
        word = fold(m.group())
        sex = _SEX_WORDS.get(word)
        if sex is None:
            if first is None:
                return None  # the value must start with a sex word
            break
        if found is not None and sex != found:
            return None
        found = sex
        if first is None:
            first = (m.start(), m.end())
    if found is None or first is None:
        return None
    return Value(found, offset + first[0], offset + first[1], 1.0)


def _nationality(core: str, start: int, end: int) -> Value | None:
    code = country_code(core)
    if code is None:
        code = country_code(_WORD.sub(_letters_for_digits, core))  # "8RITISH"
    if code is not None:
        return Value(code, start, end, 1.0)
    text = collapse_spaces(upper_keep(re.sub(r"[^\w\s/\-']", " ", core)))
    if sum(c.isalpha() for c in text) < 3 or any(c.isdigit() for c in text):
        return None
    return Value(text, start, end, 0.9)


def _code(core: str, start: int, end: int) -> Value | None:
    words = core.split()
    if len(words) > 1:
        # "P SWE": the document type's column merged in; the code is the three-letter word
        threes = [m for m in re.finditer(r"\S+", core) if len(m.group().strip("<")) == 3]
        if len(threes) != 1:
            return None
        m = threes[0]
        start, end, core = start + m.start(), start + m.end(), m.group()
    text = "".join(DIGIT_TO_LETTER.get(c, c) for c in fold(core).replace(" ", ""))
    if not re.fullmatch(r"[A-Z][A-Z<]{0,2}", text):
        return None
    code = canonical_code(text)
    if len(code) not in (1, 3):
        return None
    return Value(code, start, end, 1.0 if text == fold(core).replace(" ", "") else 0.9)


def _document_number(core: str, offset: int) -> Value | None:
    folded = fold(core)
    tokens = [(m.group(), m.start(), m.end()) for m in _DOC_TOKEN.finditer(folded)]
    if not tokens:
        return None
    joined = "".join(t for t, _, _ in tokens)
    longest = max(len(t) for t, _, _ in tokens)
    if len(tokens) > 1 and longest >= 6 and len(joined) > 9:
        joined = ""  # "A8247580 30": a number and the next column's day, not one number
    if 5 <= len(joined) <= 12 and any(c.isdigit() for c in joined) and len(tokens) <= 4:
        # "AA 1234567", "C01X00T47": printed with or without spaces
        start, end = tokens[0][1], tokens[-1][2]
        return Value(joined, offset + start, offset + end, 1.0 if len(tokens) == 1 else 0.95)
    candidates = [t for t in tokens if 5 <= len(t[0]) <= 12 and any(c.isdigit() for c in t[0])]
    if len(candidates) != 1:
        return None
    text, start, end = candidates[0]
    return Value(text, offset + start, offset + end, 0.9)


def is_text_word(word: str) -> bool:
    """A word of a place or an authority, not a piece of a date, a code or a sex."""
    folded = fold(_WORD.sub(_letters_for_digits, word)).strip(".,;:/")
    if not folded or any(c.isdigit() for c in folded) or folded in ("M", "F", "X"):
        return False
    return all(part not in MONTHS for part in re.split(r"[/.\-]", folded) if part)


def _date_piece(word: str) -> bool:
    folded = fold(word).strip(".,;:")
    if re.fullmatch(r"\d{1,4}(?:[./-]\d{1,4}){0,2}", folded) or folded in MONTHS:
        return True
    # "01.DEZ.1985": a whole date in one word, the month by name
    parts = re.split(r"[./-]", folded)
    return len(parts) == 3 and sum(p.isdigit() for p in parts) == 2 and any(p in MONTHS for p in parts)


def _date_like(words: list[re.Match[str]]) -> bool:
    """Words that are (part of) a date: two or more, or a month, a year or a dotted date."""
    if len(words) >= 2:
        return True
    word = fold(words[0].group()).strip(".,;:")
    if word in MONTHS or re.fullmatch(r"(?:19|20)\d\d|\d{1,2}[./-]\d{1,2}(?:[./-]\d{2,4})?", word):
        return True
    parts = re.split(r"[./-]", word)
    return len(parts) == 3 and any(p in MONTHS for p in parts)


def _free_text(core: str, start: int, end: int) -> Value | None:
    # A neighbouring column's date merged in at either end ("SEVILLA 25 APR") is not ours.
    repaired = _WORD.sub(_letters_for_digits, core)  # same length: one letter per digit
    quality = 1.0 if repaired == core else 0.9
    core = repaired
    words = list(re.finditer(r"\S+", core))
    lead = 0
    while lead < len(words) - 1 and _date_piece(words[lead].group()):
        lead += 1
    if lead and _date_like(words[:lead]):
        words = words[lead:]
    tail = len(words)
    while tail > 1 and _date_piece(words[tail - 1].group()):
        tail -= 1
    if tail < len(words) and _date_like(words[tail:]):
        words = words[:tail]
    if not words:
        return None
    first, last = words[0].start(), words[-1].end()
    start, end, core = start + first, start + last, core[first:last]
    letters = sum(c.isalpha() for c in core)
    if letters < 2 or letters < 0.5 * len(core.replace(" ", "")):
        return None
    value = collapse_spaces(upper_keep(core)).strip(" ,;:")
    return Value(value, start, end, quality) if value else None


_WORD: Final = re.compile(r"[^\W_]+")


def _letters_for_digits(m: re.Match[str]) -> str:
    """"MADR1D" -> "MADRID", "P0LITIET" -> "POLITIET"; "75", "A1" and "N12" stay as printed."""
    word = m.group()
    letters = sum(c.isalpha() for c in word)
    if letters < 3 or letters < 2 * (len(word) - letters):
        return word
    return "".join(DIGIT_TO_LETTER.get(c, c) if c.isdigit() else c for c in word)
