"""Builders for the hostile inputs of the hardening tests (issue 8), all made here in memory.

Nothing is downloaded and no extra package is needed: PNG chunks, PDFs (including an
RC4-encrypted one, ICAO-free standard security handler revision 2) are written by hand.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

# -- small image helpers --------------------------------------------------------------------


def encode(image: np.ndarray, ext: str, params: Sequence[int] = ()) -> bytes:
    ok, buf = cv2.imencode(ext, image, list(params))
    assert ok, ext
    return buf.tobytes()


def pil_bytes(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def noise_image(w: int = 400, h: int = 300, seed: int = 0) -> np.ndarray:
    """A BGR picture with edges and texture, so truncation really cuts pixel data."""
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
    cv2.putText(img, "HARDENING", (10, h // 2), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (0, 0, 0), 3)
    return img


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_gray_zeros(width: int, height: int) -> bytes:
    """A valid 8-bit grey PNG of ``width`` x ``height`` black pixels: tiny on disk, huge decoded."""
    comp = zlib.compressobj(9)
    row = b"\0" * (1 + width)
    # Identical rows compress to almost nothing; feed them in blocks to keep this quick.
    block = row * max(1, 4_000_000 // len(row))
    rows_per_block = len(block) // len(row)
    parts = []
    left = height
    while left > 0:
        n = min(left, rows_per_block)
        parts.append(comp.compress(block if n == rows_per_block else row * n))
        left -= n
    parts.append(comp.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return PNG_SIGNATURE + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", b"".join(parts)) + _png_chunk(b"IEND", b"")


def png_header_claims(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels, with almost no pixel data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (PNG_SIGNATURE + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + _png_chunk(b"IEND", b""))


def jpeg_header_claims(width: int, height: int) -> bytes:
    """A real small JPEG whose SOF marker is edited to claim ``width`` x ``height``."""
    data = bytearray(encode(noise_image(64, 64), ".jpg"))
    sof = data.find(b"\xff\xc0")
    assert sof > 0
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def png_text_chunk_bomb() -> bytes:
    """A small valid PNG carrying a zTXt chunk that inflates to 50 MB of text."""
    img = encode(noise_image(64, 64), ".png")
    bomb = _png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"A" * 50_000_000, 9))
    at = img.find(b"IDAT") - 4
    return img[:at] + bomb + img[at:]


def animated_gif(first: np.ndarray, frames: int = 4) -> bytes:
    rgb = Image.fromarray(cv2.cvtColor(first, cv2.COLOR_BGR2RGB))
    others = [Image.fromarray(np.full_like(np.asarray(rgb), 40 * (i + 1))) for i in range(frames - 1)]
    return pil_bytes(rgb, "GIF", save_all=True, append_images=others, duration=200, loop=0)


def cmyk_jpeg(image: np.ndarray) -> bytes:
    rgb = Image.fromarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    return pil_bytes(rgb.convert("CMYK"), "JPEG", quality=95)


def tiff_16bit(image: np.ndarray, *, gray: bool = False) -> bytes:
    """A 16-bit TIFF (3 x 16-bit colour, or 16-bit grey) of ``image``."""
    arr = (cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if gray else image).astype(np.uint16) * 257
    return encode(arr, ".tiff")


# -- PDF, written by hand ----------------------------------------------------------------------

_PDF_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) & 0xFF
        s[i], s[j] = s[j], s[i]
    out = bytearray(len(data))
    i = j = 0
    for n, byte in enumerate(data):
        i = (i + 1) & 0xFF
        j = (j + s[i]) & 0xFF
        s[i], s[j] = s[j], s[i]
        out[n] = byte ^ s[(s[i] + s[j]) & 0xFF]
    return bytes(out)


@dataclass(frozen=True)
class _Rc4Security:
    """PDF standard security handler, V1 R2 (40-bit RC4): PDF 1.7, 7.6.3, algorithms 2-4."""

    user_password: bytes
    owner_password: bytes
    doc_id: bytes = bytes(range(16))
    permissions: int = -4

    def _pad(self, pw: bytes) -> bytes:
        return (pw + _PDF_PAD)[:32]

    @property
    def o_entry(self) -> bytes:
        key = hashlib.md5(self._pad(self.owner_password or self.user_password)).digest()[:5]
        return _rc4(key, self._pad(self.user_password))

    @property
    def file_key(self) -> bytes:
        h = hashlib.md5(self._pad(self.user_password) + self.o_entry + struct.pack("<i", self.permissions) + self.doc_id)
        return h.digest()[:5]

    @property
    def u_entry(self) -> bytes:
        return _rc4(self.file_key, _PDF_PAD)

    def encrypt(self, num: int, data: bytes) -> bytes:
        key = hashlib.md5(self.file_key + num.to_bytes(3, "little") + (0).to_bytes(2, "little")).digest()[:10]
        return _rc4(key, data)

    def dictionary(self) -> bytes:
        return (b"<< /Filter /Standard /V 1 /R 2 /O <" + self.o_entry.hex().encode() + b"> /U <"
                + self.u_entry.hex().encode() + b"> /P " + str(self.permissions).encode() + b" >>")


def _pdf(objects: list[bytes | tuple[bytes, bytes]], security: _Rc4Security | None = None) -> bytes:
    """Objects are numbered from 1 (object 1 is the catalogue); a tuple is (dict, stream)."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    objs = list(objects)
    enc_num = None
    if security is not None:
        objs.append(security.dictionary())
        enc_num = len(objs)
    for num, obj in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{num} 0 obj\n".encode()
        if isinstance(obj, tuple):
            head, stream = obj
            if security is not None:
                stream = security.encrypt(num, stream)
            out += head.rstrip().removesuffix(b">>") + b" /Length " + str(len(stream)).encode() + b" >>\nstream\n"
            out += stream + b"\nendstream"
        else:
            out += obj
        out += b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    trailer = f"<< /Size {len(objs) + 1} /Root 1 0 R".encode()
    if security is not None:
        trailer += f" /Encrypt {enc_num} 0 R".encode()
        trailer += b" /ID [<" + security.doc_id.hex().encode() + b"> <" + security.doc_id.hex().encode() + b">]"
    out += b"trailer\n" + trailer + b" >>\nstartxref\n" + str(xref).encode() + b"\n%%EOF\n"
    return bytes(out)


def pdf_blank_pages(n: int, size: tuple[float, float] = (595, 842)) -> bytes:
    """A PDF of ``n`` empty pages (A4 by default); ``n`` may be 0."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(n))
    objs: list[bytes | tuple[bytes, bytes]] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode(),
    ]
    objs += [f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {size[0]} {size[1]}] >>".encode() for _ in range(n)]
    return _pdf(objs)


def pdf_of_image(image: np.ndarray, *, user_password: bytes | None = None, owner_password: bytes = b"owner",
                 dpi: float = 300.0) -> bytes:
    """A one-page PDF showing ``image`` (as JPEG) at ``dpi``; encrypted (RC4) when a user
    password is given (``b""``: opens without one, as permission-only protected PDFs do)."""
    h, w = image.shape[:2]
    jpeg = encode(image, ".jpg", [cv2.IMWRITE_JPEG_QUALITY, 95])
    pw, ph = w * 72.0 / dpi, h * 72.0 / dpi
    content = f"q {pw:.2f} 0 0 {ph:.2f} 0 0 cm /Im0 Do Q".encode()
    objs: list[bytes | tuple[bytes, bytes]] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.2f} {ph:.2f}] /Contents 4 0 R "
        f"/Resources << /XObject << /Im0 5 0 R >> >> >>".encode(),
        (b"<< >>", content),
        (f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceRGB "
         f"/BitsPerComponent 8 /Filter /DCTDecode >>".encode(), jpeg),
    ]
    security = None if user_password is None else _Rc4Security(user_password, owner_password)
    return _pdf(objs, security)


# -- the catalogue of bad inputs ---------------------------------------------------------------


@dataclass(frozen=True)
class BadInput:
    """A file that must give status "error" with a message matching ``message``."""

    name: str
    data: bytes
    message: str
    """Regular expression the plain message must match (case-insensitive)."""


def bad_inputs() -> list[BadInput]:
    jpeg = encode(noise_image(), ".jpg")
    png = encode(noise_image(), ".png")
    return [
        BadInput("zero-byte.jpg", b"", r"empty \(0 bytes\)"),
        BadInput("truncated.jpg", jpeg[: len(jpeg) // 2], r"truncated|damaged"),
        BadInput("truncated.png", png[: len(png) // 2], r"truncated|damaged"),
        BadInput("text-file.jpg", b"Dear customer,\nthis is a letter, not a passport.\n" * 20,
                 r"not an image that can be read"),
        BadInput("claims-50000x50000.png", png_header_claims(50_000, 50_000), r"absurd size|decompression bomb"),
        BadInput("claims-50000x50000.jpg", jpeg_header_claims(50_000, 50_000), r"absurd size|decompression bomb"),
        BadInput("bomb-9000x9000.png", png_gray_zeros(9000, 9000), r"9000 x 9000 pixels, larger than the 60 megapixel"),
        BadInput("bomb-text-chunk.png", png_text_chunk_bomb(), r"decompression bomb"),
        BadInput("one-pixel.png", encode(np.zeros((1, 1, 3), np.uint8), ".png"), r"only 1 x 1 pixels"),
        BadInput("no-pages.pdf", pdf_blank_pages(0), r"PDF has no pages"),
        BadInput("encrypted.pdf", pdf_of_image(noise_image(), user_password=b"s3cret"), r"password-protected"),
        BadInput("sixty-pages.pdf", pdf_blank_pages(60), r"60 pages; at most 50"),
    ]


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
