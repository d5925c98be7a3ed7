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
import math
from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np

from desktop_app.core.ocr.base import Image
from desktop_app.core.types import Box, Portrait

log = logging.getLogger(__name__)

WORK_LONG_SIDE: Final = 640
"""Long side (px) the page is searched at: the cascade's cost grows with the area, and a
portrait is still 40+ px wide at this scale on every page the reader can read."""
PAGE_FORMATS: Final = frozenset({"TD3", "MRVA", "MRVB"})
"""Formats whose MRZ sits on the same side as the portrait, in a fixed layout."""

# Proportions of a printed ICAO portrait relative to the cascade's face box (side s,
# centre cx, cy): width, height, and where the top edge sits above the face centre.
PHOTO_WIDTH: Final = 1.6
PHOTO_HEIGHT: Final = 2.05
PHOTO_TOP: Final = 1.0

MIN_NEIGHBOURS: Final = 6
"""Overlapping detections a face needs: the holder's photo gives 10-80 on the dev set, print
patterns and ghost images mostly 2-5."""
SURE_NEIGHBOURS: Final = 20
"""From this many detections a face places the photo as well as the page layout does."""
FACE_CONFIDENCE: Final = 0.9
"""A face where the page layout puts the portrait."""
CARD_FACE_CONFIDENCE: Final = 0.75
"""A face on a card, where no layout says where the photo must be."""
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
    them the most certain face in the image is taken.
    """
    h, w = page.shape[:2]
    if h < 16 or w < 16:
        return None
    scale = min(1.0, WORK_LONG_SIDE / max(h, w))
    gray = page if page.ndim == 2 else cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    if scale < 1.0:
        gray = cv2.resize(gray, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    gray = cv2.equalizeHist(gray)
    mrz = None if mrz_box is None else (mrz_box[0] * scale, mrz_box[1] * scale, mrz_box[2] * scale, mrz_box[3] * scale)
    if mrz is not None and fmt in PAGE_FORMATS:
        zone = _layout_zone(mrz)
        found = _faces(gray, mrz, around=zone)
        in_zone = [f for f in found if _in_photo_zone(f, mrz)]
        if not in_zone:
            return Portrait(_to_page(zone, scale, w, h), LAYOUT_CONFIDENCE, "layout")
        # The zone knows the page, the face knows this photo: each alone misplaces some
        # photos by a fifth of their size. They are mixed by how sure the face is (its
        # detections), at most 40% the face (dev set: 38/56 boxes at IoU >= 0.7, against 36 at half).
        face = _most_certain(in_zone)
        k = min(0.4, face.neighbours / (2 * SURE_NEIGHBOURS))
        face_box = _photo_from_face(face)
        box = (
            (1 - k) * zone[0] + k * face_box[0],
            (1 - k) * zone[1] + k * face_box[1],
            (1 - k) * zone[2] + k * face_box[2],
            (1 - k) * zone[3] + k * face_box[3],
        )
        sure = face.neighbours >= MIN_NEIGHBOURS
        return Portrait(_to_page(box, scale, w, h), FACE_CONFIDENCE if sure else LAYOUT_CONFIDENCE,
                        "face" if sure else "layout")
    faces = [f for f in _faces(gray, mrz) if f.neighbours >= MIN_NEIGHBOURS]
    if mrz is not None and fmt == "TD1":
        # A TD1 card prints its MRZ on the back: a "face" on that side is not the holder's photo.
        faces = [f for f in faces if not _on_card_side(f, mrz)]
    if not faces:
        return None
    return Portrait(_to_page(_photo_from_face(_most_certain(faces)), scale, w, h), CARD_FACE_CONFIDENCE, "face")


def _most_certain(faces: list[_Face]) -> _Face:
    return max(faces, key=lambda f: (f.neighbours, f.side))


def _faces(gray: Image, mrz: tuple[float, ...] | None,
           around: tuple[float, float, float, float] | None = None) -> list[_Face]:
    """Faces the cascade finds in ``gray``; with ``around`` (a photo zone) only where a face
    that :func:`_in_photo_zone` keeps can lie: the search is cut to the zone, widened by
    the tolerance on its centre plus the largest face searched for, which costs a
    fraction of the whole page."""
    cascade = _cascade()
    if cascade is None:
        return []
    gh, gw = gray.shape[:2]
    if mrz is not None:
        mw = mrz[2] - mrz[0]
        lo, hi = max(20, int(0.09 * mw)), max(24, int(0.45 * mw))
    else:
        lo, hi = max(20, int(0.05 * min(gh, gw))), max(24, int(0.8 * min(gh, gw)))
    ox, oy = 0, 0
    if around is not None:
        zx0, zy0, zx1, zy1 = around
        mx, my = 0.25 * (zx1 - zx0) + hi, 0.25 * (zy1 - zy0) + hi
        ox, oy = max(0, int(zx0 - mx)), max(0, int(zy0 - my))
        ex, ey = min(gw, math.ceil(zx1 + mx)), min(gh, math.ceil(zy1 + my))
        if ex - ox < lo or ey - oy < lo:
            return []
        gray = gray[oy:ey, ox:ex]
    found, counts = cascade.detectMultiScale2(gray, scaleFactor=1.08, minNeighbors=3, minSize=(lo, lo), maxSize=(hi, hi))
    return [
        _Face(float(x + ox), float(y + oy), float(s), int(n))
        for (x, y, s, _), n in zip(np.asarray(found).reshape(-1, 4), np.asarray(counts).reshape(-1), strict=False)
    ]


def _in_photo_zone(face: _Face, mrz: tuple[float, ...]) -> bool:
    """A face that can be the photo in zone V of a TD3 or MRV page: its centre inside the
    zone (give or take a quarter of it), its size that of a face in a photo of the zone's size."""
    x0, y0, x1, y1 = _layout_zone(mrz)
    zw, zh = x1 - x0, y1 - y0
    inside = x0 - 0.25 * zw <= face.cx <= x1 + 0.25 * zw and y0 - 0.25 * zh <= face.cy <= y1 + 0.25 * zh
    expected = zw / PHOTO_WIDTH
    return inside and 0.5 * expected <= face.side <= 1.5 * expected


def _on_card_side(face: _Face, mrz: tuple[float, ...]) -> bool:
    """On the card side that carries a TD1 MRZ: a card is about 0.68 MRZ-widths tall."""
    x0, _, x1, y1 = mrz
    mw = x1 - x0
    return x0 - 0.05 * mw <= face.cx <= x1 + 0.05 * mw and y1 - 0.7 * mw <= face.cy <= y1


def _photo_from_face(face: _Face) -> tuple[float, float, float, float]:
    s = face.side
    width, height = PHOTO_WIDTH * s, PHOTO_HEIGHT * s
    top = face.cy - PHOTO_TOP * s
    return (face.cx - width / 2, top, face.cx + width / 2, top + height)


ZONE_WIDTH: Final = 0.29
ZONE_HEIGHT: Final = 0.375
ZONE_GAP: Final = 0.085
"""Zone V of a TD3/MRV page in MRZ widths: the printed photo's width and height and its
distance above the MRZ; medians of the dev set's 25 passport and visa pages (their spread:
width 0.25-0.32, height 0.33-0.43, gap 0.03-0.16, left edge at the MRZ's within 0.06)."""


def _layout_zone(mrz: tuple[float, ...]) -> tuple[float, float, float, float]:
    """Zone V of a TD3/MRV page: on the left, from the MRZ's left edge, a little above it."""
    x0, y0, x1, _ = mrz
    mw = x1 - x0
    bottom = y0 - ZONE_GAP * mw
    return (x0, bottom - ZONE_HEIGHT * mw, x0 + ZONE_WIDTH * mw, bottom)


def _to_page(box: tuple[float, float, float, float], scale: float, w: int, h: int) -> Box:
    x0, y0, x1, y1 = (v / scale for v in box)
    return (max(0, int(x0)), max(0, int(y0)), min(w, round(x1)), min(h, round(y1)))
