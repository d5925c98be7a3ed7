"""Find the machine readable zone cheaply, with OpenCV only, before any OCR runs.

An MRZ is two or three long, parallel lines of same-height, evenly spaced characters
(OCR-B, monospaced), usually at the bottom of the page. We find characters as connected
components of a locally thresholded image, chain them into text lines, and look for
groups of 2-3 lines that fit that description. The search runs on a reduced image in two
orientations (as given and turned a quarter), so a photo taken sideways or upside down is
found too; which of the two remaining directions is right is for the OCR to decide
(:meth:`MrzCandidate.flipped`).

Each line comes out as its own straightened crop at a resolution fit for the recogniser,
with the affine map from crop pixels back to input pixels, so every character the OCR
reads can be boxed on the original image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Final

import cv2
import numpy as np
import numpy.typing as npt

from desktop_app.core.imaging import geometry as geo
from desktop_app.core.ocr.base import Image
from desktop_app.core.types import Box

WORK_SIDE: Final = 1400
"""Long side of the working image for the search (px)."""
MAX_COMPONENTS: Final = 15_000
"""More character-sized blobs than this is texture, not text (documents give < 2,000)."""
ENLARGED_SIDE: Final = 2200
"""Long side for the second search, on images where the first found nothing."""
MIN_CHARS_PER_LINE: Final = 14
TARGET_CHAR_HEIGHT: Final = 40
"""Cap height (px) the line crops are resampled to; the recogniser's input is 48 px tall."""
SHARPEN_BELOW: Final = 18.0
"""Input cap height (px) below which line crops are enhanced before recognition."""
MAX_SHEAR_COS: Final = 0.94
"""Shear beyond ~20 degrees is taken as a mis-found line end, not as perspective."""
CROP_MARGIN_CAPS: Final = 1.0
"""Space left of the first and right of the last character centre in a line crop, in cap heights."""
CROP_HEIGHT_FACTOR: Final = 1.3
STRETCH: Final = 1.4
"""Tight crops, stretched in width, read best with PP-OCRv4: measured on 60 generated
documents (clean, scanner, phone), MRZ lines read exactly went from 34/66 (2.0 cap heights,
no stretch) to 61/66 (1.3, stretch 1.5); the stretch gives CTC more time steps per
character, so runs of fillers are no longer collapsed."""


@dataclass(frozen=True)
class LineCrop:
    image: Image
    """Gray, upright, straightened crop of one MRZ line."""
    to_input: geo.Affine
    """Maps crop pixel coordinates to input image coordinates."""

    def corners(self) -> npt.NDArray[np.float64]:
        """The crop's four corners in input image coordinates."""
        h, w = self.image.shape[:2]
        return geo.apply(self.to_input, [(0, 0), (w, 0), (0, h), (w, h)])


@dataclass(frozen=True)
class MrzCandidate:
    lines: tuple[LineCrop, ...]
    quarter_turns: int
    """k such that ``np.rot90(input, k)`` shows this MRZ upright (counter-clockwise turns)."""
    angle_deg: float
    """Residual skew of the MRZ in the turned image (degrees, counter-clockwise positive)."""
    box: Box
    """The MRZ band in input coordinates."""
    char_height: float
    """Cap height in input pixels."""
    score: float
    near_edge: bool
    """The band touches the image border: the MRZ may be cut off."""

    def flipped(self) -> MrzCandidate:
        """The same band read the other way up (the lines turned 180 degrees, order reversed)."""
        lines = []
        for ln in reversed(self.lines):
            h, w = ln.image.shape[:2]
            turn = geo.rotation90(2, w, h)  # crop' -> crop is the same half-turn
            lines.append(LineCrop(np.ascontiguousarray(ln.image[::-1, ::-1]), geo.compose(ln.to_input, turn)))
        return replace(self, lines=tuple(lines), quarter_turns=(self.quarter_turns + 2) % 4)


@dataclass(frozen=True)
class _Line:
    n: int
    x0: float
    x1: float
    slope: float
    intercept: float
    height: float

    def y_at(self, x: float) -> float:
        return self.slope * x + self.intercept

    @property
    def cy(self) -> float:
        return self.y_at((self.x0 + self.x1) / 2)

    @property
    def length(self) -> float:
        return self.x1 - self.x0


MAX_CHAR_FRACTION: Final = 0.09
"""Tallest character-like blob, as a fraction of the image's short side, on a page."""
MAX_CHAR_FRACTION_BAND: Final = 0.3
"""The same on a crop of the MRZ band alone (its characters are a fifth of its height),
searched only when the page search finds nothing."""


def without_thin_lines(gray: Image) -> Image:
    """``gray`` with dark strokes under 3 px wide lightened away (a grey closing): the fine
    guilloche lines some documents print the MRZ over, which otherwise join every character
    into one blob. Character strokes at working size are wider and stay."""
    closed: Image = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    return closed


def _components(gray: Image, max_fraction: float = MAX_CHAR_FRACTION, thin_lines: bool = True) -> npt.NDArray[np.float64]:
    """Dark blobs that may be characters: rows of (x0, y0, w, h, cx, cy). With
    ``thin_lines=False`` the blobs are found after :func:`without_thin_lines`."""
    if not thin_lines:
        gray = without_thin_lines(gray)
    long_side = max(gray.shape)
    block = max(15, (long_side // 45) | 1)
    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)
    n, _labels, stats, cents = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if n <= 1:
        return np.zeros((0, 6))
    x, y, w, h, area = (stats[1:, i].astype(np.float64) for i in range(5))
    max_h = max_fraction * min(gray.shape)
    keep = (h >= 5) & (h <= max_h) & (w <= 12 * h) & (area >= 0.08 * w * h) & (w >= 1)
    c = cents[1:]
    out: npt.NDArray[np.float64] = np.stack([x, y, w, h, c[:, 0], c[:, 1]], axis=1)[keep]
    if len(out) > MAX_COMPONENTS:
        # Texture (noise, a checkerboard, a patterned cloth), not a page: generated and
        # scanned documents give under 2,000 character-sized blobs even when enlarged.
        return np.zeros((0, 6))
    return out


MAX_LINK_PAIRS: Final = 2_000_000
"""Blob pairs scored in one vectorised pass of :func:`_links`; denser inputs are scored in
slices of blobs, so memory stays bounded on textured images."""


def _links(x0: npt.NDArray[np.float64], y0: npt.NDArray[np.float64], w: npt.NDArray[np.float64],
           h: npt.NDArray[np.float64], cy: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """For blobs sorted by left edge, the index of each one's right neighbour on its text
    line (-1: none).

    Blobs claim their neighbour left to right: the nearest (gap plus twice the centre
    offset; the leftmost on a tie) not yet claimed blob that starts between 0.4 heights
    inside and 1.6 heights beyond its right edge, sits on the same baseline or centre line
    and is 0.3-3.3 times as tall. Candidate pairs are found and scored for all blobs at
    once; only the claiming, which depends on earlier claims, goes blob by blob over the
    few candidates each has (a loop of numpy calls per blob took 40 ms a page)."""
    n = len(x0)
    nxt = np.full(n, -1, dtype=np.int64)
    if n < 2:
        return nxt
    right = x0 + w
    bottom = y0 + h
    idx = np.arange(n)
    j0 = np.maximum(np.searchsorted(x0, right - 0.4 * h), idx + 1)
    j1 = np.searchsorted(x0, right + 1.6 * h, side="right")
    counts = np.maximum(j1 - j0, 0)
    pair_i: list[npt.NDArray[np.int64]] = []
    pair_j: list[npt.NDArray[np.int64]] = []
    pair_d: list[npt.NDArray[np.float64]] = []
    lo = 0
    while lo < n:
        # Slices of blobs whose pairs fit MAX_LINK_PAIRS (one blob at least).
        cum = np.cumsum(counts[lo:])
        hi = lo + max(1, int(np.searchsorted(cum, MAX_LINK_PAIRS, side="right")))
        c = counts[lo:hi]
        total = int(c.sum())
        if total:
            ii = np.repeat(idx[lo:hi], c)
            starts = np.cumsum(c) - c
            jj = j0[ii] + (np.arange(total) - np.repeat(starts, c))
            hi_i, hj = h[ii], h[jj]
            bigger = np.maximum(hj, hi_i)
            ratio = hj / hi_i
            dcy = np.abs(cy[jj] - cy[ii])
            # Bottoms (baselines) of MRZ characters align; '<' is shorter but sits in the line.
            aligned = (np.abs(bottom[jj] - bottom[ii]) <= 0.45 * bigger) | (dcy <= 0.35 * bigger)
            ok = aligned & (ratio >= 0.3) & (ratio <= 3.3)
            pair_i.append(ii[ok])
            pair_j.append(jj[ok])
            pair_d.append(((x0[jj] - right[ii]) + 2.0 * dcy)[ok])
        lo = hi
    if not pair_i:
        return nxt
    ii, jj, dd = np.concatenate(pair_i), np.concatenate(pair_j), np.concatenate(pair_d)
    order = np.lexsort((jj, dd, ii))  # by blob, then distance, then leftmost candidate
    ii_l, jj_l = ii[order].tolist(), jj[order].tolist()
    claimed = bytearray(n)
    done = -1
    for i, j in zip(ii_l, jj_l, strict=True):
        if i == done or claimed[j]:
            continue
        nxt[i] = j
        claimed[j] = 1
        done = i
    return nxt


def _chain_lines(comps: npt.NDArray[np.float64]) -> list[_Line]:
    """Link each blob to its nearest right neighbour on the same text line."""
    if len(comps) == 0:
        return []
    order = np.argsort(comps[:, 0])
    comps = comps[order]
    n = len(comps)
    x0, y0, w, h, cx, cy = (comps[:, i] for i in range(6))
    right = x0 + w
    nxt = _links(x0, y0, w, h, cy)
    has_prev = np.zeros(n, dtype=bool)
    has_prev[nxt[nxt >= 0]] = True
    lines: list[_Line] = []
    for start in range(n):
        if has_prev[start]:
            continue
        members = [start]
        while nxt[members[-1]] >= 0:
            members.append(int(nxt[members[-1]]))
        if len(members) < MIN_CHARS_PER_LINE:
            continue
        m = np.asarray(members)
        heights = h[m]
        cap = float(np.percentile(heights, 75))
        tall = m[heights >= 0.8 * cap]
        bottoms = y0[tall] + h[tall]
        xs = cx[tall]
        slope, intercept = (np.polyfit(xs, bottoms, 1) if len(tall) >= 3 else (0.0, float(np.median(bottoms))))
        # y_at() gives the line's vertical centre, not its baseline.
        lines.append(_Line(len(m), float(x0[m].min()), float(right[m].max()), float(slope),
                           float(intercept) - cap / 2.0, cap))
    return lines


def _group_bands(lines: list[_Line], img_h: int) -> list[tuple[float, list[_Line]]]:
    """Groups of 2-3 MRZ-like lines, scored."""
    mrz_like = [ln for ln in lines if 14 <= ln.length / ln.height <= 70]
    mrz_like.sort(key=lambda ln: ln.cy)
    bands: list[tuple[float, list[_Line]]] = []
    for i, first in enumerate(mrz_like):
        group = [first]
        for cand in mrz_like[i + 1:]:
            last = group[-1]
            hh = max(last.height, cand.height)
            gap = cand.cy - last.cy
            if gap < 1.1 * hh:
                continue
            if gap > 3.2 * hh:
                break
            if not (0.7 < cand.height / last.height < 1.4):
                continue
            if abs(cand.slope - first.slope) > 0.05:
                continue
            overlap = min(cand.x1, first.x1) - max(cand.x0, first.x0)
            if overlap < 0.6 * max(cand.length, first.length):
                continue
            group.append(cand)
            if len(group) == 3:
                break
        if len(group) < 2:
            continue
        lengths = np.array([g.length for g in group])
        uniform = float(lengths.min() / lengths.max())
        chars = sum(g.n for g in group)
        lower = first.cy / img_h
        score = chars * uniform * (1.0 + 0.3 * abs(lower - 0.5))
        bands.append((score, group))
    bands.sort(key=lambda b: -b[0])
    return bands


def _crop_line(
    gray_src: Image,
    src_from_work: geo.Affine,
    left: npt.NDArray[np.float64],
    right: npt.NDArray[np.float64],
    down_left: npt.NDArray[np.float64],
    down_right: npt.NDArray[np.float64],
    cap: float,
) -> LineCrop:
    """Perspective-corrected crop of one line.

    ``left``/``right`` are the centres of the line's first and last characters (work px);
    ``down_left``/``down_right`` the directions of the band's left and right edges, i.e.
    of the characters' vertical strokes, which differ from the line's normal when a photo
    shears the text. The crop is CROP_HEIGHT_FACTOR cap heights tall with cap height
    TARGET_CHAR_HEIGHT, stretched STRETCH times in width.
    """
    along = right - left
    length = float(np.hypot(*along))
    u = along / max(length, 1e-9)
    normal = np.array([-u[1], u[0]])  # points down the page
    half = CROP_HEIGHT_FACTOR * cap / 2
    margin = CROP_MARGIN_CAPS * cap

    def stroke(d: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        d = d / max(float(np.hypot(*d)), 1e-9)
        dot = float(d @ normal)
        if dot < MAX_SHEAR_COS:  # implausible edge (a line's first character missed): no shear
            return normal
        return d / dot  # unit perpendicular height along the stroke direction

    dl, dr = stroke(down_left), stroke(down_right)
    lo, ro = left - u * margin, right + u * margin
    quad = np.array([lo - dl * half, ro - dr * half, ro + dr * half, lo + dl * half], dtype=np.float32)
    s = TARGET_CHAR_HEIGHT / cap
    out_w = max(16, round((length + 2 * margin) * s * STRETCH))
    out_h = max(16, round(2 * half * s))
    rect = np.array([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]], dtype=np.float32)
    crop_to_work = cv2.getPerspectiveTransform(rect, quad)
    crop_to_src = geo.to3(src_from_work) @ crop_to_work
    crop = cv2.warpPerspective(gray_src, crop_to_src, (out_w, out_h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)
    return LineCrop(crop, crop_to_src)


def character_grid(crop_width: int, n_chars: int) -> tuple[float, float]:
    """``(x0, pitch)`` of the characters in a line crop made by :func:`_crop_line`: the
    first character is centred one cap height (stretched) from the left edge, the last one
    as far from the right edge, and the MRZ is monospaced in between."""
    margin = CROP_MARGIN_CAPS * TARGET_CHAR_HEIGHT * STRETCH
    return margin, (crop_width - 2 * margin) / max(1, n_chars - 1)


def restretched(crop: Image, stretch: float) -> Image:
    """A line crop made by :func:`_crop_line` (stretched :data:`STRETCH` times in width)
    with its width stretched ``stretch`` times instead; the height, and so the cap height,
    stay. Character centres as fractions of the width are the same in both crops."""
    h, w = crop.shape[:2]
    new_w = max(8, round(w * stretch / STRETCH))
    if new_w == w:
        return crop
    return np.ascontiguousarray(cv2.resize(crop, (new_w, h), interpolation=cv2.INTER_AREA if new_w < w else cv2.INTER_CUBIC))


def line_at_pitch(crop: Image, n_chars: int, px_per_char: float, rec_height: int = 48) -> Image:
    """A line crop made by :func:`_crop_line` resampled so that, once a recogniser scales it
    to ``rec_height`` px, its characters are ``px_per_char`` apart and unstretched (their
    printed proportions), the glyphs centred in the frame. For recognisers that read best
    at another scale than the locator's default crop."""
    h, w = crop.shape[:2]
    k = rec_height / h
    cap0 = TARGET_CHAR_HEIGHT * k
    _, pitch_crop = character_grid(w, n_chars)
    pitch0 = pitch_crop * k
    natural = pitch0 / (cap0 * STRETCH)  # printed pitch / cap height
    cap = px_per_char / natural
    new_h = max(4, round(rec_height * cap / cap0))
    new_w = max(8, round(w * k * px_per_char / pitch0))
    img = cv2.resize(crop, (new_w, new_h), interpolation=cv2.INTER_AREA if new_h < h else cv2.INTER_CUBIC)
    if new_h < rec_height:
        bg = int(np.median(np.concatenate([crop[:2].ravel(), crop[-2:].ravel()])))
        top = (rec_height - new_h) // 2
        img = cv2.copyMakeBorder(img, top, rec_height - new_h - top, 0, 0, cv2.BORDER_CONSTANT, value=(bg,))
    elif new_h > rec_height:
        top = (new_h - rec_height) // 2
        img = img[top : top + rec_height]
    return np.ascontiguousarray(img)


def _band_crops(
    gray_src: Image, src_from_work: geo.Affine, group: list[_Line], cap: float
) -> list[LineCrop]:
    """Crops of every line of a band, sharing its left and right edges."""
    x_left = [g.x0 for g in group]
    if max(x_left) - min(x_left) > 0.4 * cap * (len(group) - 1) + 0.5 * cap:
        # Starts disagree by more than a plausible shear: a first character was missed
        # (or a stray blob joined); all MRZ lines start in the same column.
        x_left = [min(x_left)] * len(group)
    lefts = np.array([(x + 0.35 * cap, g.y_at(x + 0.35 * cap)) for x, g in zip(x_left, group, strict=True)])
    # Lines of one MRZ have the same length: a line whose last characters were lost to
    # glare or thresholding ends where the longest line ends.
    ref = max(group, key=lambda g: g.length)
    rights = np.array([(ref.x1 - 0.35 * cap + (lefts[i][0] - lefts[group.index(ref)][0]), 0.0)
                       for i in range(len(group))])
    for i, g in enumerate(group):
        rights[i][1] = g.y_at(float(rights[i][0]))
    down_left = lefts[-1] - lefts[0]
    down_right = rights[-1] - rights[0]
    return [_crop_line(gray_src, src_from_work, lefts[i], rights[i], down_left, down_right, cap)
            for i in range(len(group))]


def enhance_small_print(crop: Image) -> Image:
    """Contrast stretch and unsharp mask for crops magnified from small characters.

    Measured on generated phone photos (MRZ 14-20 px tall): lines read exactly 60/66 -> 62/66;
    on scanner-sized characters the same filter costs accuracy, hence the threshold."""
    lo, hi = np.percentile(crop, 2), np.percentile(crop, 98)
    stretched = np.clip((crop.astype(np.float32) - lo) * (255.0 / max(float(hi - lo), 1.0)), 0, 255).astype(np.uint8)
    blurred = cv2.GaussianBlur(stretched, (0, 0), 3)
    return cv2.addWeighted(stretched, 1.8, blurred, -0.8, 0)


def _deskewed(work: Image, lines: list[_Line]) -> tuple[Image, geo.Affine] | None:
    """``work`` turned so that its dominant text direction is horizontal, with the map
    turned -> work; None when the text is already level (within 2 degrees)."""
    long_lines = [ln for ln in lines if ln.n >= MIN_CHARS_PER_LINE]
    if not long_lines:
        return None
    weights = np.array([ln.n for ln in long_lines], dtype=np.float64)
    slopes = np.array([ln.slope for ln in long_lines])
    order = np.argsort(slopes)
    cum = np.cumsum(weights[order])
    slope = float(slopes[order][np.searchsorted(cum, cum[-1] / 2)])  # weighted median
    angle = math.degrees(math.atan(slope))
    if abs(angle) < 2.0:
        return None
    return _rotated(work, angle)


def _rotated(image: Image, angle: float) -> tuple[Image, geo.Affine]:
    """``image`` turned by ``angle`` degrees (counter-clockwise) on a canvas that keeps every
    corner, with the map turned -> image."""
    h, w = image.shape[:2]
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(rot[0, 0]), abs(rot[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    rot[0, 2] += nw / 2 - w / 2
    rot[1, 2] += nh / 2 - h / 2
    turned = cv2.warpAffine(image, rot, (nw, nh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return turned, geo.invert(rot)


def _candidates_in(
    work: Image, input_from_work: geo.Affine, gray_in: Image, k: int, max_candidates: int,
    lines: list[_Line] | None = None, max_fraction: float = MAX_CHAR_FRACTION, thin_lines: bool = True,
) -> list[MrzCandidate]:
    in_h, in_w = gray_in.shape[:2]
    wh, ww = work.shape[:2]
    if lines is None:
        lines = _chain_lines(_components(work, max_fraction, thin_lines))
    out: list[MrzCandidate] = []
    for score, group in _group_bands(lines, wh)[:max_candidates]:
        x0 = min(g.x0 for g in group)
        x1 = max(g.x1 for g in group)
        cap = float(np.median([g.height for g in group]))
        work_to_input_scale = float(np.sqrt(abs(np.linalg.det(input_from_work[:, :2]))))
        src_char_h = cap * work_to_input_scale
        # Resample from a reduced copy of the input when characters are much taller than
        # needed: warpAffine does not low-pass filter when it shrinks.
        factor = src_char_h / (1.5 * TARGET_CHAR_HEIGHT)
        if factor > 1.0:
            src = cv2.resize(gray_in, None, fx=1 / factor, fy=1 / factor, interpolation=cv2.INTER_AREA)
            src_from_input = np.array([[1 / factor, 0, 0], [0, 1 / factor, 0]])
        else:
            src = gray_in
            src_from_input = np.array([[1.0, 0, 0], [0, 1.0, 0]])
        src_from_work = geo.compose(src_from_input, input_from_work)
        input_from_src = geo.invert(src_from_input)
        crops = [LineCrop(enhance_small_print(lc.image) if src_char_h < SHARPEN_BELOW else lc.image,
                          geo.compose(input_from_src, lc.to_input))
                 for lc in _band_crops(src, src_from_work, group, cap)]
        corners = []
        for g in group:
            corners += [(x0, g.y_at(x0) - g.height), (x1, g.y_at(x1) + g.height)]
        pts = geo.apply(input_from_work, corners)
        box = geo.bounding_box(pts, in_w, in_h)
        edge = 0.6 * cap
        near_edge = bool(x0 < edge or x1 > ww - edge
                         or min(g.y_at(x0) for g in group) - cap < edge
                         or max(g.y_at(x1) for g in group) + cap > wh - edge)
        # Residual skew of the band in the quarter-turned input (degrees, counter-clockwise).
        direction = geo.apply(input_from_work, [(x0, group[0].y_at(x0)), (x1, group[0].y_at(x1))])
        turned_dir = geo.apply(geo.rotation90(k, in_w, in_h), direction)
        dx, dy = turned_dir[1] - turned_dir[0]
        angle = -math.degrees(math.atan2(dy, dx))
        cand = MrzCandidate(tuple(crops), k, angle, box, src_char_h, score, near_edge)
        # Upright guess: an MRZ sits at the bottom of its page; if the band is in the top
        # part of the turned image, the page is probably upside down.
        if group[0].cy < 0.35 * wh:
            cand = cand.flipped()
        out.append(cand)
    return out


def _search(gray_in: Image, scale: float, angles: tuple[float, ...], max_candidates: int,
            max_fraction: float = MAX_CHAR_FRACTION, thin_lines: bool = True) -> list[MrzCandidate]:
    """Candidates found on ``gray_in`` resized by ``scale``, turned a quarter (k = 0, 1) and,
    for each angle in ``angles``, by that angle instead; with ``thin_lines=False``, blobs
    are looked for with fine line patterns removed (the crops still come from ``gray_in``)."""
    small = cv2.resize(gray_in, None, fx=scale, fy=scale,
                       interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC) if scale != 1.0 else gray_in
    sh, sw = small.shape[:2]
    input_from_small = np.array([[1 / scale, 0, 0], [0, 1 / scale, 0]])
    found: list[MrzCandidate] = []
    for k in (0, 1):
        work = np.ascontiguousarray(np.rot90(small, k))
        input_from_work = geo.compose(input_from_small, geo.invert(geo.rotation90(k, sw, sh)))
        lines = _chain_lines(_components(work, max_fraction, thin_lines))
        cands = _candidates_in(work, input_from_work, gray_in, k, max_candidates, lines)
        if not cands or abs(cands[0].angle_deg) > 2.0:
            # Tilted text (a photo): level the dominant text direction and look again;
            # character boxes and line grouping are much cleaner on level text.
            leveled = _deskewed(work, lines)
            if leveled is not None:
                turned, work_from_turned = leveled
                cands += _candidates_in(turned, geo.compose(input_from_work, work_from_turned), gray_in, k,
                                        max_candidates, max_fraction=max_fraction, thin_lines=thin_lines)
        found.extend(cands)
    for angle in angles:
        turned, small_from_turned = _rotated(small, angle)
        found.extend(_candidates_in(turned, geo.compose(input_from_small, small_from_turned), gray_in, 0,
                                    max_candidates, max_fraction=max_fraction, thin_lines=thin_lines))
    return found


def find_mrz(image: Image, *, max_candidates: int = 2) -> list[MrzCandidate]:
    """MRZ candidates in ``image`` (BGR or gray), best first; empty when none is found.

    The cheap search (one scale, two quarter turns) finds the MRZ of almost every scan and
    photo in tens of milliseconds; only when it finds nothing are the costlier searches
    run: the image enlarged (small, blurred characters merge into blobs at working size)
    and turned by +-30 and +-60 degrees (text is chained within about 20 degrees of the
    working direction), a crop of the band alone, and a search with fine line patterns
    removed.
    """
    gray_in = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    long_side = max(gray_in.shape[:2])
    scale = WORK_SIDE / long_side if long_side > WORK_SIDE else (min(2.0, 900 / long_side) if long_side < 900 else 1.0)
    found = _search(gray_in, scale, (), max_candidates)
    if not found:
        # Every 30 degrees, so no text line is more than 15 degrees off a search direction.
        big = min(ENLARGED_SIDE / long_side, 2.5 * scale) if long_side * scale < ENLARGED_SIDE else scale
        found = _search(gray_in, big, (30.0, -30.0, 60.0, -60.0), max_candidates)
    if not found:
        found = _search(gray_in, scale, (), max_candidates, MAX_CHAR_FRACTION_BAND)
    if not found:
        # An MRZ printed over fine guilloche lines: they join its characters into one blob.
        found = _search(gray_in, scale, (), max_candidates, thin_lines=False)
    found.sort(key=lambda c: -c.score)
    return found[:max_candidates]
