"""The Logical Data Structure: which files to read, and how to read one whole, bounded."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from desktop_app.core.chip import tlv
from desktop_app.core.chip.channel import Channel
from desktop_app.core.chip.errors import BadAnswer

FILE_IDS: Final[Mapping[str, int]] = MappingProxyType(
    {"COM": 0x011E, "DG1": 0x0101, "DG2": 0x0102, "DG14": 0x010E, "DG15": 0x010F, "SOD": 0x011D}
)
DG_NUMBERS: Final[Mapping[str, int]] = MappingProxyType({"DG1": 1, "DG2": 2, "DG14": 14, "DG15": 15})
COM_TAGS: Final[Mapping[int, str]] = MappingProxyType(
    {0x61: "DG1", 0x75: "DG2", 0x63: "DG3", 0x76: "DG4", 0x65: "DG5", 0x66: "DG6", 0x67: "DG7",
     0x68: "DG8", 0x69: "DG9", 0x6A: "DG10", 0x6B: "DG11", 0x6C: "DG12", 0x6D: "DG13",
     0x6E: "DG14", 0x6F: "DG15", 0x70: "DG16"}
)
MAX_FILE: Final = 0x7FFF + 0xDF
"""Largest file read (offsets above 0x7FFF need the odd READ BINARY, not implemented)."""
SHORT_CHUNK: Final = 0xDF
"""Largest short read whose secure-messaging answer still fits 256 bytes."""
EXTENDED_CHUNK: Final = 0x1000


def read_file(channel: Channel, name: str) -> bytes:
    """Select and read a whole file: its first bytes give the TLV length, then chunks."""
    channel.select_file(FILE_IDS[name])
    head = channel.read_binary(0, 8)
    try:
        _tag, length, start = tlv.read_header(head)
    except tlv.TlvError as exc:
        raise BadAnswer(f"{name} on the chip does not start with a valid header.") from exc
    total = start + length
    if total > MAX_FILE:
        raise BadAnswer(f"{name} on the chip claims {total} bytes, more than this reader reads.")
    data = bytearray(head[:total])
    chunk = EXTENDED_CHUNK if channel.extended else SHORT_CHUNK
    while len(data) < total:
        part = channel.read_binary(len(data), min(chunk, total - len(data)))
        data += part
    return bytes(data[:total])


def parse_com(data: bytes) -> tuple[str, ...]:
    """The data groups EF.COM lists."""
    try:
        body = tlv.read(data).value
        tags = tlv.find(body, 0x5C)
    except tlv.TlvError as exc:
        raise BadAnswer("EF.COM on the chip is not readable.") from exc
    return tuple(COM_TAGS[t] for t in tags if t in COM_TAGS)


def parse_dg1(data: bytes) -> tuple[str, ...]:
    """The MRZ lines held in DG1."""
    try:
        outer = tlv.read(data)
        if outer.tag != 0x61:
            raise tlv.TlvError("not DG1")
        raw = tlv.find(outer.value, 0x5F1F)
        text = raw.decode("ascii")
    except (tlv.TlvError, UnicodeDecodeError) as exc:
        raise BadAnswer("DG1 on the chip is not readable.") from exc
    widths = {90: 30, 72: 36, 88: 44}
    if len(text) not in widths:
        raise BadAnswer(f"DG1 on the chip holds {len(text)} MRZ characters, no known layout.")
    w = widths[len(text)]
    return tuple(text[i : i + w] for i in range(0, len(text), w))
