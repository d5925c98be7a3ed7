"""Drawn artwork of a document: tinted security paper, guilloche, emblem, portrait, signature.

All of it is made of simple shapes drawn with OpenCV on RGB ``uint8`` arrays. The portrait
is a drawing of an invented face (ellipses and strokes), never a photograph of a person.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import numpy.typing as npt

RGB = tuple[int, int, int]
Image = npt.NDArray[np.uint8]

PAPER_TINTS: tuple[tuple[RGB, RGB], ...] = (
    ((246, 232, 236), (226, 236, 246)),  # rose to light blue
    ((232, 243, 232), (246, 244, 226)),  # green to cream
    ((228, 236, 248), (240, 232, 246)),  # blue to lilac
    ((248, 240, 224), (236, 244, 236)),  # cream to mint
    ((240, 236, 246), (248, 236, 232)),  # lilac to peach
    ((236, 240, 242), (246, 246, 238)),  # grey to ivory
)
INKS: tuple[RGB, ...] = (
    (150, 70, 90),
    (60, 110, 150),
    (70, 130, 90),
    (120, 90, 150),
    (160, 110, 60),
    (90, 120, 140),
)


def _clamp(c: npt.ArrayLike) -> tuple[int, int, int]:
    a = np.clip(np.asarray(c, dtype=np.float64), 0, 255)
    return int(a[0]), int(a[1]), int(a[2])


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return _clamp([a[i] * (1 - t) + b[i] * t for i in range(3)])


def paper(rng: np.random.Generator, w: int, h: int, tint: tuple[RGB, RGB]) -> Image:
    """Security paper: a two-colour gradient with faint low-frequency mottling."""
    # Everything here is smooth: compute it small and enlarge (fast at any resolution).
    sw, sh = max(2, w // 8), max(2, h // 8)
    ang = rng.uniform(0, 2 * math.pi)
    xs = np.linspace(-0.5, 0.5, sw, dtype=np.float32)
    ys = np.linspace(-0.5, 0.5, sh, dtype=np.float32) * (h / max(w, 1))
    t = xs[None, :] * math.cos(ang) + ys[:, None] * math.sin(ang)
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    a = np.array(tint[0], np.float32)
    b = np.array(tint[1], np.float32)
    small = a[None, None, :] * (1 - t[..., None]) + b[None, None, :] * t[..., None]
    mottle = rng.normal(0.0, 1.0, (max(2, sh // 5), max(2, sw // 5))).astype(np.float32)
    small += cv2.resize(mottle, (sw, sh), interpolation=cv2.INTER_CUBIC)[..., None] * 2.0
    small8 = np.clip(small, 0, 255).astype(np.uint8)
    return np.asarray(cv2.resize(small8, (w, h), interpolation=cv2.INTER_LINEAR), np.uint8)


def guilloche_rosette(
    img: Image,
    rng: np.random.Generator,
    centre: tuple[float, float],
    radius: float,
    color: RGB,
    *,
    thickness: int = 1,
) -> None:
    """A spirograph rosette (hypotrochoid) centred at ``centre``."""
    cx, cy = centre
    big = int(rng.integers(5, 13))
    small = int(rng.integers(2, big))
    while math.gcd(big, small) != 1:
        small = int(rng.integers(2, big))
    d = rng.uniform(0.4, 1.2) * small
    t = np.linspace(0, 2 * math.pi * small, 360 * small, dtype=np.float64)
    k = (big - small) / small
    x = (big - small) * np.cos(t) + d * np.cos(k * t)
    y = (big - small) * np.sin(t) - d * np.sin(k * t)
    s = radius / float(np.max(np.hypot(x, y)))
    rings = int(rng.integers(2, 5))
    curves = []
    for i in range(rings):
        f = s * (1.0 - 0.12 * i)
        pts = np.stack([cx + x * f, cy + y * f], axis=1)
        curves.append(np.round(pts * 16).astype(np.int32))
    cv2.polylines(img, curves, True, color, thickness, cv2.LINE_AA, shift=4)


def guilloche_waves(
    img: Image, rng: np.random.Generator, color: RGB, spacing: float, thickness: int = 1
) -> None:
    """Interlaced sine bands across the whole image."""
    h, w = img.shape[:2]
    xs = np.linspace(-10, w + 10, max(64, w // 6), dtype=np.float64)
    for family in range(2):
        amp = rng.uniform(0.02, 0.06) * h
        lam = rng.uniform(0.25, 0.6) * w
        phase0 = rng.uniform(0, 2 * math.pi)
        dphase = rng.uniform(0.05, 0.25) * (1 if family == 0 else -1)
        n = int(h / spacing) + 8
        curves = []
        for i in range(n):
            y0 = -4 * spacing + i * spacing
            ys = y0 + amp * np.sin(2 * math.pi * xs / lam + phase0 + i * dphase)
            curves.append(np.round(np.stack([xs, ys], axis=1) * 16).astype(np.int32))
        cv2.polylines(img, curves, False, color, thickness, cv2.LINE_AA, shift=4)


def microprint_band(img: Image, y: int, color: RGB, period: float) -> None:
    """A thin zig-zag line standing in for microprint."""
    w = img.shape[1]
    xs = np.arange(0, w, period / 2.0)
    ys = y + (np.arange(len(xs)) % 2) * period * 0.4
    pts = np.round(np.stack([xs, ys], axis=1) * 16).astype(np.int32)
    cv2.polylines(img, [pts], False, color, 1, cv2.LINE_AA, shift=4)


def emblem(img: Image, rng: np.random.Generator, cx: float, cy: float, r: float, *, color: RGB) -> None:
    """An invented coat of arms: a shield with a star and a ring of dots."""
    shield = np.array([[-0.7, -0.8], [0.7, -0.8], [0.7, 0.1], [0.0, 0.9], [-0.7, 0.1]], dtype=np.float64)
    pts = np.round((shield * r + [cx, cy]) * 16).astype(np.int32)
    cv2.polylines(img, [pts], True, color, max(1, round(r / 12)), cv2.LINE_AA, shift=4)
    spikes = int(rng.integers(5, 9))
    angles = np.linspace(-math.pi / 2, 3 * math.pi / 2, 2 * spikes, endpoint=False)
    radii = np.where(np.arange(2 * spikes) % 2 == 0, 0.45 * r, 0.2 * r)
    star = np.stack([cx + radii * np.cos(angles), cy - 0.05 * r + radii * np.sin(angles)], axis=1)
    cv2.fillPoly(img, [np.round(star * 16).astype(np.int32)], color, cv2.LINE_AA, shift=4)
    for a in np.linspace(0, 2 * math.pi, 16, endpoint=False):
        p = (round((cx + 1.15 * r * math.cos(a)) * 16), round((cy + 1.15 * r * math.sin(a)) * 16))
        cv2.circle(img, p, round(max(1.0, r / 14) * 16), color, -1, cv2.LINE_AA, shift=4)


SKIN: tuple[RGB, ...] = (
    (241, 206, 180),
    (224, 172, 140),
    (198, 142, 108),
    (160, 108, 76),
    (112, 72, 50),
    (236, 192, 160),
)
HAIR: tuple[RGB, ...] = (
    (40, 30, 25),
    (90, 60, 35),
    (150, 110, 60),
    (210, 180, 120),
    (120, 120, 120),
    (200, 200, 200),
    (110, 45, 25),
)
CLOTHES: tuple[RGB, ...] = (
    (40, 50, 80),
    (70, 70, 70),
    (120, 30, 40),
    (30, 80, 60),
    (200, 200, 210),
    (20, 20, 25),
)


def _e(img: Image, c: tuple[float, float], axes: tuple[float, float], color: RGB, **kw: float) -> None:
    cv2.ellipse(
        img,
        (round(c[0] * 16), round(c[1] * 16)),
        (max(1, round(axes[0] * 16)), max(1, round(axes[1] * 16))),
        kw.get("angle", 0.0),
        kw.get("start", 0.0),
        kw.get("end", 360.0),
        color,
        int(kw.get("thickness", -1)),
        cv2.LINE_AA,
        shift=4,
    )


def portrait(rng: np.random.Generator, w: int, h: int, *, gray: bool = False) -> Image:
    """An invented head-and-shoulders drawing, ``w`` x ``h`` pixels, RGB."""
    bg_top = _clamp(rng.uniform(200, 245, 3))
    bg = np.linspace(np.array(bg_top, np.float32), np.array(bg_top, np.float32) * 0.9, h, dtype=np.float32)
    img = np.ascontiguousarray(np.repeat(bg[:, None, :], w, axis=1).astype(np.uint8))
    skin = SKIN[int(rng.integers(len(SKIN)))]
    hair = HAIR[int(rng.integers(len(HAIR)))]
    cloth = CLOTHES[int(rng.integers(len(CLOTHES)))]
    cx = w / 2 + rng.uniform(-0.03, 0.03) * w
    head_cy = h * rng.uniform(0.40, 0.46)
    hw = w * rng.uniform(0.2, 0.25)
    hh = h * rng.uniform(0.25, 0.29)
    style = int(rng.integers(4))  # 0 short, 1 long, 2 bald-ish, 3 curly
    if style == 1:
        _e(img, (cx, head_cy + hh * 0.45), (hw * 1.35, hh * 1.25), hair)
    # shoulders and neck
    _e(img, (cx, h * 1.02), (w * rng.uniform(0.42, 0.5), h * 0.26), cloth)
    cv2.rectangle(
        img,
        (round((cx - hw * 0.45) * 16), round((head_cy + hh * 0.6) * 16)),
        (round((cx + hw * 0.45) * 16), round(h * 0.86 * 16)),
        mix(skin, (0, 0, 0), 0.12),
        -1,
        cv2.LINE_AA,
        shift=4,
    )
    # ears, head
    for side in (-1, 1):
        _e(
            img,
            (cx + side * hw * 0.98, head_cy + hh * 0.05),
            (hw * 0.14, hh * 0.2),
            mix(skin, (0, 0, 0), 0.08),
        )
    _e(img, (cx, head_cy), (hw, hh), skin)
    # hair on top
    if style in (0, 1):
        _e(img, (cx, head_cy - hh * 0.35), (hw * 1.06, hh * 0.72), hair, start=180, end=360)
    elif style == 3:
        for i in range(9):
            a = math.pi + i * math.pi / 8
            _e(
                img,
                (cx + math.cos(a) * hw * 0.95, head_cy - hh * 0.25 + math.sin(a) * hh * 0.75),
                (hw * 0.3, hh * 0.22),
                hair,
            )
    else:
        _e(img, (cx, head_cy - hh * 0.5), (hw * 0.9, hh * 0.45), mix(hair, skin, 0.6), start=190, end=350)
    # face
    eye_y = head_cy - hh * 0.02
    eye_dx = hw * 0.42
    iris = _clamp(rng.uniform(20, 110, 3))
    for side in (-1, 1):
        ex = cx + side * eye_dx
        _e(img, (ex, eye_y), (hw * 0.17, hh * 0.065), (245, 245, 245))
        _e(img, (ex, eye_y), (hw * 0.075, hh * 0.06), iris)
        _e(img, (ex, eye_y), (hw * 0.035, hh * 0.03), (15, 15, 15))
        _e(
            img,
            (ex, eye_y - hh * 0.16),
            (hw * 0.2, hh * 0.05),
            mix(hair, (0, 0, 0), 0.3),
            start=200,
            end=340,
            thickness=max(1, round(hh * 0.035)),
        )
    nose = mix(skin, (0, 0, 0), 0.3)
    _e(
        img,
        (cx, eye_y + hh * 0.28),
        (hw * 0.12, hh * 0.08),
        nose,
        start=20,
        end=160,
        thickness=max(1, round(hh * 0.02)),
    )
    mouth = mix(skin, (150, 40, 50), 0.55)
    _e(
        img,
        (cx, eye_y + hh * 0.5),
        (hw * 0.3, hh * 0.07),
        mouth,
        start=10,
        end=170,
        thickness=max(1, round(hh * 0.03)),
    )
    if rng.random() < 0.25:  # glasses
        for side in (-1, 1):
            _e(
                img,
                (cx + side * eye_dx, eye_y),
                (hw * 0.3, hh * 0.14),
                (30, 30, 30),
                thickness=max(1, round(hh * 0.02)),
            )
        cv2.line(
            img,
            (round((cx - eye_dx + hw * 0.3) * 16), round(eye_y * 16)),
            (round((cx + eye_dx - hw * 0.3) * 16), round(eye_y * 16)),
            (30, 30, 30),
            max(1, round(hh * 0.02)),
            cv2.LINE_AA,
            shift=4,
        )
    # soft shading towards the sides
    xs = np.linspace(-1, 1, w, dtype=np.float32)
    shade = 1.0 - 0.12 * xs[None, :] ** 2
    out = img.astype(np.float32) * shade[..., None]
    out = cv2.GaussianBlur(out, (0, 0), max(0.5, w / 400))
    if gray:
        g = cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_RGB2GRAY).astype(np.float32)
        g = (g - 128) * 1.25 + 120
        out = np.repeat(g[..., None], 3, axis=2)
    return np.clip(out, 0, 255).astype(np.uint8)


def ghost(face: Image, w: int, h: int, tint: RGB) -> tuple[Image, npt.NDArray[np.float32]]:
    """A faded, one-colour copy of the portrait and its alpha (the small secondary image)."""
    small = cv2.resize(face, (w, h), interpolation=cv2.INTER_AREA)
    g = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    alpha = np.clip((1.0 - g) * 0.55, 0, 0.55).astype(np.float32)
    color = np.empty((h, w, 3), np.uint8)
    color[:] = tint
    return color, alpha


def blend(img: Image, patch: Image, alpha: npt.NDArray[np.float32], x: int, y: int) -> None:
    """Alpha-blend ``patch`` onto ``img`` at (x, y), clipped to the image."""
    h, w = patch.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(img.shape[1], x + w), min(img.shape[0], y + h)
    if x1 <= x0 or y1 <= y0:
        return
    p = patch[y0 - y : y1 - y, x0 - x : x1 - x].astype(np.float32)
    a = alpha[y0 - y : y1 - y, x0 - x : x1 - x, None]
    roi = img[y0:y1, x0:x1].astype(np.float32)
    img[y0:y1, x0:x1] = np.clip(roi * (1 - a) + p * a, 0, 255).astype(np.uint8)


def signature(
    img: Image, rng: np.random.Generator, box: tuple[float, float, float, float], color: RGB
) -> None:
    """A scribbled signature inside ``box`` (x, y, width, height in pixels)."""
    x0, y0, w, h = box
    n = 240
    t = np.linspace(0, 1, n)
    loops = rng.uniform(4, 9)
    xs = x0 + w * (t + 0.04 * np.sin(2 * math.pi * loops * t + rng.uniform(0, 6)))
    ys = y0 + h * (
        0.5 + 0.35 * np.sin(2 * math.pi * loops * 1.9 * t) * np.exp(-1.5 * t) + 0.1 * np.sin(9 * t)
    )
    pts = np.round(np.stack([xs, ys], axis=1) * 16).astype(np.int32)
    cv2.polylines(img, [pts], False, color, max(1, round(h / 18)), cv2.LINE_AA, shift=4)
    # an underline flourish
    fx = np.linspace(x0 + 0.1 * w, x0 + 0.9 * w, 40)
    fy = y0 + h * (0.85 + 0.05 * np.sin(np.linspace(0, 3, 40)))
    cv2.polylines(
        img,
        [np.round(np.stack([fx, fy], axis=1) * 16).astype(np.int32)],
        False,
        color,
        max(1, round(h / 24)),
        cv2.LINE_AA,
        shift=4,
    )


def chip(img: Image, x: float, y: float, w: float, h: float) -> None:
    """A contact chip module (gold, with contact pads)."""
    gold = (212, 175, 95)
    dark = (150, 115, 50)
    r = round(min(w, h) * 0.15)
    x0, y0, x1, y1 = round(x), round(y), round(x + w), round(y + h)
    cv2.rectangle(img, (x0 + r, y0), (x1 - r, y1), gold, -1, cv2.LINE_AA)
    cv2.rectangle(img, (x0, y0 + r), (x1, y1 - r), gold, -1, cv2.LINE_AA)
    for cx, cy in ((x0 + r, y0 + r), (x1 - r, y0 + r), (x0 + r, y1 - r), (x1 - r, y1 - r)):
        cv2.circle(img, (cx, cy), r, gold, -1, cv2.LINE_AA)
    t = max(1, round(min(w, h) / 40))
    cv2.line(img, (x0 + round(w * 0.5), y0), (x0 + round(w * 0.5), y1), dark, t, cv2.LINE_AA)
    for f in (0.33, 0.66):
        cv2.line(img, (x0, y0 + round(h * f)), (x1, y0 + round(h * f)), dark, t, cv2.LINE_AA)
    cv2.rectangle(
        img,
        (x0 + round(w * 0.3), y0 + round(h * 0.25)),
        (x0 + round(w * 0.7), y0 + round(h * 0.75)),
        dark,
        t,
        cv2.LINE_AA,
    )


def hologram(img: Image, rng: np.random.Generator, cx: float, cy: float, r: float) -> None:
    """A faint iridescent disc (the optically variable device)."""
    size = max(4, round(2 * r))
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    d = np.hypot(xx - r, yy - r) / max(r, 1.0)
    ang = np.arctan2(yy - r, xx - r) + rng.uniform(0, 6)
    patch = np.stack([127 + 127 * np.sin(ang * 3 + k * 2.1) for k in range(3)], axis=2).astype(np.uint8)
    alpha = np.clip((1.0 - d) * 4.0, 0, 1).astype(np.float32) * 0.1
    blend(img, patch, alpha, round(cx - r), round(cy - r))


def profile(img: Image, cx: float, cy: float, size: float, color: RGB) -> None:
    """A faint outline of a head in profile (stands in for a national emblem figure)."""
    t = np.linspace(0, 2 * math.pi, 120)
    r = 1.0 + 0.08 * np.sin(3 * t) + 0.12 * np.exp(-((t - 0.2) ** 2) * 30)  # the nose
    xs = cx + size * 0.7 * r * np.cos(t)
    ys = cy + size * r * np.sin(t)
    pts = np.round(np.stack([xs, ys], axis=1) * 16).astype(np.int32)
    cv2.polylines(img, [pts], True, color, max(1, round(size / 40)), cv2.LINE_AA, shift=4)
    for k in range(1, 4):
        inner = np.round(
            np.stack([cx + (xs - cx) * (1 - 0.15 * k), cy + (ys - cy) * (1 - 0.15 * k)], axis=1) * 16
        )
        cv2.polylines(img, [inner.astype(np.int32)], True, color, 1, cv2.LINE_AA, shift=4)


# --- what lies under and over the MRZ ---------------------------------------------------------


def tint_band(
    img: Image, y0: float, y1: float, color: RGB, color_to: RGB | None, soft: float
) -> None:
    """Multiply a horizontal band (rows ``y0``-``y1``, soft edges) with a tint.

    ``color_to`` makes it a left-to-right gradient.
    """
    h, w = img.shape[:2]
    ys = np.arange(h, dtype=np.float32)
    s = max(soft, 1.0)
    prof = np.clip((ys - (y0 - s)) / s, 0, 1) * np.clip(((y1 + s) - ys) / s, 0, 1)
    rows = np.nonzero(prof > 0)[0]
    if len(rows) == 0:
        return
    r0, r1 = int(rows[0]), int(rows[-1]) + 1
    a = np.array(color, np.float32) / 255.0
    b = np.array(color_to if color_to is not None else color, np.float32) / 255.0
    t = np.linspace(0.0, 1.0, w, dtype=np.float32)[:, None]
    tint = a[None, :] * (1 - t) + b[None, :] * t  # (w, 3)
    p = prof[r0:r1, None, None]
    factor = 1.0 - p * (1.0 - tint[None, :, :])
    img[r0:r1] = np.clip(img[r0:r1].astype(np.float32) * factor, 0, 255).astype(np.uint8)


def _blend_over(img: Image, overlay: Image, alpha: float, y0: int, y1: int) -> None:
    roi = img[y0:y1].astype(np.float32)
    img[y0:y1] = np.clip(roi * (1 - alpha) + overlay[y0:y1].astype(np.float32) * alpha, 0, 255).astype(np.uint8)


def fine_pattern(
    img: Image,
    rng: np.random.Generator,
    kind: str,
    y0: int,
    y1: int,
    color: RGB,
    alpha: float,
    ppm: float,
) -> None:
    """Security print under the MRZ: hatching ("lines"), sine bands ("waves") or a rosette."""
    h, w = img.shape[:2]
    y0, y1 = max(0, y0), min(h, y1)
    if y1 <= y0 or kind == "none":
        return
    over = img.copy()
    if kind == "lines":
        spacing = rng.uniform(0.45, 1.2) * ppm
        for ang in (rng.uniform(20, 70), rng.uniform(110, 160))[: 1 + int(rng.random() < 0.5)]:
            a = math.radians(ang)
            dx = math.cos(a) / max(abs(math.sin(a)), 1e-3) * (y1 - y0)
            xs = np.arange(-abs(dx) - spacing, w + abs(dx) + spacing, spacing / abs(math.sin(a)))
            segs = [
                np.round(np.array([[x, y0], [x + dx, y1]]) * 16).astype(np.int32) for x in xs
            ]
            cv2.polylines(over, segs, False, color, 1, cv2.LINE_AA, shift=4)
    elif kind == "waves":
        band = over[y0:y1].copy()
        guilloche_waves(band, rng, color, spacing=rng.uniform(0.4, 1.0) * ppm)
        over[y0:y1] = band
    else:
        cx = rng.uniform(0.15, 0.85) * w
        cy = (y0 + y1) / 2 + rng.uniform(-0.3, 0.3) * (y1 - y0)
        r = rng.uniform(0.6, 1.4) * (y1 - y0)
        guilloche_rosette(over, rng, (cx, cy), r, color)
        guilloche_rosette(over, rng, (cx, cy), r * 0.6, color)
    _blend_over(img, over, alpha, y0, y1)


def text_mask(text: str, font_name: str, cap_px: float) -> npt.NDArray[np.float32]:
    """``text`` as a coverage map (0-1), capitals ``cap_px`` tall."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    from tests.synth import fonts

    f = fonts.font_for_cap(font_name, max(4.0, cap_px))
    x0, y0, x1, y1 = (round(v) for v in f.getbbox(text, anchor="ls"))
    im = PILImage.new("L", (x1 - x0 + 4, y1 - y0 + 4), 0)
    ImageDraw.Draw(im).text((2 - x0, 2 - y0), text, font=f, fill=255, anchor="ls")
    return np.asarray(im, np.float32) / 255.0


def watermark(
    img: Image, rng: np.random.Generator, text: str, y0: int, y1: int, color: RGB, alpha: float, ppm: float
) -> None:
    """Faint repeated ``text`` printed across rows ``y0``-``y1`` (under the MRZ)."""
    h, w = img.shape[:2]
    y0, y1 = max(0, y0), min(h, y1)
    if y1 <= y0 or not text:
        return
    m = text_mask(text, "bold", rng.uniform(2.5, 6.0) * ppm)
    gap = int(m.shape[1] * rng.uniform(0.15, 0.6))
    band = np.zeros((y1 - y0, w), np.float32)
    x = -int(rng.uniform(0, m.shape[1]))
    y = int(rng.uniform(-0.3, 0.5) * max(1, (y1 - y0) - m.shape[0]))
    while x < w:
        xa, xb = max(0, x), min(w, x + m.shape[1])
        ya, yb = max(0, y), min(y1 - y0, y + m.shape[0])
        if xb > xa and yb > ya:
            band[ya:yb, xa:xb] = np.maximum(band[ya:yb, xa:xb], m[ya - y : yb - y, xa - x : xb - x])
        x += m.shape[1] + gap
    a = (band * alpha)[..., None]
    c = np.array(color, np.float32)
    roi = img[y0:y1].astype(np.float32)
    img[y0:y1] = np.clip(roi * (1 - a) + c * a, 0, 255).astype(np.uint8)


def paper_grain(img: Image, rng: np.random.Generator, amp: float, fibres: int, ppm: float) -> None:
    """Fine grain (``amp`` grey levels) and a few coloured fibres per 100 cm^2."""
    h, w = img.shape[:2]
    if amp > 0:
        small = rng.standard_normal((max(2, h // 2), max(2, w // 2))).astype(np.float32) * amp
        g = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
        img[:] = cv2.add(img, cv2.merge([g, g, g]), dtype=cv2.CV_8U)
    area_cm2 = (w / ppm) * (h / ppm) / 100.0
    count = round(fibres * area_cm2 / 100.0)
    for _ in range(count):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        length = rng.uniform(1.0, 3.0) * ppm
        a = rng.uniform(0, math.pi)
        bend = rng.uniform(-0.5, 0.5)
        t = np.linspace(-0.5, 0.5, 8)
        xs = x + np.cos(a) * t * length - np.sin(a) * bend * (t * t) * length
        ys = y + np.sin(a) * t * length + np.cos(a) * bend * (t * t) * length
        color = ((210, 90, 110), (90, 120, 200), (120, 170, 120), (200, 170, 80))[int(rng.integers(4))]
        pts = np.round(np.stack([xs, ys], axis=1) * 16).astype(np.int32)
        cv2.polylines(img, [pts], False, color, 1, cv2.LINE_AA, shift=4)


def iridescent(img: Image, rng: np.random.Generator, strength: float) -> None:
    """A holographic laminate over the whole sheet: rainbow tints that drift across it."""
    h, w = img.shape[:2]
    sw, sh = max(4, w // 8), max(4, h // 8)
    ys, xs = np.mgrid[0:sh, 0:sw].astype(np.float32)
    f1, f2 = rng.uniform(1.0, 3.0), rng.uniform(0.5, 2.0)
    ph = xs / sw * f1 * 2 * math.pi + ys / sh * f2 * 2 * math.pi + rng.uniform(0, 6.3)
    rainbow = np.stack([170 + 80 * np.sin(ph + k * 2.1) for k in range(3)], axis=2)
    mask = 0.5 + 0.5 * np.sin(xs / sw * rng.uniform(2, 5) + ys / sh * rng.uniform(1, 4) + rng.uniform(0, 6.3))
    small = np.concatenate([rainbow, mask[..., None]], axis=2).astype(np.float32)
    big = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    a = big[..., 3] * strength
    rainbow8 = np.clip(big[..., :3], 0, 255).astype(np.uint8)
    img[:] = cv2.blendLinear(rainbow8, img, a, 1.0 - a)


def stamp(img: Image, rng: np.random.Generator, word: str, color: RGB, alpha: float, ppm: float) -> None:
    """A specimen-type stamp word across the sheet at an angle, multiplied onto it."""
    h, w = img.shape[:2]
    m = text_mask(word, "bold", rng.uniform(5.0, 11.0) * ppm)
    if rng.random() < 0.4:  # outlined letters
        edge = max(1, round(0.4 * ppm))
        m = np.clip(m - cv2.erode(m, np.ones((2 * edge + 1, 2 * edge + 1), np.uint8)), 0, 1)
    angle = rng.uniform(-35, 35)
    cx, cy = rng.uniform(0.3, 0.7) * w, rng.uniform(0.25, 0.75) * h
    mh, mw = m.shape
    mat = cv2.getRotationMatrix2D((mw / 2, mh / 2), angle, 1.0)
    mat[0, 2] += cx - mw / 2
    mat[1, 2] += cy - mh / 2
    placed = cv2.warpAffine(m, mat, (w, h), flags=cv2.INTER_LINEAR)
    a = (placed * alpha)[..., None]
    absorb = 1.0 - np.array(color, np.float32) / 255.0
    img[:] = np.clip(img.astype(np.float32) * (1.0 - a * absorb), 0, 255).astype(np.uint8)
