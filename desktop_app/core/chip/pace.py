"""PACE with the MRZ as password: generic mapping on elliptic curves (PACE-ECDH-GM), with
3DES or AES secure messaging (ICAO 9303 part 11, section 4.4).

EF.CardAccess says whether the chip offers PACE and with which protocol and domain
parameters. The reader sets them (MSE:Set AT), then four GENERAL AUTHENTICATE steps:
the chip's nonce encrypted with the password key, the mapping to a new generator, the
ephemeral key agreement, and the authentication tokens that prove both sides hold the
same keys. A wrong MRZ shows as tokens that do not match.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from asn1crypto import core

from desktop_app.core.chip import crypto, ec, tlv
from desktop_app.core.chip.bac import MrzKey, RandomSource
from desktop_app.core.chip.errors import AccessDenied, BadAnswer
from desktop_app.core.chip.sm import Cipher, SecureMessaging

PACE_ECDH_GM: Final = "0.4.0.127.0.7.2.2.4.2"
PROTOCOLS: Final[dict[str, tuple[Cipher, int]]] = {
    PACE_ECDH_GM + ".1": ("3des", 112),
    PACE_ECDH_GM + ".2": ("aes", 128),
    PACE_ECDH_GM + ".3": ("aes", 192),
    PACE_ECDH_GM + ".4": ("aes", 256),
}
MRZ_PASSWORD: Final = 1


class SecurityInfo(core.Sequence):  # type: ignore[misc]
    _fields = [  # noqa: RUF012
        ("protocol", core.ObjectIdentifier),
        ("required_data", core.Any),
        ("optional_data", core.Any, {"optional": True}),
    ]


class SecurityInfos(core.SetOf):  # type: ignore[misc]
    _child_spec = SecurityInfo


@dataclass(frozen=True, slots=True)
class PaceInfo:
    protocol: str
    version: int
    parameter_id: int | None

    @property
    def supported(self) -> bool:
        return self.protocol in PROTOCOLS and self.parameter_id in ec.STANDARD_PARAMETERS

    @property
    def cipher(self) -> Cipher:
        return PROTOCOLS[self.protocol][0]

    @property
    def key_bits(self) -> int:
        return PROTOCOLS[self.protocol][1]

    @property
    def curve(self) -> ec.Curve:
        assert self.parameter_id is not None
        return ec.STANDARD_PARAMETERS[self.parameter_id]

    @property
    def oid_bytes(self) -> bytes:
        return bytes(core.ObjectIdentifier(self.protocol).contents)


def parse_card_access(data: bytes) -> list[PaceInfo]:
    """The PACEInfos of EF.CardAccess (other security infos are skipped)."""
    try:
        infos = SecurityInfos.load(data)
        out = []
        for info in infos:
            oid = info["protocol"].dotted
            if not oid.startswith("0.4.0.127.0.7.2.2.4."):
                continue
            version = int(info["required_data"].parsed.native)
            optional = info["optional_data"]
            param = int(optional.parsed.native) if optional.native is not None else None
            out.append(PaceInfo(oid, version, param))
        return out
    except Exception as exc:
        raise BadAnswer(f"EF.CardAccess on the chip is not readable ({type(exc).__name__}).") from exc


def card_access(infos: list[PaceInfo]) -> bytes:
    """EF.CardAccess holding these PACEInfos (the virtual passport's)."""
    items = []
    for i in infos:
        fields: dict[str, object] = {"protocol": i.protocol, "required_data": core.Integer(i.version)}
        if i.parameter_id is not None:
            fields["optional_data"] = core.Integer(i.parameter_id)
        items.append(SecurityInfo(fields))
    return bytes(SecurityInfos(items).dump())


# -- the arithmetic both sides share ---------------------------------------------------------

def password_key(key: MrzKey, info: PaceInfo) -> bytes:
    """K_pi: the KDF of SHA-1 of the MRZ information, counter 3."""
    seed = hashlib.sha1(key.information.encode("ascii")).digest()
    return session_key(seed, crypto.KDF_PI, info)


def session_key(secret: bytes, counter: int, info: PaceInfo) -> bytes:
    if info.cipher == "aes":
        return crypto.derive_aes_key(secret, counter, info.key_bits)
    return crypto.derive_key(secret, counter)


def encrypt_nonce(k_pi: bytes, nonce: bytes, info: PaceInfo) -> bytes:
    return crypto.aes_encrypt(k_pi, nonce) if info.cipher == "aes" else crypto.encrypt(k_pi, nonce)


def decrypt_nonce(k_pi: bytes, z: bytes, info: PaceInfo) -> bytes:
    return crypto.aes_decrypt(k_pi, z) if info.cipher == "aes" else crypto.decrypt(k_pi, z)


def mapped_generator(curve: ec.Curve, nonce: bytes, shared: ec.Point) -> ec.Point:
    """Generic mapping: G' = s*G + H."""
    if shared is None:
        raise BadAnswer("PACE mapping gave the point at infinity.")
    return curve.add(curve.multiply(int.from_bytes(nonce, "big"), curve.g), shared)


def token(ks_mac: bytes, public_point: bytes, info: PaceInfo) -> bytes:
    """Authentication token: MAC over the other side's ephemeral public key data object."""
    data = tlv.encode(0x7F49, tlv.encode(0x06, info.oid_bytes) + tlv.encode(0x86, public_point))
    return crypto.aes_cmac(ks_mac, data) if info.cipher == "aes" else crypto.retail_mac(ks_mac, data)


def random_scalar(curve: ec.Curve, random: RandomSource) -> int:
    while True:
        k = int.from_bytes(random(curve.size + 8), "big") % curve.n
        if k:
            return k


# -- the reader's side -------------------------------------------------------------------------

Step = Callable[[bytes, bool], bytes]
"""One GENERAL AUTHENTICATE: dynamic authentication data in, the chip's data out."""


def set_at_data(info: PaceInfo) -> bytes:
    data = tlv.encode(0x80, info.oid_bytes) + tlv.encode(0x83, bytes((MRZ_PASSWORD,)))
    if info.parameter_id is not None:
        data += tlv.encode(0x84, bytes((info.parameter_id,)))
    return data


def _field(answer: bytes, tag: int) -> bytes:
    try:
        return tlv.find(answer, tag)
    except tlv.TlvError as exc:
        raise BadAnswer(f"The chip's PACE answer lacks its data (tag {tag:02X}).") from exc


def run(step: Step, key: MrzKey, info: PaceInfo, random: RandomSource) -> SecureMessaging:
    """The four GENERAL AUTHENTICATE steps; returns the secure-messaging session."""
    curve = info.curve
    k_pi = password_key(key, info)
    z = _field(step(b"", False), 0x80)
    if not z or len(z) % (16 if info.cipher == "aes" else 8):
        raise BadAnswer("The chip's PACE nonce has the wrong length.")
    nonce = decrypt_nonce(k_pi, z, info)

    sk_map = random_scalar(curve, random)
    try:
        pk_map_ic = curve.decode(_field(step(tlv.encode(0x81, curve.encode(curve.multiply(sk_map, curve.g))), False), 0x82))
        g_mapped = mapped_generator(curve, nonce, curve.multiply(sk_map, pk_map_ic))
        sk_eph = random_scalar(curve, random)
        pk_eph = curve.encode(curve.multiply(sk_eph, g_mapped))
        pk_eph_ic_bytes = _field(step(tlv.encode(0x83, pk_eph), False), 0x84)
        pk_eph_ic = curve.decode(pk_eph_ic_bytes)
    except ValueError as exc:
        raise BadAnswer(f"The chip's PACE key is not valid ({exc}).") from exc
    if pk_eph_ic_bytes == pk_eph:
        raise BadAnswer("The chip returned the reader's own PACE key.")
    shared = curve.multiply(sk_eph, pk_eph_ic)
    if shared is None:
        raise BadAnswer("PACE key agreement gave the point at infinity.")
    secret = shared[0].to_bytes(curve.size, "big")
    ks_enc, ks_mac = session_key(secret, crypto.KDF_ENC, info), session_key(secret, crypto.KDF_MAC, info)
    t_ic = _field(step(tlv.encode(0x85, token(ks_mac, pk_eph_ic_bytes, info)), True), 0x86)
    if not hmac.compare_digest(t_ic, token(ks_mac, pk_eph, info)):
        raise AccessDenied("The chip's PACE answer does not check out: the MRZ does not match this document.")
    return SecureMessaging(ks_enc, ks_mac, bytes(16 if info.cipher == "aes" else 8), info.cipher)
