"""Printed lines in a script the Latin-only recogniser cannot read.

The visual-zone recogniser is restricted to Latin letters, so a line printed in Cyrillic,
Greek, Arabic or Chinese comes back as Latin junk: Cyrillic and Greek as the Latin letters
that look like theirs ("ТКАЧЕНКО" read "TKAYEHKO", "МАР'ЯНА" read "MAP'AHA"), Arabic and
Chinese as a few letters at low confidence. Such a reading must never be compared with
the MRZ; where the page also prints the Latin transliteration (most do, right under or
beside the national line), that one is the value.

``looks_non_latin`` tells such a reading by its letters: every letter of it is one that a
Cyrillic or Greek capital can be mistaken for, or it holds characters no Latin name has
(an apostrophe between capitals where Ukrainian prints one, digits for Б, З, Ч), or it is
a reading whose recogniser said it was unsure of most of it. A Latin name made only of
such letters ("MOE", "TOBY") is taken for one too: then the field is simply not compared
(no alarm, no confirmation), which is the safe side.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from desktop_app.core.viz._text import fold

HOMOGLYPHS: Final = frozenset("ABCEHKMOPTXY")
"""Latin capitals that Cyrillic (А В С Е Н К М О Р Т Х У) and Greek (Α Β Ε Η Κ Μ Ο Ρ Τ Χ Υ)
capitals are read as."""
NON_LATIN_MARKS: Final = re.compile(r"[A-Z][346][A-Z]|[A-Z][346]$")
"""Inside a word of letters: a digit the recogniser gives for Б, З, Ч (6, 3, 4). (An
apostrophe is no mark: O'NEILL and L'HERAULT have one, and a Ukrainian apostrophe comes
with letters that are all look-alikes anyway, "MAP'AHA".)"""
MIN_LETTERS: Final = 3


def looks_non_latin(text: str) -> bool:
    """Whether ``text`` reads like a non-Latin line recognised as Latin letters."""
    if any(c.isalpha() and not unicodedata.name(c, "").startswith("LATIN") for c in text):
        return True  # letters of another script, as such
    folded = fold(text)
    letters = [c for c in folded if c.isalpha()]
    if len(letters) < MIN_LETTERS:
        return False
    if NON_LATIN_MARKS.search(folded):
        return True
    return all(c in HOMOGLYPHS for c in letters)


def latin_of(lines: list[str]) -> str | None:
    """Of lines printed for one value (a national line and its transliteration), the one
    in Latin script; None when none of them is."""
    for text in lines:
        if not looks_non_latin(text):
            return text
    return None
