"""The real reader on what the generators are not: rendered MRZs whose names end in long
filler runs and letters that look like fillers, and the public development set of real
specimen documents (read from ../shared/devset at test time, never copied here)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from desktop_app.core.mrz import MrzData, compose_mrz
from desktop_app.core.pipeline import DocumentReader, ReaderSettings
from tests.synth.fonts import cap_ratio, font

ROOT = Path(__file__).resolve().parents[2]
DEVSET = Path(os.environ.get("PASSPORT_DESK_DEVSET", ROOT.parent / "shared" / "devset"))


def _page(lines: list[str], cap: int, seed: int) -> np.ndarray:
    """A tight crop of an MRZ band printed in OCR-B at ``cap`` px cap height with the
    stroke weight of print (about an eighth of the cap height), lightly noisy."""
    f = font("ocrb", round(cap / cap_ratio("ocrb")))
    width = int(f.getlength(lines[0]) + 8 * cap)
    height = int(cap * (6 + 2 * len(lines)))
    img = Image.new("L", (width, height), 235)
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(lines):
        draw.text((4 * cap, 3 * cap + i * 2 * cap), text, font=f, fill=25, stroke_width=max(1, round(cap / 16)),
                  stroke_fill=25)
    arr = np.asarray(img, dtype=np.float32)
    arr += np.random.default_rng(seed).normal(0, 6, arr.shape)
    rgb = np.clip(arr, 0, 255).astype(np.uint8)
    return np.dstack([rgb] * 3)


@pytest.fixture(scope="module")
def mrz_reader() -> DocumentReader:
    reader = DocumentReader(ReaderSettings(read_visual_zone=False))
    reader.warm_up()
    return reader


@pytest.mark.slow
@pytest.mark.ocr
@pytest.mark.parametrize(
    ("fmt", "surname", "given", "cap"),
    [
        ("TD3", "KOCK", "ELKE", 22),
        ("TD3", "LI", "XI", 14),
        ("TD1", "CLARKE", "KC", 18),
        ("TD2", "SKAK", "CECILE", 12),
    ],
)
def test_filler_runs_after_names_read_exactly(mrz_reader: DocumentReader, fmt: str, surname: str,
                                               given: str, cap: int) -> None:
    data = MrzData(fmt, "P" if fmt == "TD3" else "I", "UTO", surname, given, "X4K0C1S82", "UTO",
                   "850101", "F", "300101")
    lines = compose_mrz(data)
    [result] = mrz_reader.read(_page(list(lines), cap, seed=len(surname)))
    assert result.mrz is not None
    assert list(result.mrz.lines) == list(lines)
    assert result.fields["surname"].value == surname and result.fields["given_names"].value == given


def _devset() -> list[dict[str, object]]:
    manifest = DEVSET / "manifest.json"
    if not manifest.is_file():
        pytest.skip(f"no development set at {DEVSET} (set PASSPORT_DESK_DEVSET)")
    return list(json.loads(manifest.read_text(encoding="utf-8")))


@pytest.mark.slow
@pytest.mark.ocr
def test_development_set_nothing_wrong_is_accepted_and_most_is_read(mrz_reader: DocumentReader) -> None:
    entries = _devset()
    exact = 0
    for entry in entries:
        [result] = mrz_reader.read(DEVSET / str(entry["file"]))
        right = result.mrz is not None and list(result.mrz.lines) == list(entry["mrz_lines"])  # type: ignore[call-overload]
        exact += right
        assert not (result.accepted and not right), entry["file"]
    # A floor well under the measured figure (README): a guard against a reader that
    # regresses, not the figure itself.
    assert exact / len(entries) >= 0.75
