"""Image-quality findings an operator can act on (retake the photo, move the card...)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import cv2
import numpy as np

from desktop_app.core.ocr.base import Image
from desktop_app.core.types import Box, Flag

BLUR_VARIANCE = 60.0
"""Variance of the Laplacian of a line crop (cap height 40 px) below which the text looks
soft: the camera's quick focus cue only. It grows with the square of the contrast and
with the scale the page was magnified from, so it is not what flags "blurred"; see
:func:`edge_blur`."""
BLUR_EDGE: Final = 0.06
"""Text edges wider than this (Gaussian sigma as a fraction of the cap height) are
flagged "blurred". Sharp scans measure 0.02-0.047 whatever their resolution or contrast;
see ``bench/quality_bench.py`` for the table it was set from."""
CROP_HEIGHT_CAPS: Final = 1.3
"""A line crop from :func:`~desktop_app.core.imaging.mrz_locate.find_mrz` is this many cap
heights tall (its ``CROP_HEIGHT_FACTOR``), whatever the scale of the page."""
CROP_STRETCH: Final = 1.4
"""...and stretched this much in width (its ``STRETCH``)."""
_SQRT_2PI: Final = float(np.sqrt(2 * np.pi))
GLARE_FRACTION = 0.04
DARK_MEAN = 60.0
MIN_CHAR_HEIGHT = 14.0
"""MRZ cap height (input px) below which the recogniser starts to guess."""
SMALL_DOCUMENT = 0.30
"""The MRZ spans less than this fraction of the frame width: the document is far away."""


def edge_blur(crop: Image, *, stretch: float = CROP_STRETCH) -> float | None:
    """How blurred the text of one MRZ line crop is: the Gaussian width (sigma) of its
    edges as a fraction of the cap height. None for a crop with no text contrast.

    A step between paper and ink of contrast C, blurred by a Gaussian of width sigma, has a
    steepest slope of C / (sigma * sqrt(2 pi)). So sigma = C / (slope * sqrt(2 pi)): the
    slope is the steepest gradients of the crop (the 99.5th percentile of the gradient
    magnitude, so one speck does not decide) and C its local contrast (the 99th minus the
    1st percentile of the grey levels). Dividing by the contrast makes the measure blind
    to faint ink or grey paper; dividing by the cap height (the crop's height over
    :data:`CROP_HEIGHT_CAPS`) makes it blind to the scale the page came at. The crop's
    width is stretched ``stretch`` times, so horizontal gradients are scaled back.

    A sharp page magnified from small print keeps edges about a source pixel wide, which
    is a larger fraction of a small cap; below about 14 px the low-resolution finding
    speaks for it.
    """
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    h = gray.shape[0]
    if h < 8 or gray.shape[1] < 8:
        return None
    g = gray.astype(np.float32)
    lo, hi = np.percentile(g, (1, 99))
    contrast = float(hi - lo)
    if contrast < 12:
        return None  # blank or a flat patch: nothing to judge
    # Sobel over 8 is the slope per pixel; the vertical derivative needs no correction,
    # the horizontal one is undone from the crop's stretch.
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3) / 8 * stretch
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3) / 8
    slope = float(np.percentile(np.hypot(gx, gy)[1:-1, 1:-1], 99.5))
    if slope <= 0:
        return None
    sigma_px = contrast / (slope * _SQRT_2PI)
    cap = h / CROP_HEIGHT_CAPS
    return float(sigma_px / cap)


def blur_of(crops: Sequence[Image]) -> float:
    """The MRZ's edge blur (:func:`edge_blur`): the median over its lines (NaN if none has text)."""
    values = [v for v in (edge_blur(c) for c in crops) if v is not None]
    return float(np.median(values)) if values else float("nan")


def is_blurred(edge: float) -> bool:
    return bool(edge > BLUR_EDGE)  # NaN (no text to judge) is never "blurred"


def assess(
    image: Image,
    *,
    mrz_box: Box | None,
    mrz_crops: Sequence[Image],
    char_height: float | None,
    near_edge: bool,
    mrz_width_fraction: float | None,
) -> list[Flag]:
    flags: list[Flag] = []
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    small = cv2.resize(
        gray, (256, max(1, round(256 * gray.shape[0] / gray.shape[1]))), interpolation=cv2.INTER_AREA
    )
    if float(small.mean()) < DARK_MEAN:
        flags.append(Flag("too_dark", "The image is too dark: add light or use the scanner."))
    if mrz_crops and is_blurred(blur_of(mrz_crops)):
        flags.append(
            Flag("blurred", "The machine readable zone is blurred: hold the document still and refocus.")
        )
    if mrz_box is not None:
        x0, y0, x1, y1 = mrz_box
        band = gray[y0:y1, x0:x1]
        if band.size:
            saturated = float((band >= 250).mean())
            # A flat scan of white paper is saturated everywhere; glare is saturation on
            # paper that is otherwise not white (a photo), so compare with the page.
            paper = float(np.percentile(small, 75))
            if saturated > GLARE_FRACTION and paper < 235:
                flags.append(
                    Flag("glare", "Glare over the machine readable zone: tilt the document or dim the light.")
                )
    if char_height is not None and char_height < MIN_CHAR_HEIGHT:
        flags.append(
            Flag(
                "low_resolution",
                "The resolution is too low for a reliable reading: scan at 300 dpi or move closer.",
            )
        )
    if near_edge:
        flags.append(
            Flag("mrz_cut_off", "The machine readable zone touches the image edge and may be cut off.")
        )
    if mrz_width_fraction is not None and mrz_width_fraction < SMALL_DOCUMENT:
        flags.append(
            Flag("document_too_small", "The document is small in the frame: move closer or crop the image.")
        )
    return flags
