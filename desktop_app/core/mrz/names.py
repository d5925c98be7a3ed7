"""Structure of an ICAO name field: ``SURNAME<<GIVEN<NAMES<<<...``."""

from __future__ import annotations


def icao_names_end(text: str) -> int:
    """Where the holder's names end in an ICAO name field; -1 when they fill it or have no
    ``<<`` separator. Only fillers may legally follow this index."""
    sep = text.find("<<")
    if sep < 0:
        return -1
    given = sep + 2
    if given < len(text) and text[given] == "<":
        return given  # three or more fillers after the surname: no given names
    return text.find("<<", given)


def content_after_names(text: str) -> bool:
    """Whether anything but fillers follows the end of the names (a misread or misalignment)."""
    end = icao_names_end(text)
    return end >= 0 and text[end:].strip("<") != ""
