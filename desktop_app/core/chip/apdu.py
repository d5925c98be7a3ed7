"""Command and response APDUs (ISO/IEC 7816-4), short and extended length."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

SW_OK: Final = 0x9000
SW_WRONG_LENGTH: Final = 0x6700
SW_SECURITY_NOT_SATISFIED: Final = 0x6982
SW_AUTH_FAILED: Final = 0x6300
SW_FILE_NOT_FOUND: Final = 0x6A82
SW_END_OF_FILE: Final = 0x6282


@dataclass(frozen=True, slots=True)
class Command:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None
    """Expected response length: None for no Le, 0 for "all" (256 short, 65536 extended)."""

    @property
    def header(self) -> bytes:
        return bytes((self.cla, self.ins, self.p1, self.p2))

    def needs_extended(self) -> bool:
        return len(self.data) > 255 or (self.le is not None and self.le > 256)

    def encode(self, *, extended: bool | None = None) -> bytes:
        ext = self.needs_extended() if extended is None else extended
        out = bytearray(self.header)
        if ext:
            if self.data:
                out += b"\x00" + len(self.data).to_bytes(2, "big") + self.data
            if self.le is not None:
                le = 0 if self.le >= 65536 else self.le
                out += (b"" if self.data else b"\x00") + le.to_bytes(2, "big")
            return bytes(out)
        if self.data:
            out += bytes((len(self.data),)) + self.data
        if self.le is not None:
            out += bytes((0 if self.le >= 256 else self.le,))
        return bytes(out)


@dataclass(frozen=True, slots=True)
class Response:
    data: bytes
    sw: int

    @classmethod
    def parse(cls, raw: bytes) -> Response:
        if len(raw) < 2:
            raise ValueError("a response APDU has at least two status bytes")
        return cls(bytes(raw[:-2]), int.from_bytes(raw[-2:], "big"))

    def encode(self) -> bytes:
        return self.data + self.sw.to_bytes(2, "big")

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK or (self.sw >> 8) == 0x61 or self.sw == SW_END_OF_FILE


def parse_command(raw: bytes) -> Command:
    """Decode a command APDU (the card side: the virtual passport, the tests)."""
    if len(raw) < 4:
        raise ValueError("a command APDU has at least four bytes")
    cla, ins, p1, p2 = raw[:4]
    body = raw[4:]
    if not body:
        return Command(cla, ins, p1, p2)
    if len(body) == 1:
        return Command(cla, ins, p1, p2, le=body[0] or 256)
    if body[0] == 0 and len(body) >= 3:  # extended
        if len(body) == 3:
            return Command(cla, ins, p1, p2, le=int.from_bytes(body[1:3], "big") or 65536)
        lc = int.from_bytes(body[1:3], "big")
        data = body[3 : 3 + lc]
        if len(data) != lc:
            raise ValueError("extended Lc does not match the data")
        rest = body[3 + lc :]
        le = (int.from_bytes(rest, "big") or 65536) if len(rest) == 2 else None
        return Command(cla, ins, p1, p2, data, le)
    lc = body[0]
    data = body[1 : 1 + lc]
    if len(data) != lc:
        raise ValueError("Lc does not match the data")
    rest = body[1 + lc :]
    le = (rest[0] or 256) if len(rest) == 1 else None
    return Command(cla, ins, p1, p2, data, le)
