"""Printed dates of the visual zone: every form passports print, in their languages.

``parse_printed_date`` returns ISO ``YYYY-MM-DD``, or ``YYYY-MM`` / ``YYYY`` when the
document prints only part of the date (unknown day printed as ``XX``, ``00`` or left out).

Two-digit years (rule, no tunable parameter):

* ``kind="birth"`` and ``kind="issue"``: the latest century that does not put the date
  after ``today`` (nobody is born, and no document is issued, in the future): a window of
  100 years that ends today.
* ``kind="expiry"`` and ``"any"``: the century that puts the year nearest to ``today``'s
  year, a window of 50 years either side of today; on an exact tie (50 years both ways)
  an expiry goes to the future, "any" to the past.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Final, Literal

from desktop_app.core.viz._text import DIGIT_TO_LETTER, LETTER_TO_DIGIT, edit_distance, fold

DateKind = Literal["birth", "expiry", "issue", "any"]

_MONTH_NAMES: Final[dict[int, tuple[str, ...]]] = {
    # English, French, Spanish, Italian, Portuguese, Dutch, German, Nordic; folded (no accents).
    1: ("JAN", "JANUARY", "JANV", "JANVIER", "ENE", "ENERO", "GEN", "GENNAIO", "JANEIRO",
        "JANUARI", "JANUAR", "JANNER", "JAENNER"),
    2: ("FEB", "FEBRUARY", "FEV", "FEVR", "FEVRIER", "FEBRERO", "FEBBRAIO", "FEVEREIRO",
        "FEBRUARI", "FEBRUAR"),
    3: ("MAR", "MARCH", "MARS", "MARZO", "MARCO", "MRT", "MAART", "MAERZ", "MARZ", "MAE", "MAZ"),
    4: ("APR", "APRIL", "AVR", "AVRIL", "ABR", "ABRIL", "APRILE"),
    5: ("MAY", "MAI", "MAYO", "MAG", "MAGGIO", "MAIO", "MEI", "MAJ"),
    6: ("JUN", "JUNE", "JUIN", "JUNIO", "GIU", "GIUGNO", "JUNHO", "JUNI"),
    7: ("JUL", "JULY", "JUIL", "JUILLET", "JULIO", "LUG", "LUGLIO", "JULHO", "JULI"),
    8: ("AUG", "AUGUST", "AOU", "AOUT", "AGO", "AGOSTO", "AUGUSTUS"),
    9: ("SEP", "SEPT", "SEPTEMBER", "SEPTEMBRE", "SEPTIEMBRE", "SETIEMBRE", "SET", "SETTEMBRE",
        "SETEMBRO"),
    10: ("OCT", "OCTOBER", "OCTOBRE", "OCTUBRE", "OTT", "OTTOBRE", "OUT", "OUTUBRO", "OKT",
         "OKTOBER"),
    11: ("NOV", "NOVEMBER", "NOVEMBRE", "NOVIEMBRE", "NOVEMBRO"),
    12: ("DEC", "DECEMBER", "DECEMBRE", "DIC", "DICIEMBRE", "DICEMBRE", "DEZ", "DEZEMBRO",
         "DEZEMBER", "DES", "DESEMBER"),
}
MONTHS: Final[dict[str, int]] = {name: m for m, names in _MONTH_NAMES.items() for name in names}
_MONTHS_BY_LEN: Final[dict[int, tuple[tuple[str, int], ...]]] = {
    n: tuple((k, v) for k, v in MONTHS.items() if len(k) == n) for n in {len(k) for k in MONTHS}
}

_PLACEHOLDERS: Final = frozenset({"X", "XX", "XXX", "XXXX", "*", "**", "?", "??", "<", "<<"})
_WORDS: Final = re.compile(r"[^\s.,/\\\-:;'’`_()\[\]]+")
_RUNS: Final = re.compile(r"[A-Z]+|[0-9]+|[|!]+|[^A-Z0-9|!]+")
_MAX_TEXT: Final = 200


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: Literal["num", "month", "ph", "junk"]
    text: str = ""  # digits for "num"
    month: int = 0
    dist: int = 0
    repaired: bool = False
    start: int = 0
    """Span in the text parsed of the word the token comes from."""
    end: int = 0


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A parsed date with how it was read (for the extractor's confidence)."""

    iso: str
    repaired: bool
    """Look-alike letters were read as digits, or a month name was matched fuzzily."""
    partial: bool
    start: int = 0
    """Span of the text that holds the date (noise around it left out)."""
    end: int = 0


MONTH_FIRST_STATES: Final = frozenset({"USA", "FSM", "MHL", "PLW"})
"""Issuing states whose documents print numeric dates month first (MM/DD/YYYY): the United
States (passport cards, driver's licences, visas) and the states in free association with
it that follow its forms (Micronesia, the Marshall Islands, Palau)."""


def prints_month_first(issuing_state: str | None) -> bool:
    """Whether documents of ``issuing_state`` (an ICAO code) print numeric dates month first."""
    return (issuing_state or "").replace("<", "").upper() in MONTH_FIRST_STATES


def parse_printed_date(
    text: str, *, kind: DateKind = "any", today: date | None = None, month_first: bool = False
) -> str | None:
    """ISO form of a printed date, ``None`` if ``text`` holds no recognisable date.

    Accepts "12 AUG 1974", "12 AOUT/AUG 74", "12.08.1974", "1974-08-12", "12 08 1974",
    month names and abbreviations in English, French, Spanish, Italian, Portuguese, Dutch
    and German, look-alike letters in digits (O/0, I/1, l/1 ...), and some noise around the
    date. See the module docstring for the two-digit year rule.
    """
    parsed = parse_date_detail(text, kind=kind, today=today, month_first=month_first)
    return None if parsed is None else parsed.iso


def parse_date_detail(
    text: str, *, kind: DateKind = "any", today: date | None = None, month_first: bool = False
) -> ParsedDate | None:
    """``parse_printed_date`` with how sure the reading is."""
    if not text:
        return None
    ref = today if today is not None else date.today()
    tokens = _tokenise(text[:_MAX_TEXT])
    if not tokens:
        return None
    # Maximal stretches without junk: a stretch that reads as a date wins as a whole; a
    # stretch that does not may lose tokens at its ends ("1. 12 AUG 1974"), but only for a
    # full date, so an impossible "31.02.1974" never degrades to "1974-02".
    # A partial date must stand alone: "12 JUM 1974" is not "1974".
    runs: list[tuple[list[_Tok], bool]] = []
    i, n = 0, len(tokens)
    while i < n:
        if tokens[i].kind == "junk":
            i += 1
            continue
        j = i
        while j < n and tokens[j].kind != "junk":
            j += 1
        runs.append((tokens[i:j], not (i == 0 and j == n)))
        i = j
    best: tuple[int, int, ParsedDate] | None = None
    for run, touches_junk in runs:
        found = _interpret(run, kind, ref, month_first) if len(run) <= 6 else None
        if found is not None and found.partial and touches_junk:
            found = None
        if found is not None:
            found = replace(found, start=run[0].start, end=run[-1].end)
        else:
            found = _trimmed(run, kind, ref, month_first)
        if found is None:
            continue
        key = (found.iso.count("-"), len(run))
        if best is None or key[0] > best[0]:
            best = (key[0], key[1], found)
    return None if best is None else best[2]


def _trimmed(run: list[_Tok], kind: DateKind, today: date, month_first: bool) -> ParsedDate | None:
    n = len(run)
    for length in range(min(n - 1, 6), 1, -1):
        for start in range(0, n - length + 1):
            window = run[start : start + length]
            found = _interpret(window, kind, today, month_first)
            if found is not None and not found.partial:
                return replace(found, start=window[0].start, end=window[-1].end)
    return None


# ---------------------------------------------------------------------------------------
# tokenising


def _month_of(word: str) -> tuple[int, int] | None:
    """(month, edit distance) for a letter word, exact first, then a unique fuzzy match."""
    exact = MONTHS.get(word)
    if exact is not None:
        return exact, 0
    n = len(word)
    if n < 3 or n > 12:
        return None
    limit = 1 if n <= 5 else 2
    found: dict[int, int] = {}
    for length in range(n - limit, n + limit + 1):
        for name, month in _MONTHS_BY_LEN.get(length, ()):
            if name[0] != word[0] and n <= 4:
                continue  # a short abbreviation with a wrong first letter is too weak
            d = edit_distance(word, name)
            if d <= limit and d < found.get(month, limit + 1):
                found[month] = d
    if not found:
        return None
    best = min(found.values())
    months = [m for m, d in found.items() if d == best]
    if len(months) != 1:
        return None
    return months[0], best


def _as_number(word: str) -> str | None:
    """Digits of a word made of digits and look-alike letters, None otherwise."""
    out = []
    for c in word:
        if c.isdigit():
            out.append(c)
        else:
            d = LETTER_TO_DIGIT.get(c)
            if d is None:
                return None
            out.append(d)
    return "".join(out)


def _split_word(word: str) -> list[_Tok]:
    """Tokens of one separator-free word, e.g. "12AUG1974", "l2", "AUGI974", "N0V"."""
    if word in _PLACEHOLDERS:
        return [_Tok("ph")]
    if any(c.isalpha() for c in word):
        letters = "".join(DIGIT_TO_LETTER.get(c, c) for c in word)
        if letters.isalpha() and sum(c.isalpha() for c in word) >= 2:
            hit = _month_of(letters)
            if hit is not None:
                return [_Tok("month", month=hit[0], dist=hit[1], repaired=hit[1] > 0 or letters != word)]
    number = _as_number(word)
    if number is not None:
        return [_Tok("num", text=number, repaired=number != word)]
    glued = _glued_date(word)
    if glued is not None:
        return glued
    # Mixed word: split into letter and digit runs, find a month in a letter run, allowing
    # look-alike letters glued to either side of it ("AUGI974" -> AUG, 1974).
    pieces: list[_Tok] = []
    for run in _RUNS.findall(word):
        if run[0].isalpha():
            pieces.extend(_split_letter_run(run))
        elif run[0].isdigit():
            pieces.append(_Tok("num", text=run))
        elif set(run) <= set("|!"):
            pieces.append(_Tok("num", text="1" * len(run), repaired=True))
        else:
            pieces.append(_Tok("junk"))
    merged: list[_Tok] = []
    for tok in pieces:
        if tok.kind == "num" and merged and merged[-1].kind == "num":
            prev = merged.pop()
            merged.append(_Tok("num", text=prev.text + tok.text, repaired=prev.repaired or tok.repaired))
        else:
            merged.append(tok)
    return merged


def _glued_date(word: str) -> list[_Tok] | None:
    """A day (or year) glued to a month whose first letter was read as a digit: "130CT"
    is 13 OCT, "05A1G"... is not. Only an exact month name counts."""
    n = len(word)
    for i in range(1, n - 2):
        prefix = _as_number(word[:i])
        if prefix is None or not word[i - 1].isdigit():
            continue
        for j in range(n, i + 2, -1):
            mid = "".join(DIGIT_TO_LETTER.get(c, c) for c in word[i:j])
            suffix = _as_number(word[j:]) if j < n else ""
            if suffix is None or not mid.isalpha() or mid not in MONTHS or mid == word[i:j]:
                continue
            out = [_Tok("num", text=prefix, repaired=True), _Tok("month", month=MONTHS[mid], repaired=True)]
            return out + ([_Tok("num", text=suffix, repaired=True)] if suffix else [])
    return None


def _split_letter_run(run: str) -> list[_Tok]:
    if run in _PLACEHOLDERS:
        return [_Tok("ph")]
    number = _as_number(run)
    if number is not None:
        return [_Tok("num", text=number, repaired=True)]
    best: tuple[int, int, int, int] | None = None  # (dist, -core length, i, j)
    n = len(run)
    for i in range(n):
        if i and _as_number(run[:i]) is None:
            break
        for j in range(n, i + 2, -1):
            if j < n and _as_number(run[j:]) is None:
                continue
            hit = _month_of(run[i:j])
            if hit is None:
                continue
            key = (hit[1], -(j - i), i, j)
            if best is None or key < best:
                best = key
    if best is None:
        both = _two_months(run)
        return [both] if both is not None else [_Tok("junk")]
    dist, _, i, j = best
    out: list[_Tok] = []
    if i:
        out.append(_Tok("num", text=_as_number(run[:i]) or "", repaired=True))
    month = MONTHS.get(run[i:j])
    hit = (month, 0) if month is not None else _month_of(run[i:j])
    assert hit is not None
    out.append(_Tok("month", month=hit[0], dist=dist, repaired=dist > 0 or i > 0 or j < n))
    if j < n:
        out.append(_Tok("num", text=_as_number(run[j:]) or "", repaired=True))
    return out


def _two_months(run: str) -> _Tok | None:
    """A bilingual month printed without its slash ("APRABR", "AUGAOUT"): two names of one
    month glued together."""
    if not 6 <= len(run) <= 16:
        return None
    for cut in range(3, len(run) - 2):
        first = MONTHS.get(run[:cut])  # the first name read exactly: cheap, and sure enough
        if first is None:
            continue
        second = _month_of(run[cut:])
        if second is not None and second[0] == first:
            return _Tok("month", month=first, dist=second[1], repaired=True)
    return None


def _tokenise(text: str) -> list[_Tok]:
    folded_chars: list[str] = []
    origin: list[int] = []  # raw index of each folded character
    for i, ch in enumerate(text):
        for c in fold(ch):
            folded_chars.append(c)
            origin.append(i)
    folded = "".join(folded_chars)
    words = list(_WORDS.finditer(folded))
    split = [_split_word(m.group()) for m in words]
    tokens: list[_Tok] = []
    for k, m in enumerate(words):
        if _month_translation(words, split, k, folded):
            continue
        start, end = origin[m.start()], origin[m.end() - 1] + 1
        tokens.extend(replace(t, start=start, end=end) for t in split[k])
    return tokens


def _month_translation(words: list[re.Match[str]], split: list[list[_Tok]], k: int, folded: str) -> bool:
    """A short word of letters that is no month, beside a month across a slash: the month
    in a language the table lacks ("16 MFO/SEP 2013", Irish), left out of the date."""
    word = words[k].group()
    if not (2 <= len(word) <= 5 and word.isalpha()) or [t.kind for t in split[k]] != ["junk"]:
        return False

    def is_month(j: int) -> bool:
        return 0 <= j < len(words) and [t.kind for t in split[j]] == ["month"]

    after = folded[words[k].end() : words[k + 1].start()] if k + 1 < len(words) else ""
    before = folded[words[k - 1].end() : words[k].start()] if k > 0 else ""
    return ("/" in after and is_month(k + 1)) or ("/" in before and is_month(k - 1))


# ---------------------------------------------------------------------------------------
# interpreting a run of tokens


def _interpret(tokens: list[_Tok], kind: DateKind, today: date, month_first: bool = False) -> ParsedDate | None:
    months = [i for i, t in enumerate(tokens) if t.kind == "month"]
    repaired = any(t.repaired for t in tokens)
    if months:
        # Bilingual month ("AOUT/AUG", "JAN/JAN"): adjacent month tokens must agree.
        first, last = months[0], months[-1]
        if last - first + 1 != len(months) or len(months) > 3:
            return None
        values = {tokens[i].month for i in months}
        if len(values) != 1:
            best = min(tokens[i].dist for i in months)
            values = {tokens[i].month for i in months if tokens[i].dist == best}
            if len(values) != 1:
                return None
            repaired = True
        month = values.pop()
        before, after = tokens[:first], tokens[last + 1 :]
        return _with_month(before, month, after, kind, today, repaired)
    return _numeric(tokens, kind, today, repaired, month_first)


def _is_day(t: _Tok) -> bool:
    return t.kind == "ph" or (t.kind == "num" and 1 <= len(t.text) <= 2)


def _is_year(t: _Tok, *, short_ok: bool) -> bool:
    return t.kind == "num" and (len(t.text) == 4 or (short_ok and len(t.text) == 2))


def _day_of(t: _Tok) -> int | None:
    """Day number, None when unknown (placeholder or 00); a lone "0" is a misread day (-1)."""
    if t.kind == "ph":
        return None
    v = int(t.text)
    if v == 0:
        return None if len(t.text) == 2 else -1
    return v


def _with_month(
    before: list[_Tok], month: int, after: list[_Tok], kind: DateKind, today: date, repaired: bool
) -> ParsedDate | None:
    day_tok: _Tok | None
    year_tok: _Tok
    if len(before) == 1 and len(after) == 1 and _is_day(before[0]) and _is_year(after[0], short_ok=True):
        day_tok, year_tok = before[0], after[0]  # 12 AUG 1974
    elif not before and len(after) == 1 and _is_year(after[0], short_ok=True):
        day_tok, year_tok = None, after[0]  # AUG 1974
    elif not before and len(after) == 2 and _is_day(after[0]) and _is_year(after[1], short_ok=False):
        day_tok, year_tok = after[0], after[1]  # AUG 12 1974
    elif len(before) == 1 and _is_year(before[0], short_ok=False) and len(after) == 1 and _is_day(after[0]):
        day_tok, year_tok = after[0], before[0]  # 1974 AUG 12
    elif len(before) == 1 and _is_year(before[0], short_ok=False) and not after:
        day_tok, year_tok = None, before[0]  # 1974 AUG
    else:
        return None
    day = _day_of(day_tok) if day_tok is not None else None
    return _build(year_tok.text, month, day, kind, today, repaired)


def _numeric(
    tokens: list[_Tok], kind: DateKind, today: date, repaired: bool, month_first: bool = False
) -> ParsedDate | None:
    if any(t.kind not in ("num", "ph") for t in tokens):
        return None
    if len(tokens) == 3:
        a, b, c = tokens
        if _is_year(a, short_ok=False) and _is_day(b) and _is_day(c):  # 1974-08-12
            return _build(a.text, _month_num(b), _day_of(c), kind, today, repaired)
        if _is_day(a) and _is_day(b) and _is_year(c, short_ok=True):  # 12.08.1974
            day, month = _day_of(a), _month_num(b)
            if month_first or (month is not None and month > 12 and day is not None and day <= 12):
                day, month = month, day  # printed month first (08/25/1974)
                if month_first and month is not None and month > 12:
                    day, month = month, day  # the state prints month first, this one did not
            return _build(c.text, month, day, kind, today, repaired)
        return None
    if len(tokens) == 2:
        a, b = tokens
        if _is_day(a) and a.kind == "num" and _is_year(b, short_ok=False):  # 08 1974
            return _build(b.text, _month_num(a), None, kind, today, repaired)
        if _is_year(a, short_ok=False) and _is_day(b) and b.kind == "num":  # 1974-08
            return _build(a.text, _month_num(b), None, kind, today, repaired)
        return None
    if len(tokens) == 1 and tokens[0].kind == "num":
        digits = tokens[0].text
        if len(digits) == 4:
            return _build(digits, None, None, kind, today, repaired)
        if len(digits) == 8:
            if month_first and digits[:2] not in ("18", "19", "20", "21"):
                return _build(digits[4:], int(digits[:2]), int(digits[2:4]), kind, today, repaired)
            if digits[:2] in ("18", "19", "20", "21"):
                iso = _build(digits[:4], int(digits[4:6]), int(digits[6:]), kind, today, repaired)
                if iso is not None:
                    return iso
            return _build(digits[4:], int(digits[2:4]), int(digits[:2]), kind, today, repaired)
    return None


def _month_num(t: _Tok) -> int | None:
    return _day_of(t)


def _build(
    year_text: str, month: int | None, day: int | None, kind: DateKind, today: date, repaired: bool
) -> ParsedDate | None:
    if month is None and day is not None:
        return None  # a day without its month means nothing
    if month is not None and not 1 <= month <= 12:
        return None
    if len(year_text) == 2:
        year = resolve_two_digit_year(int(year_text), month, day, kind=kind, today=today)
    else:
        year = int(year_text)
    if not 1850 <= year <= 2199:
        return None
    if month is None:
        return ParsedDate(f"{year:04d}", repaired, True)
    if day is None:
        return ParsedDate(f"{year:04d}-{month:02d}", repaired, True)
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return ParsedDate(f"{year:04d}-{month:02d}-{day:02d}", repaired, False)


def resolve_two_digit_year(
    yy: int, month: int | None = None, day: int | None = None, *, kind: DateKind = "any", today: date
) -> int:
    """The four-digit year of ``yy`` by the rule in the module docstring."""
    if kind in ("birth", "issue"):
        year = today.year - today.year % 100 + yy
        if (year, month or 1, day or 1) > (today.year, today.month, today.day):
            year -= 100
        return year
    candidates = [today.year - today.year % 100 + yy + k for k in (-100, 0, 100)]
    best = min(abs(c - today.year) for c in candidates)
    ties = [c for c in candidates if abs(c - today.year) == best]
    if len(ties) == 1:
        return ties[0]
    return max(ties) if kind == "expiry" else min(ties)
