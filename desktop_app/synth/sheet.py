"""A drawing surface in millimetres: artwork on a numpy array, text through Pillow.

Layouts place everything in document millimetres (ICAO sizes); the sheet turns them into
pixels at the resolution asked for and records the pixel box of every field it is told
to track.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image as PILImage
from PIL import ImageDraw

from desktop_app.synth import fonts
from desktop_app.synth.art import RGB
from desktop_app.synth.art import Image as Array

FloatBox = tuple[float, float, float, float]

MRZ_PITCH_MM = 2.54
"""ICAO 9303 part 3: 10 characters per inch."""
MRZ_LINE_PITCH_MM = 4.23
"""6 lines per inch, centre to centre."""
MRZ_INK: RGB = (22, 22, 28)


def union(a: FloatBox | None, b: FloatBox) -> FloatBox:
    if a is None:
        return b
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


@dataclass
class Sheet:
    """One side of a document, ``w_mm`` x ``h_mm`` at ``ppm`` pixels per millimetre."""

    w_mm: float
    h_mm: float
    ppm: float
    img: Array = field(init=False)
    boxes: dict[str, FloatBox] = field(default_factory=dict)
    _pil: PILImage.Image | None = None
    _draw: ImageDraw.ImageDraw | None = None

    def __post_init__(self) -> None:
        self.img = np.full((self.height, self.width, 3), 255, np.uint8)

    @property
    def width(self) -> int:
        return round(self.w_mm * self.ppm)

    @property
    def height(self) -> int:
        return round(self.h_mm * self.ppm)

    def px(self, mm: float) -> float:
        return mm * self.ppm

    def rect_px(self, x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
        return round(x0 * self.ppm), round(y0 * self.ppm), round(x1 * self.ppm), round(y1 * self.ppm)

    # --- text phase -------------------------------------------------------------------
    def begin_text(self) -> None:
        self._pil = PILImage.fromarray(self.img)
        self._draw = ImageDraw.Draw(self._pil)

    def end_text(self) -> None:
        assert self._pil is not None
        self.img = np.array(self._pil)
        self._pil = None
        self._draw = None

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        assert self._draw is not None, "begin_text() first"
        return self._draw

    def text(
        self,
        x: float,
        y: float,
        s: str,
        *,
        font: str = "sans",
        cap: float = 2.0,
        fill: RGB = (25, 25, 30),
        max_w: float | None = None,
        key: str | None = None,
        anchor: str = "ls",
    ) -> FloatBox:
        """Draw ``s`` with its left baseline at (x, y) mm, capitals ``cap`` mm tall.

        Text wider than ``max_w`` mm is drawn smaller so it fits. Returns the pixel box and
        records it under ``key`` (as a union if the key is already there).
        """
        if not s:
            return (self.px(x), self.px(y), self.px(x), self.px(y))
        cap_px = max(2.0, cap * self.ppm)
        f = fonts.font_for_cap(font, cap_px)
        if max_w is not None:
            width = f.getlength(s)
            limit = max_w * self.ppm
            if width > limit:
                f = fonts.font_for_cap(font, max(2.0, cap_px * limit / width))
        pos = (self.px(x), self.px(y))
        self.draw.text(pos, s, font=f, fill=fill, anchor=anchor)
        bx = self.draw.textbbox(pos, s, font=f, anchor=anchor)
        box: FloatBox = (float(bx[0]), float(bx[1]), float(bx[2]), float(bx[3]))
        if key is not None:
            self.boxes[key] = union(self.boxes.get(key), box)
        return box

    def width_mm(self, s: str, *, font: str = "sans", cap: float = 2.0) -> float:
        f = fonts.font_for_cap(font, max(2.0, cap * self.ppm))
        return f.getlength(s) / self.ppm

    def mrz(self, lines: tuple[str, ...] | list[str], *, x0: float, last_centre: float) -> None:
        """The MRZ in OCR-B at 2.54 mm pitch, last line centred ``last_centre`` mm from the top."""
        pitch = MRZ_PITCH_MM * self.ppm
        em = pitch / fonts.advance_ratio("ocrb")
        f = fonts.font("ocrb", round(em))
        cap_px = em * fonts.cap_ratio("ocrb")
        n = len(lines)
        for i, line in enumerate(lines):
            centre = (last_centre - (n - 1 - i) * MRZ_LINE_PITCH_MM) * self.ppm
            baseline = centre + cap_px / 2
            box: FloatBox | None = None
            for j, ch in enumerate(line):
                pos = (x0 * self.ppm + j * pitch, baseline)
                self.draw.text(pos, ch, font=f, fill=MRZ_INK, anchor="ls")
                if j == 0 or j == len(line) - 1:
                    bx = self.draw.textbbox(pos, ch, font=f, anchor="ls")
                    box = union(box, (float(bx[0]), float(bx[1]), float(bx[2]), float(bx[3])))
            assert box is not None
            # Height from the cap line to the baseline, whatever the first/last glyph is.
            box = (box[0], baseline - cap_px, box[2], baseline)
            self.boxes[f"mrz_line_{i + 1}"] = box
            self.boxes["mrz"] = union(self.boxes.get("mrz"), box)
