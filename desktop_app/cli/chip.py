"""`chip`: read a passport's chip over PC/SC with the MRZ as its key (issue 16).

Exit 0 when the chip was read (``status`` ok), 1 otherwise, 2 for usage.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from desktop_app.cli.reading import _write_json
from desktop_app.core.chip import ChipRead, MrzKey, TrustStore, TrustStoreError, compare, load_trust_store
from desktop_app.core.chip.errors import ChipError
from desktop_app.core.types import DocumentResult


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    chip = sub.add_parser("chip", help="read the e-passport chip (PC/SC) with the MRZ as its key")
    source = chip.add_mutually_exclusive_group(required=True)
    source.add_argument("--mrz-file", type=Path, help="a text file holding the MRZ lines")
    source.add_argument("--image", type=Path, help="a document image: its MRZ is read first and compared with the chip")
    chip.add_argument("--json", action="store_true", help="print one JSON object")
    chip.add_argument("--trust", help="CSCA certificates: a folder, a certificate or a master list (default: settings)")
    chip.add_argument("--reader", help="PC/SC reader name or part of it (default: settings, else the first with a card)")
    chip.add_argument("--timeout", type=float, default=5.0, help="time limit per command to the chip, seconds")
    chip.set_defaults(func=run_chip)


def _trust(path: str | None) -> tuple[TrustStore | None, str | None]:
    if not path:
        return None, None
    try:
        return load_trust_store(path), None
    except (TrustStoreError, OSError) as exc:
        return None, f"The trust store could not be read: {exc}"


def read_with_pcsc(key: MrzKey, trust: TrustStore | None, reader: str | None, timeout_s: float) -> ChipRead:
    """Connect, read, disconnect; every fault is a status and a plain message."""
    from desktop_app.core.chip import pcsc, read_chip

    t0 = time.perf_counter()
    try:
        transport = pcsc.connect(reader or None, timeout_s)
    except ChipError as exc:
        return ChipRead(exc.status, str(exc), timings_ms={"total": (time.perf_counter() - t0) * 1000})
    try:
        result = read_chip(transport, key, trust)
    finally:
        transport.close()
    connect_ms = (time.perf_counter() - t0) * 1000 - result.timings_ms.get("total", 0.0)
    return ChipRead(**{**result.__dict__, "timings_ms": {"connect": connect_ms, **result.timings_ms}})


def _human(obj: dict[str, Any]) -> str:
    lines = [f"chip: {obj['status']}" + (f": {obj['error']}" if obj["error"] else "")]
    if obj["status"] == "ok":
        pa = obj["passive_authentication"]
        lines.append(f"  reader {obj['reader']}, access {obj['access']}, files {' '.join(obj['data_groups'])}")
        lines.append(f"  passive authentication: {pa['status']}" + (f" ({pa['reason']})" if pa["reason"] else ""))
        for key, f in obj["fields"].items():
            mark = ""
            if obj["comparison"] and key in obj["comparison"]:
                mark = "  = print" if obj["comparison"][key] == "same" else "  DIFFERS from print"
            lines.append(f"  {key:16} {f['value']}{mark}")
    return "\n".join(lines)


def run_chip(args: argparse.Namespace) -> int:
    from desktop_app.runtime import load_runtime

    settings = load_runtime().settings
    printed: DocumentResult | None = None
    timings: dict[str, float] = {}
    if args.mrz_file is not None:
        try:
            lines = args.mrz_file.read_text(encoding="utf-8", errors="replace").splitlines()
            key = MrzKey.from_mrz_lines(lines)
        except (OSError, ValueError) as exc:
            print(f"passport-desk chip: error: {args.mrz_file}: {exc}", file=sys.stderr)
            return 2
    else:
        from desktop_app.core.pipeline import DocumentReader, ReaderSettings

        t0 = time.perf_counter()
        try:
            [printed, *_] = DocumentReader(ReaderSettings(read_visual_zone=False)).read(args.image, name=str(args.image))
        except Exception as exc:
            printed = DocumentResult(status="error", error=f"The image could not be read: {exc}")
        timings["optical"] = (time.perf_counter() - t0) * 1000
        try:
            if printed.mrz is None:
                raise ValueError(printed.error or "no machine readable zone was read from the image")
            key = MrzKey.from_mrz_lines(printed.mrz.lines)
        except ValueError as exc:
            result = ChipRead("error", f"The chip's key could not be taken from the image: {exc}", timings_ms=timings)
            return _finish(args, result, None)
    trust, trust_error = _trust(args.trust or settings.chip_trust_store)
    if trust_error:
        return _finish(args, ChipRead("error", trust_error), None)
    result = read_with_pcsc(key, trust, args.reader or settings.chip_reader, args.timeout)
    if timings:
        result = ChipRead(**{**result.__dict__, "timings_ms": {**timings, **result.timings_ms}})
    comparison = compare(result.fields, printed.fields) if printed is not None and result.status == "ok" else None
    return _finish(args, result, comparison)


def _finish(args: argparse.Namespace, result: ChipRead, comparison: dict[str, Any] | None) -> int:
    obj = result.to_json(comparison)
    if args.json:
        _write_json(obj)
    else:
        print(_human(obj))
    return 0 if result.status == "ok" else 1
