"""Reading accuracy and speed, per condition. Prints figures; asserts nothing.

    python bench/accuracy.py                       # generated set: clean, scanner, phone, hard
    python bench/accuracy.py --n 40 --conditions scanner,phone
    python bench/accuracy.py FOLDER                # images with NAME.json truth beside them
    python bench/accuracy.py --real ../shared/devset   # real specimens: manifest.json truth

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
            yield "devset", Path(entry["file"]).name, root / entry["file"], _manifest_truth(entry)
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
    from desktop_app.synth import generate_set

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
    ap.add_argument("--show-misses", action="store_true", help="print every miss (always on with --real)")
    ap.add_argument("--ocr-cache", metavar="DIR", type=Path, default=None,
                    help="keep detection/recognition results in DIR and reuse them (bench/ocr_cache.py)")
    ap.add_argument("--only", metavar="TEXT", default=None, help="only documents whose name contains TEXT")
    ap.add_argument("--dump", metavar="FILE", type=Path, default=None, help="write each result's JSON, one per line")
    args = ap.parse_args()
    if args.real:
        args.show_misses = True

    settings = ReaderSettings(read_visual_zone=not args.no_viz, today=args.today,
                              glyph_second_opinion=not args.no_glyphs)
    engine = None
    if args.ocr_cache is not None:
        from bench.ocr_cache import CachingEngine
        from desktop_app.core.pipeline import _default_engine

        engine = CachingEngine(lambda: _default_engine(settings), args.ocr_cache)
    reader = DocumentReader(settings, engine=engine)
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    t0 = time.perf_counter()
    reader.warm_up()
    print(f"engine ready in {time.perf_counter() - t0:.2f} s")
    tallies: dict[str, Tally] = {}
    for cond, name, image, truth in _items(args):
        if args.only and args.only not in name:
            continue
        tally = tallies.setdefault(cond, Tally())
        mrz_at: list[float] = []
        start = time.perf_counter()

        def on_progress(p: Progress, mrz_at: list[float] = mrz_at, start: float = start) -> None:
            if p.stage == "mrz":
                mrz_at.append((time.perf_counter() - start) * 1000)

        [result] = reader.read(image, name=name, on_progress=on_progress)
        total = (time.perf_counter() - start) * 1000
        _score(tally, result, truth, name)
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
