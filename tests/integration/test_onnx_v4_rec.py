"""The PP-OCRv4 recogniser's ONNX copy (``scripts/convert_rec_to_onnx.py``) computes what the
Paddle model computes, on rendered MRZ lines and visual-zone text, and is what the engine
runs by default; without it the engine falls back to Paddle's executor."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from desktop_app.core.imaging.mrz_locate import find_mrz
from desktop_app.core.ocr.base import MRZ_ALPHABET
from desktop_app.core.ocr.ctc import prepare_line
from desktop_app.core.ocr.paddle_engine import (
    DET_MODEL,
    ONNX_FILE,
    REC_MODEL,
    PaddleEngineConfig,
    PaddleOcrEngine,
)
from desktop_app.core.resources import fonts_dir, models_dir

pytestmark = [pytest.mark.ocr, pytest.mark.slow]

TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TEXTS = ("Surname / Nom", "ERIKSSON", "Date of birth", "12 AUG 1974", "Place of birth", "ZENITH")


def _mrz_page() -> np.ndarray:
    img = Image.new("L", (1500, 1050), 236)
    d = ImageDraw.Draw(img)
    ocrb = ImageFont.truetype(str(fonts_dir() / "OCRB.otf"), 34)
    for i, ln in enumerate(TD3):
        d.text((70, 880 + 60 * i), ln, font=ocrb, fill=10)
    return np.asarray(img)


def _text_crops() -> list[np.ndarray]:
    font = ImageFont.truetype(str(fonts_dir() / "OCRB.otf"), 26)
    crops = []
    for t in TEXTS:
        img = Image.new("L", (24 + 17 * len(t), 40), 240)
        ImageDraw.Draw(img).text((10, 5), t, font=font, fill=20)
        crops.append(np.asarray(img))
    return crops


@pytest.fixture(scope="module")
def engines() -> Iterator[tuple[PaddleOcrEngine, PaddleOcrEngine]]:
    yield PaddleOcrEngine(PaddleEngineConfig(rec_runtime="paddle")), PaddleOcrEngine()


def test_the_engine_runs_the_onnx_copy_by_default(engines: tuple[PaddleOcrEngine, PaddleOcrEngine]) -> None:
    paddle, default = engines
    assert (models_dir() / REC_MODEL / ONNX_FILE).is_file()
    assert default.rec_runtime == "onnxruntime"
    assert paddle.rec_runtime == "paddle"


def test_both_runtimes_give_the_same_probabilities_and_text(
    engines: tuple[PaddleOcrEngine, PaddleOcrEngine],
) -> None:
    paddle, onnx = engines
    [cand, *_] = find_mrz(_mrz_page())
    crops = [ln.image for ln in cand.lines] + _text_crops()
    for crop in crops:
        x = prepare_line(crop)[None]
        a, b = paddle._run(x), onnx._run(x)
        assert a.shape == b.shape
        assert float(np.abs(a - b).max()) < 1e-4
    mrz_a = paddle.recognize([ln.image for ln in cand.lines], alphabet=MRZ_ALPHABET)
    mrz_b = onnx.recognize([ln.image for ln in cand.lines], alphabet=MRZ_ALPHABET)
    assert [r.text for r in mrz_b] == [r.text for r in mrz_a]
    assert sum(a == b for t, r in zip(TD3, mrz_b, strict=True) for a, b in zip(t, r.text, strict=True)) >= 86
    text_a, text_b = paddle.recognize(_text_crops()), onnx.recognize(_text_crops())
    assert [r.text for r in text_b] == [r.text for r in text_a]


def test_a_model_folder_without_the_onnx_copy_uses_paddle(tmp_path: Path) -> None:
    for name in (DET_MODEL, REC_MODEL):
        (tmp_path / name).mkdir()
        for f in (models_dir() / name).iterdir():
            if f.name != ONNX_FILE:
                (tmp_path / name / f.name).symlink_to(f)
    engine = PaddleOcrEngine(PaddleEngineConfig(model_root=tmp_path))
    assert engine.rec_runtime == "paddle"
    [cand, *_] = find_mrz(_mrz_page())
    read = engine.recognize([ln.image for ln in cand.lines], alphabet=MRZ_ALPHABET)
    assert sum(a == b for t, r in zip(TD3, read, strict=True) for a, b in zip(t, r.text, strict=True)) >= 86
