"""Secure messaging (ICAO 9303 part 11, 3DES): the reader's side.

Every protected command and response is MACed over the send sequence counter (SSC), which
is incremented before each command and each response; data travel 3DES-encrypted in
DO'87', the expected length in DO'97', the status word in DO'99', the MAC in DO'8E'.
"""

from __future__ import annotations

import hmac

from desktop_app.core.chip import crypto, tlv
from desktop_app.core.chip.apdu import Command, Response
from desktop_app.core.chip.errors import BadAnswer


def _le_bytes(le: int, extended: bool) -> bytes:
    if extended or le > 256:
        return (0 if le >= 65536 else le).to_bytes(2, "big")
    return bytes((0 if le >= 256 else le,))


class SecureMessaging:
    """Session keys and SSC of one BAC (or 3DES PACE) session."""

    def __init__(self, ks_enc: bytes, ks_mac: bytes, ssc: bytes) -> None:
        self.ks_enc = ks_enc
        self.ks_mac = ks_mac
        self._ssc = int.from_bytes(ssc, "big")

    @property
    def ssc(self) -> bytes:
        return self._ssc.to_bytes(8, "big")

    def _next(self) -> bytes:
        self._ssc = (self._ssc + 1) % (1 << 64)
        return self.ssc

    def wrap(self, cmd: Command, *, extended: bool = False) -> Command:
        ssc = self._next()
        header = bytes((cmd.cla | 0x0C, cmd.ins, cmd.p1, cmd.p2))
        body = b""
        if cmd.data:
            cipher = crypto.encrypt(self.ks_enc, crypto.pad(cmd.data))
            body += tlv.encode(0x87, b"\x01" + cipher)
        if cmd.le is not None:
            body += tlv.encode(0x97, _le_bytes(cmd.le, extended))
        mac = crypto.retail_mac(self.ks_mac, ssc + crypto.pad(header) + body)
        body += tlv.encode(0x8E, mac)
        return Command(header[0], cmd.ins, cmd.p1, cmd.p2, body, 65536 if extended else 256)

    def unwrap(self, resp: Response) -> Response:
        """Check the response MAC and decrypt its data. A bare status word with no data is
        the chip closing the session on an error: it is returned as it is."""
        ssc = self._next()
        if not resp.data:
            return resp
        try:
            objects = {o.tag: o for o in tlv.children(resp.data)}
        except tlv.TlvError as exc:
            raise BadAnswer("The chip's answer is not valid secure messaging.") from exc
        if 0x8E not in objects or 0x99 not in objects:
            raise BadAnswer("The chip's answer carries no secure-messaging checksum.")
        mac_input = b""
        for tag in (0x87, 0x99):
            if tag in objects:
                mac_input += tlv.encode(tag, objects[tag].value)
        expected = crypto.retail_mac(self.ks_mac, ssc + mac_input)
        if not hmac.compare_digest(expected, objects[0x8E].value):
            raise BadAnswer("The chip's answer failed its secure-messaging checksum.")
        sw = int.from_bytes(objects[0x99].value, "big")
        data = b""
        if 0x87 in objects:
            value = objects[0x87].value
            if not value or value[0] != 0x01:
                raise BadAnswer("The chip's encrypted data has an unknown padding indicator.")
            try:
                data = crypto.unpad(crypto.decrypt(self.ks_enc, value[1:]))
            except ValueError as exc:
                raise BadAnswer("The chip's encrypted data could not be decrypted.") from exc
        return Response(data, sw)
