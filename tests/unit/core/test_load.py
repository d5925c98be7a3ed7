"""Every input format the counter meets, and every bad input, through the loader."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from desktop_app.core.imaging.load import ImageLoadError, load_pages, load_pages_from_bytes, page_from_array


def _rgb(w: int = 120, h: int = 80) -> Image.Image:
    arr = np.zeros((h, w, 3), dtype=np.uint8)
    arr[:, : w // 2] = (255, 0, 0)  # left half red
    arr[:, w // 2 :] = (0, 0, 255)  # right half blue
    return Image.fromarray(arr, "RGB")


def _save(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "BMP", "WEBP", "TIFF"])
def test_common_formats_decode_to_bgr(fmt: str) -> None:
    [page] = load_pages_from_bytes(_save(_rgb(), fmt))
    assert page.number is None
    assert page.image.shape == (80, 120, 3) and page.image.dtype == np.uint8
    b, _g, r = page.image[40, 10].astype(int)
    assert r > 200 and b < 60  # red stays red: channel order is BGR


def test_multipage_tiff_gives_every_page() -> None:
    frames = [_rgb(), _rgb(100, 60), _rgb(90, 70)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    pages = load_pages_from_bytes(buf.getvalue())
    assert [p.number for p in pages] == [1, 2, 3]
    assert [p.image.shape[:2] for p in pages] == [(80, 120), (60, 100), (70, 90)]


def test_pdf_every_page_rendered() -> None:
    buf = io.BytesIO()
    _rgb(400, 300).save(buf, format="PDF", save_all=True, append_images=[_rgb(400, 300)], resolution=100.0)
    pages = load_pages_from_bytes(buf.getvalue())
    assert [p.number for p in pages] == [1, 2]
    # 4 x 3 inches at 300 dpi
    assert pages[0].image.shape[1] == pytest.approx(1200, abs=3)


def test_exif_orientation_is_honoured() -> None:
    img = _rgb(120, 80)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW to display
    [page] = load_pages_from_bytes(_save(img, "JPEG", exif=exif.tobytes()))
    assert page.image.shape[:2] == (120, 80)


def test_gray_16bit_cmyk_alpha() -> None:
    gray16 = Image.fromarray(np.arange(100 * 60, dtype=np.uint16).reshape(60, 100) * 10)
    assert gray16.mode.startswith("I;16")
    [p16] = load_pages_from_bytes(_save(gray16, "PNG"))
    assert p16.image.dtype == np.uint8 and p16.image.shape == (60, 100, 3)
    assert p16.image.max() > 100  # scaled, not clipped to black

    [pc] = load_pages_from_bytes(_save(_rgb().convert("CMYK"), "JPEG"))
    assert pc.image.shape == (80, 120, 3)

    rgba = _rgb().convert("RGBA")
    alpha = np.asarray(rgba).copy()
    alpha[:, :, 3] = 0  # fully transparent: flattened onto white
    [pa] = load_pages_from_bytes(_save(Image.fromarray(alpha, "RGBA"), "PNG"))
    assert pa.image.min() == 255

    [pg] = load_pages_from_bytes(_save(_rgb().convert("L"), "PNG"))
    assert pg.image.shape == (80, 120, 3)


def test_array_inputs() -> None:
    assert page_from_array(np.zeros((50, 60), np.uint8)).image.shape == (50, 60, 3)
    assert page_from_array(np.zeros((50, 60, 4), np.uint8)).image.shape == (50, 60, 3)
    assert page_from_array(np.full((50, 60, 3), 65535, np.uint16)).image.max() == 255
    with pytest.raises(ImageLoadError):
        page_from_array(np.zeros((5,), np.uint8))


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"hello, this is text and not an image", "not an image"),
        (_png_header_only(50_000, 50_000), "decompression bomb"),
        (_png_header_only(1, 1), "too small"),
        (b"%PDF-1.4\n%garbage", "PDF"),
    ],
)
def test_bad_inputs_give_plain_messages(data: bytes, message: str) -> None:
    with pytest.raises(ImageLoadError, match=message):
        load_pages_from_bytes(data)


def test_truncated_jpeg_and_png(tmp_path: Path) -> None:
    ok, enc = cv2.imencode(".jpg", np.random.default_rng(0).integers(0, 255, (400, 400, 3), dtype=np.uint8))
    assert ok
    with pytest.raises(ImageLoadError, match=r"truncated|damaged|decoded"):
        load_pages_from_bytes(enc.tobytes()[: len(enc) // 2])
    png = _save(_rgb(400, 400), "PNG")
    with pytest.raises(ImageLoadError):
        load_pages_from_bytes(png[: len(png) // 2])


def test_paths_folder_missing_and_unicode(tmp_path: Path) -> None:
    with pytest.raises(ImageLoadError, match="folder"):
        load_pages(tmp_path)
    with pytest.raises(ImageLoadError, match="does not exist"):
        load_pages(tmp_path / "nope.jpg")
    p = tmp_path / "pièce d'identité 1.png"
    p.write_bytes(_save(_rgb(), "PNG"))
    assert load_pages(p)[0].image.shape == (80, 120, 3)
