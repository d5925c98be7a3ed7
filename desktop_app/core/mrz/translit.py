"""ICAO Doc 9303 part 3 transliteration of names into the MRZ alphabet (A-Z and space).

The one transliteration of the program: the composer (:func:`.compose.mrz_text`), the
visual-zone cross-check (:mod:`desktop_app.core.viz.crosscheck`, through
:mod:`desktop_app.core.viz.translit`) and the synthetic document generator all ask it.

* :func:`transliterate` returns every acceptable MRZ spelling of a printed name, the ICAO
  recommended one first: "MÜLLER" -> ("MUELLER", "MULLER"). The MRZ writes spaces as
  fillers; here they stay spaces (the MRZ engine's fields use spaces too).
* :func:`mrz_spelling` is the recommended spelling alone, and refuses a name with a
  character no table covers (the generator must not print a name its MRZ cannot hold).
* :func:`letters_for` is the recommended A-Z letters of one character (the composer).

Sources and choices:

* Latin national characters: ICAO 9303-3 section 6 A. Where ICAO allows two forms (Ä AE
  or A, Å AA or A, Ö OE or O, Ü UE or U) both are given; Ø is given as OE or O because
  Nordic issuers use both. The "XX" forms ICAO lists (Ñ NXX, Ü UXX) are rare and are only
  produced when asked (``rare=True``, used by the cross-check).
* Cyrillic: ICAO 9303-3 section 6 B (Russian table, e.g. Ж ZH, Х KH, Ц TS, Щ SHCH, Ъ IE,
  Ь omitted, Ю IU, Я IA), with the language exceptions of the same table as alternatives,
  because the language is not known from the letters alone: Г H (Belarusian, Ukrainian),
  И Y (Ukrainian), Ё IO (Belarusian), Щ SHT (Bulgarian), Х H, Ц C, Ч C, Ш S (Serbian and
  Macedonian forms) and the Serbian and Macedonian letters (Ђ D, Ј J, Љ LJ, Њ NJ, Ћ C,
  Џ DZ, Ѓ G, Ќ K, Ѕ DZ).
* Greek: one Latin form per letter (Β V, Η I, Θ TH, Ξ X, Υ Y, Φ F, Χ CH, Ψ PS, Ω O), and
  the digraphs Greek passports print under ELOT 743 (ΟΥ OU, ΑΥ AV/AF, ΕΥ EV/EF, ΜΠ MP/B,
  ΝΤ NT/D, ΓΓ NG, ΓΚ GK/G, ΓΞ NX, ΓΧ NCH) with the letter-by-letter form as an alternative.
* Punctuation: an apostrophe is dropped (or becomes a space), a hyphen becomes a space
  (or is dropped), other punctuation becomes a space; digits are dropped.

Characters no table covers are reduced to their base letter when Unicode decomposes
them (ǅ, ŉ, accented letters); anything else (other scripts) is dropped. A name that
leaves nothing gives ``()``.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import Final

_LATIN: Final[dict[str, tuple[str, ...]]] = {
    "Ä": ("AE", "A"),
    "Å": ("AA", "A"),
    "Æ": ("AE",),
    "Ö": ("OE", "O"),
    "Ø": ("OE", "O"),
    "Œ": ("OE",),
    "Ü": ("UE", "U"),
    "ß": ("SS",),
    "ẞ": ("SS",),
    "Þ": ("TH",),
    "Ð": ("D",),
    "Đ": ("D",),
    "Ħ": ("H",),
    "Ĳ": ("IJ",),
    "Ł": ("L",),
    "Ŀ": ("L",),
    "Ŋ": ("N",),
    "Ŧ": ("T",),
    "İ": ("I",),
    "ı": ("I",),
    "ĸ": ("K",),
    "Ñ": ("N",),
}
_RARE: Final[dict[str, tuple[str, ...]]] = {
    "Ñ": ("N", "NXX"),
    "Ü": ("UE", "U", "UXX"),
}

_CYRILLIC: Final[dict[str, tuple[str, ...]]] = {
    "А": ("A",),
    "Б": ("B",),
    "В": ("V",),
    "Г": ("G", "H"),
    "Ґ": ("G",),
    "Д": ("D",),
    "Ђ": ("D", "DJ"),
    "Ѓ": ("G", "GJ"),
    "Е": ("E",),
    "Ё": ("E", "IO"),
    "Є": ("IE",),
    "Ж": ("ZH", "Z"),
    "З": ("Z",),
    "Ѕ": ("DZ",),
    "И": ("I", "Y"),
    "І": ("I",),
    "Ї": ("I",),
    "Й": ("I",),
    "Ј": ("J",),
    "К": ("K",),
    "Л": ("L",),
    "Љ": ("LJ",),
    "М": ("M",),
    "Н": ("N",),
    "Њ": ("NJ",),
    "О": ("O",),
    "П": ("P",),
    "Р": ("R",),
    "С": ("S",),
    "Т": ("T",),
    "Ћ": ("C",),
    "Ќ": ("K", "KJ"),
    "У": ("U",),
    "Ў": ("U",),
    "Ф": ("F",),
    "Х": ("KH", "H"),
    "Ц": ("TS", "C"),
    "Ч": ("CH", "C"),
    "Џ": ("DZ", "DJ"),
    "Ш": ("SH", "S"),
    "Щ": ("SHCH", "SHT"),
    "Ъ": ("IE",),
    "Ы": ("Y",),
    "Ь": ("",),
    "Э": ("E",),
    "Ю": ("IU",),
    "Я": ("IA",),
}

_GREEK: Final[dict[str, tuple[str, ...]]] = {
    "Α": ("A",),
    "Β": ("V",),
    "Γ": ("G",),
    "Δ": ("D",),
    "Ε": ("E",),
    "Ζ": ("Z",),
    "Η": ("I",),
    "Θ": ("TH",),
    "Ι": ("I",),
    "Κ": ("K",),
    "Λ": ("L",),
    "Μ": ("M",),
    "Ν": ("N",),
    "Ξ": ("X",),
    "Ο": ("O",),
    "Π": ("P",),
    "Ρ": ("R",),
    "Σ": ("S",),
    "Τ": ("T",),
    "Υ": ("Y",),
    "Φ": ("F",),
    "Χ": ("CH",),
    "Ψ": ("PS",),
    "Ω": ("O",),
}
_GREEK_DIGRAPHS: Final[dict[str, tuple[str, ...]]] = {
    "ΟΥ": ("OU", "OY"),
    "ΑΥ": ("AV", "AF", "AY"),
    "ΕΥ": ("EV", "EF", "EY"),
    "ΜΠ": ("MP", "B"),
    "ΝΤ": ("NT", "D"),
    "ΓΓ": ("NG", "GG"),
    "ΓΚ": ("GK", "G"),
    "ΓΞ": ("NX", "GX"),
    "ΓΧ": ("NCH", "GCH"),
}

_DROP: Final = frozenset("'’‘`´ʼʻ")
_HYPHENS: Final = frozenset("-‐‑‒–—")
_MAX_VARIANTS: Final = 256
_MAX_NAME: Final = 120


def transliterate(name: str) -> tuple[str, ...]:
    """Every acceptable MRZ spelling of ``name`` (recommended first), ``()`` if none.

    >>> transliterate("Müller")
    ('MUELLER', 'MULLER')
    >>> transliterate("NÚÑEZ")
    ('NUNEZ',)
    """
    return variants(name, rare=False)


def variants(name: str, *, rare: bool) -> tuple[str, ...]:
    """``transliterate`` with, if ``rare``, the seldom used "XX" forms as well."""
    options = _options(name[:_MAX_NAME], rare=rare)
    if not options:
        return ()
    count = 1
    for choice in options:
        count *= len(choice)
        if count > _MAX_VARIANTS:
            break
    out: dict[str, None] = {}
    if count > _MAX_VARIANTS:
        # Too many to list: the uniform choices first (the recommended form, then each
        # "second" form), the spellings an issuer would actually use.
        for rank in range(max(len(c) for c in options)):
            out.setdefault(_clean("".join(c[min(rank, len(c) - 1)] for c in options)), None)
    for combo in itertools.islice(itertools.product(*options), _MAX_VARIANTS):
        out.setdefault(_clean("".join(combo)), None)
    return tuple(v for v in out if v)[:_MAX_VARIANTS]


def _clean(text: str) -> str:
    return " ".join(text.split())


def _options(name: str, *, rare: bool) -> list[tuple[str, ...]]:
    """One tuple of alternatives per printed character (or Greek digraph)."""
    upper = "".join(c if c in "ßẞ" else c.upper() for c in unicodedata.normalize("NFC", name))
    out: list[tuple[str, ...]] = []
    i = 0
    while i < len(upper):
        pair = _strip_marks(upper[i : i + 2])
        if len(pair) == 2 and pair in _GREEK_DIGRAPHS:
            out.append(_GREEK_DIGRAPHS[pair])
            i += 2
            continue
        out.append(_char_options(upper[i], rare=rare))
        i += 1
    return out


def _strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _char_options(ch: str, *, rare: bool) -> tuple[str, ...]:
    return _known_options(ch, rare=rare) or ("",)


def _known_options(ch: str, *, rare: bool) -> tuple[str, ...] | None:
    """The alternatives for one printed character, None when no table covers it."""
    if "A" <= ch <= "Z":
        return (ch,)
    if ch.isspace() or ch in ",.<;:/_":
        return (" ",)
    if ch in _DROP:
        return ("", " ")
    if ch in _HYPHENS:
        return (" ", "")
    if rare and ch in _RARE:
        return _RARE[ch]
    for table in (_LATIN, _CYRILLIC):
        hit = table.get(ch)
        if hit is not None:
            return hit
    base = _strip_marks(ch)
    if base != ch and base:
        known = [_known_options(c, rare=rare) for c in base]
        if any(p is None for p in known):
            return None
        parts = [p for p in known if p is not None]
        if all(len(p) == 1 for p in parts):
            return ("".join(p[0] for p in parts),)
        return parts[0] if len(parts) == 1 else (parts[0][0],)
    hit = _GREEK.get(ch)
    if hit is not None:
        return hit
    compat = _strip_marks(unicodedata.normalize("NFKD", ch)).upper()
    if compat != ch and compat and all("A" <= c <= "Z" for c in compat):
        return (compat,)
    return None


def letters_for(ch: str) -> str:
    """The recommended MRZ letters (A-Z only, possibly empty) for one printed character.

    >>> letters_for("Ħ"), letters_for("Ŋ"), letters_for("Ŧ"), letters_for("Ä"), letters_for("Ж")
    ('H', 'N', 'T', 'AE', 'ZH')
    """
    upper = ch if ch in "ßẞ" else ch.upper()
    if len(upper) != 1:  # a letter whose upper case is two (ŉ -> ʼN)
        return "".join(letters_for(c) for c in upper)
    first = (_known_options(upper, rare=False) or ("",))[0]
    return "".join(c for c in first if "A" <= c <= "Z")


_SYNTH_HYPHENS: Final = frozenset("-‐–")


def mrz_spelling(name: str, *, keep_hyphens: bool = False) -> str:
    """``name`` (any case, national characters) in its recommended MRZ spelling: A-Z and
    single spaces. With ``keep_hyphens`` a hyphen stays a hyphen (the French card writes a
    hyphen inside a given name as one filler but separates given names by two).

    Raises ``ValueError`` for a character no table covers (another script).

    >>> mrz_spelling("Müller-Lüdenscheidt")
    'MUELLER LUEDENSCHEIDT'
    >>> mrz_spelling("Núñez d'Ávila")
    'NUNEZ DAVILA'
    >>> mrz_spelling("ĦAĠAR")
    'HAGAR'
    """
    out: list[str] = []
    for text, options in _spelled(name):
        if keep_hyphens and text in _SYNTH_HYPHENS:
            out.append("-")
        elif options is None:
            raise ValueError(f"no MRZ transliteration for {text!r} in {name!r}")
        else:
            out.append(options[0])
    joined = re.sub(r" *- *", "-", re.sub(r" +", " ", "".join(out)))
    return joined.strip(" -")


def _spelled(name: str) -> list[tuple[str, tuple[str, ...] | None]]:
    """Each printed character (or Greek digraph) with its alternatives (None: unknown)."""
    upper = "".join(c if c in "ßẞ" else c.upper() for c in unicodedata.normalize("NFC", name))
    out: list[tuple[str, tuple[str, ...] | None]] = []
    i = 0
    while i < len(upper):
        pair = _strip_marks(upper[i : i + 2])
        if len(pair) == 2 and pair in _GREEK_DIGRAPHS:
            out.append((upper[i : i + 2], _GREEK_DIGRAPHS[pair]))
            i += 2
            continue
        ch = upper[i]
        out.append((ch, (" ",) if ch.isspace() else _known_options(ch, rare=False)))
        i += 1
    return out
