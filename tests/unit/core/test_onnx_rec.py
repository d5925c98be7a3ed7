"""The PP-OCRv6 small (ONNX) line recogniser: its bundled files, a real read of rendered
OCR-B MRZ lines through the project's locator, and plain errors when files are missing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from desktop_app.core.imaging.mrz_locate import find_mrz
from desktop_app.core.ocr.base import MRZ_ALPHABET, OcrError
from desktop_app.core.ocr.onnx_rec import (
    DICT_FILE,
    MODEL_DIR_NAME,
    MODEL_FILE,
    OnnxLineRecognizer,
    OnnxRecConfig,
    load_characters,
)
from desktop_app.core.resources import fonts_dir, models_dir

MODEL_DIR = models_dir() / MODEL_DIR_NAME
TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")


def _page(lines: tuple[str, ...], size: int = 34) -> np.ndarray:
    """A light page with a few labels and an OCR-B MRZ near the bottom (gray)."""
    img = Image.new("L", (1500, 1050), 236)
    d = ImageDraw.Draw(img)
    ocrb = ImageFont.truetype(str(fonts_dir() / "OCRB.otf"), size)
    label = ImageFont.truetype(str(fonts_dir() / "OCRB.otf"), 22)
    for i, t in enumerate(["PASSPORT", "Surname / Nom", "ERIKSSON", "Given names", "ANNA MARIA"]):
        d.text((520, 120 + 70 * i), t, font=label, fill=30)
    top = 1000 - 60 * len(lines)
    for i, ln in enumerate(lines):
        d.text((70, top + 60 * i), ln, font=ocrb, fill=10)
    return np.asarray(img)


@pytest.fixture(scope="module")
def v6() -> Iterator[OnnxLineRecognizer]:
    yield OnnxLineRecognizer()


def test_bundled_files_are_in_the_manifest_and_the_licence() -> None:
    manifest = (models_dir() / "MANIFEST.sha256").read_text(encoding="utf-8")
    for name in (MODEL_FILE, DICT_FILE):
        assert f"  {MODEL_DIR_NAME}/{name}\n" in manifest
    notice = (models_dir() / "LICENSE-PaddleOCR.txt").read_text(encoding="utf-8")
    assert "PP-OCRv6" in notice and "rapidocr==3.10.0" in notice
    assert "Apache License" in (models_dir() / "LICENSE-Apache-2.0.txt").read_text(encoding="utf-8")


def test_class_list_is_blank_dictionary_space() -> None:
    chars = load_characters(MODEL_DIR)
    assert len(chars) == 18_710  # the model's output width
    assert chars[0] == "blank" and chars[-1] == " "
    assert len(set(chars[1:-1])) == len(chars) - 2  # one class per entry, none lost to line splitting
    assert "\u3000" in chars  # an ideographic space survives reading
    for ch in MRZ_ALPHABET:
        assert ch in chars
    assert chars.index("<") == 18  # '!' is the first entry: class 1


@pytest.mark.slow
@pytest.mark.ocr
def test_class_list_is_the_models_own(v6: OnnxLineRecognizer) -> None:
    meta = v6._session.get_modelmeta().custom_metadata_map["character"].split("\n")
    assert v6.characters == ["blank", *meta, " "]
    assert v6._session.get_outputs()[0].shape[-1] == len(v6.characters)


@pytest.mark.slow
@pytest.mark.ocr
def test_reads_a_rendered_td3_mrz_with_filler_runs_exactly(v6: OnnxLineRecognizer) -> None:
    [cand, *_] = find_mrz(_page(TD3))
    lines = v6.recognize([ln.image for ln in cand.lines], alphabet=MRZ_ALPHABET)
    assert len(lines) == 2
    first, second = lines
    # The filler runs after the names are where PP-OCRv4 drops or misreads `<`.
    assert first.text == TD3[0]
    # PP-OCRv6 reads the issuing state's O as 0 here: that is for the MRZ repairs (a check
    # digit cannot see it); every other character must be right.
    assert second.text in (TD3[1], TD3[1].replace("UTO", "UT0"))
    for ln in lines:
        assert ln.confidence > 0.9
        assert len(ln.char_confidences) == len(ln.char_centers) == len(ln.text)
        assert list(ln.char_centers) == sorted(ln.char_centers)
        assert ln.steps is not None and ln.steps.alphabet == MRZ_ALPHABET
        probs = ln.steps.probs
        assert probs.ndim == 2 and probs.shape[1] == 1 + len(MRZ_ALPHABET)
        assert probs.shape[0] >= 2 * len(ln.text)  # enough time steps for `<` blank `<`
        assert float(probs.sum(axis=1).max()) <= 1.0 + 1e-4  # pooled and renormalised
        assert len(ln.char_alternatives) in (0, len(ln.text))


@pytest.mark.slow
@pytest.mark.ocr
def test_reads_a_rendered_td1_mrz_line_by_line_or_batched(v6: OnnxLineRecognizer) -> None:
    [cand, *_] = find_mrz(_page(TD1, size=40))
    crops = [ln.image for ln in cand.lines]
    lines = v6.recognize(crops, alphabet=MRZ_ALPHABET)
    assert [ln.text.replace("UT0", "UTO") for ln in lines] == list(TD1)
    assert v6.recognize([]) == []
    # Several lines per model call (padded to the widest) read the same.
    batched = OnnxLineRecognizer(OnnxRecConfig(max_batch=3)).recognize(crops, alphabet=MRZ_ALPHABET)
    assert [ln.text for ln in batched] == [ln.text for ln in lines]
    # Without an alphabet: Latin text, still one line per crop, in order.
    assert [ln.text.upper().replace(" ", "")[:4] for ln in v6.recognize(crops[:1])] == [TD1[0][:4]]


@pytest.mark.slow
@pytest.mark.ocr
def test_an_empty_crop_gives_an_empty_line(v6: OnnxLineRecognizer) -> None:
    [empty] = v6.recognize([np.zeros((0, 0), dtype=np.uint8)], alphabet=MRZ_ALPHABET)
    assert empty.text == "" and empty.confidence == 0.0


def test_missing_model_files_say_so(tmp_path: Path) -> None:
    with pytest.raises(OcrError, match=r"missing from .*PP-OCRv6_rec_small\.onnx, ppocrv6_dict\.txt.*Reinstall"):
        OnnxLineRecognizer(OnnxRecConfig(model_dir=tmp_path))


@pytest.mark.slow
@pytest.mark.ocr
def test_a_dictionary_that_does_not_fit_the_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / MODEL_FILE).symlink_to(MODEL_DIR / MODEL_FILE)
    shutil.copy(MODEL_DIR / DICT_FILE, tmp_path / DICT_FILE)
    with (tmp_path / DICT_FILE).open("a", encoding="utf-8") as f:
        f.write("extra\n")
    with pytest.raises(OcrError, match="do not belong together"):
        OnnxLineRecognizer(OnnxRecConfig(model_dir=tmp_path))


def test_a_damaged_model_file_says_so(tmp_path: Path) -> None:
    (tmp_path / MODEL_FILE).write_bytes(b"not an onnx model")
    shutil.copy(MODEL_DIR / DICT_FILE, tmp_path / DICT_FILE)
    with pytest.raises(OcrError, match="could not be started"):
        OnnxLineRecognizer(OnnxRecConfig(model_dir=tmp_path))


