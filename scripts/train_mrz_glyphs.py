"""Train the OCR-B glyph classifier (the MRZ reader's second opinion) from rendered data.

    python scripts/train_mrz_glyphs.py                      # writes resources/models/mrz_glyphs/glyphs.npz
    python scripts/train_mrz_glyphs.py --lines 200 --epochs 1 --out /tmp/g.npz   # quick check

Data recipe (all rendered here, deterministic by --seed; nothing downloaded):
- Lines of 30, 36 or 44 random MRZ characters (uniform over the 37 classes, so the rare
  ones are learnt as well as the filler), in the bundled OCR-B (resources/fonts/OCRB.otf).
- Print: cap height 6-34 px at the source, letter spacing 0.94-1.08 of the OCR-B advance,
  stroke weight from thin to bold (erosion/dilation of the ink), ink grey level, baseline
  jitter of up to 4% of the cap height per character.
- Paper: flat, gradient, sine/guilloche line patterns and random blotches under the text,
  in contrast from faint to strong.
- Capture: Gaussian blur, noise, JPEG quality 30-95, then the reader's own crop geometry:
  scaled to the locator's cap height, ``CROP_HEIGHT_FACTOR`` cap heights tall with a
  vertical offset, stretched ``STRETCH`` times (x 0.85-1.15) in width, and the locator's
  enhancement for small characters.
- Cells are cut by the runtime's own code (:func:`desktop_app.core.ocr.glyphs.cells`) on the
  local grid (:func:`desktop_app.core.ocr.glyphs.local_grid`) fitted to character centres
  jittered like a CTC recogniser's (sigma 0.12 pitch).
Model: 576 -> 256 (ReLU) -> 37 softmax, Adam, cross-entropy, weight decay.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.core.imaging.mrz_locate import (
    CROP_HEIGHT_FACTOR,
    SHARPEN_BELOW,
    STRETCH,
    TARGET_CHAR_HEIGHT,
    enhance_small_print,
)
from desktop_app.core.ocr.base import MRZ_ALPHABET
from desktop_app.core.ocr.glyphs import CELL_H, CELL_W, MODEL_DIR, MODEL_FILE, cells, local_grid, save
from desktop_app.core.resources import models_dir
from tests.synth.fonts import advance_ratio, cap_ratio, font


def _paper(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    base = rng.uniform(150, 250)
    img = np.full((h, w), base, dtype=np.float32)
    kind = rng.integers(0, 4)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    amp = rng.uniform(5, 45)
    if kind == 1:
        img += amp * (xx / w - 0.5) + rng.uniform(-1, 1) * amp * (yy / h - 0.5)
    elif kind == 2:
        period = rng.uniform(3, 25)
        ang = rng.uniform(0, np.pi)
        img += amp * np.sin((xx * np.cos(ang) + yy * np.sin(ang)) * 2 * np.pi / period
                            + rng.uniform(0, 3) * np.sin(xx / rng.uniform(20, 80)))
    elif kind == 3:
        blot = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), rng.uniform(2, 8))
        img += amp * blot / max(float(np.abs(blot).max()), 1e-6)
    return img


def _render_line(rng: np.random.Generator, text: str) -> tuple[np.ndarray, list[float], float]:
    """A line crop as the locator would give it, the true character centres (px) and the cap height."""
    cap_src = float(rng.uniform(6, 34))
    em = max(6, round(cap_src / cap_ratio("ocrb")))
    f = font("ocrb", em)
    cap_src = cap_ratio("ocrb") * em
    adv = advance_ratio("ocrb") * em * rng.uniform(0.94, 1.08)
    margin = 1.5 * cap_src
    w = int(margin * 2 + adv * len(text))
    h = int(cap_src * 3)
    canvas = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(canvas)
    base_y = h / 2 + cap_src / 2
    centers = []
    for i, ch in enumerate(text):
        x = margin + i * adv
        jitter = rng.normal(0, 0.04 * cap_src)
        draw.text((x, base_y + jitter), ch, font=f, fill=255, anchor="ls")
        centers.append(x + advance_ratio("ocrb") * em / 2)
    ink = np.asarray(canvas, dtype=np.float32) / 255.0
    weight = rng.integers(-1, 3)
    k = max(1, round(cap_src / 14))
    kernel = np.ones((k + 1, k + 1), np.uint8)
    if weight < 0 and cap_src > 12:
        ink = cv2.erode(ink, kernel)
    elif weight > 1:
        ink = cv2.dilate(ink, kernel)
    paper = _paper(rng, w, h)
    ink_level = rng.uniform(0, max(10.0, float(paper.mean()) - 60))
    img = paper * (1 - ink) + ink_level * ink
    img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 0.3 + cap_src / 18))
    img += rng.normal(0, rng.uniform(1, 12), img.shape)
    img8 = np.clip(img, 0, 255).astype(np.uint8)
    ok, enc = cv2.imencode(".jpg", img8, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 96))])
    img8 = cv2.imdecode(enc, cv2.IMREAD_GRAYSCALE) if ok else img8
    # The locator's crop: TARGET_CHAR_HEIGHT cap, CROP_HEIGHT_FACTOR tall, stretched.
    s = TARGET_CHAR_HEIGHT / cap_src
    stretch = STRETCH * rng.uniform(0.85, 1.15)
    half = CROP_HEIGHT_FACTOR * cap_src / 2 * rng.uniform(0.9, 1.15)
    cy = h / 2 + rng.normal(0, 0.06 * cap_src)
    x_left, x_right = margin - cap_src, w - margin + cap_src
    src = np.array([[x_left, cy - half], [x_right, cy - half], [x_left, cy + half]], dtype=np.float32)
    out_w = round((x_right - x_left) * s * stretch)
    out_h = round(2 * half * s)
    dst = np.array([[0, 0], [out_w, 0], [0, out_h]], dtype=np.float32)
    m = cv2.getAffineTransform(src, dst)
    crop = cv2.warpAffine(img8, m, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if cap_src < SHARPEN_BELOW:
        crop = enhance_small_print(crop)
    sx = out_w / (x_right - x_left)
    return crop, [(c - x_left) * sx for c in centers], cap_src


def make_data(n_lines: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for _ in range(n_lines):
        length = int(rng.choice([30, 36, 44]))
        labels = rng.integers(0, len(MRZ_ALPHABET), length)
        text = "".join(MRZ_ALPHABET[i] for i in labels)
        crop, centers, _ = _render_line(rng, text)
        pitch = (centers[-1] - centers[0]) / (length - 1)
        noisy = [c + rng.normal(0, 0.12 * pitch) for c in centers]
        grid = local_grid(noisy)
        if grid is None:
            continue
        xs.append(cells(crop, grid[0], grid[1]))
        ys.append(labels)
    return np.concatenate(xs), np.concatenate(ys).astype(np.int64)


def train(x: np.ndarray, y: np.ndarray, *, epochs: int, seed: int, hidden: int = 256) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    d, k = x.shape[1], len(MRZ_ALPHABET)
    params = {
        "w1": rng.normal(0, np.sqrt(2 / d), (d, hidden)).astype(np.float32), "b1": np.zeros(hidden, np.float32),
        "w2": rng.normal(0, np.sqrt(1 / hidden), (hidden, k)).astype(np.float32), "b2": np.zeros(k, np.float32),
    }
    m = {n: np.zeros_like(v) for n, v in params.items()}
    v2 = {n: np.zeros_like(v) for n, v in params.items()}
    lr, b1, b2, eps, decay, batch = 2e-3, 0.9, 0.999, 1e-8, 1e-4, 256
    step = 0
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        loss_sum = 0.0
        for start in range(0, len(x), batch):
            idx = order[start : start + batch]
            xb, yb = x[idx], y[idx]
            h = np.maximum(xb @ params["w1"] + params["b1"], 0)
            logits = h @ params["w2"] + params["b2"]
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            loss_sum += float(-np.log(p[np.arange(len(yb)), yb] + 1e-9).sum())
            g = p
            g[np.arange(len(yb)), yb] -= 1
            g /= len(yb)
            grads = {"w2": h.T @ g, "b2": g.sum(axis=0)}
            gh = (g @ params["w2"].T) * (h > 0)
            grads["w1"] = xb.T @ gh
            grads["b1"] = gh.sum(axis=0)
            step += 1
            for n, value in params.items():
                gr = grads[n] + (decay * value if n.startswith("w") else 0)
                m[n] = b1 * m[n] + (1 - b1) * gr
                v2[n] = b2 * v2[n] + (1 - b2) * gr * gr
                mh = m[n] / (1 - b1**step)
                vh = v2[n] / (1 - b2**step)
                params[n] = (value - lr * mh / (np.sqrt(vh) + eps)).astype(np.float32)
        lr *= 0.75
        print(f"epoch {epoch + 1}/{epochs}: loss {loss_sum / len(x):.4f}", flush=True)
    return params


def accuracy(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    h = np.maximum(x @ params["w1"] + params["b1"], 0)
    return float(((h @ params["w2"] + params["b2"]).argmax(axis=1) == y).mean())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=6000, help="rendered training lines")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--seed", type=int, default=9303)
    ap.add_argument("--out", type=Path, default=models_dir() / MODEL_DIR / MODEL_FILE)
    args = ap.parse_args()
    t0 = time.perf_counter()
    x, y = make_data(args.lines, args.seed)
    xv, yv = make_data(max(20, args.lines // 10), args.seed + 1)
    print(f"{len(x)} training cells, {len(xv)} validation cells ({CELL_W}x{CELL_H}), "
          f"rendered in {time.perf_counter() - t0:.0f} s", flush=True)
    params = train(x, y, epochs=args.epochs, seed=args.seed)
    acc = accuracy(params, xv, yv)
    print(f"validation accuracy {acc:.4f}")
    save(args.out, MRZ_ALPHABET, params)
    print(f"wrote {args.out} in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
