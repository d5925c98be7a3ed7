"""One conversation with the chip: plain or under secure messaging, status words mapped to
plain errors."""

from __future__ import annotations

from desktop_app.core.chip import bac
from desktop_app.core.chip.apdu import (
    SW_AUTH_FAILED,
    SW_FILE_NOT_FOUND,
    SW_SECURITY_NOT_SATISFIED,
    Command,
    Response,
)
from desktop_app.core.chip.errors import AccessDenied, BadAnswer
from desktop_app.core.chip.sm import SecureMessaging
from desktop_app.core.chip.transport import CardTransport, supports_extended_length

ICAO_AID = bytes.fromhex("A0000002471001")


class FileNotFound(BadAnswer):
    """The chip has no such elementary file (optional data groups are often absent)."""


class Channel:
    def __init__(self, transport: CardTransport) -> None:
        self.transport = transport
        self.sm: SecureMessaging | None = None
        self.extended = supports_extended_length(transport.atr)

    def send(self, cmd: Command) -> Response:
        extended = self.extended and cmd.le is not None and cmd.le > 0xDF
        wire = self.sm.wrap(cmd, extended=extended) if self.sm else cmd
        raw = self.transport.transmit(wire.encode(extended=extended or None))
        try:
            resp = Response.parse(raw)
        except ValueError as exc:
            raise BadAnswer("The chip's answer is too short to be an answer.") from exc
        return self.sm.unwrap(resp) if self.sm else resp

    def select_application(self) -> None:
        resp = self.send(Command(0x00, 0xA4, 0x04, 0x0C, ICAO_AID))
        if not resp.ok:
            raise BadAnswer(f"This chip holds no ICAO travel document application (status {resp.sw:04X}).")

    def basic_access_control(self, key: bac.MrzKey, random: bac.RandomSource = bac.default_random) -> None:
        k_enc, k_mac = bac.keys_from_mrz(key)
        challenge = self.send(Command(0x00, 0x84, 0x00, 0x00, le=8))
        if not challenge.ok or len(challenge.data) != 8:
            raise BadAnswer(f"The chip gave no usable challenge (status {challenge.sw:04X}).")
        rnd_ic = challenge.data
        rnd_ifd, k_ifd = random(8), random(16)
        data = bac.ifd_cryptogram(k_enc, k_mac, rnd_ifd, rnd_ic, k_ifd)
        answer = self.send(Command(0x00, 0x82, 0x00, 0x00, data, le=40))
        if answer.sw in (SW_AUTH_FAILED, SW_SECURITY_NOT_SATISFIED) or (answer.sw >> 8) == 0x63:
            raise AccessDenied(
                "The chip refused the access key: the document number, birth date or expiry "
                "date read from the MRZ does not match this document."
            )
        if not answer.ok:
            raise BadAnswer(f"The chip gave an unexpected answer to the access key (status {answer.sw:04X}).")
        keys = bac.session_from_chip(k_enc, k_mac, answer.data, rnd_ifd, rnd_ic, k_ifd)
        self.sm = SecureMessaging(keys.ks_enc, keys.ks_mac, keys.ssc)

    def select_file(self, fid: int) -> None:
        resp = self.send(Command(0x00, 0xA4, 0x02, 0x0C, fid.to_bytes(2, "big")))
        if resp.sw == SW_FILE_NOT_FOUND:
            raise FileNotFound(f"The chip has no file {fid:04X}.")
        if resp.sw == SW_SECURITY_NOT_SATISFIED:
            raise AccessDenied("The chip does not let this reader open its files.")
        if not resp.ok:
            raise BadAnswer(f"The chip could not open file {fid:04X} (status {resp.sw:04X}).")

    def read_binary(self, offset: int, length: int) -> bytes:
        if offset > 0x7FFF:
            raise BadAnswer("The file is larger than this reader reads (32 KB).")
        resp = self.send(Command(0x00, 0xB0, offset >> 8, offset & 0xFF, le=length))
        if resp.sw == SW_SECURITY_NOT_SATISFIED:
            raise AccessDenied("The chip does not let this reader read its files.")
        if not resp.ok:
            raise BadAnswer(f"The chip could not read at offset {offset} (status {resp.sw:04X}).")
        if not resp.data or len(resp.data) > length:
            raise BadAnswer("The chip returned no data or more than was asked.")
        return resp.data
