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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

UNKNOWN: Final = "?"

Alternatives = Mapping[str, float]
"""Other characters the recogniser considered for one character, with their probability."""

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
    alternatives: tuple[Alternatives | None, ...] = ()
    """Per character, the recogniser's alternatives in MRZ characters (None: not reported);
    empty when none were given for the line."""


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


def _probability(value: object) -> float | None:
    try:
        p = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if math.isnan(p):
        return None
    return min(1.0, max(0.0, p))


def _alternatives(alts: object, chosen: str) -> Alternatives | None:
    """A recogniser's alternatives for one character, in MRZ characters: keys normalised like
    the text (``«`` is ``<``), probabilities of keys that become the same character added,
    the chosen character itself and anything that is no MRZ character dropped."""
    if not isinstance(alts, Mapping):
        return None
    out: dict[str, float] = {}
    for key, value in alts.items():
        p = _probability(value)
        mapped = _map_char(key)[0] if isinstance(key, str) and len(key) == 1 else ""
        if p is None or len(mapped) != 1 or mapped in (UNKNOWN, chosen):
            continue
        out[mapped] = min(1.0, out.get(mapped, 0.0) + p)
    return out


def normalize_line(
    raw: str,
    confidences: Sequence[float] | None = None,
    alternatives: Sequence[Alternatives] | None = None,
) -> NormLine:
    """``raw`` in MRZ characters; ``confidences`` and ``alternatives`` (one per raw
    character) follow along, exactly as the characters do."""
    use_conf = confidences is not None and len(confidences) == len(raw)
    use_alts = alternatives is not None and len(alternatives) == len(raw) and len(raw) > 0
    text: list[str] = []
    confs: list[float | None] = []
    alts: list[Alternatives | None] = []
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
        # A character that became several (a ligature) has no alternatives of its own.
        given = alternatives[i] if use_alts and alternatives is not None and len(mapped) == 1 else None
        for m in mapped:
            text.append(m)
            confs.append(conf)
            alts.append(_alternatives(given, m))
    return NormLine("".join(text), tuple(confs), tuple(non_icao), tuple(alts) if use_alts else ())
