"""Basic Access Control: the key from the MRZ, and mutual authentication with the chip."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from desktop_app.core.chip import crypto
from desktop_app.core.chip.errors import AccessDenied, BadAnswer
from desktop_app.core.mrz.checksum import check_digit


@dataclass(frozen=True, slots=True)
class MrzKey:
    """The three MRZ fields the chip's access key is made of (as printed in the MRZ)."""

    document_number: str
    birth_date: str
    expiry_date: str

    @property
    def information(self) -> str:
        """Document number (padded to 9), birth date, expiry date, each with its check digit."""
        number = self.document_number.ljust(9, "<")
        return (
            number + check_digit(number) + self.birth_date + check_digit(self.birth_date)
            + self.expiry_date + check_digit(self.expiry_date)
        )

    @classmethod
    def from_mrz_lines(cls, lines: Sequence[str]) -> MrzKey:
        """The key fields from MRZ lines (TD1, TD2, TD3); ``ValueError`` if not an MRZ.

        Check digits are recomputed, so a misread check digit does not matter; a misread
        field makes the chip refuse the key. A TD1 document number longer than nine
        characters continues in the optional data after a ``<`` check digit."""
        clean = [ln.strip().upper() for ln in lines if ln.strip()]
        if len(clean) == 3 and all(len(ln) == 30 for ln in clean):
            number = clean[0][5:14]
            if clean[0][14] == "<":
                number += clean[0][15:30].split("<", 1)[0][:-1]
            return cls._checked(number, clean[1][0:6], clean[1][8:14])
        if len(clean) == 2 and len(clean[0]) == len(clean[1]) and len(clean[1]) in (36, 44):
            second = clean[1]
            return cls._checked(second[0:9], second[13:19], second[21:27])
        raise ValueError("these lines are not a TD1, TD2 or TD3 machine readable zone")

    @classmethod
    def _checked(cls, number: str, birth: str, expiry: str) -> MrzKey:
        number = number.rstrip("<")
        if not number or not all(c.isdigit() or c == "<" for c in birth + expiry):
            raise ValueError("the MRZ key fields are not readable")
        return cls(number, birth, expiry)


def keys_from_mrz(key: MrzKey) -> tuple[bytes, bytes]:
    """``(K_enc, K_mac)``: SHA-1 of the MRZ information, first 16 bytes as the seed."""
    seed = hashlib.sha1(key.information.encode("ascii")).digest()[:16]
    return crypto.derive_key(seed, crypto.KDF_ENC), crypto.derive_key(seed, crypto.KDF_MAC)


def ifd_cryptogram(k_enc: bytes, k_mac: bytes, rnd_ifd: bytes, rnd_ic: bytes, k_ifd: bytes) -> bytes:
    """E_IFD || M_IFD, the EXTERNAL AUTHENTICATE data."""
    e_ifd = crypto.encrypt(k_enc, rnd_ifd + rnd_ic + k_ifd)
    return e_ifd + crypto.retail_mac(k_mac, e_ifd)


@dataclass(frozen=True, slots=True)
class SessionKeys:
    ks_enc: bytes
    ks_mac: bytes
    ssc: bytes


def session_from_chip(
    k_enc: bytes, k_mac: bytes, answer: bytes, rnd_ifd: bytes, rnd_ic: bytes, k_ifd: bytes
) -> SessionKeys:
    """Check the chip's E_IC || M_IC and derive the session keys and the starting SSC."""
    if len(answer) != 40:
        raise BadAnswer("The chip's answer to the access key has the wrong length.")
    e_ic, m_ic = answer[:32], answer[32:]
    if not hmac.compare_digest(crypto.retail_mac(k_mac, e_ic), m_ic):
        raise AccessDenied("The chip's answer to the access key does not check out.")
    plain = crypto.decrypt(k_enc, e_ic)
    if plain[:8] != rnd_ic or plain[8:16] != rnd_ifd:
        raise AccessDenied("The chip answered for a different challenge.")
    k_ic = plain[16:32]
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
    return SessionKeys(
        crypto.derive_key(seed, crypto.KDF_ENC),
        crypto.derive_key(seed, crypto.KDF_MAC),
        rnd_ic[4:] + rnd_ifd[4:],
    )


RandomSource = Callable[[int], bytes]
default_random: RandomSource = os.urandom
