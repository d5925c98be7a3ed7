"""A drawing surface in millimetres: artwork on a numpy array, text through Pillow.

Layouts place everything in document millimetres (ICAO sizes); the sheet turns them into
pixels at the resolution asked for and records the pixel box of every field it is told
to track.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image as PILImage
from PIL import ImageDraw

from tests.synth import fonts, look
from tests.synth.art import RGB
from tests.synth.art import Image as Array
from tests.synth.look import MrzPrint

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

    def mrz(
        self,
        lines: tuple[str, ...] | list[str],
        *,
        x0: float,
        last_centre: float,
        style: MrzPrint | None = None,
    ) -> None:
        """The MRZ in OCR-B, last line centred ``last_centre`` mm from the top.

        ``x0`` is where the first character would start at the nominal 2.54 mm pitch; a
        ``style`` with another pitch keeps the lines centred on the same point. Each line's
        box runs from the first character's ink to the last's, and from the cap line to
        the baseline (the highest cap line and lowest baseline of its characters).
        """
        st = style or look.plain().mrz
        layer = mrz_layer(list(lines), self.ppm, x0, last_centre, st)
        assert self._pil is not None, "begin_text() first"
        ox, oy = layer.origin
        h, w = layer.alpha.shape
        x1, y1 = min(self.width, ox + w), min(self.height, oy + h)
        xa, ya = max(0, ox), max(0, oy)
        if x1 > xa and y1 > ya:
            a = layer.alpha[ya - oy : y1 - oy, xa - ox : x1 - ox, None]
            under = np.asarray(self._pil.crop((xa, ya, x1, y1)), np.float32)
            absorb = 1.0 - np.asarray(st.ink, np.float32) / 255.0
            out = under * (1.0 - a * absorb[None, None, :])
            self._pil.paste(PILImage.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8)), (xa, ya))
        for i, box in enumerate(layer.boxes):
            self.boxes[f"mrz_line_{i + 1}"] = box
            self.boxes["mrz"] = union(self.boxes.get("mrz"), box)


@dataclass(frozen=True)
class MrzLayer:
    alpha: npt.NDArray[np.float32]
    """Ink coverage 0-1 of the block, at the sheet's resolution."""
    origin: tuple[int, int]
    """Pixel position of ``alpha``'s top-left corner on the sheet."""
    boxes: list[FloatBox]
    """Per line: (x0, y0, x1, y1) in sheet pixels, cap line to baseline."""


@lru_cache(maxsize=2048)
def _glyph(ch: str, em: int, stretch_milli: int) -> tuple[npt.NDArray[np.uint8], float, int, int]:
    """The OCR-B glyph ``ch`` at ``em`` px, widened by ``stretch_milli`` / 1000.

    Returns the coverage bitmap (with a 2 px margin), the offset of the bitmap's centre
    from the centre of the character's advance cell (stretched with it), the bitmap's top
    relative to the baseline, and the margin.
    """
    f = fonts.font("ocrb", em)
    left, top, right, bottom = (round(v) for v in f.getbbox(ch, anchor="ls"))
    pad = 2
    img = PILImage.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
    ImageDraw.Draw(img).text((pad - left, pad - top), ch, font=f, fill=255, anchor="ls")
    a = np.asarray(img, np.uint8)
    k = stretch_milli / 1000.0
    if stretch_milli != 1000:
        new_w = max(1, round(a.shape[1] * k))
        a = np.ascontiguousarray(cv2.resize(a, (new_w, a.shape[0]), interpolation=cv2.INTER_AREA))
    centre_off = ((left + right) / 2.0 - f.getlength(ch) / 2.0) * k
    return a, centre_off, top - pad, pad


def mrz_layer(lines: list[str], ppm: float, x0_mm: float, last_centre_mm: float, st: MrzPrint) -> MrzLayer:
    """Render the MRZ lines as an ink coverage map, at ``ppm`` pixels per millimetre.

    Drawn ``k`` times larger (a character at least about 48 px wide), thinned or thickened
    there by offsetting the stroke outline (a signed distance), then reduced to the sheet.
    """
    rng = np.random.default_rng(st.seed)
    n = len(lines)
    length = max(len(line) for line in lines)
    pitch_nom = MRZ_PITCH_MM * ppm
    k = int(np.clip(math.ceil(48.0 / max(pitch_nom, 1.0)), 1, 8))
    pitch = pitch_nom * st.pitch * k
    em = max(4, round(pitch_nom / fonts.advance_ratio("ocrb") * st.scale * k))
    cap = em * fonts.cap_ratio("ocrb")
    line_pitch = MRZ_LINE_PITCH_MM * st.line_pitch * ppm * k
    stretch = round(1000 * st.stretch)
    centre_x = (x0_mm + length * MRZ_PITCH_MM / 2.0 + st.shift_mm[0]) * ppm * k
    last_centre = (last_centre_mm + st.shift_mm[1]) * ppm * k
    left = centre_x - length * pitch / 2.0
    # every character's offsets, drawn in a fixed order whatever the resolution
    jit_x = np.clip(rng.standard_normal((n, length)), -2.5, 2.5) * st.spacing_jitter * pitch
    jit_y = np.clip(rng.standard_normal((n, length)), -2.5, 2.5) * st.baseline_jitter * cap
    spots = 1.0 - np.abs(rng.standard_normal((n, length))) * 0.05
    fade_phase = rng.uniform(0, 2 * math.pi)
    fade_period = rng.uniform(0.6, 1.6) * length * pitch
    tilt = math.tan(math.radians(st.skew_deg))
    placed: list[tuple[int, int, npt.NDArray[np.uint8], float]] = []
    boxes_k: list[tuple[float, float, float, float]] = []
    for i, line in enumerate(lines):
        centre_y = last_centre - (n - 1 - i) * line_pitch
        shift = st.line_shift * pitch * (0.5 if i % 2 else -0.5) if i > 0 else 0.0
        x_lo, x_hi, y_lo, y_hi = math.inf, -math.inf, math.inf, -math.inf
        for j, ch in enumerate(line):
            gx = left + shift + j * pitch + float(jit_x[i, j])
            base = centre_y + cap / 2.0 + float(jit_y[i, j]) + (gx - centre_x) * tilt
            bmp, centre_off, top, pad = _glyph(ch, em, stretch)
            px = round(gx + pitch / 2.0 + centre_off - bmp.shape[1] / 2.0)
            py = round(base + top)
            fade = 1.0 - st.fade * (0.5 + 0.5 * math.sin(2 * math.pi * (gx - left) / fade_period + fade_phase))
            placed.append((px, py, bmp, float(spots[i, j]) * st.density * fade))
            if j == 0:
                x_lo = px + pad
            if j == len(line) - 1:
                x_hi = px + bmp.shape[1] - pad
            y_lo = min(y_lo, base - cap)
            y_hi = max(y_hi, base)
        boxes_k.append((x_lo, y_lo, x_hi, y_hi))
    grow = max(0.0, st.weight - 1.0) * 0.1 * em
    margin = math.ceil(grow) + 2 * k
    gx0 = min(p[0] for p in placed) - margin
    gy0 = min(p[1] for p in placed) - margin
    gx1 = max(p[0] + p[2].shape[1] for p in placed) + margin
    gy1 = max(p[1] + p[2].shape[0] for p in placed) + margin
    gx0 -= gx0 % k  # on the sheet's pixel grid once reduced
    gy0 -= gy0 % k
    gx1 += (-gx1) % k
    gy1 += (-gy1) % k
    shape = (gy1 - gy0, gx1 - gx0)
    cover = np.zeros(shape, np.float32)
    dens = np.zeros(shape, np.float32)
    for px, py, bmp, d in placed:
        y, x = py - gy0, px - gx0
        sl = (slice(y, y + bmp.shape[0]), slice(x, x + bmp.shape[1]))
        np.maximum(cover[sl], bmp.astype(np.float32) * (1.0 / 255.0), out=cover[sl])
        dens[sl] = np.where(bmp > 0, np.maximum(dens[sl], d), dens[sl])
    if abs(st.weight - 1.0) > 1e-3:
        delta = (st.weight - 1.0) * 0.1 * em / 2.0  # per side; OCR-B's stroke is 0.1 em
        solid = (cover >= 0.5).astype(np.uint8)
        inside = cv2.distanceTransform(solid, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
        outside = cv2.distanceTransform(1 - solid, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
        cover = np.clip(inside - outside + delta + 0.5, 0.0, 1.0).astype(np.float32)
        if delta > 0:  # carry each character's density out to its grown edge
            dens = np.asarray(cv2.dilate(dens, np.ones((3, 3), np.uint8), iterations=math.ceil(delta)), np.float32)
    alpha = cv2.resize(cover * dens, (shape[1] // k, shape[0] // k), interpolation=cv2.INTER_AREA)
    boxes = [(b[0] / k, b[1] / k, b[2] / k, b[3] / k) for b in boxes_k]
    return MrzLayer(np.asarray(np.clip(alpha, 0, 1), np.float32), (gx0 // k, gy0 // k), boxes)
