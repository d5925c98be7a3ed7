"""The blur measure (issue 12): blind to scale and contrast, and it grows with the blur."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from desktop_app.core.imaging.mrz_locate import find_mrz
from desktop_app.core.imaging.quality import BLUR_EDGE, BLUR_VARIANCE, blur_of, edge_blur, is_blurred
from tests.synth import generate


@pytest.fixture(scope="module")
def pages() -> list[np.ndarray]:
    return [generate(fmt, 31 + i, "clean").image for i, fmt in enumerate(("TD3", "TD1", "TD2"))]


def _variant(img: np.ndarray, scale: float, contrast: float, sigma_at_1x: float) -> np.ndarray:
    out = img
    if scale != 1.0:
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        out = cv2.resize(out, None, fx=scale, fy=scale, interpolation=interp)
    if contrast < 1:
        mid = float(np.median(out))
        out = np.clip(mid + (out.astype(np.float32) - mid) * contrast, 0, 255).astype(np.uint8)
    if sigma_at_1x:
        out = cv2.GaussianBlur(out, (0, 0), sigma_at_1x * scale)  # the same blur relative to the print
    return out


def _crops(img: np.ndarray) -> list[np.ndarray]:
    cands = find_mrz(img)
    assert cands, "the MRZ was not found"
    return [ln.image for ln in cands[0].lines]


VARIANTS = [(0.6, 1.0), (1.0, 1.0), (1.8, 1.0), (1.0, 0.35), (1.8, 0.35)]


@pytest.mark.parametrize(("scale", "contrast"), VARIANTS)
def test_sharp_renders_are_not_blurred_at_any_scale_or_contrast(
    pages: list[np.ndarray], scale: float, contrast: float
) -> None:
    for page in pages:
        value = blur_of(_crops(_variant(page, scale, contrast, 0.0)))
        assert value < BLUR_EDGE / 2 and not is_blurred(value)


@pytest.mark.parametrize(("scale", "contrast"), VARIANTS)
def test_strongly_blurred_renders_are_blurred_at_any_scale_or_contrast(
    pages: list[np.ndarray], scale: float, contrast: float
) -> None:
    measured = 0
    for page in pages:
        # Sigma 4.5 px on a cap of about 37 px: the strokes of neighbouring characters meet.
        img = _variant(page, scale, contrast, 4.5)
        if not find_mrz(img):
            continue  # too blurred even to find (faint and blurred): nothing to flag on
        measured += 1
        assert is_blurred(blur_of(_crops(img)))
    assert measured >= 2


def test_the_measure_grows_with_the_blur_and_barely_moves_with_scale(pages: list[np.ndarray]) -> None:
    page = pages[0]
    by_sigma = [blur_of(_crops(_variant(page, 1.0, 1.0, s))) for s in (0.0, 1.5, 3.0, 4.5)]
    assert by_sigma == sorted(by_sigma) and by_sigma[-1] > 3 * by_sigma[0]
    at_scales = [blur_of(_crops(_variant(page, k, 1.0, 3.0))) for k in (0.6, 1.0, 1.8)]
    assert max(at_scales) < 1.35 * min(at_scales)


def test_the_old_measure_called_a_sharp_faint_scan_blurred(pages: list[np.ndarray]) -> None:
    """Why it was replaced: the Laplacian's variance goes with the square of the contrast."""
    old_flags = 0
    for page in pages:
        crops = _crops(_variant(page, 1.8, 0.25, 0.0))  # sharp, faint grey ink on grey paper
        old_flags += float(np.median([cv2.Laplacian(c, cv2.CV_64F).var() for c in crops])) < BLUR_VARIANCE
        assert not is_blurred(blur_of(crops))
    assert old_flags >= 2


def test_nothing_to_judge_is_not_blurred() -> None:
    blank = np.full((52, 900), 200, np.uint8)
    assert edge_blur(blank) is None
    assert np.isnan(blur_of([blank])) and not is_blurred(blur_of([blank]))
    assert edge_blur(np.zeros((4, 4), np.uint8)) is None
