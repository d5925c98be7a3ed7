"""The holder's printed photo: where it is on the page.

Passports, visas and ID-card fronts carry the holder's portrait, the thing the operator
compares with the face at the counter. It is found in two steps:

1. **A face.** OpenCV's frontal-face Haar cascade (it ships inside the opencv wheel,
   ``cv2.data.haarcascades``: nothing is downloaded) runs on the upright page at a
   working scale, with face sizes bounded by the MRZ's width where there is an MRZ (a
   portrait is 25-40% of the MRZ's width on every ICAO format).
2. **Layout.** On passport and visa pages (TD3, MRV) the portrait is printed beside the
   visual zone, above the MRZ, on its left (ICAO 9303 part 4, zone V); so faces there are
   preferred to the smaller "ghost" copy many pages print on the right, and faces under the
   MRZ or far from it are not the holder's photo on that page. A card front may sit
   anywhere in the image (beside or above its back), so there the largest face wins.

The face box is grown into the printed photo's box by the proportions of an ICAO portrait
(the face's cascade box is about 55% of the photo's width; the photo is 1.3 times as tall as
it is wide, and the eyes sit a little above its middle). Where no face is found on a
passport or visa page, the photo zone that the layout prescribes is given with a low
confidence, so the window still shows where to look, and says the box is estimated.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np

from desktop_app.core.ocr.base import Image
from desktop_app.core.types import Box, Portrait

log = logging.getLogger(__name__)

WORK_LONG_SIDE: Final = 900
"""Long side (px) the page is searched at: the cascade's cost grows with the area, and a
portrait is still 60+ px wide at this scale on every page the reader can read."""
PAGE_FORMATS: Final = frozenset({"TD3", "MRVA", "MRVB"})
"""Formats whose MRZ sits on the same side as the portrait, in a fixed layout."""

# Proportions of a printed ICAO portrait relative to the cascade's face box (side s,
# centre cx, cy): width, height, and where the top edge sits above the face centre.
PHOTO_WIDTH: Final = 1.8
PHOTO_HEIGHT: Final = 2.35
PHOTO_TOP: Final = 1.15

FACE_CONFIDENCE: Final = 0.9
"""A face where the layout puts the portrait."""
FACE_ELSEWHERE_CONFIDENCE: Final = 0.7
"""A face, but not where the layout puts the portrait (or no layout is known: a card)."""
LAYOUT_CONFIDENCE: Final = 0.3
"""No face found: the photo zone the layout prescribes, shown as an estimate."""


@dataclass(frozen=True, slots=True)
class _Face:
    x: float
    y: float
    side: float
    neighbours: int

    @property
    def cx(self) -> float:
        return self.x + self.side / 2

    @property
    def cy(self) -> float:
        return self.y + self.side / 2


@functools.lru_cache(maxsize=1)
def _cascade() -> cv2.CascadeClassifier | None:
    path = str(cv2.data.haarcascades) + "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]
    cascade = cv2.CascadeClassifier(path)
    if cascade.empty():
        log.warning("face cascade not found at %s: portraits are found by layout only", path)
        return None
    return cascade


def find_portrait(page: Image, *, mrz_box: Box | None = None, fmt: str | None = None) -> Portrait | None:
    """The portrait's box on an upright ``page`` (in its pixels), or None.

    ``mrz_box`` (upright pixels) and ``fmt`` (the MRZ format) give the layout; without
    them the largest face in the image is taken.
    """
    h, w = page.shape[:2]
    if h < 16 or w < 16:
        return None
    scale = min(1.0, WORK_LONG_SIDE / max(h, w))
    gray = page if page.ndim == 2 else cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    if scale < 1.0:
        gray = cv2.resize(gray, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    gray = cv2.equalizeHist(gray)
    mrz = None if mrz_box is None else tuple(v * scale for v in mrz_box)
    page_layout = mrz is not None and fmt in PAGE_FORMATS
    faces = _faces(gray, mrz)
    chosen: tuple[_Face, bool] | None = None
    for face in faces:
        in_zone = page_layout and _in_photo_zone(face, mrz)  # type: ignore[arg-type]
        if page_layout and not in_zone and not _near_page(face, mrz):  # type: ignore[arg-type]
            continue
        key = (in_zone, face.side)
        if chosen is None or key > (chosen[1], chosen[0].side):
            chosen = (face, in_zone)
    if chosen is not None:
        face, in_zone = chosen
        box = _photo_from_face(face)
        confidence = FACE_CONFIDENCE if (in_zone or not page_layout) and face.neighbours >= 4 else FACE_ELSEWHERE_CONFIDENCE
        if not page_layout and mrz is None:
            confidence = FACE_ELSEWHERE_CONFIDENCE
        return Portrait(_to_page(box, scale, w, h), confidence, "face")
    if page_layout:
        assert mrz is not None
        return Portrait(_to_page(_layout_zone(mrz), scale, w, h), LAYOUT_CONFIDENCE, "layout")
    return None


def _faces(gray: Image, mrz: tuple[float, ...] | None) -> list[_Face]:
    cascade = _cascade()
    if cascade is None:
        return []
    gh, gw = gray.shape[:2]
    if mrz is not None:
        mw = mrz[2] - mrz[0]
        lo, hi = max(20, int(0.09 * mw)), max(24, int(0.45 * mw))
    else:
        lo, hi = max(20, int(0.05 * min(gh, gw))), max(24, int(0.8 * min(gh, gw)))
    found, _levels, weights = cascade.detectMultiScale3(
        gray, scaleFactor=1.08, minNeighbors=3, minSize=(lo, lo), maxSize=(hi, hi), outputRejectLevels=True
    )
    out: list[_Face] = []
    for (x, y, s, _), weight in zip(np.asarray(found).reshape(-1, 4), np.asarray(weights).reshape(-1), strict=False):
        out.append(_Face(float(x), float(y), float(s), int(weight)))
    return out


def _in_photo_zone(face: _Face, mrz: tuple[float, ...]) -> bool:
    """Above the MRZ, in the left 45% of its width (zone V of a TD3 or MRV page)."""
    x0, y0, x1, _ = mrz
    mw = x1 - x0
    return x0 - 0.1 * mw <= face.cx <= x0 + 0.45 * mw and y0 - 0.8 * mw <= face.cy <= y0


def _near_page(face: _Face, mrz: tuple[float, ...]) -> bool:
    """On the page the MRZ belongs to: above it, within its width."""
    x0, y0, x1, _ = mrz
    mw = x1 - x0
    return x0 - 0.1 * mw <= face.cx <= x1 + 0.1 * mw and y0 - 0.8 * mw <= face.cy <= y0


def _photo_from_face(face: _Face) -> tuple[float, float, float, float]:
    s = face.side
    width, height = PHOTO_WIDTH * s, PHOTO_HEIGHT * s
    top = face.cy - PHOTO_TOP * s
    return (face.cx - width / 2, top, face.cx + width / 2, top + height)


def _layout_zone(mrz: tuple[float, ...]) -> tuple[float, float, float, float]:
    """Zone V of a TD3/MRV page: about 30% of the MRZ's width wide, 40% tall, on the left,
    ending a little above the MRZ."""
    x0, y0, x1, _ = mrz
    mw = x1 - x0
    bottom = y0 - 0.08 * mw
    return (x0, bottom - 0.40 * mw, x0 + 0.30 * mw, bottom)


def _to_page(box: tuple[float, float, float, float], scale: float, w: int, h: int) -> Box:
    x0, y0, x1, y1 = (v / scale for v in box)
    return (max(0, int(x0)), max(0, int(y0)), min(w, round(x1)), min(h, round(y1)))
