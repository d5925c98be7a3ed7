"""Each image-quality flag is raised by the condition it names, and not by a clean scan."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest

from desktop_app.core.pipeline import DocumentReader, ReaderSettings
from tests.synth import generate
from tests.unit.core.test_pipeline import ScriptedEngine


def _codes(image: np.ndarray, lines: list[str]) -> set[str]:
    reader = DocumentReader(ReaderSettings(read_visual_zone=False), engine=ScriptedEngine(lines))  # type: ignore[arg-type]
    [result] = reader.read(image)
    return {f.code for f in result.flags}


@pytest.fixture(scope="module")
def doc() -> tuple[np.ndarray, list[str], tuple[int, int, int, int]]:
    d = generate("TD3", 11, "clean")
    ys = [b[1] for k, b in d.boxes.items() if k.startswith("mrz")]
    ye = [b[3] for k, b in d.boxes.items() if k.startswith("mrz")]
    xs = [b[0] for k, b in d.boxes.items() if k.startswith("mrz")]
    xe = [b[2] for k, b in d.boxes.items() if k.startswith("mrz")]
    return d.image, list(d.truth["mrz_lines"]), (min(xs), min(ys), max(xe), max(ye))


QUALITY = {"blurred", "glare", "too_dark", "low_resolution", "mrz_cut_off", "document_too_small"}


def test_clean_document_has_no_quality_flag(doc: tuple[np.ndarray, list[str], tuple[int, int, int, int]]) -> None:
    image, lines, _ = doc
    assert _codes(image, lines) & QUALITY == set()


def _blur(img: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    # Sigma 3.5 px on a 38 px cap (0.09 of it): the strokes run into each other. The old
    # Laplacian measure also took 2.2 px for blurred, and half of the sharp scans with it.
    return cv2.GaussianBlur(img, (0, 0), 3.5)


def _dark(img: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    return (img.astype(np.float32) * 0.18).astype(np.uint8)


def _low_res(img: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    small = cv2.resize(img, None, fx=0.28, fy=0.28, interpolation=cv2.INTER_AREA)
    return small


def _cut(img: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    x0, _, x1, _ = box
    return np.ascontiguousarray(img[:, : x1 - (x1 - x0) // 12])  # the right end of the MRZ is cut off


def _small_in_frame(img: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    h, w = img.shape[:2]
    canvas = np.full((h * 3, w * 4, 3), 90, np.uint8)
    canvas[h : 2 * h, w : 2 * w] = img
    return canvas


def _glare(img: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    out = (img.astype(np.float32) * 0.8).astype(np.uint8)  # paper no longer white, as in a photo
    x0, y0, x1, y1 = box
    cx, cy = x0 + (x1 - x0) // 3, (y0 + y1) // 2
    cv2.ellipse(out, (cx, cy), ((x1 - x0) // 10, (y1 - y0) // 2), 0, 0, 360, (255, 255, 255), -1)
    return out


@pytest.mark.parametrize(
    ("degrade", "code"),
    [(_blur, "blurred"), (_dark, "too_dark"), (_low_res, "low_resolution"), (_cut, "mrz_cut_off"),
     (_small_in_frame, "document_too_small"), (_glare, "glare")],
)
def test_each_condition_raises_its_flag(
    doc: tuple[np.ndarray, list[str], tuple[int, int, int, int]],
    degrade: Callable[[np.ndarray, tuple[int, int, int, int]], np.ndarray],
    code: str,
) -> None:
    image, lines, box = doc
    assert code in _codes(degrade(image, box), lines)


@pytest.mark.parametrize(("scale", "contrast"), [(1.0, 1.0), (1.85, 1.0), (1.85, 0.45), (0.7, 0.45)])
def test_a_clean_scan_is_not_blurred_at_any_scale_or_contrast(
    doc: tuple[np.ndarray, list[str], tuple[int, int, int, int]], scale: float, contrast: float
) -> None:
    """Issue 12: a clean 1874 x 1326 scan was flagged "blurred" (the Laplacian's variance
    falls with the magnification and with the square of the contrast)."""
    image, lines, _ = doc
    img = image if scale == 1.0 else cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    if contrast < 1:
        mid = float(np.median(img))
        img = np.clip(mid + (img.astype(np.float32) - mid) * contrast, 0, 255).astype(np.uint8)
    assert "blurred" not in _codes(img, lines)
