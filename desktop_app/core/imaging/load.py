"""Turn any input the operator may give into BGR uint8 page images, or a plain error.

Handles JPEG, PNG, TIFF (every page), BMP, WebP, GIF (first frame) and PDF (every page),
EXIF orientation, grayscale, 16-bit, CMYK and alpha. Sizes are checked from the header
before any pixel is decoded, so a decompression bomb costs nothing.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import cv2
import numpy as np
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

from desktop_app.core.ocr.base import Image

MAX_PIXELS: Final = 60_000_000
"""Largest page we decode (about 8000 x 7500): far beyond any scanner page at 600 dpi."""
MAX_FILE_BYTES: Final = 200 * 1024 * 1024
MAX_PAGES: Final = 50
PDF_DPI: Final = 300
"""PDF pages are rendered at 300 dpi: an MRZ character is then ~30 px tall."""
MIN_SIDE: Final = 32


class ImageLoadError(ValueError):
    """The input is not a readable image; the message is for the operator."""


@dataclass(frozen=True)
class Page:
    image: Image
    """BGR uint8."""
    number: int | None
    """1-based page number for multi-page inputs, None for a single image."""


def _to_bgr(img: PILImage.Image) -> Image:
    """Convert any PIL mode to 8-bit BGR, flattening alpha onto white."""
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        arr = np.asarray(img, dtype=np.float64)
        hi = float(arr.max()) if arr.size else 0.0
        scale = 255.0 / (65535.0 if hi > 255 else 255.0)
        gray = np.clip(arr * scale, 0, 255).astype(np.uint8)
        return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    if mode == "F":
        arr = np.asarray(img, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        gray = ((arr - lo) * (255.0 / max(hi - lo, 1e-9))).astype(np.uint8)
        return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = PILImage.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = PILImage.alpha_composite(background, rgba)
    rgb = np.asarray(img.convert("RGB"), dtype=np.uint8)
    return np.ascontiguousarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))


def _check_size(width: int, height: int, what: str) -> None:
    if width * height > MAX_PIXELS:
        raise ImageLoadError(
            f"{what} is {width} x {height} pixels, larger than the {MAX_PIXELS // 1_000_000} megapixel "
            "limit. Scan at 300-600 dpi or reduce the image."
        )
    if min(width, height) < MIN_SIDE:
        raise ImageLoadError(f"{what} is only {width} x {height} pixels: too small to read a document.")


def _pdf_pages(data: bytes) -> Iterator[Page]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        text = str(exc).lower()
        if "password" in text:
            raise ImageLoadError("The PDF is password-protected; open it, save an unprotected copy, and try again.") from exc
        raise ImageLoadError("The PDF is damaged or not a PDF that can be opened.") from exc
    try:
        count = len(pdf)
        if count == 0:
            raise ImageLoadError("The PDF has no pages.")
        if count > MAX_PAGES:
            raise ImageLoadError(f"The PDF has {count} pages; at most {MAX_PAGES} are read from one file.")
        for i in range(count):
            page = pdf[i]
            w_pt, h_pt = page.get_size()
            scale = PDF_DPI / 72.0
            # Keep huge pages (posters) under the pixel limit by lowering the resolution.
            max_scale = (MAX_PIXELS / max(w_pt * h_pt, 1.0)) ** 0.5
            bitmap = page.render(scale=min(scale, max_scale))
            pil = bitmap.to_pil()
            yield Page(_to_bgr(pil), i + 1)
    finally:
        pdf.close()


def _pil_pages(data: bytes) -> Iterator[Page]:
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            img = PILImage.open(io.BytesIO(data))
        except (UnidentifiedImageError, PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
            if isinstance(exc, UnidentifiedImageError):
                raise ImageLoadError("The file is not an image that can be read (JPEG, PNG, TIFF, BMP, WebP or PDF).") from exc
            raise ImageLoadError("The image claims an absurd size (a decompression bomb?); it was not opened.") from exc
        except OSError as exc:
            raise ImageLoadError(f"The image could not be read: {exc}") from exc
        n_frames = int(getattr(img, "n_frames", 1) or 1)
        multipage = (img.format or "").upper() in ("TIFF", "MPO") and n_frames > 1
        if multipage and n_frames > MAX_PAGES:
            raise ImageLoadError(f"The image has {n_frames} pages; at most {MAX_PAGES} are read from one file.")
        frames = range(n_frames) if multipage else range(1)
        for i in frames:
            try:
                img.seek(i)
                _check_size(img.width, img.height, "The image" if not multipage else f"Page {i + 1}")
                frame = ImageOps.exif_transpose(img) if i == 0 else img
                frame.load()
                bgr = _to_bgr(frame if frame is not None else img)
            except ImageLoadError:
                raise
            except (OSError, ValueError, SyntaxError, PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
                msg = str(exc).lower()
                if "truncated" in msg or "broken" in msg or "premature" in msg:
                    raise ImageLoadError("The image file is truncated or damaged (the copy may be incomplete).") from exc
                raise ImageLoadError(f"The image could not be decoded: {exc}") from exc
            yield Page(bgr, i + 1 if multipage else None)


def load_pages_from_bytes(data: bytes) -> list[Page]:
    """Decode every page of an image or PDF held in memory."""
    if len(data) == 0:
        raise ImageLoadError("The file is empty (0 bytes).")
    if len(data) > MAX_FILE_BYTES:
        raise ImageLoadError(f"The file is {len(data) // (1024 * 1024)} MB; files over {MAX_FILE_BYTES // (1024 * 1024)} MB are not read.")
    if data[:5] == b"%PDF-":
        return list(_pdf_pages(data))
    return list(_pil_pages(data))


def load_pages(path: str | Path) -> list[Page]:
    """Decode every page of the file at ``path``; raises :class:`ImageLoadError` with a plain message."""
    p = Path(path)
    if p.is_dir():
        raise ImageLoadError("This is a folder, not an image file.")
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImageLoadError(f"The file is {size // (1024 * 1024)} MB; files over {MAX_FILE_BYTES // (1024 * 1024)} MB are not read.")
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise ImageLoadError("The file does not exist (it may have been moved or deleted).") from exc
    except PermissionError as exc:
        raise ImageLoadError("The file cannot be opened: permission denied.") from exc
    except IsADirectoryError as exc:
        raise ImageLoadError("This is a folder, not an image file.") from exc
    except OSError as exc:
        raise ImageLoadError(f"The file could not be read: {exc.strerror or exc}") from exc
    return load_pages_from_bytes(data)


def page_from_array(array: np.ndarray) -> Page:
    """Accept a caller's array (gray, BGR, BGRA; uint8 or uint16) as one page."""
    a = np.asarray(array)
    if a.ndim not in (2, 3) or a.size == 0:
        raise ImageLoadError("The array is not an image (expected H x W or H x W x C).")
    if a.dtype == np.uint16:
        a = (a / 257).astype(np.uint8)
    elif a.dtype != np.uint8:
        a = np.clip(a, 0, 255).astype(np.uint8)
    _check_size(a.shape[1], a.shape[0], "The image")
    if a.ndim == 2:
        a = cv2.cvtColor(a, cv2.COLOR_GRAY2BGR)
    elif a.shape[2] == 4:
        a = cv2.cvtColor(a, cv2.COLOR_BGRA2BGR)
    elif a.shape[2] == 1:
        a = cv2.cvtColor(a, cv2.COLOR_GRAY2BGR)
    return Page(np.ascontiguousarray(a), None)
