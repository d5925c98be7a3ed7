"""Raw OCR text to MRZ characters, keeping each character's confidence.

Only representation is fixed here, never a judgement about what was printed: Unicode
compatibility forms (full-width ``Ａ``, ``＜``), Cyrillic and Greek capitals that look like
Latin ones, lower case, the glyphs OCR engines emit for the filler (``«``, ``‹``, ``く``,
``〈``), and white space (removed). A letter with a diacritic (``Ñ``) becomes its base
letter and is reported, because ICAO forbids it in an MRZ and some states print it anyway.

Anything else (``|``, ``.``, ``(``) becomes ``?``: it holds its column so the fixed
positions stay aligned, and the repair step decides what it stands for by position.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

UNKNOWN: Final = "?"

_FILLERS: Final = frozenset("<«‹〈⟨く‹˂ᐸ＜﹤≺")
_LOOKALIKES: Final = {
    # Cyrillic capitals
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "Ԛ": "Q", "Ԝ": "W", "З": "3",
    # Greek capitals
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Letter-like symbols OCR engines emit
    "Ø": "O", "Ð": "D", "Ł": "L", "ß": "B",
}  # fmt: skip


def _is_mrz(ch: str) -> bool:
    return ("A" <= ch <= "Z") or ("0" <= ch <= "9") or ch == "<"


@dataclass(frozen=True, slots=True)
class NormLine:
    """One line in MRZ characters (plus ``?``), with a confidence per character."""

    text: str
    confidences: tuple[float | None, ...]
    non_icao: tuple[str, ...]
    """Characters that are not ICAO MRZ characters but were taken as one (``Ñ`` as ``N``)."""


def _map_char(ch: str) -> tuple[str, bool]:
    """(MRZ characters for ``ch``, whether ``ch`` was a non-ICAO letter reduced to its base)."""
    if _is_mrz(ch):
        return ch, False
    if ch.isspace() or unicodedata.category(ch) in ("Cf", "Mn", "Me", "Cc"):
        return "", False
    if ch in _FILLERS:
        return "<", False
    up = ch.upper() if len(ch.upper()) == 1 else ch
    if _is_mrz(up):
        return up, False
    if up in _LOOKALIKES:
        return _LOOKALIKES[up], False
    compat = unicodedata.normalize("NFKC", ch)
    if compat != ch and compat:
        if all(c.isspace() for c in compat):
            return "", False
        mapped = [_map_char(c)[0] for c in compat]
        if all(m and m != UNKNOWN for m in mapped):
            return "".join(mapped), False
    base = "".join(c for c in unicodedata.normalize("NFKD", up) if not unicodedata.combining(c))
    if len(base) == 1 and "A" <= base <= "Z":
        return base, True
    return UNKNOWN, False


def normalize_line(raw: str, confidences: Sequence[float] | None = None) -> NormLine:
    """``raw`` in MRZ characters; ``confidences`` (one per raw character) follow along."""
    use_conf = confidences is not None and len(confidences) == len(raw)
    text: list[str] = []
    confs: list[float | None] = []
    non_icao: list[str] = []
    for i, ch in enumerate(raw):
        mapped, reduced = _map_char(ch)
        if reduced:
            non_icao.append(ch)
        conf: float | None = None
        if use_conf and confidences is not None:
            try:
                conf = float(confidences[i])
            except (TypeError, ValueError):
                conf = None
            if conf is not None and not (0.0 <= conf <= 1.0):
                conf = None if math.isnan(conf) else min(1.0, max(0.0, conf))
        for m in mapped:
            text.append(m)
            confs.append(conf)
    return NormLine("".join(text), tuple(confs), tuple(non_icao))
