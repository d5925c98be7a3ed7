"""Secure messaging (ICAO 9303 part 11): the reader's side, 3DES (BAC, PACE) or AES (PACE).

Every protected command and response is MACed over the send sequence counter (SSC), which
is incremented before each command and each response; data travel encrypted in DO'87',
the expected length in DO'97', the status word in DO'99', the MAC in DO'8E'. With AES the
SSC has 16 bytes, the IV of each message is E(KS_enc, SSC), and the MAC is AES-CMAC.
"""

from __future__ import annotations

import hmac
from typing import Literal

from desktop_app.core.chip import crypto, tlv
from desktop_app.core.chip.apdu import Command, Response
from desktop_app.core.chip.errors import BadAnswer

Cipher = Literal["3des", "aes"]


def _le_bytes(le: int, extended: bool) -> bytes:
    if extended or le > 256:
        return (0 if le >= 65536 else le).to_bytes(2, "big")
    return bytes((0 if le >= 256 else le,))


class SmKeys:
    """Session keys, cipher and SSC of one session; the arithmetic both sides share."""

    def __init__(self, ks_enc: bytes, ks_mac: bytes, ssc: bytes, cipher: Cipher = "3des") -> None:
        self.ks_enc = ks_enc
        self.ks_mac = ks_mac
        self.cipher: Cipher = cipher
        self.block = 16 if cipher == "aes" else 8
        if len(ssc) != self.block:
            raise ValueError("the SSC must be one cipher block")
        self._ssc = int.from_bytes(ssc, "big")

    @property
    def ssc(self) -> bytes:
        return self._ssc.to_bytes(self.block, "big")

    def next_ssc(self) -> bytes:
        self._ssc = (self._ssc + 1) % (1 << (8 * self.block))
        return self.ssc

    def pad(self, data: bytes) -> bytes:
        return crypto.pad(data, self.block)

    def encrypt(self, data: bytes) -> bytes:
        """``data`` padded and encrypted for the current SSC."""
        if self.cipher == "aes":
            return crypto.aes_encrypt(self.ks_enc, self.pad(data), crypto.aes_block(self.ks_enc, self.ssc))
        return crypto.encrypt(self.ks_enc, self.pad(data))

    def decrypt(self, data: bytes) -> bytes:
        if self.cipher == "aes":
            plain = crypto.aes_decrypt(self.ks_enc, data, crypto.aes_block(self.ks_enc, self.ssc))
        else:
            plain = crypto.decrypt(self.ks_enc, data)
        return crypto.unpad(plain)

    def mac(self, data: bytes) -> bytes:
        """The 8-byte MAC of SSC || data (padded here)."""
        if self.cipher == "aes":
            return crypto.aes_cmac(self.ks_mac, self.pad(self.ssc + data))
        return crypto.retail_mac(self.ks_mac, self.ssc + data)


class SecureMessaging(SmKeys):
    """The reader's side: wrap commands, check and open responses."""

    def wrap(self, cmd: Command, *, extended: bool = False) -> Command:
        self.next_ssc()
        header = bytes((cmd.cla | 0x0C, cmd.ins, cmd.p1, cmd.p2))
        body = b""
        if cmd.data:
            body += tlv.encode(0x87, b"\x01" + self.encrypt(cmd.data))
        if cmd.le is not None:
            body += tlv.encode(0x97, _le_bytes(cmd.le, extended))
        body += tlv.encode(0x8E, self.mac(self.pad(header) + body))
        return Command(header[0], cmd.ins, cmd.p1, cmd.p2, body, 65536 if extended else 256)

    def unwrap(self, resp: Response) -> Response:
        """Check the response MAC and decrypt its data. A bare status word with no data is
        the chip closing the session on an error: it is returned as it is."""
        self.next_ssc()
        if not resp.data:
            return resp
        try:
            objects = {o.tag: o for o in tlv.children(resp.data)}
        except tlv.TlvError as exc:
            raise BadAnswer("The chip's answer is not valid secure messaging.") from exc
        if 0x8E not in objects or 0x99 not in objects:
            raise BadAnswer("The chip's answer carries no secure-messaging checksum.")
        mac_input = b"".join(tlv.encode(t, objects[t].value) for t in (0x87, 0x99) if t in objects)
        if not hmac.compare_digest(self.mac(mac_input), objects[0x8E].value):
            raise BadAnswer("The chip's answer failed its secure-messaging checksum.")
        sw = int.from_bytes(objects[0x99].value, "big")
        data = b""
        if 0x87 in objects:
            value = objects[0x87].value
            if not value or value[0] != 0x01:
                raise BadAnswer("The chip's encrypted data has an unknown padding indicator.")
            try:
                data = self.decrypt(value[1:])
            except ValueError as exc:
                raise BadAnswer("The chip's encrypted data could not be decrypted.") from exc
        return Response(data, sw)
