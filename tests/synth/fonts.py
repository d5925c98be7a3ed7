"""The bundled fonts (resources/fonts), loaded once per size."""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from PIL import ImageFont

from desktop_app.core.resources import fonts_dir

FONT_FILES: Final = {
    "ocrb": "OCRB.otf",
    "sans": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "cond": "DejaVuSansCondensed.ttf",
    "serif": "DejaVuSerif-Bold.ttf",
}

Font = ImageFont.FreeTypeFont


@lru_cache(maxsize=512)
def font(name: str, size_px: int) -> Font:
    """The font ``name`` (a key of FONT_FILES) at ``size_px`` pixels per em."""
    return ImageFont.truetype(str(fonts_dir() / FONT_FILES[name]), max(4, int(size_px)))


@lru_cache(maxsize=16)
def cap_ratio(name: str) -> float:
    """Height of a capital H as a fraction of the em."""
    f = font(name, 200)
    _, y0, _, y1 = f.getbbox("H", anchor="ls")
    return (y1 - y0) / 200.0


@lru_cache(maxsize=16)
def advance_ratio(name: str) -> float:
    """Advance width of 'H' per em (OCR-B is monospaced: every character has this width)."""
    return font(name, 200).getlength("H") / 200.0


def font_for_cap(name: str, cap_px: float) -> Font:
    """The font ``name`` sized so a capital is ``cap_px`` pixels tall."""
    return font(name, round(cap_px / cap_ratio(name)))
