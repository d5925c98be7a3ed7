"""Context rules: what a character means from its neighbours, before any check digit.

Left-aligned data ends in fillers, and names end where ``<<`` closes the given names. So a
filler look-alike alone in a run of fillers is a misread ``<`` (forced), while data that
*looks* misplaced but could be genuine (a final ``K``, which weighs exactly like ``<``; a
one-letter name part; characters after a run of fillers) is kept and marked doubtful.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop_app.core.mrz.layouts import Layout, Slot
from desktop_app.core.mrz.lookalikes import FILLER_LIKE
from desktop_app.core.mrz.names import icao_names_end
from desktop_app.core.mrz.normalize import UNKNOWN
from desktop_app.core.mrz.solver import COST, Opt, Pos


def context_rules(layout: Layout, rows: Sequence[str]) -> tuple[dict[Pos, Opt], dict[Pos, str]]:
    """Fillers misread inside filler runs (step 1) and doubtful-but-kept positions."""
    forced: dict[Pos, Opt] = {}
    notes: dict[Pos, str] = {}
    for f in layout.fields:
        s = f.slot
        text = rows[s.line][s.start : s.end]
        if f.kind == "alnum":
            for i, ch in enumerate(text):
                if ch == "<" or not (ch in FILLER_LIKE or ch == UNKNOWN):
                    continue
                right = text[i + 1] if i + 1 < len(text) else "<"
                if not (i > 0 and text[i - 1] == "<" and right == "<"):
                    continue
                if text[i - 2 : i] == "<<" or not text[:i].strip("<"):
                    forced[(s.line, s.start + i)] = Opt("<", "context", COST["context"])
                else:  # after a single filler it may be data (the optional data after a long number)
                    notes[(s.line, s.start + i)] = f"{ch!r} alone between fillers may be a misread '<'"
        elif f.kind == "name":
            if layout.format == "FRID":
                marker = "<<<" if f.key == "given_names" else "<<"
                end = text.find(marker)
            else:
                end = icao_names_end(text)
            if end >= 0:
                _after_names(s, text, end, forced, notes)
            for i, ch in enumerate(text):
                pos = (s.line, s.start + i)
                if ch in FILLER_LIKE and pos not in forced and i > 0 and lone(text, i):
                    notes.setdefault(pos, f"one-letter name part {ch!r} may be a misread filler")
        if f.kind == "alnum":
            _alnum_notes(s, text, forced, notes)
    return forced, notes


def _alnum_notes(s: Slot, text: str, forced: dict[Pos, Opt], notes: dict[Pos, str]) -> None:
    """Doubtful spots of left-aligned data: a final ``K`` (weighs like ``<``), and
    characters after a run of fillers (where only fillers should follow)."""
    for i in range(len(text) - 1):
        if text[i] == "K" and text[i + 1] == "<" and (i == 0 or text[i - 1] != "<"):
            notes[(s.line, s.start + i)] = (
                "'K' before the fillers may be a misread '<' (no check digit can tell)"
            )
    run = 0
    for i, ch in enumerate(text):
        if ch == "<":
            run += 1
            continue
        pos = (s.line, s.start + i)
        leading = run > 0 and not text[:i].strip("<")  # data is left-aligned: nothing before it
        if (run >= 2 or leading) and pos not in forced:
            notes.setdefault(pos, f"{ch!r} after a run of fillers may be a misread '<', or misaligned")
        run = 0 if pos not in forced else run


def lone(text: str, i: int) -> bool:
    """Whether ``text[i]`` has a filler (or the line's end) on both sides."""
    return (i == 0 or text[i - 1] == "<") and (i + 1 == len(text) or text[i + 1] == "<")


def _after_names(s: Slot, text: str, end: int, forced: dict[Pos, Opt], notes: dict[Pos, str]) -> None:
    """After the names only fillers may stand: a lone look-alike there is a misread ``<``."""
    for i in range(end, len(text)):
        ch = text[i]
        if ch == "<":
            continue
        pos = (s.line, s.start + i)
        isolated = text[i - 1] == "<" and (i + 1 == len(text) or text[i + 1] == "<")
        if isolated and (ch in FILLER_LIKE or ch == UNKNOWN or ch.isdigit()):
            forced[pos] = Opt("<", "context", COST["context"])
        else:
            notes[pos] = f"{ch!r} after the end of the names"


# ------------------------------------------------------------------------------ groups
