"""BER-TLV as the LDS uses it: tags of one to three bytes, definite lengths up to 4 bytes.

Only the LDS containers (EF.COM, DG1, DG2, the EF.SOD wrapper) are read here; X.509 and
CMS go through asn1crypto.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

MAX_LENGTH: Final = 1 << 20
"""No LDS object on a passport chip is near 1 MB; a longer length is a broken answer."""


class TlvError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Tlv:
    tag: int
    value: bytes
    end: int
    """Offset just past this object in the buffer it was read from."""


def read_header(buf: bytes, pos: int = 0) -> tuple[int, int, int]:
    """``(tag, length, value_offset)`` of the object at ``pos``."""
    try:
        tag = buf[pos]
        pos += 1
        if tag & 0x1F == 0x1F:
            while True:
                b = buf[pos]
                tag = (tag << 8) | b
                pos += 1
                if not b & 0x80:
                    break
                if tag > 0xFFFFFF:
                    raise TlvError("tag too long")
        first = buf[pos]
        pos += 1
        if first < 0x80:
            length = first
        elif first == 0x80 or first > 0x84:
            raise TlvError("indefinite or oversized length")
        else:
            n = first & 0x7F
            if pos + n > len(buf):
                raise TlvError("truncated length")
            length = int.from_bytes(buf[pos : pos + n], "big")
            pos += n
    except IndexError as exc:
        raise TlvError("truncated TLV header") from exc
    if length > MAX_LENGTH:
        raise TlvError(f"length {length} is beyond any LDS object")
    return tag, length, pos


def read(buf: bytes, pos: int = 0) -> Tlv:
    tag, length, start = read_header(buf, pos)
    end = start + length
    if end > len(buf):
        raise TlvError("value runs past the end of the data")
    return Tlv(tag, bytes(buf[start:end]), end)


def children(buf: bytes) -> Iterator[Tlv]:
    pos = 0
    while pos < len(buf):
        if buf[pos] in (0x00, 0xFF):  # padding between objects
            pos += 1
            continue
        obj = read(buf, pos)
        yield obj
        pos = obj.end


def find(buf: bytes, tag: int) -> bytes:
    for obj in children(buf):
        if obj.tag == tag:
            return obj.value
    raise TlvError(f"tag {tag:X} not found")


def encode_length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


def encode(tag: int, value: bytes) -> bytes:
    return tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big") + encode_length(len(value)) + value
