"""What surrounds a photographed document: tables, clutter, fingers, pens, sticky notes.

Every function draws on or returns BGR ``uint8`` arrays and takes its randomness from the
``numpy.random.Generator`` it is given.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.uint8]
Points = npt.NDArray[np.float64]

_WORDS = (
    "INVOICE",
    "TOTAL",
    "MEETING",
    "Tuesday",
    "bank",
    "account",
    "receipt",
    "Date",
    "Amount",
    "REF",
    "notes",
    "call back",
    "agenda",
    "room 4",
    "EUR",
    "signed",
    "client",
    "form B",
)


_DESKS: tuple[npt.NDArray[np.float32], ...] = tuple(
    np.array(c, np.float32)
    for c in (
        (200, 200, 200),  # light grey laminate (BGR)
        (60, 60, 62),  # dark grey
        (35, 35, 35),  # black
        (170, 195, 215),  # beige
        (120, 90, 60),  # navy felt
        (70, 110, 150),  # brown leather
        (150, 160, 150),  # sage
        (225, 228, 230),  # white
    )
)


def _lowfreq(rng: np.random.Generator, w: int, h: int, cells: int) -> npt.NDArray[np.float32]:
    g = rng.standard_normal((max(2, cells * h // max(w, 1)), cells)).astype(np.float32)
    return np.asarray(cv2.resize(g, (w, h), interpolation=cv2.INTER_CUBIC), np.float32)


def table(rng: np.random.Generator, w: int, h: int) -> Array:
    """A surface to lay a document on: wood, a plain desk, fabric or stone. BGR."""
    kind = int(rng.integers(4))
    sw, sh = max(8, w // 2), max(8, h // 2)  # textures are made at half size, then enlarged
    if kind == 0:  # wood
        base = np.array([rng.uniform(40, 90), rng.uniform(80, 130), rng.uniform(120, 180)], np.float32)
        ys = np.arange(sh, dtype=np.float32)[:, None]
        xs = np.arange(sw, dtype=np.float32)[None, :]
        warp = _lowfreq(rng, sw, sh, 6) * rng.uniform(10, 25)
        grain = np.sin((ys + warp + 0.02 * xs) * rng.uniform(0.15, 0.4)) * 0.5 + 0.5
        grain = grain**3
        tex = base[None, None, :] * (0.8 + 0.3 * grain[..., None])
    elif kind == 1:  # plain desk
        base = _DESKS[int(rng.integers(len(_DESKS)))] * rng.uniform(0.85, 1.15, 3).astype(np.float32)
        tex = np.broadcast_to(base, (sh, sw, 3)).astype(np.float32)
        tex = tex * (1.0 + 0.05 * _lowfreq(rng, sw, sh, 4)[..., None])
    elif kind == 2:  # fabric
        base = _DESKS[int(rng.integers(len(_DESKS)))] * rng.uniform(0.7, 1.2, 3).astype(np.float32)
        ys = np.arange(sh, dtype=np.float32)[:, None]
        xs = np.arange(sw, dtype=np.float32)[None, :]
        period = rng.uniform(2.0, 4.0)
        weave = (np.sin(xs * math.pi / period) * np.sin(ys * math.pi / period)) * 0.5 + 0.5
        tex = base[None, None, :] * (0.85 + 0.15 * weave[..., None])
    else:  # stone / laminate speckle
        base = rng.uniform(90, 200, 3).astype(np.float32)
        speck = cv2.GaussianBlur(rng.standard_normal((sh, sw)).astype(np.float32), (0, 0), 1.2)
        tex = base[None, None, :] * (
            1.0 + 0.12 * speck[..., None] + 0.05 * _lowfreq(rng, sw, sh, 5)[..., None]
        )
    tex = cv2.resize(tex, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.asarray(np.clip(tex, 0, 255), np.uint8)


def clutter(img: Array, rng: np.random.Generator, *, count: int) -> None:
    """Other things on the table: sheets of printed paper, a cup ring, cables, shapes."""
    h, w = img.shape[:2]
    s = max(w, h)
    for _ in range(count):
        kind = int(rng.integers(4))
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        if kind == 0:  # a printed sheet
            pw, ph = rng.uniform(0.15, 0.45) * s, rng.uniform(0.2, 0.5) * s
            ang = rng.uniform(-math.pi, math.pi)
            rect = cv2.boxPoints(((cx, cy), (pw, ph), math.degrees(ang)))
            shade = float(rng.uniform(215, 250))
            cv2.fillPoly(
                img,
                [np.round(rect).astype(np.int32)],
                (shade, shade, shade - rng.uniform(0, 15)),
                cv2.LINE_AA,
            )
            # lines of text on it, in the sheet's orientation
            ca, sa = math.cos(ang), math.sin(ang)
            size = max(0.3, s / 2200)
            for k in range(int(rng.integers(4, 12))):
                ox = -pw * 0.4
                oy = -ph * 0.4 + k * ph * 0.07
                if oy > ph * 0.42:
                    break
                x = cx + ox * ca - oy * sa
                y = cy + ox * sa + oy * ca
                word = " ".join(
                    _WORDS[int(rng.integers(len(_WORDS)))] for _ in range(int(rng.integers(1, 4)))
                )
                if abs(ang) < 0.4:  # putText cannot rotate; draw only near-horizontal text
                    cv2.putText(
                        img,
                        word,
                        (round(x), round(y)),
                        cv2.FONT_HERSHEY_SIMPLEX,
                        size,
                        (60, 60, 60),
                        1,
                        cv2.LINE_AA,
                    )
                else:
                    x2 = x + pw * 0.5 * ca
                    y2 = y + pw * 0.5 * sa
                    cv2.line(
                        img,
                        (round(x), round(y)),
                        (round(x2), round(y2)),
                        (120, 120, 120),
                        max(1, round(s / 900)),
                        cv2.LINE_AA,
                    )
        elif kind == 1:  # cup ring
            r = rng.uniform(0.04, 0.09) * s
            col = tuple(float(c) for c in rng.uniform(40, 120, 3))
            cv2.circle(img, (round(cx), round(cy)), round(r), col, max(1, round(r / 10)), cv2.LINE_AA)
        elif kind == 2:  # a cable
            pts = np.cumsum(rng.normal(0, s * 0.05, (12, 2)), axis=0) + np.array([cx, cy])
            col = tuple(float(c) for c in rng.uniform(10, 80, 3))
            cv2.polylines(
                img, [np.round(pts).astype(np.int32)], False, col, max(2, round(s / 250)), cv2.LINE_AA
            )
        else:  # a coloured object
            col = tuple(float(c) for c in rng.uniform(30, 230, 3))
            axes = (round(rng.uniform(0.03, 0.12) * s), round(rng.uniform(0.03, 0.12) * s))
            cv2.ellipse(img, (round(cx), round(cy)), axes, rng.uniform(0, 180), 0, 360, col, -1, cv2.LINE_AA)


def transform(points: Points, h: npt.NDArray[np.float64]) -> Points:
    """Apply the homography ``h`` to an (N, 2) array of points."""
    pts = np.asarray(points, np.float64).reshape(-1, 1, 2)
    return np.asarray(cv2.perspectiveTransform(pts, h).reshape(-1, 2), np.float64)


def capsule(tip: tuple[float, float], direction: float, length: float, width: float) -> Points:
    """A finger-like outline: round tip at ``tip``, body going ``length`` along ``direction``."""
    r = width / 2
    dx, dy = math.cos(direction), math.sin(direction)
    nx, ny = -dy, dx
    cx, cy = tip[0] + dx * r, tip[1] + dy * r
    arc = [
        (cx + r * (math.cos(a) * -dx + math.sin(a) * nx), cy + r * (math.cos(a) * -dy + math.sin(a) * ny))
        for a in np.linspace(-math.pi / 2, math.pi / 2, 20)
    ]
    end = [
        (cx + dx * length + nx * r, cy + dy * length + ny * r),
        (cx + dx * length - nx * r, cy + dy * length - ny * r),
    ]
    return np.array([*arc[::-1], *end[::-1]], np.float64)


def nail(tip: tuple[float, float], direction: float, width: float) -> Points:
    """The fingernail of the finger :func:`capsule` draws with the same arguments."""
    dx, dy = math.cos(direction), math.sin(direction)
    cx, cy = tip[0] + dx * width * 0.42, tip[1] + dy * width * 0.42
    a = np.linspace(0, 2 * math.pi, 24, endpoint=False)
    along, across = np.cos(a) * width * 0.32, np.sin(a) * width * 0.27
    return np.stack([cx + along * dx - across * dy, cy + along * dy + across * dx], axis=1)


def paint_finger(
    img: Array, poly: Points, rng: np.random.Generator, nail_poly: Points | None = None
) -> npt.NDArray[np.uint8]:
    """Fill ``poly`` (image coordinates) as a lit finger; returns its mask."""
    h, w = img.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.round(poly * 4).astype(np.int32)], (255,), cv2.LINE_AA, shift=2)
    x, y, bw, bh = cv2.boundingRect(mask)
    if bw == 0 or bh == 0:
        return mask
    pad = max(4, round(max(bw, bh) * 0.1))
    x0, y0, x1, y1 = max(0, x - pad), max(0, y - pad), min(w, x + bw + pad), min(h, y + bh + pad)
    m = mask[y0:y1, x0:x1].astype(np.float32) / 255.0
    thick = max(1.0, min(bw, bh) / 6)
    body = cv2.GaussianBlur(m, (0, 0), thick)
    skin = np.array(
        [(160, 190, 235), (120, 160, 215), (90, 130, 190), (60, 90, 140)][int(rng.integers(4))], np.float32
    )
    colour = skin[None, None, :] * (0.6 + 0.45 * body[..., None])
    # shadow cast on the document beside the finger
    shadow = cv2.GaussianBlur(np.roll(m, (round(thick), round(thick)), axis=(0, 1)), (0, 0), thick * 1.5)
    roi = img[y0:y1, x0:x1].astype(np.float32) * (1.0 - 0.35 * shadow[..., None])
    if nail_poly is not None:
        nm = np.zeros(m.shape, np.uint8)
        cv2.fillPoly(
            nm,
            [np.round((nail_poly - np.array([x0, y0])) * 4).astype(np.int32)],
            (255,),
            cv2.LINE_AA,
            shift=2,
        )
        nf = (
            cv2.GaussianBlur(nm.astype(np.float32) / 255.0, (0, 0), max(0.8, thick / 4))[..., None]
            * m[..., None]
        )
        colour = colour * (1 - 0.6 * nf) + np.array((200, 205, 235), np.float32) * 0.6 * nf
    soft = cv2.GaussianBlur(m, (0, 0), 0.8)[..., None]
    img[y0:y1, x0:x1] = np.clip(roi * (1 - soft) + colour * soft, 0, 255).astype(np.uint8)
    return mask


def paint_flat_object(
    img: Array, poly: Points, colour: tuple[float, float, float], *, shine: bool
) -> npt.NDArray[np.uint8]:
    """A pen or a sticky note lying on the document (with a soft shadow); returns its mask."""
    h, w = img.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.round(poly * 4).astype(np.int32)], (255,), cv2.LINE_AA, shift=2)
    x, y, bw, bh = cv2.boundingRect(mask)
    if bw == 0 or bh == 0:
        return mask
    pad = max(6, round(max(bw, bh) * 0.05))
    x0, y0, x1, y1 = max(0, x - pad), max(0, y - pad), min(w, x + bw + pad), min(h, y + bh + pad)
    m = mask[y0:y1, x0:x1].astype(np.float32) / 255.0
    off = max(2, round(min(bw, bh) * 0.08))
    shadow = cv2.GaussianBlur(np.roll(m, (off, off), axis=(0, 1)), (0, 0), off)
    roi = img[y0:y1, x0:x1].astype(np.float32) * (1.0 - 0.4 * shadow[..., None])
    col = np.array(colour, np.float32)[None, None, :] * np.ones_like(roi)
    if shine:  # a cylinder's sheen: bright band off the axis, darker towards the edges
        dist = cv2.distanceTransform((m > 0.5).astype(np.uint8), cv2.DIST_L2, 3)
        dn = dist / max(float(dist.max()), 1.0)
        col = col * (0.55 + 0.45 * dn[..., None]) + (80.0 * np.exp(-(((dn - 0.7) / 0.12) ** 2)))[..., None]
    img[y0:y1, x0:x1] = np.clip(roi * (1 - m[..., None]) + col * m[..., None], 0, 255).astype(np.uint8)
    return mask
