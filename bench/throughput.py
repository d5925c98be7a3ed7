"""Batch throughput: ``passport-desk scan`` against PassportEye over the same files, in one run.

    python bench/throughput.py --passporteye /tmp/pe-venv/bin/mrz     # the dev set, both tools
    python bench/throughput.py --no-viz                                # this project only

PassportEye is a comparison only, never a dependency: install it in a venv of its own
(``python3 -m venv /tmp/pe-venv && /tmp/pe-venv/bin/pip install passporteye``; it needs
``tesseract-ocr`` from Debian) and pass its ``mrz`` command.

Each tool is started once over all the images of ``--real`` (default ../shared/devset, read
from there, never copied), as an operator's batch would be: the project as
``python -m desktop_app scan --json FILES`` (engine start included), PassportEye's ``mrz``
once per file (its command takes one file; its start is part of its cost). The two alternate
``--rounds`` times, so a change in the machine's load hits both. Printed: wall time per
document of each round and the fastest, and the ratio. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _files(devset: Path) -> list[Path]:
    manifest = json.loads((devset / "manifest.json").read_text(encoding="utf-8"))
    return [devset / doc["file"] for doc in manifest]


def _ours(files: list[Path], no_viz: bool) -> float:
    cmd = [sys.executable, "-m", "desktop_app", "scan", "--json", *map(str, files)]
    if no_viz:
        cmd.insert(4, "--no-viz")
    t = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, "PASSPORT_DESK_LOG_LEVEL": "ERROR"})
    return time.perf_counter() - t


def _passporteye(files: list[Path], command: str) -> float:
    t = time.perf_counter()
    for f in files:
        subprocess.run([command, "--json", str(f)], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--real", type=Path, default=ROOT.parent / "shared" / "devset")
    ap.add_argument("--passporteye", metavar="MRZ_COMMAND", help="PassportEye's mrz command (its own venv)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-viz", action="store_true", help="this project reads the MRZ only")
    args = ap.parse_args()
    files = _files(args.real)
    n = len(files)
    ours: list[float] = []
    theirs: list[float] = []
    for r in range(args.rounds):
        ours.append(_ours(files, args.no_viz))
        line = f"round {r + 1}: passport-desk scan {ours[-1] / n:.2f} s/document"
        if args.passporteye:
            theirs.append(_passporteye(files, args.passporteye))
            line += f", PassportEye {theirs[-1] / n:.2f} s/document"
        print(line, flush=True)
    print(f"\n{n} documents; fastest round: passport-desk {min(ours) / n:.2f} s/document "
          f"(visual zone {'off' if args.no_viz else 'on'}, engine start included)")
    if theirs:
        print(f"PassportEye {min(theirs) / n:.2f} s/document; ratio passport-desk / PassportEye "
              f"{min(ours) / min(theirs):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
