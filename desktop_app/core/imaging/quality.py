"""Image-quality findings an operator can act on (retake the photo, move the card...)."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from desktop_app.core.ocr.base import Image
from desktop_app.core.types import Box, Flag

BLUR_VARIANCE = 60.0
"""Variance of the Laplacian of an MRZ line crop (cap height 40 px) below which the text is soft."""
GLARE_FRACTION = 0.04
DARK_MEAN = 60.0
MIN_CHAR_HEIGHT = 14.0
"""MRZ cap height (input px) below which the recogniser starts to guess."""
SMALL_DOCUMENT = 0.30
"""The MRZ spans less than this fraction of the frame width: the document is far away."""


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
    small = cv2.resize(gray, (256, max(1, round(256 * gray.shape[0] / gray.shape[1]))), interpolation=cv2.INTER_AREA)
    if float(small.mean()) < DARK_MEAN:
        flags.append(Flag("too_dark", "The image is too dark: add light or use the scanner."))
    if mrz_crops:
        sharp = float(np.median([cv2.Laplacian(c, cv2.CV_64F).var() for c in mrz_crops]))
        if sharp < BLUR_VARIANCE:
            flags.append(Flag("blurred", "The machine readable zone is blurred: hold the document still and refocus."))
    if mrz_box is not None:
        x0, y0, x1, y1 = mrz_box
        band = gray[y0:y1, x0:x1]
        if band.size:
            saturated = float((band >= 250).mean())
            # A flat scan of white paper is saturated everywhere; glare is saturation on
            # paper that is otherwise not white (a photo), so compare with the page.
            paper = float(np.percentile(small, 75))
            if saturated > GLARE_FRACTION and paper < 235:
                flags.append(Flag("glare", "Glare over the machine readable zone: tilt the document or dim the light."))
    if char_height is not None and char_height < MIN_CHAR_HEIGHT:
        flags.append(Flag("low_resolution", "The resolution is too low for a reliable reading: scan at 300 dpi or move closer."))
    if near_edge:
        flags.append(Flag("mrz_cut_off", "The machine readable zone touches the image edge and may be cut off."))
    if mrz_width_fraction is not None and mrz_width_fraction < SMALL_DOCUMENT:
        flags.append(Flag("document_too_small", "The document is small in the frame: move closer or crop the image."))
    return flags
