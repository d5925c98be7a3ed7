"""Fuzzing the image loader with mutated JPEG, PNG, TIFF, WebP, GIF, BMP and PDF files:
no crash, no hang, no memory runaway, and every refusal is one plain sentence.

Runs ``bench/fuzz_load.py`` (worker process, per-case time limit, address-space limit)
with a fixed seed. Seed 1's first 1,500 cases held 31 crashes of the loader before the
issue-8 fixes (TypeError "Missing dimensions", SyntaxError "unknown pixel mode",
ValueError "Truncated IHDR chunk", PdfiumError "Failed to load page."), so they stay here
as a regression set. Longer runs: ``.venv/bin/python bench/fuzz_load.py --cases 50000``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _fuzz_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_load", ROOT / "bench" / "fuzz_load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fuzz_load"] = module
    spec.loader.exec_module(module)
    return module


def test_mutated_images_never_crash_hang_or_exhaust_memory(tmp_path: Path) -> None:
    fuzz = _fuzz_module()
    report = fuzz.run(1500, seed=1, time_limit=10.0, out=tmp_path / "findings")
    fuzz.print_report(report, 1)  # shown by pytest when the test fails
    assert report.cases == 1500
    assert not report.findings, [(f.index, f.seed, f.outcome, f.detail.splitlines()[:1]) for f in report.findings]
    assert report.outcomes["error"] > 500 and report.outcomes["ok"] > 100  # the mutations do bite
    assert set(report.by_seed) >= {"jpeg", "png", "tiff-lzw", "webp-lossy", "gif-animated", "bmp", "pdf-image"}
    assert report.slowest_ms < 5000
    assert report.peak_rss_mb < 1500
    for message in report.messages:
        assert "\n" not in message and message[0].isupper() and message.endswith("."), message
        # The decoders' own words ("decoder error -2") go to the log, not to the operator.
        assert "decoder" not in message and "Error" not in message, message
