"""Names as printed in the visual zone -> names as written in the MRZ (ICAO 9303 part 3, 6).

The visual zone keeps national characters (MÜLLER, SØRENSEN, NÚÑEZ); the MRZ allows only
A-Z and the filler. We use the transliterations ICAO recommends first (Ä -> AE, Ø -> OE,
ß -> SS, Þ -> TH ...); letters with a plain diacritic lose it (É -> E, Ñ -> N, Ł -> L).
Apostrophes are dropped and hyphens, commas and full stops become a separator, which the
MRZ writes as a filler.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

_MULTI: Final[dict[str, str]] = {
    "Ä": "AE",
    "Æ": "AE",
    "Å": "AA",
    "Ö": "OE",
    "Ø": "OE",
    "Œ": "OE",
    "Ü": "UE",
    "ß": "SS",
    "ẞ": "SS",
    "Þ": "TH",
    "Ð": "D",
    "Đ": "D",
    "Ħ": "H",
    "Ł": "L",
    "Ŀ": "L",
    "Ĳ": "IJ",
    "Ŋ": "N",
    "Ŧ": "T",
    "ı": "I",
}
_DROP: Final = "'’ʼ`´"
_SEPARATORS: Final = "-‐–,."


def transliterate(name: str, *, keep_hyphens: bool = False) -> str:
    """``name`` (any case, national characters) as MRZ letters: A-Z and single spaces.

    With ``keep_hyphens`` a hyphen stays a hyphen (the French card writes a hyphen inside
    a given name as one filler but separates given names by two).

    >>> transliterate("Müller-Lüdenscheidt")
    'MUELLER LUEDENSCHEIDT'
    >>> transliterate("Núñez d'Ávila")
    'NUNEZ DAVILA'
    """
    out: list[str] = []
    for ch in name.upper():
        if ch in _DROP:
            continue
        if keep_hyphens and ch in "-‐–":
            out.append("-")
            continue
        if ch in _SEPARATORS or ch.isspace():
            out.append(" ")
            continue
        if ch in _MULTI:
            out.append(_MULTI[ch])
            continue
        if "A" <= ch <= "Z":
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        base = _MULTI.get(base, base)
        if base and all("A" <= c <= "Z" for c in base):
            out.append(base)
        else:
            raise ValueError(f"no MRZ transliteration for {ch!r} in {name!r}")
    text = re.sub(r" *- *", "-", re.sub(r" +", " ", "".join(out)))
    return text.strip(" -")
