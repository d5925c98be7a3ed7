"""Two engine configurations on the same documents, interleaved: robust to a busy machine.

    python bench/runtime_ab.py --real ../shared/devset            # PP-OCRv4 rec: paddle vs onnxruntime
    python bench/runtime_ab.py --n 10 --conditions scanner,phone   # generated documents

Every document is read by configuration A, then B, then A, then B (``--rounds`` pairs), in
one process, so a change in the machine's load hits both alike. Printed per configuration:
median time to the MRZ result and to the full result over the documents (each document's
fastest round), their ratio B/A, and whether the two read the same MRZ text and fields (the
runtimes compute the same function, so they must agree; any difference is printed).
Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desktop_app.core.imaging.load import load_pages  # noqa: E402
from desktop_app.core.ocr.paddle_engine import PaddleEngineConfig, PaddleOcrEngine  # noqa: E402
from desktop_app.core.pipeline import DocumentReader, Progress, ReaderSettings  # noqa: E402


def _documents(args: argparse.Namespace) -> list[tuple[str, Any]]:
    if args.real:
        folder = Path(args.real)
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        out = []
        for doc in manifest:
            if args.only and args.only not in doc["file"]:
                continue
            pages = load_pages(folder / doc["file"])
            out.append((Path(doc["file"]).name, pages[0].image))
        return out
    from tests.synth import generate_set  # the project's own generator

    return [
        (f"{cond}-{i:03d}", doc.image)
        for cond in args.conditions.split(",")
        for i, doc in enumerate(generate_set(cond, args.n, seed=args.seed))
    ]


def _read(reader: DocumentReader, name: str, image: Any) -> tuple[float, float, Any]:
    mrz_at: list[float] = []
    start = time.perf_counter()

    def on_progress(p: Progress) -> None:
        if p.stage == "mrz" and not mrz_at:
            mrz_at.append((time.perf_counter() - start) * 1000)

    [result] = reader.read(image, name=name, on_progress=on_progress)
    total = (time.perf_counter() - start) * 1000
    return (mrz_at[0] if mrz_at else total), total, result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--real", metavar="DEVSET")
    ap.add_argument("--only")
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--conditions", default="scanner,phone")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-viz", action="store_true")
    ap.add_argument("--a", default="paddle", choices=("paddle", "onnxruntime"))
    ap.add_argument("--b", default="onnxruntime", choices=("paddle", "onnxruntime"))
    args = ap.parse_args()
    settings = ReaderSettings(read_visual_zone=not args.no_viz)
    readers = {}
    for label, runtime in (("A", args.a), ("B", args.b)):
        engine = PaddleOcrEngine(PaddleEngineConfig(threads=settings.threads, rec_runtime=runtime))
        readers[label] = DocumentReader(settings, engine=engine)
        readers[label].warm_up()
        print(f"{label}: PP-OCRv4 recogniser on {engine.rec_runtime}")
    docs = _documents(args)
    best: dict[str, dict[str, tuple[float, float]]] = {"A": {}, "B": {}}
    differ: list[str] = []
    for name, image in docs:
        texts: dict[str, Any] = {}
        for _ in range(args.rounds):
            for label, reader in readers.items():
                mrz_ms, total_ms, result = _read(reader, name, image)
                old = best[label].get(name)
                best[label][name] = (
                    (mrz_ms, total_ms) if old is None else (min(old[0], mrz_ms), min(old[1], total_ms))
                )
                texts[label] = (
                    list(result.mrz.lines) if result.mrz else None,
                    {k: f.value for k, f in result.fields.items()},
                )
        if texts["A"] != texts["B"]:
            differ.append(f"{name}: A {texts['A'][0]} / B {texts['B'][0]}")
    print(
        f"\n{len(docs)} documents, fastest of {args.rounds} interleaved rounds each, visual zone "
        f"{'off' if args.no_viz else 'on'}"
    )
    med = {
        lab: (
            statistics.median(v[0] for v in best[lab].values()),
            statistics.median(v[1] for v in best[lab].values()),
        )
        for lab in best
    }
    print(f"{'config':28} {'MRZ ms p50':>10} {'total ms p50':>12}")
    for lab, runtime in (("A", args.a), ("B", args.b)):
        print(f"{lab + ' ' + runtime:28} {med[lab][0]:10.0f} {med[lab][1]:12.0f}")
    print(f"ratio B/A: MRZ {med['B'][0] / med['A'][0]:.2f}, total {med['B'][1] / med['A'][1]:.2f}")
    print(f"documents read differently: {len(differ)}")
    for line in differ:
        print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
