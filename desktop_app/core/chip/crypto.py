"""The symmetric cryptography of ICAO 9303 BAC, PACE and secure messaging.

Primitives come from ``cryptography``; this module only arranges them as Doc 9303 part 11
says: the key derivation (SHA-1, or SHA-256 for AES-192/256), ISO/IEC 9797-1 padding
method 2, 3DES-CBC with a zero IV, the retail MAC (MAC algorithm 3: single DES CBC, then
3DES on the last block), AES-CBC and AES-CMAC.
"""

from __future__ import annotations

import hashlib
from typing import Final

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK: Final = 8
ZERO_IV: Final = bytes(BLOCK)
KDF_ENC: Final = 1
KDF_MAC: Final = 2


def _adjust_parity(key: bytes) -> bytes:
    """DES keys carry odd parity in each byte's low bit."""
    out = bytearray()
    for b in key:
        high = b & 0xFE
        out.append(high | (bin(high).count("1") % 2 == 0))
    return bytes(out)


KDF_PI: Final = 3


def derive_key(seed: bytes, counter: int) -> bytes:
    """A 16-byte 3DES key: SHA-1(seed || counter), first 16 bytes, parity adjusted."""
    digest = hashlib.sha1(seed + counter.to_bytes(4, "big")).digest()
    return _adjust_parity(digest[:16])


def derive_aes_key(seed: bytes, counter: int, bits: int) -> bytes:
    """An AES key: SHA-1 (128 bits) or SHA-256 (192, 256 bits) of seed || counter."""
    data = seed + counter.to_bytes(4, "big")
    if bits == 128:
        return hashlib.sha1(data).digest()[:16]
    return hashlib.sha256(data).digest()[: bits // 8]


def pad(data: bytes, block: int = BLOCK) -> bytes:
    """ISO/IEC 9797-1 padding method 2: 0x80, then zeros to a block boundary."""
    data = data + b"\x80"
    return data + bytes(-len(data) % block)


def unpad(data: bytes) -> bytes:
    """Remove method-2 padding; ``ValueError`` when there is none."""
    stripped = data.rstrip(b"\x00")
    if not stripped or stripped[-1] != 0x80:
        raise ValueError("no ISO 9797-1 padding")
    return stripped[:-1]


def _cipher(key: bytes, iv: bytes = ZERO_IV) -> Cipher[modes.CBC]:
    # Two-key 3DES (K1, K2, K1), written out as three keys.
    return Cipher(TripleDES(key[:16] + key[:8]), modes.CBC(iv))


def encrypt(key: bytes, data: bytes) -> bytes:
    """3DES-CBC, zero IV; ``data`` must already be padded."""
    enc = _cipher(key).encryptor()
    return enc.update(data) + enc.finalize()


def decrypt(key: bytes, data: bytes) -> bytes:
    if len(data) % BLOCK:
        raise ValueError("ciphertext is not a whole number of blocks")
    dec = _cipher(key).decryptor()
    return dec.update(data) + dec.finalize()


def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 over ``data`` (padded here, method 2)."""
    padded = pad(data)
    k1, k2 = key[:8], key[8:16]
    single = Cipher(TripleDES(k1 * 3), modes.CBC(ZERO_IV)).encryptor()
    chain = (single.update(padded) + single.finalize())[-BLOCK:]
    # The final 3DES step on the last block: ``chain`` is already E_K1(...), so D_K2 then E_K1.
    d2 = Cipher(TripleDES(k2 * 3), modes.ECB()).decryptor()  # K*3 is single DES with K
    e1 = Cipher(TripleDES(k1 * 3), modes.ECB()).encryptor()
    step = d2.update(chain) + d2.finalize()
    return e1.update(step) + e1.finalize()


def aes_encrypt(key: bytes, data: bytes, iv: bytes = bytes(16)) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def aes_decrypt(key: bytes, data: bytes, iv: bytes = bytes(16)) -> bytes:
    if len(data) % 16:
        raise ValueError("ciphertext is not a whole number of blocks")
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return dec.update(data) + dec.finalize()


def aes_block(key: bytes, block: bytes) -> bytes:
    """One AES block, ECB (the secure-messaging IV is E(K_enc, SSC))."""
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def aes_cmac(key: bytes, data: bytes) -> bytes:
    """AES-CMAC truncated to 8 bytes, as PACE and AES secure messaging use it."""
    c = cmac.CMAC(algorithms.AES(key))
    c.update(data)
    return c.finalize()[:8]
