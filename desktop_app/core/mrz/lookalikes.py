"""Which characters OCR confuses, by what may legally stand at a position.

Two different tables, used with different weight:

* ``TO_DIGIT`` / ``TO_LETTER`` map a character that is *illegal* where it stands (a letter
  in a date, a digit in a name) to the character it most likely is. The misread is certain
  (the character cannot be there); only its replacement is a guess, and a check digit that
  agrees with that guess is evidence. These are the only repairs that can be *verified*.
* ``CONFUSABLE`` lists, for a *legal* character, what it is often misread for. Such a
  substitution is only ever a search candidate when a check digit fails: nothing proves the
  character was wrong, so a repair from this table is never verified.

``FILLER_LIKE`` are the characters OCR reads for the filler ``<``.
``CHECK_BLIND`` are characters whose 7-3-1 weighted value is 0 mod 10 at every weight, like
``<`` itself: no check digit can tell them apart from ``<`` or from each other.
``SAME_VALUE`` pairs characters that look alike *and* weigh the same, so that no check digit
can see a misread between them (``1``/``L``): see :mod:`.same_value` for what that costs.
"""

from __future__ import annotations

from typing import Final

from desktop_app.core.mrz.checksum import char_value
from desktop_app.core.mrz.layouts import Kind

DIGITS: Final = "0123456789"
LETTERS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

LEGAL: Final[dict[Kind, frozenset[str]]] = {
    "code0": frozenset(LETTERS),
    "code1": frozenset(LETTERS + "<"),
    "country": frozenset(LETTERS + "<"),
    "name": frozenset(LETTERS + "<"),
    "alnum": frozenset(LETTERS + DIGITS + "<"),
    "date": frozenset(DIGITS),
    "birth": frozenset(DIGITS + "<X"),
    "check": frozenset(DIGITS),
    "check_opt": frozenset(DIGITS + "<"),
    "sex": frozenset("MFX<"),
}

WILDCARD: Final[dict[Kind, str]] = {
    "code0": "PIAVC",
    "code1": "<" + LETTERS,
    "country": LETTERS + "<",
    "name": "<" + LETTERS,
    "alnum": "<" + DIGITS + LETTERS,
    "date": DIGITS,
    "birth": DIGITS + "<",
    "check": DIGITS,
    "check_opt": DIGITS + "<",
    "sex": "<MFX",
}

TO_DIGIT: Final = {
    "O": "0", "Q": "0", "D": "0", "U": "0",
    "I": "1", "L": "1", "J": "1",
    "Z": "2",
    "A": "4",
    "S": "5",
    "G": "6",
    "T": "7",
    "B": "8",
}  # fmt: skip

TO_LETTER: Final = {
    "0": "O", "1": "I", "2": "Z", "4": "A", "5": "S", "6": "G", "7": "T", "8": "B",
}  # fmt: skip

TO_SEX: Final = {"N": "M", "H": "M", "W": "M", "E": "F", "P": "F", "R": "F", "K": "<"}

FILLER_LIKE: Final = frozenset("KXSCEL1")

CHECK_BLIND: Final = frozenset("<0AKU")

_DIGIT_CONFUSE: Final = {
    "0": "869", "1": "74", "2": "7", "3": "859", "4": "1", "5": "63",
    "6": "508", "7": "12", "8": "0369", "9": "083",
}  # fmt: skip

_ALNUM_GROUPS: Final = (
    "0OQDU",
    "1ILT",
    "2Z7",
    "5S",
    "6GC",
    "8B3",
    "4A",
    "<KXSCEL1",
    "MNH",
    "VYU",
    "PR",
    "EF",
)


_STRONG: Final = frozenset(
    frozenset(p)
    for p in ("O0", "Q0", "D0", "U0", "I1", "L1", "B8", "S5", "Z2", "G6", "A4", "T7", "<K", "OQ", "OD")
)


_EXTRA_TWINS: Final = ("8S",)
"""Glyph twins the repair tables above leave out but OCR-B shows: ``S`` is an ``8`` open on
two sides, and blur closes it. (``8S`` is not a repair candidate because the pair weighs the
same: a check digit cannot choose between them, so searching it would prove nothing.)"""


def _same_value_twins() -> dict[str, frozenset[str]]:
    """Every look-alike pair above whose two characters weigh the same mod 10, grouped by
    that value.

    7, 3 and 1 are all prime to 10, so two characters contribute alike at every weight
    exactly when their values agree mod 10 (``char_value``: digits as is, A-Z 10-35, ``<``
    0). Of the many such classes (``0 < A K U``, ``1 B L V``, ``6 G Q``, ``8 I S``,
    ``2 C M W`` ...) only a few members look alike: ``0``/``U`` (the round bottom), ``<``/``K``
    (the chevron is half a K; the commonest misread of a blurred MRZ), ``1``/``L``, ``6``/``G``
    and ``8``/``S``. ``3``/``D``, ``1``/``V``, ``8``/``I``, ``6``/``Q``: same weight, different
    glyphs, not seen confused. Pairs of one class make one group (``0 < K U``): a blurred
    character the recogniser hesitates on between a chevron, a K, a U and a 0 is one doubt,
    and a ``K`` read for a ``0`` must not pass because its own twin ``<`` happens to change a
    check (a long number's marker). Whatever a recogniser itself reports as a same-weight
    alternative is weighed too (:mod:`.same_value`).
    """
    pairs: set[frozenset[str]] = set()
    for ch, alts in _ALNUM_CONFUSE.items():
        pairs.update(frozenset((ch, a)) for a in alts)
    pairs.update(frozenset(kv) for kv in (*TO_DIGIT.items(), *TO_LETTER.items()))
    pairs.update(frozenset(p) for p in _EXTRA_TWINS)
    classes: dict[int, set[str]] = {}
    for pair in pairs:
        a, b = sorted(pair)
        if char_value(a) % 10 == char_value(b) % 10:
            classes.setdefault(char_value(a) % 10, set()).update(pair)
    return {ch: frozenset(group - {ch}) for group in classes.values() for ch in group}


def is_strong(a: str, b: str) -> bool:
    """Whether ``a``/``b`` is one of the most frequent OCR confusions (searched first)."""
    return frozenset((a, b)) in _STRONG


def _alnum_confuse() -> dict[str, str]:
    out: dict[str, set[str]] = {}
    for group in _ALNUM_GROUPS:
        for ch in group:
            out.setdefault(ch, set()).update(c for c in group if c != ch)
    for d, alts in _DIGIT_CONFUSE.items():
        out.setdefault(d, set()).update(alts)
    return {k: "".join(sorted(v)) for k, v in out.items()}


_ALNUM_CONFUSE: Final = _alnum_confuse()

SAME_VALUE: Final = _same_value_twins()
"""Character -> its look-alikes of the same check value (no check digit tells them apart)."""


def confusable(kind: Kind, ch: str) -> str:
    """Legal characters ``ch`` (itself legal for ``kind``) is often misread for."""
    legal = LEGAL[kind]
    if kind in ("date", "birth", "check", "check_opt"):
        alts = _DIGIT_CONFUSE.get(ch, "")
        if kind == "check_opt" and ch in FILLER_LIKE:
            alts += "<"  # the filler of an empty field's check digit, read as '1'
        elif kind == "check_opt" and ch == "<":
            alts += "1"
    else:
        alts = _ALNUM_CONFUSE.get(ch, "")
    return "".join(a for a in alts if a in legal and a != ch)


def illegal_options(kind: Kind, ch: str) -> tuple[str, bool]:
    """Replacements for ``ch``, illegal for ``kind``: (options, whether they are look-alikes).

    Look-alike options come from a fixed table and a check digit can confirm them; when
    there is none, every legal character is an option (a wildcard) and nothing is proved.
    """
    if kind in ("date", "birth", "check", "check_opt"):
        d = TO_DIGIT.get(ch)
        if kind == "check_opt" and ch in FILLER_LIKE:
            return "<" + (d or ""), True
        if d is not None:
            return d, True
    elif kind == "sex":
        s = TO_SEX.get(ch)
        if s is not None:
            return s, True
    elif kind in ("code0", "code1", "country", "name"):
        letter = TO_LETTER.get(ch)
        if letter is not None:
            return letter, True
    return WILDCARD[kind], False
