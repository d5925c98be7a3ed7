"""Turn any input the operator may give into BGR uint8 page images, or a plain error.

Handles JPEG, PNG, TIFF (every page), BMP, WebP, GIF (first frame) and PDF (every page),
EXIF orientation, grayscale, 16-bit, CMYK and alpha. Sizes are checked from the header
before any pixel is decoded, so a decompression bomb costs nothing; the pages of one file
together are held to :data:`MAX_TOTAL_PIXELS`, so a small multi-page file cannot ask for
gigabytes either. Whatever a damaged file does to a decoder, the only exception that
leaves this module for a bad input is :class:`ImageLoadError` (or :class:`MemoryError`).
"""

from __future__ import annotations

import io
import logging
import os
import stat
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

log = logging.getLogger(__name__)

MAX_PIXELS: Final = 60_000_000
"""Largest page we decode (about 8000 x 7500): far beyond any scanner page at 600 dpi."""
MAX_FILE_BYTES: Final = 200 * 1024 * 1024
MAX_PAGES: Final = 50
MAX_TOTAL_PIXELS: Final = 4 * MAX_PIXELS
"""All pages of one file together (about 720 MB as BGR): a 50-page PDF is rendered at a
lower resolution to fit, a TIFF whose pages add up to more is refused."""
PDF_DPI: Final = 300
"""PDF pages are rendered at 300 dpi: an MRZ character is then ~30 px tall."""
MIN_SIDE: Final = 32


_PDFIUM_ERR_PASSWORD: Final = 4
_PDFIUM_ERR_SECURITY: Final = 5


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


def _pdf_open_error(data: bytes) -> ImageLoadError:
    """Why PDFium would not open ``data``. pypdfium2 raises the same error for a document
    PDFium refused and for one it opened with no page, and then quotes PDFium's *last*
    error, which for an empty document is left over from an earlier file: so ask again."""
    import pypdfium2.raw as pdfium_raw

    doc = pdfium_raw.FPDF_LoadMemDocument64(data, len(data), None)
    if doc:
        try:
            pages = pdfium_raw.FPDF_GetPageCount(doc)
        finally:
            pdfium_raw.FPDF_CloseDocument(doc)
        if pages < 1:
            return ImageLoadError("The PDF has no pages.")
        return ImageLoadError("The PDF is damaged or not a PDF that can be opened.")
    code = pdfium_raw.FPDF_GetLastError()
    if code == _PDFIUM_ERR_PASSWORD:
        return ImageLoadError("The PDF is password-protected; open it, save an unprotected copy, and try again.")
    if code == _PDFIUM_ERR_SECURITY:
        return ImageLoadError("The PDF is protected by a security scheme that cannot be opened; save an unprotected copy.")
    return ImageLoadError("The PDF is damaged or not a PDF that can be opened.")


def _pdf_pages(data: bytes) -> Iterator[Page]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise _pdf_open_error(data) from exc
    try:
        count = len(pdf)
        if count == 0:
            raise ImageLoadError("The PDF has no pages.")
        if count > MAX_PAGES:
            raise ImageLoadError(f"The PDF has {count} pages; at most {MAX_PAGES} are read from one file.")
        sizes = [pdf.get_page_size(i) for i in range(count)]
        total_pt = sum(max(w * h, 1.0) for w, h in sizes)
        # All pages together stay under the file's budget: many pages, lower resolution.
        doc_scale = (MAX_TOTAL_PIXELS / total_pt) ** 0.5
        for i in range(count):
            page = pdf[i]
            w_pt, h_pt = page.get_size()
            scale = PDF_DPI / 72.0
            # Keep huge pages (posters) under the pixel limit by lowering the resolution.
            max_scale = (MAX_PIXELS / max(w_pt * h_pt, 1.0)) ** 0.5
            bitmap = page.render(scale=min(scale, max_scale, doc_scale))
            pil = bitmap.to_pil()
            yield Page(_to_bgr(pil), i + 1)
            page.close()
    finally:
        pdf.close()


DAMAGED: Final = "The image file is damaged or uses a form that cannot be decoded."


def _decode_error(exc: BaseException) -> ImageLoadError:
    """A plain message for a decoder's exception (its own words, such as "decoder error -2",
    mean nothing to an operator: they go to the log)."""
    msg = str(exc).lower()
    log.info("image decoder failed: %s: %s", type(exc).__name__, exc)
    if any(w in msg for w in ("truncated", "broken", "premature", "not enough image data")):
        return ImageLoadError("The image file is truncated or damaged (the copy may be incomplete).")
    return ImageLoadError(DAMAGED)


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
            raise _decode_error(exc) from exc
        # Only TIFF and MPO pages are read; counting a GIF's frames would walk the whole file.
        paged = (img.format or "").upper() in ("TIFF", "MPO")
        n_frames = int(getattr(img, "n_frames", 1) or 1) if paged else 1
        multipage = paged and n_frames > 1
        if multipage and n_frames > MAX_PAGES:
            raise ImageLoadError(f"The image has {n_frames} pages; at most {MAX_PAGES} are read from one file.")
        if multipage:
            _check_total(img, n_frames)
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
                raise _decode_error(exc) from exc
            yield Page(bgr, i + 1 if multipage else None)


def _check_total(img: PILImage.Image, n_frames: int) -> None:
    """Refuse a multi-page image whose pages add up to more than the file's budget
    (read from each page's header: nothing is decoded)."""
    total = 0
    for i in range(n_frames):
        img.seek(i)
        total += img.width * img.height
    img.seek(0)
    if total > MAX_TOTAL_PIXELS:
        raise ImageLoadError(
            f"The file's {n_frames} pages add up to {total // 1_000_000} megapixels, more than the "
            f"{MAX_TOTAL_PIXELS // 1_000_000} megapixel limit for one file. Split it or scan at a lower resolution."
        )


def load_pages_from_bytes(data: bytes) -> list[Page]:
    """Decode every page of an image or PDF held in memory.

    Raises :class:`ImageLoadError` (plain message) for anything that is not a readable
    image, whatever the decoder raised, and :class:`MemoryError` when memory runs out."""
    if len(data) == 0:
        raise ImageLoadError("The file is empty (0 bytes).")
    if len(data) > MAX_FILE_BYTES:
        raise ImageLoadError(f"The file is {len(data) // (1024 * 1024)} MB; files over {MAX_FILE_BYTES // (1024 * 1024)} MB are not read.")
    try:
        # A PDF may have a few bytes before its header (PDF 1.7, 7.5.2 allows 1024).
        if b"%PDF-" in data[:1024]:
            return list(_pdf_pages(data))
        return list(_pil_pages(data))
    except (ImageLoadError, MemoryError):
        raise
    except Exception as exc:
        # A damaged file can make a decoder raise almost anything (ValueError from a PNG
        # text-chunk bomb, struct.error, IndexError...): it is still a bad input.
        if "too large" in str(exc).lower():
            raise ImageLoadError("The image holds an oversized compressed block (a decompression bomb?); it was not opened.") from exc
        raise _decode_error(exc) from exc


def load_pages(path: str | Path) -> list[Page]:
    """Decode every page of the file at ``path``; raises :class:`ImageLoadError` with a plain message."""
    p = Path(path)
    too_big = f"files over {MAX_FILE_BYTES // (1024 * 1024)} MB are not read."
    try:
        if p.is_dir():
            raise ImageLoadError("This is a folder, not an image file.")
        # Non-blocking open, then look at what was opened: a pipe must not hang the read
        # and a device (/dev/zero) must not fill the memory; never read past the limit.
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if stat.S_ISDIR(st.st_mode):
                raise ImageLoadError("This is a folder, not an image file.")
            if not stat.S_ISREG(st.st_mode):
                raise ImageLoadError("This is not an image file but a device, pipe or socket.")
            if st.st_size > MAX_FILE_BYTES:
                raise ImageLoadError(f"The file is {st.st_size // (1024 * 1024)} MB; {too_big}")
            data = f.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ImageLoadError(f"The file is over {MAX_FILE_BYTES // (1024 * 1024)} MB; {too_big}")
    except ImageLoadError:
        raise
    except FileNotFoundError as exc:
        raise ImageLoadError("The file does not exist (it may have been moved or deleted).") from exc
    except PermissionError as exc:
        raise ImageLoadError("The file cannot be opened: permission denied.") from exc
    except IsADirectoryError as exc:
        raise ImageLoadError("This is a folder, not an image file.") from exc
    except OSError as exc:
        raise ImageLoadError(f"The file could not be read: {exc.strerror or exc}") from exc
    except ValueError as exc:  # a NUL character in the name
        raise ImageLoadError("The file name is not valid.") from exc
    return load_pages_from_bytes(data)


def page_from_array(array: np.ndarray) -> Page:
    """Accept a caller's array (gray, BGR, BGRA; uint8 or uint16) as one page."""
    a = np.asarray(array)
    if a.ndim not in (2, 3) or a.size == 0:
        raise ImageLoadError("The array is not an image (expected H x W or H x W x C).")
    if a.dtype.kind not in "biuf":  # objects, text, records, complex numbers
        raise ImageLoadError(f"The array is not an image (its values are {a.dtype}, not numbers).")
    if a.ndim == 3 and a.shape[2] not in (1, 3, 4):
        raise ImageLoadError(f"The array has {a.shape[2]} channels; expected 1 (grey), 3 (BGR) or 4 (BGRA).")
    _check_size(a.shape[1], a.shape[0], "The image")  # before any conversion copies it
    if a.dtype.kind == "u" and a.dtype.itemsize == 2:  # 16-bit, either byte order
        a = (a / 257).astype(np.uint8)
    elif a.dtype != np.uint8:
        a = np.clip(np.nan_to_num(a.astype(np.float64), nan=0.0, posinf=255.0, neginf=0.0), 0, 255).astype(np.uint8)
    if a.ndim == 2:
        a = cv2.cvtColor(a, cv2.COLOR_GRAY2BGR)
    elif a.shape[2] == 4:
        a = cv2.cvtColor(a, cv2.COLOR_BGRA2BGR)
    elif a.shape[2] == 1:
        a = cv2.cvtColor(a, cv2.COLOR_GRAY2BGR)
    return Page(np.ascontiguousarray(a), None)
