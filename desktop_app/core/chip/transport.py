"""The card transport the chip code talks through: PC/SC in the desk, a direct object in tests.

A transport sends one command APDU and returns the response APDU (data and status word).
It raises :mod:`.errors` exceptions for what is not an answer (no card, card removed,
time limit passed), so the layers above never see a PC/SC or socket exception.
"""

from __future__ import annotations

from typing import Protocol


class CardTransport(Protocol):
    @property
    def reader_name(self) -> str: ...

    @property
    def atr(self) -> bytes: ...

    def transmit(self, apdu: bytes) -> bytes: ...


def supports_extended_length(atr: bytes) -> bool:
    """Whether the ATR's historical bytes announce extended Lc/Le (ISO 7816-4 card
    capabilities, compact-TLV tag 7, third byte bit 7)."""
    hist = _historical_bytes(atr)
    if not hist or hist[0] != 0x80:
        return False
    i = 1
    while i < len(hist):
        tag, length = hist[i] >> 4, hist[i] & 0x0F
        value = hist[i + 1 : i + 1 + length]
        if tag == 7 and len(value) >= 3:
            return bool(value[2] & 0x40)
        i += 1 + length
    return False


def _historical_bytes(atr: bytes) -> bytes:
    if len(atr) < 2:
        return b""
    t0 = atr[1]
    count = t0 & 0x0F
    i = 2
    y = t0 >> 4
    protocols_follow = True
    while protocols_follow:
        i += bin(y & 0x0F).count("1")
        if y & 0x8 and i - 1 < len(atr):
            y = atr[i - 1] >> 4
        else:
            protocols_follow = False
    return bytes(atr[i : i + count])
