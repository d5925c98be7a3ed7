"""The OCR-B glyph classifier: its training script runs, the shipped model tells fillers
from the letters they are read as, cells follow the fitted pitch, and fusion only decides
filler-or-not."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from desktop_app.core.mrz.ctc_decode import DecodedLine, fuse
from desktop_app.core.ocr.base import MRZ_ALPHABET, OcrError
from desktop_app.core.ocr.glyphs import GlyphClassifier, default_classifier, local_grid

ROOT = Path(__file__).resolve().parents[3]


def _trainer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_mrz_glyphs", ROOT / "scripts" / "train_mrz_glyphs.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_local_grid_follows_a_drifting_pitch_and_a_shift() -> None:
    # The pitch grows along the line (a photo's perspective), and from character 20 on
    # every centre is one pitch further right (a character the recogniser merged).
    centers = [100 + 30 * i + 0.2 * i * i + (30 if i >= 20 else 0) for i in range(40)]
    grid = local_grid(centers)
    assert grid is not None
    centres, pitches, spread = grid
    assert spread < 0.1
    assert centres[5] == pytest.approx(centers[5], abs=3) and centres[35] == pytest.approx(centers[35], abs=3)
    assert pitches[35] > pitches[5]


def test_local_grid_needs_four_advancing_characters() -> None:
    assert local_grid([1.0, 2.0, 3.0]) is None
    assert local_grid([50.0, 40.0, 30.0, 20.0, 10.0]) is None


def test_training_script_runs_and_writes_a_loadable_model(tmp_path: Path) -> None:
    trainer = _trainer()
    out = tmp_path / "g.npz"
    sys.argv = ["train", "--lines", "40", "--epochs", "1", "--out", str(out)]
    assert trainer.main() == 0
    model = GlyphClassifier.load(out)
    assert model.classes == MRZ_ALPHABET
    x, _ = trainer.make_data(3, seed=5)
    p = model.probabilities(x)
    assert p.shape == (len(x), len(MRZ_ALPHABET)) and np.allclose(p.sum(axis=1), 1, atol=1e-4)


def test_a_broken_model_file_is_a_plain_error(tmp_path: Path) -> None:
    bad = tmp_path / "g.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(OcrError, match="glyph model"):
        GlyphClassifier.load(bad)


def test_shipped_model_tells_fillers_from_k_c_x() -> None:
    model = default_classifier()
    assert model is not None, "resources/models/mrz_glyphs/glyphs.npz is missing"
    trainer = _trainer()
    rng = np.random.default_rng(77)  # not the training seed
    right = total = 0
    for _ in range(12):
        text = "".join(rng.choice(list("<<<<KCXSE")) for _ in range(30))
        crop, centers, _cap = trainer._render_line(rng, text)
        probs = model.read_line(crop, [c / crop.shape[1] for c in centers])
        assert probs is not None
        for ch, p in zip(text, probs, strict=True):
            total += 1
            right += (p["<"] > 0.5) == (ch == "<")
    assert right / total > 0.97


def test_cells_off_the_pitch_give_no_opinion() -> None:
    model = default_classifier()
    assert model is not None
    crop = np.full((52, 900), 255, np.uint8)
    scattered = [0.05, 0.1, 0.5, 0.52, 0.9, 0.91, 0.95]
    assert model.read_line(crop, scattered) is None


def _line(text: str, conf: dict[int, tuple[float, dict[str, float]]]) -> DecodedLine:
    confs = [conf.get(i, (0.99, {}))[0] for i in range(len(text))]
    alts = [conf.get(i, (0.99, {}))[1] for i in range(len(text))]
    return DecodedLine(text, tuple(confs), tuple(alts), tuple(i / len(text) for i in range(len(text))), 0.0)


def test_fusion_turns_a_doubtful_k_into_the_filler_the_glyph_shows() -> None:
    names = "ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
    line = _line("ANNAKMARIA", {4: (0.55, {"<": 0.4})})
    glyphs = [{"<": 0.01}] * 10
    glyphs[4] = {"<": 0.97, "K": 0.02}
    out = fuse(line, glyphs, [names] * 10, [names] * 10)
    assert out.text == "ANNA<MARIA"
    assert 0.6 < out.confidences[4] < 1.0


def test_fusion_does_not_overturn_a_confident_reading() -> None:
    names = "ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
    line = _line("ANNAKMARIA", {})
    glyphs = [{"<": 0.01}] * 10
    glyphs[4] = {"<": 0.9}
    assert fuse(line, glyphs, [names] * 10, [names] * 10).text == "ANNAKMARIA"


def test_fusion_leaves_letter_against_digit_to_the_recogniser() -> None:
    alnum = MRZ_ALPHABET
    line = _line("0012", {1: (0.6, {"O": 0.38})})
    glyphs = [{"0": 0.9}, {"O": 0.99, "<": 0.0}, {"1": 0.9}, {"2": 0.9}]
    assert fuse(line, glyphs, [alnum] * 4, [alnum] * 4).text == "0012"
