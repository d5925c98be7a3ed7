"""One conversation with the chip: plain or under secure messaging, status words mapped to
plain errors."""

from __future__ import annotations

from desktop_app.core.chip import bac, pace, tlv
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
CARD_ACCESS = 0x011C


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

    def card_access(self) -> list[pace.PaceInfo]:
        """The PACE protocols EF.CardAccess offers (read plain, before any access control);
        empty when the chip has no such file (a BAC-only chip)."""
        try:
            self.select_file(CARD_ACCESS)
            head = self.read_binary(0, 8)
            _tag, length, start = tlv.read_header(head)
            data = bytearray(head)
            while len(data) < start + length and len(data) < 4096:
                data += self.read_binary(len(data), min(0xDF, start + length - len(data)))
        except (BadAnswer, AccessDenied, tlv.TlvError):
            return []
        return pace.parse_card_access(bytes(data[: start + length]))

    def pace(self, key: bac.MrzKey, info: pace.PaceInfo, random: bac.RandomSource = bac.default_random) -> None:
        resp = self.send(Command(0x00, 0x22, 0xC1, 0xA4, pace.set_at_data(info)))
        if not resp.ok:
            raise BadAnswer(f"The chip did not accept the PACE protocol it offers (status {resp.sw:04X}).")

        def step(data: bytes, last: bool) -> bytes:
            answer = self.send(Command(0x00 if last else 0x10, 0x86, 0x00, 0x00, tlv.encode(0x7C, data), le=256))
            if answer.sw == SW_AUTH_FAILED or (answer.sw >> 8) == 0x63 or answer.sw == SW_SECURITY_NOT_SATISFIED:
                raise AccessDenied(
                    "The chip refused the access key: the document number, birth date or expiry "
                    "date read from the MRZ does not match this document."
                )
            if not answer.ok:
                raise BadAnswer(f"The chip broke off PACE (status {answer.sw:04X}).")
            try:
                outer = tlv.read(answer.data)
            except tlv.TlvError as exc:
                raise BadAnswer("The chip's PACE answer is not readable.") from exc
            if outer.tag != 0x7C:
                raise BadAnswer("The chip's PACE answer is not dynamic authentication data.")
            return outer.value

        self.sm = pace.run(step, key, info, random)

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
