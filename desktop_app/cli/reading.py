"""`scan`, `mrz` and `self-test`: the reading commands of the command-line contract."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.core.resources import samples_dir
from desktop_app.core.types import DocumentResult

if TYPE_CHECKING:
    from desktop_app.core.pipeline import ReaderSettings

log = logging.getLogger(__name__)

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
"""A file name with bytes that are not UTF-8 reaches us (os.fsdecode) with lone surrogates;
written as they are, they make stdout fail (strict UTF-8) or carry invalid UTF-8."""


def _write_json(obj: object) -> None:
    """The JSON on standard output, always valid UTF-8: a lone surrogate is written as its
    ``\\udcXX`` escape (``json.loads`` then gives back the very string os.fsdecode made)."""
    text = json.dumps(obj, ensure_ascii=False, indent=2)
    text = _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    sys.stdout.write(text + "\n")


def _printable(text: str) -> str:
    """Human output: an undecodable byte of a file name shown as ``\\xNN``."""
    def show(m: re.Match[str]) -> str:
        code = ord(m.group())
        return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"

    return _LONE_SURROGATE.sub(show, text)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scan = sub.add_parser("scan", help="read document images (JPEG, PNG, TIFF, BMP, WebP, PDF)")
    scan.add_argument("paths", nargs="+", metavar="PATH")
    scan.add_argument("--json", action="store_true", help="print one JSON array, one object per page")
    scan.add_argument("--no-viz", action="store_true", help="read the MRZ only (faster)")
    scan.add_argument("--formats", help="expected formats, comma-separated (TD1,TD2,TD3,MRVA,MRVB)")
    scan.add_argument("--countries", help="expected issuing states, comma-separated ICAO codes")
    scan.add_argument("--threads", type=int, default=None, help="OCR threads (default: the number of cores)")
    scan.add_argument("--today", type=date.fromisoformat, default=None, help=argparse.SUPPRESS)
    scan.add_argument("--save", action="store_true", help="store each read as a pending review item")
    scan.add_argument(
        "--database",
        default=None,
        help="database URL (default: env DATABASE_URL, else database_url in settings.json, else the local file)",
    )
    scan.set_defaults(func=run_scan)

    mrz = sub.add_parser("mrz", help="check MRZ text given on standard input (one MRZ line per line)")
    mrz.add_argument("--json", action="store_true", help="print the result as JSON")
    mrz.add_argument("--today", type=date.fromisoformat, default=None, help=argparse.SUPPRESS)
    mrz.set_defaults(func=run_mrz)

    st = sub.add_parser("self-test", help="read the bundled sample with the real engine; exit 0 if right")
    st.set_defaults(func=run_self_test)


def _settings(args: argparse.Namespace) -> ReaderSettings:
    from desktop_app.core.pipeline import ReaderSettings

    kw: dict[str, Any] = {"read_visual_zone": not getattr(args, "no_viz", False), "today": getattr(args, "today", None)}
    if getattr(args, "formats", None):
        kw["formats"] = frozenset(s.strip().upper() for s in args.formats.split(",") if s.strip())
    if getattr(args, "countries", None):
        kw["countries"] = frozenset(s.strip().upper() for s in args.countries.split(",") if s.strip())
    if getattr(args, "threads", None):
        kw["threads"] = max(1, args.threads)
    return ReaderSettings(**kw)


def _human(result: DocumentResult) -> str:
    name = result.file or "-"
    if result.page is not None:
        name += f" (page {result.page})"
    if result.status == "error":
        return f"{name}: error: {result.error}"
    verdict = result.verdict
    lines = [f"{name}: {result.status} {result.format or ''} verified={verdict.verified} accepted={verdict.accepted}"]
    for key, f in result.fields.items():
        note = f" [{f.status}: {f.reason}]" if f.status != "ok" else ""
        lines.append(f"  {key:16} {f.value}{note}")
    for flag in result.flags:
        lines.append(f"  ! {flag.message}")
    return "\n".join(lines)


def run_scan(args: argparse.Namespace) -> int:
    from desktop_app.core.pipeline import DocumentReader

    reader = DocumentReader(_settings(args))
    results: list[DocumentResult] = []
    for path in args.paths:
        try:
            results.extend(reader.read(path, name=path))
        except Exception as exc:  # the engine itself failed: report, keep going with the others
            log.exception("reading %s failed", path)
            results.append(DocumentResult(status="error", file=path, error=f"The document could not be read: {exc}"))
    payload = [r.to_json() for r in results]
    save_failed = False
    if args.save:
        from desktop_app.cli.records import save_scan_results

        try:
            ids: list[int | None] = list(save_scan_results(results, database_url=args.database))
        except Exception as exc:
            # The reads are still printed (saved_id null), so a locked or full database
            # does not throw away the OCR work; exit 1 says something failed.
            log.error("saving failed: %s", exc)
            print(f"error: the results could not be saved: {exc}", file=sys.stderr)
            save_failed = True
            ids = [None] * len(payload)
        for obj, saved_id in zip(payload, ids, strict=False):
            obj["saved_id"] = saved_id
    if args.json:
        _write_json(payload)
    else:
        for r in results:
            print(_printable(_human(r)))
    return 1 if save_failed or any(r.status == "error" for r in results) else 0


MAX_TEXT_LINE = 200
"""Longest line of ``mrz`` input looked at: an MRZ line has 44 characters at most (88 for a
whole TD3 MRZ on one line); the rest of a longer line cannot be MRZ, and the MRZ engine's
line alignment grows with the square of a line's length (issue 8 hardening report)."""


def mrz_result_from_text(text: str, *, today: date | None = None) -> DocumentResult:
    """The contract object for MRZ lines given as text (blank lines and spaces ignored).

    Text carries no recogniser evidence, so a checked character whose look-alike weighs the
    same (``1``/``L``) leaves its field unverified (see :mod:`desktop_app.core.mrz.same_value`).
    """
    from desktop_app.core.mrz import read_mrz

    t0 = time.perf_counter()
    lines = [ln.strip()[:MAX_TEXT_LINE] for ln in text.splitlines() if ln.strip()]
    reading = read_mrz(lines, today=today)
    ms = (time.perf_counter() - t0) * 1000
    found = reading.format is not None
    return DocumentResult(
        status="ok" if found else "no_mrz",
        format=reading.format,
        document_code=reading.document_code,
        mrz=reading if found else None,
        fields=dict(reading.fields),
        flags=reading.flags,
        timings_ms={"mrz": ms, "total": ms},
    )


def run_mrz(args: argparse.Namespace) -> int:
    # Bytes, decoded leniently: binary garbage on standard input is no MRZ, not a crash.
    text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    result = mrz_result_from_text(text, today=args.today)
    if args.json:
        obj = result.to_json(include_file=False)
        obj.pop("text", None)
        _write_json(obj)
    else:
        print(_printable(_human(result)))
    return 0


def run_self_test(args: argparse.Namespace) -> int:
    """Read the bundled sample with the real engine and compare with its truth file."""
    sample = samples_dir() / "sample_td3.jpg"
    truth_path = sample.with_suffix(".json")
    try:
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"self-test: sample truth unreadable: {exc}", file=sys.stderr)
        return 1
    from desktop_app.core.pipeline import DocumentReader, ReaderSettings

    t0 = time.perf_counter()
    reader = DocumentReader(ReaderSettings(read_visual_zone=True))
    try:
        reader.warm_up()
    except Exception as exc:
        print(f"self-test: FAILED: the OCR engine did not start: {exc}", file=sys.stderr)
        return 1
    t_ready = time.perf_counter()
    [result] = reader.read(sample, name=str(sample))
    t_done = time.perf_counter()
    problems = check_against_truth(result, truth)
    status = "passed" if not problems else "FAILED"
    print(f"self-test: {status}: engine ready in {t_ready - t0:.2f} s, sample read in {t_done - t_ready:.2f} s")
    for p in problems:
        print(f"  {p}")
    return 0 if not problems else 1


MRZ_TRUTH_KEYS = ("document_code", "issuing_country", "surname", "given_names", "document_number",
                  "nationality", "birth_date", "sex", "expiry_date")


def check_against_truth(result: DocumentResult, truth: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if result.status != "ok":
        return [f"status {result.status}: {result.error or 'no MRZ found'}"]
    if result.mrz is None or list(result.mrz.lines) != list(truth.get("mrz_lines", [])):
        problems.append("MRZ lines differ from the truth")
    mrz_names = truth.get("meta", {}).get("mrz_names", {})
    for key in MRZ_TRUTH_KEYS:
        # Names are compared in their MRZ spelling (MÜLLER is MUELLER in the MRZ).
        expected = mrz_names.get(key, truth.get(key))
        got = result.fields.get(key)
        if expected is None:
            continue
        if got is None or got.value != expected:
            problems.append(f"{key}: expected {expected!r}, got {got.value if got else None!r}")
    if result.mrz is not None and not result.mrz.valid:
        problems.append("MRZ check digits not all valid")
    return problems


def sample_path() -> Path:
    return samples_dir() / "sample_td3.jpg"
