"""Reading accuracy and speed, per condition. Prints figures; asserts nothing.

    python bench/accuracy.py                       # generated set: clean, scanner, phone, hard
    python bench/accuracy.py --n 40 --conditions scanner,phone
    python bench/accuracy.py FOLDER                # images with NAME.json truth beside them
    python bench/accuracy.py --real ../shared/devset   # real specimens: manifest.json truth
                                                       # + bench/devset_viz_truth.json (visual zone, portrait)
    python bench/accuracy.py --real ../shared/devset --scale 0.5 --no-viz   # the same at half size

Per condition it prints: MRZ exact rate (all lines exactly the truth), field accuracy
(MRZ fields equal to the truth), documents with every MRZ field right, accepted but wrong
(accepted=true while some MRZ line or field value is wrong: must be 0), verified, verified and
right, verified but wrong (must be 0), no-MRZ rate, and median / p95 of the
time to the MRZ result and to the full result; then peak RSS of the process.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.core.mrz.layouts import LAYOUTS
from desktop_app.core.pipeline import DocumentReader, Progress, ReaderSettings
from desktop_app.core.types import DocumentResult

MRZ_KEYS = ("document_code", "issuing_country", "surname", "given_names", "document_number",
            "nationality", "birth_date", "sex", "expiry_date")
VIZ_KEYS = ("place_of_birth", "issue_date", "authority")


DEFAULT_VIZ_TRUTH = Path(__file__).resolve().parent / "devset_viz_truth.json"
PORTRAIT_IOU = 0.7


@dataclass
class VizTally:
    """The visual zone and the portrait against hand-made truth (bench/devset_viz_truth.json)."""

    docs: int = 0
    exact_docs: int = 0
    """Documents whose MRZ was read exactly: only there is a mismatch surely the visual zone's."""
    false_mismatch: int = 0
    true_mismatch: int = 0
    missed_mismatch: int = 0
    right: dict[str, int] = field(default_factory=dict)
    printed: dict[str, int] = field(default_factory=dict)
    photos: int = 0
    photo_boxes: int = 0
    photo_good: int = 0
    photo_ious: list[float] = field(default_factory=list)
    no_photo_docs: int = 0
    no_photo_boxes: int = 0
    t_portrait: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _fold(text: str) -> str:
    """Letters and digits, accents dropped: OCR drops accents, spaces and dots."""
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def _iou(a: list[int], b: list[int]) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _score_viz(v: VizTally, result: DocumentResult, truth: dict[str, Any], mrz_exact: bool, name: str) -> None:
    v.docs += 1
    if "portrait" in result.timings_ms:
        v.t_portrait.append(result.timings_ms["portrait"])
    differs = truth.get("visual_zone_differs", {})
    if mrz_exact:
        v.exact_docs += 1
        for key, f in result.fields.items():
            if f.status != "mismatch":
                continue
            if key in differs:
                v.true_mismatch += 1
            else:
                v.false_mismatch += 1
                v.notes.append(f"{name}: false mismatch {key}: {f.reason}")
        for key in differs:
            got = result.fields.get(key)
            if got is None or got.status != "mismatch":
                v.missed_mismatch += 1
    for key in VIZ_KEYS:
        if not truth.get(key):
            continue
        v.printed[key] = v.printed.get(key, 0) + 1
        got = result.fields.get(key)
        ok = got is not None and _fold(got.value) == _fold(str(truth[key]))
        v.right[key] = v.right.get(key, 0) + ok
        if not ok:
            v.notes.append(f"{name}: {key} {got.value if got else None!r} (printed {truth[key]!r})")
    box = truth.get("portrait")
    found = result.portrait
    if box is None:
        v.no_photo_docs += 1
        v.no_photo_boxes += found is not None
        if found is not None:
            v.notes.append(f"{name}: portrait {list(found.box)} where the image shows none")
        return
    v.photos += 1
    if found is None:
        v.notes.append(f"{name}: no portrait (printed at {box})")
        return
    v.photo_boxes += 1
    iou = _iou(list(found.box), box)
    v.photo_ious.append(iou)
    v.photo_good += iou >= PORTRAIT_IOU
    if iou < PORTRAIT_IOU:
        v.notes.append(f"{name}: portrait IoU {iou:.2f} ({found.method}, {list(found.box)} vs {box})")


def _print_viz(v: VizTally) -> None:
    per20 = 20 * v.false_mismatch / max(1, v.exact_docs)
    print(f"\nvisual zone ({v.docs} documents with truth; {v.exact_docs} with the MRZ read exactly)")
    print(f"  false mismatches {v.false_mismatch} ({per20:.2f} per 20 exactly-read documents); "
          f"true mismatches raised {v.true_mismatch}, not raised {v.missed_mismatch}")
    for key in VIZ_KEYS:
        n = v.printed.get(key, 0)
        r = v.right.get(key, 0)
        print(f"  {key:15} right {r}/{n} ({100 * r / max(1, n):.0f}%) of the documents that print it")
    ious = sorted(v.photo_ious)
    med = statistics.median(ious) if ious else float("nan")
    print(f"  portrait: a box on {v.photo_boxes}/{v.photos} documents showing a photo; IoU >= {PORTRAIT_IOU} "
          f"on {v.photo_good}/{v.photos} (median IoU {med:.2f}); a box on {v.no_photo_boxes}/{v.no_photo_docs} "
          f"images showing no photo")
    if v.t_portrait:
        print(f"  portrait ms p50/p95 {statistics.median(v.t_portrait):.0f}/{_pct(v.t_portrait, 95):.0f}")
    for note in v.notes:
        print(f"    {note}")


@dataclass
class Tally:
    docs: int = 0
    mrz_exact: int = 0
    fields_right: int = 0
    fields_total: int = 0
    all_right: int = 0
    accepted: int = 0
    accepted_wrong: int = 0
    verified: int = 0
    verified_right: int = 0
    verified_wrong: int = 0
    no_mrz: int = 0
    viz_right: int = 0
    viz_total: int = 0
    t_mrz: list[float] = field(default_factory=list)
    t_total: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)


def _manifest_truth(entry: dict[str, Any]) -> dict[str, Any]:
    """A development-set manifest entry in the truth shape of the generated sets.

    The manifest writes an unspecified sex as printed (``<``); the contract reports it as
    ``X`` (ICAO 9303: ``<`` means unspecified). Fields the format does not carry (the French
    card's nationality) are ``None`` in the manifest and must come back empty.
    """
    truth: dict[str, Any] = {"mrz_lines": entry["mrz_lines"], "format": entry["doc_type"], "dates_as_printed": True}
    for key, value in entry["fields"].items():
        if value is None:
            continue  # not in this format's MRZ: nothing to compare
        truth[key] = "X" if key == "sex" and value == "<" else value
    return truth


def _value(result: DocumentResult, key: str, truth: dict[str, Any]) -> str | None:
    """The field as the truth writes it. The manifest gives dates as printed (``YYMMDD``);
    the contract gives calendar dates, empty for an impossible one, so compare the digits
    the reading put in the date's place."""
    got = result.fields.get(key)
    if got is None:
        return None
    mrz = result.mrz
    if truth.get("dates_as_printed") and key in ("birth_date", "expiry_date") and mrz is not None:
        span = mrz.spans.get(key)
        if span is not None and span.line < len(mrz.lines):
            return mrz.lines[span.line][span.start : span.end]
    return got.value


def _items(args: argparse.Namespace) -> Iterator[tuple[str, str, np.ndarray | Path, dict[str, Any]]]:
    if args.real:
        root = Path(args.real)
        for entry in json.loads((root / "manifest.json").read_text(encoding="utf-8")):
            # The path, not decoded pixels: the reader's own loader applies EXIF orientation
            # and sniffs the real format (one file is a BMP named .jpg).
            path = root / entry["file"]
            if args.scale == 1.0:
                yield "devset", Path(entry["file"]).name, path, _manifest_truth(entry)
                continue
            # Smaller copies, made in memory from the decoded (EXIF-upright) page: the
            # small crops and low-resolution scans a counter also gets.
            from desktop_app.core.imaging.load import load_pages

            page = load_pages(path)[0].image
            small = cv2.resize(page, None, fx=args.scale, fy=args.scale, interpolation=cv2.INTER_AREA)
            yield f"devset@{args.scale:g}", Path(entry["file"]).name, small, _manifest_truth(entry)
        return
    if args.folder:
        folder = Path(args.folder)
        for truth_path in sorted(folder.glob("*.json")):
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
            for ext in (".jpg", ".png", ".jpeg", ".tif", ".tiff", ".webp", ".bmp"):
                img_path = truth_path.with_suffix(ext)
                if img_path.exists():
                    img = cv2.imread(str(img_path), cv2.IMREAD_COLOR)
                    yield truth.get("condition", "folder"), img_path.name, img, truth
                    break
        return
    from tests.synth import generate_set

    for cond in args.conditions.split(","):
        for i, doc in enumerate(generate_set(cond, args.n, seed=args.seed)):
            yield cond, f"{cond}-{i:03d}-{doc.truth['format']}", doc.image, doc.truth_json()


def _letters(text: str) -> str:
    """Compare printed text by its letters and digits: OCR drops or adds spaces and dots."""
    return "".join(c for c in text.upper() if c.isalnum())


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", nargs="?", help="folder of images with NAME.json truth files")
    ap.add_argument("--n", type=int, default=25, help="documents per condition (generated set)")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--conditions", default="clean,scanner,phone,hard")
    ap.add_argument("--no-viz", action="store_true")
    ap.add_argument("--no-glyphs", action="store_true", help="without the glyph classifier's second opinion")
    ap.add_argument("--today", type=date.fromisoformat, default=None)
    ap.add_argument("--real", metavar="DEVSET", help="folder with manifest.json and images/ (e.g. ../shared/devset)")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="with --real: read each image scaled by this factor (e.g. 0.5); the visual zone and "
                         "portrait truth are then not scored")
    ap.add_argument("--show-misses", action="store_true", help="print every miss (always on with --real)")
    ap.add_argument("--ocr-cache", metavar="DIR", type=Path, default=None,
                    help="keep detection/recognition results in DIR and reuse them (bench/ocr_cache.py)")
    ap.add_argument("--only", metavar="TEXT", default=None, help="only documents whose name contains TEXT")
    ap.add_argument("--viz-truth", metavar="FILE", type=Path, default=None,
                    help=f"visual-zone and portrait truth for --real (default {DEFAULT_VIZ_TRUTH.name} when present)")
    ap.add_argument("--dump", metavar="FILE", type=Path, default=None, help="write each result's JSON, one per line")
    ap.add_argument("--rec-runtime", choices=("onnxruntime", "paddle"), default="onnxruntime",
                    help="runtime of the PP-OCRv4 recogniser (desktop_app/core/ocr/paddle_engine.py)")
    ap.add_argument("--profile", action="store_true",
                    help="print every model call and stage: calls, input shapes, ms (bench/call_profile.py)")
    args = ap.parse_args()
    if args.real:
        args.show_misses = True

    settings = ReaderSettings(read_visual_zone=not args.no_viz, today=args.today,
                              glyph_second_opinion=not args.no_glyphs)
    from desktop_app.core.ocr.paddle_engine import PaddleEngineConfig, PaddleOcrEngine

    def make_engine() -> PaddleOcrEngine:
        return PaddleOcrEngine(PaddleEngineConfig(threads=settings.threads, rec_runtime=args.rec_runtime))

    engine: Any
    if args.ocr_cache is not None:
        from bench.ocr_cache import CachingEngine

        engine = CachingEngine(make_engine, args.ocr_cache)
    else:
        engine = make_engine()
    profile = None
    if args.profile:
        from bench.call_profile import CallProfile

        profile = CallProfile()
        profile.install()
    reader = DocumentReader(settings, engine=engine)
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    t0 = time.perf_counter()
    reader.warm_up()
    print(f"engine ready in {time.perf_counter() - t0:.2f} s")
    tallies: dict[str, Tally] = {}
    viz_truth: dict[str, Any] = {}
    truth_path = args.viz_truth or (DEFAULT_VIZ_TRUTH if args.real and DEFAULT_VIZ_TRUTH.exists() else None)
    if truth_path is not None and not args.no_viz and args.scale == 1.0:
        viz_truth = json.loads(truth_path.read_text(encoding="utf-8"))["documents"]
    viz_tally = VizTally()
    stage_timings: list[dict[str, float]] = []
    for cond, name, image, truth in _items(args):
        if args.only and args.only not in name:
            continue
        tally = tallies.setdefault(cond, Tally())
        mrz_at: list[float] = []
        start = time.perf_counter()

        def on_progress(p: Progress, mrz_at: list[float] = mrz_at, start: float = start) -> None:
            if p.stage == "mrz":
                mrz_at.append((time.perf_counter() - start) * 1000)

        if profile is not None:
            profile.start()
        [result] = reader.read(image, name=name, on_progress=on_progress)
        stage_timings.append(dict(result.timings_ms))
        total = (time.perf_counter() - start) * 1000
        _score(tally, result, truth, name)
        if name in viz_truth:
            exact = result.mrz is not None and list(result.mrz.lines) == list(truth["mrz_lines"])
            _score_viz(viz_tally, result, viz_truth[name], exact, name)
        if dump is not None:
            dump.write(json.dumps({"name": name, "condition": cond, **result.to_json(include_file=False)}) + "\n")
        if mrz_at:
            tally.t_mrz.append(mrz_at[0])
        tally.t_total.append(total)

    print(f"\n{date.today().isoformat()}  {platform.node()}  {platform.processor() or platform.machine()}  "
          f"python {platform.python_version()}  visual zone {'off' if args.no_viz else 'on'}")
    header = (f"{'condition':10} {'docs':>4} {'MRZ exact':>9} {'fields':>7} {'all right':>9} {'accepted':>8} "
              f"{'acc.wrong':>9} {'verified':>8} {'ver.right':>9} {'ver.wrong':>9} {'no MRZ':>6} {'VIZ fields':>10} {'MRZ ms p50/p95':>15} {'total ms p50/p95':>17}")
    print(header)
    for cond, t in tallies.items():
        n = max(1, t.docs)
        viz = f"{100 * t.viz_right / t.viz_total:.0f}%" if t.viz_total else "-"
        print(f"{cond:10} {t.docs:4d} {100 * t.mrz_exact / n:8.1f}% {100 * t.fields_right / max(1, t.fields_total):6.1f}% "
              f"{100 * t.all_right / n:8.1f}% {100 * t.accepted / n:7.1f}% {t.accepted_wrong:9d} {100 * t.verified / n:7.1f}% "
              f"{100 * t.verified_right / n:8.1f}% {t.verified_wrong:9d} {100 * t.no_mrz / n:5.1f}% "
              f"{viz:>10} {statistics.median(t.t_mrz) if t.t_mrz else float('nan'):7.0f}/{_pct(t.t_mrz, 95):<7.0f} "
              f"{statistics.median(t.t_total):8.0f}/{_pct(t.t_total, 95):<8.0f}")
    if viz_tally.docs:
        _print_viz(viz_tally)
    if profile is not None:
        print(profile.report(stage_timings))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss_mb:.0f} MB")
    if args.show_misses:
        for cond, t in tallies.items():
            for m in t.misses:
                print(f"  {cond}: {m}")
    return 0


def _carried(fmt: str | None, key: str) -> bool:
    """Whether the format's MRZ holds the field (the French card's has no expiry date or
    nationality: a reader cannot be wrong about what is not there)."""
    if fmt not in LAYOUTS or key in ("surname", "given_names"):
        return True
    return LAYOUTS[fmt].field(key) is not None  # type: ignore[index]


def _score(t: Tally, result: DocumentResult, truth: dict[str, Any], name: str) -> None:
    t.docs += 1
    if result.status != "ok" or result.mrz is None:
        t.no_mrz += 1
        t.fields_total += len(MRZ_KEYS)
        t.misses.append(f"{name}: {result.status} {result.error or ''}\n      printed {list(truth['mrz_lines'])}")
        return
    exact = list(result.mrz.lines) == list(truth["mrz_lines"])
    t.mrz_exact += exact
    wrong = []
    present_wrong = False
    mrz_names = truth.get("meta", {}).get("mrz_names", {})
    for key in MRZ_KEYS:
        if key not in truth or not _carried(truth.get("format"), key):
            continue
        expected = mrz_names.get(key, truth[key])  # names in their MRZ spelling
        t.fields_total += 1
        got = _value(result, key, truth)
        if got == expected or (got is None and expected == ""):
            t.fields_right += 1
        else:
            wrong.append(f"{key}={got!r}≠{expected!r}")
            present_wrong = present_wrong or bool(got)
    for key in VIZ_KEYS:
        if truth.get(key):
            t.viz_total += 1
            got = result.fields.get(key)
            t.viz_right += bool(got is not None and _letters(got.value) == _letters(str(truth[key])))
    t.all_right += not wrong
    t.accepted += result.accepted
    t.verified += result.verified
    t.verified_right += result.verified and not wrong and exact
    t.verified_wrong += result.verified and (present_wrong or not exact)
    # A field left empty is a miss, not a wrong value; only a wrong value that was
    # accepted counts as "accepted but wrong".
    if result.accepted and (present_wrong or not exact):
        t.accepted_wrong += 1
    if wrong or not exact:
        t.misses.append(f"{name}: {'accepted ' if result.accepted else ''}{' '.join(wrong)}\n"
                        f"      read    {list(result.mrz.lines)}\n      printed {list(truth['mrz_lines'])}")


if __name__ == "__main__":
    sys.exit(main())
