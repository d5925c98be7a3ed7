"""Capture conditions: how a flat document becomes a scan or a photo.

"Pitch" below is the MRZ character pitch in output pixels. OCR-B's capitals are as tall
as its pitch (0.725 em tall, 0.723 em wide), so it is also the capitals' height before the
print's own 0.9-1.08 size (see :mod:`look`) and any perspective.

=============  =================================================================================
condition      what varies, per document
=============  =================================================================================
``clean``      the flat rendering itself, 1500-1800 px on the long side (pitch 26-36), lossless.
``scanner``    a white or grey bed with margins, turned up to 3 degrees, at 150, 200, 240 or 300
               dpi (1 in 5 at 150: pitch about 15), lamp falloff and lid shadow, blur 0.3-1.0
               px at 254 dpi, in proportion at others, faint noise, a tone curve (gamma 0.8-1.25,
               black point 0-25, white point 225-255), 1 in 7 grey scans, JPEG quality 70-95
               (1 in 4 at 45-70), 4:4:4 or 4:2:0 chroma.
``phone``      the document on a table in perspective; pitch 12-26 (1 in 4 at 8.5-12), the
               frame 900-1800 px long; uneven light, a glare spot kept off the MRZ, exposure
               gain 0.9-1.1 (1 in 7 under, 0.65-0.85; 1 in 7 over, 1.15-1.4), gamma
               0.8-1.25, noise 1.5-6, defocus 0.03-0.085 pitch (1 in 7 at 0.08-0.11), motion
               0-0.18 pitch, JPEG 60-92 (3 in 10 at 40-59); 1 in 5 sent through a messenger
               (JPEG 88-95, shrunk to 0.7-0.9, JPEG again); 1 in 4 turned by 90, 180 or 270
               degrees. Under 12 px the low JPEG, strong blur and messenger get rarer.
``hard``       2 in 3 a bad photo: a cluttered table, stronger perspective (up to 0.1 of the
               size) and turn (25 degrees), pitch 7-13 (45 % under 9.5), frame 640-1400 px,
               darker and uneven light, gain 0.6-1.5, noise 3-9, defocus 0.06-0.15 pitch,
               motion 0.05-0.3 pitch, a finger, pen or note over the visual zone (never the
               MRZ), up to 35 % through a messenger, JPEG 30-65. The smaller the characters,
               the milder the rest (perspective, darkness, blur, noise, JPEG): a severity
               drawn per photo is scaled down with the pitch. 1 in 3 a small copy: a flat
               scan shrunk until the pitch is 6.5-10 px (a 300-700 px image), 1 in 3
               sharpened, JPEG 30-60.
=============  =================================================================================

Every parameter is drawn from the generator handed in, so a seed fixes the result. The
map from flat-rendering pixels to output pixels is kept as a homography, so the caller
can carry every box through the same transform.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from tests.synth import scene
from tests.synth.layouts import Flat, physical_size_mm
from tests.synth.sheet import MRZ_PITCH_MM

CONDITIONS = ("clean", "scanner", "phone", "hard")

Array = npt.NDArray[np.uint8]
Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Plan:
    """What is decided before rendering: which sides, at what resolution."""

    condition: str
    sides: str
    ppm: float
    """Pixels per millimetre of the flat rendering."""
    canvas: tuple[int, int] = (0, 0)
    """(width, height) of the photo before any quarter turn or messenger shrink (phone, hard)."""
    scale: float = 0.0
    """Output pixels per millimetre on the document, before a messenger shrink."""
    mode: str = ""
    """"photo" or "copy" (hard only: a small flat copy); "" for clean and scanner."""
    shrink: float = 1.0
    """A messenger's resize of the finished photo (1.0: none)."""


@dataclass
class Captured:
    image: Array
    """BGR uint8, after JPEG when the condition uses it."""
    homography: Matrix
    """Flat-rendering pixels -> output pixels."""
    encoded: bytes | None
    """The JPEG file bytes (``image`` is their decoding), None for lossless conditions."""
    occluded: list[str] = field(default_factory=list)
    params: dict[str, float | int | str] = field(default_factory=dict)


SCANNER_DPI = (200, 200, 240, 300, 300, 300)
"""Scanner resolutions other than 150 dpi (drawn 1 in 5), each as likely as its repeats."""


def _sides(fmt: str, rng: np.random.Generator, p_two: float, p_booklet: float) -> str:
    if fmt == "TD1":
        return "both" if rng.random() < p_two else "back"
    if fmt == "FRID":
        return "both" if rng.random() < p_two else "front"
    if fmt == "TD2":
        return "page"
    return "booklet" if rng.random() < p_booklet else "page"


def _photo_pitch(hard: bool, rng: np.random.Generator) -> float:
    """The MRZ pitch of a photo, in output pixels."""
    if hard:
        return rng.uniform(7.0, 9.5) if rng.random() < 0.45 else rng.uniform(9.5, 13.0)
    return rng.uniform(8.5, 12.0) if rng.random() < 0.25 else rng.uniform(12.0, 26.0)


def plan(condition: str, fmt: str, rng: np.random.Generator) -> Plan:
    if condition == "clean":
        sides = _sides(fmt, rng, 0.5, 0.0)
        w, h = physical_size_mm(fmt, sides)
        return Plan(condition, sides, rng.uniform(1500, 1800) / max(w, h))
    if condition == "scanner":
        sides = _sides(fmt, rng, 0.6, 0.3)
        r = rng.random()
        dpi = 150 if r < 0.2 else SCANNER_DPI[int(rng.integers(len(SCANNER_DPI)))]
        return Plan(condition, sides, dpi * rng.uniform(0.995, 1.005) / 25.4)
    if condition not in ("phone", "hard"):
        raise ValueError(f"unknown condition {condition!r}; expected one of {CONDITIONS}")
    hard = condition == "hard"
    if hard and rng.random() < 1.0 / 3.0:
        sides = _sides(fmt, rng, 0.3, 0.2)
        pitch = rng.uniform(6.5, 10.0)
        out = pitch / MRZ_PITCH_MM
        # scanned at 2-4 times that, then shrunk
        return Plan(condition, sides, out * rng.uniform(2.0, 4.0), (0, 0), out, "copy")
    sides = _sides(fmt, rng, 0.2, 0.35)
    w_mm, h_mm = physical_size_mm(fmt, sides)
    pitch = _photo_pitch(hard, rng)
    small = float(np.clip((13.0 - pitch) / 6.0 if hard else (12.0 - pitch) / 3.5, 0.0, 1.0))
    p_shrink = (0.35 if hard else 0.2) * (1.0 - 0.5 * small)
    shrink = rng.uniform(0.7, 0.9) if rng.random() < p_shrink else 1.0
    scale = pitch / MRZ_PITCH_MM / shrink  # px per mm before the shrink
    portrait = h_mm > w_mm
    rx, ry = (0.75, 1.0) if portrait else (1.0, 0.75)
    per_long = min(rx / w_mm, ry / h_mm)  # document px per mm per px of the long side at fill 1
    fill = rng.uniform(0.45, 0.78) if hard else rng.uniform(0.5, 0.82)
    lo, hi = (640.0, 1400.0) if hard else (900.0, 1800.0)
    long_side = float(np.clip(scale / (fill * per_long), lo / shrink, hi / shrink))
    scale = min(scale, 0.9 * per_long * long_side)  # never more than 90 % of the frame
    ppm = scale * rng.uniform(1.0, 1.25)
    canvas = (round(long_side * rx), round(long_side * ry))
    return Plan(condition, sides, ppm, canvas, scale, "photo", shrink)


# --- helpers -------------------------------------------------------------------------------


def _translate(dx: float, dy: float) -> Matrix:
    return np.array([[1, 0, dx], [0, 1, dy], [0, 0, 1]], np.float64)


def _rotate(deg: float) -> Matrix:
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]], np.float64)


def _corners(w: float, h: float) -> npt.NDArray[np.float64]:
    return np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)


def _box_quad(box: tuple[float, float, float, float]) -> npt.NDArray[np.float64]:
    x0, y0, x1, y1 = box
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64)


def _composite(bg: Array, flat: Flat, hom: Matrix) -> tuple[Array, npt.NDArray[np.float32]]:
    """Warp the flat document onto ``bg``; returns the image and the document's coverage."""
    h, w = bg.shape[:2]
    doc = cv2.warpPerspective(
        cv2.cvtColor(flat.image, cv2.COLOR_RGB2BGR), hom, (w, h), flags=cv2.INTER_LINEAR
    )
    a = cv2.warpPerspective(flat.mask, hom, (w, h), flags=cv2.INTER_LINEAR).astype(np.float32) * (1.0 / 255.0)
    out = cv2.blendLinear(doc, bg, a, 1.0 - a)
    return np.asarray(out, np.uint8), a


def _shadow_factor(
    cover: npt.NDArray[np.float32], dx: float, dy: float, sigma: float, strength: float
) -> npt.NDArray[np.float32]:
    """Per-pixel darkening of a soft shadow the document casts, offset by (dx, dy)."""
    h, w = cover.shape
    k = 4  # a shadow is smooth: work at a quarter of the size
    small = cv2.resize(cover, (max(1, w // k), max(1, h // k)), interpolation=cv2.INTER_AREA)
    m = np.array([[1, 0, dx / k], [0, 1, dy / k]], np.float32)
    s = cv2.warpAffine(small, m, (small.shape[1], small.shape[0]))
    s = cv2.GaussianBlur(s, (0, 0), max(0.5, sigma / k))
    s = cv2.resize(s, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.asarray(1.0 - strength * s * (1.0 - cover), np.float32)


def _multiply(img: Array, factor: npt.NDArray[np.float32]) -> Array:
    """``img * factor`` per pixel (factor is one channel), saturated to uint8."""
    f3 = cv2.cvtColor(factor, cv2.COLOR_GRAY2BGR)
    return np.asarray(cv2.multiply(img, f3, dtype=cv2.CV_8U), np.uint8)


def _motion_kernel(length: float, angle: float) -> npt.NDArray[np.float32]:
    size = max(3, math.ceil(length) | 1)
    k = np.zeros((size, size), np.float32)
    c = size // 2
    dx, dy = math.cos(angle) * length / 2, math.sin(angle) * length / 2
    cv2.line(
        k,
        (round((c - dx) * 8), round((c - dy) * 8)),
        (round((c + dx) * 8), round((c + dy) * 8)),
        (1.0,),
        1,
        cv2.LINE_AA,
        shift=3,
    )
    total = float(k.sum())
    if total <= 0:
        k[c, c] = 1.0
        total = 1.0
    return k / total


def _jpeg(img: Array, quality: int, *, full_chroma: bool = False) -> tuple[Array, bytes]:
    opts = [cv2.IMWRITE_JPEG_QUALITY, int(quality)]
    if full_chroma:
        opts += [cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444]
    ok, buf = cv2.imencode(".jpg", img, opts)
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    data = buf.tobytes()
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return np.asarray(decoded, np.uint8), data


def _noise(img: Array, rng: np.random.Generator, sigma: float, chroma: float) -> Array:
    h, w = img.shape[:2]
    luma = rng.standard_normal((h, w), dtype=np.float32)
    luma *= sigma
    n16 = luma.astype(np.int16)
    out = img.astype(np.int16)
    out += n16[..., None]
    if chroma > 0:
        c = rng.standard_normal((max(1, h // 2), max(1, w // 2), 3), dtype=np.float32) * chroma
        out += cv2.resize(c, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.int16)
    np.clip(out, 0, 255, out=out)
    return out.astype(np.uint8)


def _quarter(k: int, w: int, h: int) -> Matrix:
    """The map of ``np.rot90(img, k)`` on pixel-edge coordinates of a ``w`` x ``h`` image."""
    m = np.eye(3)
    for _ in range(k % 4):
        m = np.array([[0, 1, 0], [-1, 0, w], [0, 0, 1]], np.float64) @ m
        w, h = h, w
    return m


def _tone(img: Array, gain: float, gamma: float, black: float = 0.0, white: float = 255.0) -> Array:
    """Exposure and tone curve: ``gain`` (clipping highlights), ``gamma``, then levels."""
    x = np.arange(256, dtype=np.float64) / 255.0
    y = np.clip(x * gain, 0.0, 1.0) ** gamma
    lut = np.clip(black + y * (white - black), 0, 255).astype(np.uint8)
    return np.asarray(cv2.LUT(img, lut), np.uint8)


def _resize(img: Array, factor: float, hom: Matrix) -> tuple[Array, Matrix]:
    """Shrink ``img`` by ``factor`` (INTER_AREA); returns it and the updated homography."""
    h, w = img.shape[:2]
    nw, nh = max(1, round(w * factor)), max(1, round(h * factor))
    out = np.asarray(cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA), np.uint8)
    return out, np.diag([nw / w, nh / h, 1.0]) @ hom


def _sharpen(img: Array, amount: float, sigma: float) -> Array:
    soft = cv2.GaussianBlur(img, (0, 0), sigma)
    return np.asarray(cv2.addWeighted(img, 1.0 + amount, soft, -amount, 0), np.uint8)


def _pick_quality(rng: np.random.Generator, p_low: float, low: tuple[int, int], high: tuple[int, int]) -> int:
    lo, hi = low if rng.random() < p_low else high
    return int(rng.integers(lo, hi + 1))


# --- conditions ---------------------------------------------------------------------------


def _flatbed(
    flat: Flat, p: Plan, rng: np.random.Generator, *, angle_max: float, margin_mm: tuple[float, float]
) -> tuple[Array, Matrix, float]:
    """The flat document on a scanner bed: turned, with margins, shadow and lamp falloff."""
    fh, fw = flat.image.shape[:2]
    angle = rng.uniform(-angle_max, angle_max)
    margins = rng.uniform(margin_mm[0], margin_mm[1], 4) * p.ppm  # left, top, right, bottom
    rot = _translate(fw / 2, fh / 2) @ _rotate(angle) @ _translate(-fw / 2, -fh / 2)
    quad = scene.transform(_corners(fw, fh), rot)
    minx, miny = quad.min(axis=0)
    maxx, maxy = quad.max(axis=0)
    w = round(maxx - minx + margins[0] + margins[2])
    h = round(maxy - miny + margins[1] + margins[3])
    hom = _translate(margins[0] - minx, margins[1] - miny) @ rot
    bed_level = rng.uniform(238, 253) if rng.random() < 0.85 else rng.uniform(150, 215)  # white or grey lid
    bed = np.empty((h, w, 3), np.uint8)
    bed[:] = (bed_level, bed_level - rng.uniform(0, 3), bed_level - rng.uniform(0, 4))
    img, cover = _composite(bed, flat, hom)
    factor = _shadow_factor(cover, p.ppm * 0.3, p.ppm * 0.4, p.ppm * 0.5, rng.uniform(0.1, 0.25))
    along_y = rng.random() < 0.5  # lamp falloff across the scan direction
    t = np.linspace(-1, 1, h if along_y else w, dtype=np.float32) ** 2
    fall = (1.0 - rng.uniform(0.02, 0.07) * t).astype(np.float32)
    factor *= fall[:, None] if along_y else fall[None, :]
    return _multiply(img, factor), hom, angle


def _scanner(flat: Flat, p: Plan, rng: np.random.Generator) -> Captured:
    img, hom, angle = _flatbed(flat, p, rng, angle_max=3.0, margin_mm=(4.0, 20.0))
    sigma = rng.uniform(0.3, 1.0) * p.ppm / 10
    img = np.asarray(cv2.GaussianBlur(img, (0, 0), max(0.25, sigma)), np.uint8)
    img = _noise(img, rng, rng.uniform(1.0, 2.5), 0.0)
    gamma = rng.uniform(0.8, 1.25)
    black, white = rng.uniform(0, 25), rng.uniform(225, 255)
    img = _tone(img, 1.0, gamma, black, white)
    grey = rng.random() < 1.0 / 7.0
    if grey:
        img = np.asarray(cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR), np.uint8)
    quality = _pick_quality(rng, 0.25, (45, 69), (70, 95))
    full_chroma = rng.random() < 0.4
    img, data = _jpeg(img, quality, full_chroma=full_chroma)
    return Captured(
        img,
        hom,
        data,
        params={
            "angle": round(angle, 3),
            "dpi": round(p.ppm * 25.4),
            "mrz_pitch_px": round(MRZ_PITCH_MM * p.ppm, 2),
            "blur_sigma": round(sigma, 2),
            "gamma": round(gamma, 3),
            "grey": int(grey),
            "jpeg_quality": quality,
            "jpeg_444": int(full_chroma),
        },
    )


def _copy(flat: Flat, p: Plan, rng: np.random.Generator) -> Captured:
    """A small copy of a scan: the page with a thin margin, shrunk, often sharpened, JPEG."""
    img, hom, angle = _flatbed(flat, p, rng, angle_max=1.5, margin_mm=(0.3, 4.0))
    img = np.asarray(cv2.GaussianBlur(img, (0, 0), max(0.3, rng.uniform(0.3, 0.9) * p.ppm / p.scale)), np.uint8)
    img, hom = _resize(img, p.scale / p.ppm, hom)
    sharpened = rng.random() < 0.35
    if sharpened:
        img = _sharpen(img, rng.uniform(0.3, 0.9), rng.uniform(0.6, 1.2))
    img = _noise(img, rng, rng.uniform(0.5, 2.5), 0.0)
    img = _tone(img, rng.uniform(0.92, 1.08), rng.uniform(0.8, 1.25), rng.uniform(0, 20), rng.uniform(230, 255))
    k = 0
    if rng.random() < 0.2:
        k = int(rng.integers(1, 4))
        h0, w0 = img.shape[:2]
        img = np.ascontiguousarray(np.rot90(img, k))
        hom = _quarter(k, w0, h0) @ hom
    quality = int(rng.integers(30, 61))
    img, data = _jpeg(img, quality)
    return Captured(
        img,
        hom,
        data,
        params={
            "mode": "copy",
            "angle": round(angle, 3),
            "quarter_turns": k,
            "mrz_pitch_px": round(MRZ_PITCH_MM * p.scale, 2),
            "sharpened": int(sharpened),
            "jpeg_quality": quality,
        },
    )


def _perspective(flat: Flat, p: Plan, rng: np.random.Generator, *, angle_max: float, persp: float) -> Matrix:
    """A homography placing the flat document in the canvas, in perspective, fully visible."""
    fh, fw = flat.image.shape[:2]
    cw, ch = p.canvas
    k = p.scale / p.ppm
    for shrink in (1.0, 0.93, 0.86, 0.8, 0.74, 0.68):
        angle = rng.uniform(-angle_max, angle_max)
        base = _rotate(angle) @ np.diag([k * shrink, k * shrink, 1.0]) @ _translate(-fw / 2, -fh / 2)
        quad = scene.transform(_corners(fw, fh), base)
        size = math.hypot(fw, fh) * k * shrink
        quad = quad + rng.uniform(-persp, persp, (4, 2)) * size
        minx, miny = quad.min(axis=0)
        maxx, maxy = quad.max(axis=0)
        margin = 0.02 * max(cw, ch)
        room_x = cw - (maxx - minx) - 2 * margin
        room_y = ch - (maxy - miny) - 2 * margin
        if room_x < 0 or room_y < 0:
            continue
        quad = quad + np.array(
            [margin - minx + rng.uniform(0, room_x), margin - miny + rng.uniform(0, room_y)]
        )
        return np.asarray(
            cv2.getPerspectiveTransform(_corners(fw, fh).astype(np.float32), quad.astype(np.float32)),
            np.float64,
        )
    # Fallback: no perspective, centred.
    fit = min(cw / fw, ch / fh) * 0.8
    return np.asarray(
        _translate(cw / 2, ch / 2) @ np.diag([fit, fit, 1.0]) @ _translate(-fw / 2, -fh / 2), np.float64
    )


def _mrz_mask(flat: Flat, hom: Matrix, size: tuple[int, int], pad_px: float) -> npt.NDArray[np.uint8]:
    x0, y0, x1, y1 = flat.boxes["mrz"]
    quad = scene.transform(_box_quad((x0 - pad_px, y0 - pad_px, x1 + pad_px, y1 + pad_px)), hom)
    m = np.zeros((size[1], size[0]), np.uint8)
    cv2.fillPoly(m, [np.round(quad).astype(np.int32)], (255,))
    return m


def _page_box(flat: Flat) -> tuple[float, float, float, float]:
    return flat.boxes["page"]


def _occlude(img: Array, flat: Flat, hom: Matrix, p: Plan, rng: np.random.Generator) -> npt.NDArray[np.uint8]:
    """Put a finger, a pen or a sticky note over the visual zone, never over the MRZ."""
    h, w = img.shape[:2]
    mm = p.ppm  # flat pixels per mm
    guard = _mrz_mask(flat, hom, (w, h), 2.0 * mm)
    px0, py0, px1, _ = _page_box(flat)
    mrz_top = flat.boxes["mrz"][1]
    kind = ("finger", "finger", "pen", "note")[int(rng.integers(4))]
    for _ in range(10):
        if kind == "finger":
            side = int(rng.integers(3))
            width = rng.uniform(15, 19) * mm
            length = rng.uniform(20, 30) * mm
            reach = rng.uniform(0.35, 0.8) * length
            if side == 0:  # from the left edge
                y = rng.uniform(py0 + 0.15 * (mrz_top - py0), mrz_top - 0.6 * width)
                tip, direction = (px0 + reach, y), math.pi + rng.uniform(-0.3, 0.3)
            elif side == 1:  # from the right edge
                y = rng.uniform(py0 + 0.15 * (mrz_top - py0), mrz_top - 0.6 * width)
                tip, direction = (px1 - reach, y), rng.uniform(-0.3, 0.3)
            else:  # from the top edge
                x = rng.uniform(px0 + 0.15 * (px1 - px0), px1 - 0.15 * (px1 - px0))
                tip, direction = (x, py0 + reach), -math.pi / 2 + rng.uniform(-0.3, 0.3)
            poly_flat = scene.capsule(tip, direction, length * 2.5, width)
            nail_flat = scene.nail(tip, direction, width)
        else:
            cx = rng.uniform(px0 + 0.2 * (px1 - px0), px1 - 0.1 * (px1 - px0))
            cy = rng.uniform(py0 + 0.1 * (mrz_top - py0), py0 + 0.6 * (mrz_top - py0))
            if kind == "pen":
                size = (rng.uniform(90, 140) * mm, rng.uniform(7, 10) * mm)
                ang = rng.uniform(-25, 25)
            else:
                side_mm = rng.uniform(30, 45) * mm
                size = (side_mm, side_mm)
                ang = rng.uniform(-30, 30)
            poly_flat = cv2.boxPoints(((cx, cy), size, ang)).astype(np.float64)
        poly = scene.transform(poly_flat, hom)
        test = np.zeros((h, w), np.uint8)
        cv2.fillPoly(test, [np.round(poly).astype(np.int32)], (255,))
        if np.any((test > 0) & (guard > 0)):
            continue
        if kind == "finger":
            return scene.paint_finger(img, poly, rng, scene.transform(nail_flat, hom))
        if kind == "pen":
            colour = ((60, 20, 10), (20, 20, 20), (30, 30, 170), (140, 80, 20))[int(rng.integers(4))]
            return scene.paint_flat_object(img, poly, colour, shine=True)
        colour = ((120, 235, 250), (180, 240, 170), (200, 170, 250))[int(rng.integers(3))]
        return scene.paint_flat_object(img, poly, colour, shine=False)
    return np.zeros((h, w), np.uint8)


def _glare(
    img: Array, flat: Flat, hom: Matrix, rng: np.random.Generator, *, radius: float, strength: float
) -> None:
    """A soft specular highlight whose centre is on the document, away from the MRZ."""
    h, w = img.shape[:2]
    px0, py0, px1, _ = _page_box(flat)
    mrz = scene.transform(_box_quad(flat.boxes["mrz"]), hom)
    for _ in range(12):
        fx = rng.uniform(px0, px1)
        fy = rng.uniform(py0, flat.boxes["mrz"][1])
        c = scene.transform(np.array([[fx, fy]]), hom)[0]
        dist = cv2.pointPolygonTest(mrz.astype(np.float32), (float(c[0]), float(c[1])), True)
        if -dist > 1.3 * radius:
            break
    else:
        strength *= 0.4
    aspect = rng.uniform(0.5, 1.0)
    ang = rng.uniform(0, math.pi)
    r3 = 3 * radius
    x0, x1 = max(0, int(c[0] - r3)), min(w, int(c[0] + r3))
    y0, y1 = max(0, int(c[1] - r3)), min(h, int(c[1] + r3))
    if x1 <= x0 or y1 <= y0:
        return
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    dx, dy = xs - float(c[0]), ys - float(c[1])
    u = dx * math.cos(ang) + dy * math.sin(ang)
    v = (-dx * math.sin(ang) + dy * math.cos(ang)) / aspect
    g = np.exp(-(u * u + v * v) / (2 * radius * radius)) * strength
    roi = img[y0:y1, x0:x1].astype(np.float32)
    img[y0:y1, x0:x1] = np.clip(roi + g[..., None] * (1.0 - roi / 400.0), 0, 255).astype(np.uint8)


def _lighting(img: Array, rng: np.random.Generator, lo: float, hi: float, cast: float) -> Array:
    h, w = img.shape[:2]
    grid = rng.uniform(lo, hi, (3, 4)).astype(np.float32)
    field_ = cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
    balance = (1.0 + rng.uniform(-cast, cast, 3)).astype(np.float32)
    f3 = cv2.merge([field_ * float(balance[0]), field_ * float(balance[1]), field_ * float(balance[2])])
    return np.asarray(cv2.multiply(img, f3, dtype=cv2.CV_8U), np.uint8)


def _photo(flat: Flat, p: Plan, rng: np.random.Generator, *, hard: bool) -> Captured:
    cw, ch = p.canvas
    # The smaller the characters, the milder everything else: a tiny MRZ that is also
    # blurred, dark and crushed by JPEG is past what a person can read.
    final_pitch = MRZ_PITCH_MM * p.scale * p.shrink
    small = float(np.clip((13.0 - final_pitch) / 6.0 if hard else (12.0 - final_pitch) / 3.5, 0.0, 1.0))
    sev = rng.uniform(0.0, 1.0) * (1.0 - 0.6 * small)
    persp = 0.1 * (1.0 - 0.5 * small) if hard else 0.05
    hom = _perspective(flat, p, rng, angle_max=25.0 if hard else 12.0, persp=persp)
    bg = scene.table(rng, cw, ch)
    if hard:
        scene.clutter(bg, rng, count=int(rng.integers(6, 14)))
    img, cover = _composite(bg, flat, hom)
    s = max(cw, ch)
    img = _multiply(
        img,
        _shadow_factor(
            cover,
            rng.uniform(-0.01, 0.01) * s,
            rng.uniform(0.003, 0.015) * s,
            0.01 * s,
            rng.uniform(0.25, 0.5),
        ),
    )
    occ = _occlude(img, flat, hom, p, rng) if hard and rng.random() < 0.8 else None
    img = _lighting(img, rng, 0.5 + 0.2 * small if hard else 0.72, 1.1, 0.08 if hard else 0.04)
    pitch = MRZ_PITCH_MM * p.scale  # MRZ character pitch in photo pixels (before a shrink)
    _glare(
        img,
        flat,
        hom,
        rng,
        radius=rng.uniform(0.04, 0.1) * s,
        strength=rng.uniform(90, 190) if hard else rng.uniform(50, 140),
    )
    r = rng.random()
    under, over = ((0.6 + 0.15 * small, 0.85), (1.15, 1.5 - 0.2 * small)) if hard else ((0.65, 0.85), (1.15, 1.4))
    p_under, p_over = (0.3, 0.5) if hard else (1 / 7, 2 / 7)
    gain = rng.uniform(*under) if r < p_under else (rng.uniform(*over) if r < p_over else rng.uniform(0.9, 1.1))
    gamma = rng.uniform(0.8, 1.25)
    img = _tone(img, gain, gamma)
    motion = (0.05 + 0.25 * sev) * pitch if hard else rng.uniform(0.0, 0.18) * (1.0 - 0.4 * small) * pitch
    if motion >= 1.0:
        img = np.asarray(cv2.filter2D(img, -1, _motion_kernel(motion, rng.uniform(0, math.pi))), np.uint8)
    strong = rng.random() < (0.25 if hard else 1 / 7)
    if hard:
        sigma = (0.06 + 0.06 * sev + (rng.uniform(0.0, 0.03) if strong else 0.0)) * pitch
    else:
        top = 0.085 - 0.025 * small
        sigma = (rng.uniform(0.08, 0.11) if strong and small < 0.5 else rng.uniform(0.03, top)) * pitch
    img = np.asarray(cv2.GaussianBlur(img, (0, 0), max(0.3, sigma)), np.uint8)
    img = _noise(img, rng, 3.0 + 6.0 * sev if hard else rng.uniform(1.5, 6), 3.0 if hard else 1.5)
    k = 0
    if rng.random() < (0.3 if hard else 0.25):
        k = int(rng.integers(1, 4))
        h0, w0 = img.shape[:2]
        img = np.ascontiguousarray(np.rot90(img, k))
        hom = _quarter(k, w0, h0) @ hom
        if occ is not None:
            occ = np.ascontiguousarray(np.rot90(occ, k))
    first_quality = 0
    if p.shrink < 1.0:  # sent through a messenger: the camera's JPEG, shrunk, JPEG again
        first_quality = int(rng.integers(88, 96))
        img, _ = _jpeg(img, first_quality)
        img, hom = _resize(img, p.shrink, hom)
        if occ is not None:
            occ = np.asarray(cv2.resize(occ, (img.shape[1], img.shape[0]), interpolation=cv2.INTER_NEAREST), np.uint8)
    if hard:
        quality = round(65 - 35 * rng.uniform(0.0, 1.0) * (1.0 - 0.6 * small))
    else:
        quality = _pick_quality(rng, 0.3 * (1.0 - 0.6 * small), (40, 59), (60, 92))
    img, data = _jpeg(img, quality)
    cap = Captured(
        img,
        hom,
        data,
        params={
            "mode": "photo",
            "quarter_turns": k,
            "mrz_pitch_px": round(pitch * p.shrink, 2),
            "severity": round(sev, 3),
            "blur_sigma": round(sigma * p.shrink, 2),
            "motion_px": round(motion * p.shrink, 2),
            "exposure_gain": round(gain, 3),
            "gamma": round(gamma, 3),
            "messenger_shrink": round(p.shrink, 3),
            "first_jpeg_quality": first_quality,
            "jpeg_quality": quality,
        },
    )
    if occ is not None:
        cap.params["occluder"] = 1
        cap.occluded = _covered(flat, hom, occ)
    return cap


def _covered(flat: Flat, hom: Matrix, occ: npt.NDArray[np.uint8], threshold: float = 0.25) -> list[str]:
    """Boxes whose area the occluder covers by more than ``threshold``."""
    h, w = occ.shape
    out: list[str] = []
    for key, box in flat.boxes.items():
        if key in ("page", "front", "back", "sticker", "mrz") or key.startswith("mrz_line"):
            continue
        quad = scene.transform(_box_quad(box), hom)
        x0, y0 = np.floor(quad.min(axis=0)).astype(int)
        x1, y1 = np.ceil(quad.max(axis=0)).astype(int)
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        if x1 <= x0 or y1 <= y0:
            continue
        m = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.fillPoly(m, [np.round(quad - np.array([x0, y0])).astype(np.int32)], (1,))
        area = int(m.sum())
        if area and int((m & (occ[y0:y1, x0:x1] > 0)).sum()) > threshold * area:
            out.append(key)
    return sorted(out)


def capture(flat: Flat, p: Plan, rng: np.random.Generator) -> Captured:
    """Turn the flat rendering into the image the condition describes."""
    if p.condition == "clean":
        return Captured(np.asarray(cv2.cvtColor(flat.image, cv2.COLOR_RGB2BGR), np.uint8), np.eye(3), None)
    if p.condition == "scanner":
        return _scanner(flat, p, rng)
    if p.mode == "copy":
        return _copy(flat, p, rng)
    return _photo(flat, p, rng, hard=p.condition == "hard")
