"""DG2: the portrait, an ISO/IEC 19794-5 facial record (JPEG or JPEG 2000) in its BER-TLV
biometric information template."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from desktop_app.core.chip import tlv
from desktop_app.core.chip.errors import BadAnswer

ImageFormat = Literal["jpeg", "jpeg2000"]
FACE_HEADER = b"FAC\x00"
FACIAL_INFO_LEN = 20
FEATURE_POINT_LEN = 8
IMAGE_INFO_LEN = 12


@dataclass(frozen=True)
class Portrait:
    format: ImageFormat
    width: int
    height: int
    sha256: str
    data: bytes
    """The encoded image as the chip holds it."""
    image: NDArray[np.uint8]
    """Decoded, BGR (OpenCV's order)."""

    def to_json(self) -> dict[str, object]:
        return {"format": self.format, "width": self.width, "height": self.height, "sha256": self.sha256}


def facial_image(dg2: bytes) -> tuple[ImageFormat, bytes]:
    """The first facial image of DG2: its format and encoded bytes."""
    try:
        outer = tlv.read(dg2)
        if outer.tag != 0x75:
            raise tlv.TlvError("not DG2")
        group = tlv.find(outer.value, 0x7F61)
        template = tlv.find(group, 0x7F60)
        objects = {o.tag: o.value for o in tlv.children(template)}
    except tlv.TlvError as exc:
        raise BadAnswer("DG2 on the chip is not readable.") from exc
    record = objects.get(0x5F2E, objects.get(0x7F2E))
    if record is None:
        raise BadAnswer("DG2 on the chip holds no facial record.")
    return _from_19794(record)


def _from_19794(record: bytes) -> tuple[ImageFormat, bytes]:
    if record[:4] != FACE_HEADER or len(record) < 14 + FACIAL_INFO_LEN + IMAGE_INFO_LEN:
        raise BadAnswer("The chip's portrait is not an ISO 19794-5 facial record.")
    pos = 14  # format id, version, record length (4), number of faces (2)
    block_len = int.from_bytes(record[pos : pos + 4], "big")
    points = int.from_bytes(record[pos + 4 : pos + 6], "big")
    image_info = pos + FACIAL_INFO_LEN + points * FEATURE_POINT_LEN
    start = image_info + IMAGE_INFO_LEN
    end = pos + block_len
    if end > len(record) or start >= end:
        raise BadAnswer("The chip's portrait record has inconsistent lengths.")
    data_type = record[image_info + 1]
    if data_type not in (0, 1):
        raise BadAnswer(f"The chip's portrait has an unknown image type ({data_type}).")
    return ("jpeg" if data_type == 0 else "jpeg2000"), record[start:end]


def decode(dg2: bytes) -> Portrait:
    fmt, data = facial_image(dg2)
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise BadAnswer(f"The chip's portrait ({fmt}) could not be decoded.")
    h, w = image.shape[:2]
    return Portrait(fmt, int(w), int(h), hashlib.sha256(data).hexdigest(), data, np.asarray(image, np.uint8))


def facial_record(fmt: ImageFormat, data: bytes, width: int, height: int) -> bytes:
    """An ISO 19794-5 record around an encoded image (the virtual passport builds DG2 so)."""
    facial_info = (
        bytes(2)  # no feature points
        + bytes(14)  # gender, eye, hair, property mask, expression, pose and its uncertainty
    )
    image_info = bytes((1, 0 if fmt == "jpeg" else 1)) + width.to_bytes(2, "big") + height.to_bytes(2, "big") + bytes(6)
    block = facial_info + image_info + data
    block = (len(block) + 4).to_bytes(4, "big") + block
    head = FACE_HEADER + b"010\x00" + (14 + len(block)).to_bytes(4, "big") + (1).to_bytes(2, "big")
    return head + block


def dg2(fmt: ImageFormat, data: bytes, width: int, height: int) -> bytes:
    record = facial_record(fmt, data, width, height)
    header = tlv.encode(0xA1, tlv.encode(0x80, b"\x01\x01"))
    template = tlv.encode(0x7F60, header + tlv.encode(0x5F2E, record))
    return tlv.encode(0x75, tlv.encode(0x7F61, tlv.encode(0x02, b"\x01") + template))
