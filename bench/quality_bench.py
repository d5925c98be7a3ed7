"""The "blurred" finding against labelled images: prints flag rates, asserts nothing.

    python bench/quality_bench.py                      # devset + 12 renders
    python bench/quality_bench.py --renders 24 --devset ../shared/devset

Two sets:

* **Sharp**: the real specimen images of the dev set (read from its folder at run time,
  never copied), most of them flat scans. Images the manifest itself calls soft, slightly
  blurred or very low resolution (8-10 px per character) are counted apart.
* **Rendered**: clean generated documents (``tests.synth``), then scaled (0.6x, 1x,
  1.8x), optionally at low contrast (ink and paper pulled together to 35 %), then blurred
  with a known Gaussian. The blur is given in the rendering's own pixels and scaled with
  the page, so one row is the same blur relative to the characters at every scale.

For each image the MRZ is located as the reader does (``find_mrz``) and both measures are
applied to its line crops: the old one (variance of the Laplacian below 60) and the new one
(:func:`desktop_app.core.imaging.quality.edge_blur`: the text edges' Gaussian width as a
fraction of the cap height, from the steepest gradients over the local contrast).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desktop_app.core.imaging.load import load_pages  # noqa: E402
from desktop_app.core.imaging.mrz_locate import find_mrz  # noqa: E402
from desktop_app.core.imaging.quality import BLUR_VARIANCE, blur_of, edge_blur, is_blurred  # noqa: E402

SOFT_WORDS = ("soft", "blur", "about 8 px", "about 9 px", "about 10 px")


@dataclass
class Measure:
    found: bool
    laplacian: float = float("nan")
    edge: float = float("nan")
    cap: float = float("nan")

    @property
    def old_flag(self) -> bool:
        return self.found and self.laplacian < BLUR_VARIANCE

    @property
    def new_flag(self) -> bool:
        return self.found and is_blurred(self.edge)


def measure(image: np.ndarray) -> Measure:
    cands = find_mrz(image)
    if not cands:
        return Measure(False)
    cand = cands[0]
    crops = [ln.image for ln in cand.lines]
    lap = float(np.median([cv2.Laplacian(c, cv2.CV_64F).var() for c in crops]))
    return Measure(True, lap, blur_of(crops), cand.char_height)


def devset(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    rows: list[tuple[str, bool, Measure]] = []
    for entry in manifest:
        path = folder / entry["file"]
        try:
            pages = load_pages(str(path))
        except Exception as exc:
            print(f"  {entry['file']}: not loaded ({exc})")
            continue
        soft = any(w in entry["conditions"].lower() for w in SOFT_WORDS)
        rows.append((entry["file"], soft, measure(pages[0].image)))
    print(f"dev set ({folder}): {len(rows)} images, MRZ found in {sum(m.found for _, _, m in rows)}")
    for label, want_soft in (("sharp", False), ("soft / low-res (manifest)", True)):
        sel = [m for _, soft, m in rows if soft == want_soft and m.found]
        if not sel:
            continue
        old = sum(m.old_flag for m in sel)
        new = sum(m.new_flag for m in sel)
        print(
            f"  {label:<27} n={len(sel):3d}   flagged: old {old:3d} ({100 * old / len(sel):4.0f} %)   "
            f"new {new:3d} ({100 * new / len(sel):4.0f} %)"
        )
    edges = sorted((m.edge, name) for name, soft, m in rows if m.found and not soft)
    if edges:
        print(
            f"  new measure on the sharp images: median {statistics.median(e for e, _ in edges):.3f}, "
            f"highest {edges[-1][0]:.3f} ({Path(edges[-1][1]).name})"
        )
    for name, soft, m in rows:
        if m.found and (m.old_flag or m.new_flag):
            print(
                f"    {'soft ' if soft else 'sharp'} {Path(name).name:<44} cap {m.cap:5.1f} px  "
                f"laplacian {m.laplacian:7.1f}{' FLAG' if m.old_flag else '     '}  "
                f"edge {m.edge:.3f}{' FLAG' if m.new_flag else ''}"
            )


def _low_contrast(img: np.ndarray, keep: float) -> np.ndarray:
    mid = float(np.median(img))
    return np.clip(mid + (img.astype(np.float32) - mid) * keep, 0, 255).astype(np.uint8)


def renders(n: int, seed: int) -> None:
    from tests.synth.generator import generate, set_seed
    from tests.synth.identity import FORMATS

    docs = [generate(FORMATS[i % len(FORMATS)], set_seed(seed, i), "clean").image for i in range(n)]
    scales = (0.6, 1.0, 1.8)
    sigmas = (0.0, 0.7, 1.5, 2.5, 3.5, 5.0)
    variants = [(s, 1.0) for s in scales] + [(1.0, 0.35)]
    caps: list[float] = []
    print(f"\nrendered documents: {n} clean renders, Gaussian blur sigma in the rendering's pixels")
    head = "  ".join(f"{'x' + str(s) + (' low contrast' if k < 1 else ''):>16}" for s, k in variants)
    print(f"  {'sigma':>5}  {'sigma/cap':>9}  {head}      (flag rate: old measure / new measure)")
    for sigma in sigmas:
        cells, rel = [], []
        for scale, keep in variants:
            old = new = found = 0
            for img in docs:
                im = (
                    img
                    if scale == 1.0
                    else cv2.resize(
                        img,
                        None,
                        fx=scale,
                        fy=scale,
                        interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC,
                    )
                )
                if keep < 1:
                    im = _low_contrast(im, keep)
                if sigma > 0:
                    im = cv2.GaussianBlur(im, (0, 0), sigma * scale)
                m = measure(im)
                if not m.found:
                    continue
                found += 1
                old += m.old_flag
                new += m.new_flag
                if scale == 1.0 and keep == 1.0:
                    rel.append(sigma / m.cap)
                    if sigma == 0:
                        caps.append(m.cap)
            cells.append(
                f"{_pct(old, found)} / {_pct(new, found)}" + (f" ({found})" if found < n else "     ")
            )
        r = f"{statistics.median(rel):.3f}" if rel else "  -  "
        print(f"  {sigma:5.1f}  {r:>9}  " + "  ".join(f"{c:>16}" for c in cells))
    if caps:
        print(
            f"  (cap height at x1: median {statistics.median(caps):.1f} px; a count in brackets: MRZs found)"
        )


def _pct(k: int, n: int) -> str:
    return f"{100 * k / n:3.0f}%" if n else "  - "


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devset", type=Path, default=ROOT.parent / "shared" / "devset")
    ap.add_argument("--renders", type=int, default=12)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    if (args.devset / "manifest.json").is_file():
        devset(args.devset)
    else:
        print(f"no dev set at {args.devset}; rendered documents only")
    if args.renders:
        renders(args.renders, args.seed)
    _ = edge_blur  # the per-crop measure, for readers of this script
    return 0


if __name__ == "__main__":
    sys.exit(main())
