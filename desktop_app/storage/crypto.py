"""Field-level encryption (AES-256-GCM), keyed blind indexes (HMAC-SHA256) and masking.

Why field-level AES-GCM rather than SQLCipher: it works the same on SQLite and on
PostgreSQL (SQLCipher covers SQLite only, so a shared PostgreSQL database would be
plain text to its administrator, its dumps and its replicas); it needs no native
driver of its own; and each value is bound to its row and field, so a value copied
into another row or field fails to decrypt. The price: metadata (times, operator
names, which fields were corrected, document type) is plain, and look-ups are exact
matches through blind indexes only (document number, surname).

Every sub-key is derived from one 32-byte master key with HKDF-SHA256, so a key for
indexes never decrypts and vice versa.

Stored blob: ``b"\\x02" + key id (4 bytes, big-endian) + nonce(12) + AES-GCM(padded
plaintext, aad=context)``. The plaintext is padded (ISO/IEC 7816-4) to a multiple of 16
bytes so that the blob length does not tell a name's exact length. Blobs written before
key ids (``b"\\x01" + nonce + ...``) are read as key id 0.

Data-encryption keys: key id 0 is the original field key; key id N > 0 is derived from
the master key with its own HKDF label, so ``key rotate`` (:mod:`.rotation`) renews the
AES key (a fresh 2^32-message nonce budget) without a new master key, and the master key
alone (``key backup``) still recovers every key id.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import DecryptionError

BLOB_VERSION = 2
LEGACY_BLOB_VERSION = 1
_KEY_ID = 4
_NONCE = 12
_PAD = 16
BLIND_INDEX_HEX = 32  # 128 bits: collisions are not a practical concern


def _derive(master: bytes, label: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label.encode()).derive(master)


@dataclass(frozen=True, slots=True, repr=False)
class Keys:
    """The sub-keys derived from the master key (repr hides them)."""

    encryption: bytes
    index: bytes
    audit: bytes
    check: bytes
    rows: bytes
    """For the per-row MACs of records and reviews (see :mod:`.rowmac`)."""
    data_root: bytes = b""
    """Root of the data-encryption keys with id > 0 (see :meth:`data_key`)."""

    @classmethod
    def from_master(cls, master: bytes) -> Keys:
        return cls(
            encryption=_derive(master, "passport-desk/field-encryption/v1"),
            index=_derive(master, "passport-desk/blind-index/v1"),
            audit=_derive(master, "passport-desk/audit-chain/v1"),
            check=_derive(master, "passport-desk/key-check/v1"),
            rows=_derive(master, "passport-desk/row-mac/v1"),
            data_root=_derive(master, "passport-desk/field-encryption/keyring/v1"),
        )

    def data_key(self, key_id: int) -> bytes:
        """The AES-256 key of ``key_id``: 0 is the original field key."""
        if key_id == 0:
            return self.encryption
        if not 0 < key_id < 2**32 or not self.data_root:
            raise DecryptionError()
        return _derive(self.data_root, f"passport-desk/field-encryption/key-{key_id}")

    def key_check(self) -> str:
        """A value stored in the database to tell at open whether the key matches."""
        return hmac.new(self.check, b"passport-desk key check", hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return "Keys(<hidden>)"


def _pad(data: bytes) -> bytes:
    n = _PAD - (len(data) + 1) % _PAD
    return data + b"\x80" + b"\x00" * (n % _PAD)


def _unpad(data: bytes) -> bytes:
    i = data.rstrip(b"\x00")
    if not i.endswith(b"\x80"):
        raise DecryptionError()
    return i[:-1]


def blob_key_id(blob: bytes) -> int:
    """The key id a blob was written with (0 for blobs from before key ids)."""
    if blob[:1] == bytes([LEGACY_BLOB_VERSION]):
        return 0
    if len(blob) < 1 + _KEY_ID or blob[0] != BLOB_VERSION:
        raise DecryptionError()
    return int.from_bytes(blob[1 : 1 + _KEY_ID], "big")


class FieldCipher:
    """Encrypts and decrypts values, and computes blind indexes, with one set of keys.

    New blobs carry :attr:`key_id`. ``only`` restricts which key ids may decrypt (a check
    that a rotation left nothing under an older key); by default any id of the master key.
    """

    def __init__(self, keys: Keys, key_id: int = 0, *, only: frozenset[int] | None = None) -> None:
        self._keys = keys
        self._aeads: dict[int, AESGCM] = {}
        self._only = only
        self._index_key = keys.index
        self.key_id = key_id

    def _aead(self, key_id: int) -> AESGCM:
        if self._only is not None and key_id not in self._only:
            raise DecryptionError()
        aead = self._aeads.get(key_id)
        if aead is None:
            aead = self._aeads[key_id] = AESGCM(self._keys.data_key(key_id))
        return aead

    def encrypt_bytes(self, data: bytes, context: str) -> bytes:
        kid = self.key_id
        nonce = os.urandom(_NONCE)
        head = bytes([BLOB_VERSION]) + kid.to_bytes(_KEY_ID, "big")
        return head + nonce + self._aead(kid).encrypt(nonce, _pad(data), context.encode())

    def decrypt_bytes(self, blob: bytes, context: str) -> bytes:
        kid = blob_key_id(blob)
        at = 1 if blob[0] == LEGACY_BLOB_VERSION else 1 + _KEY_ID
        if len(blob) < at + _NONCE + 16:
            raise DecryptionError()
        try:
            padded = self._aead(kid).decrypt(blob[at : at + _NONCE], blob[at + _NONCE :], context.encode())
        except InvalidTag as e:
            raise DecryptionError() from e
        return _unpad(padded)

    def encrypt(self, text: str, context: str) -> bytes:
        return self.encrypt_bytes(text.encode("utf-8"), context)

    def decrypt(self, blob: bytes, context: str) -> str:
        return self.decrypt_bytes(blob, context).decode("utf-8")

    def encrypt_opt(self, text: str | None, context: str) -> bytes | None:
        return None if text is None else self.encrypt(text, context)

    def decrypt_opt(self, blob: bytes | None, context: str) -> str | None:
        return None if blob is None else self.decrypt(blob, context)

    def blind_index(self, kind: str, normalized: str) -> str | None:
        """Keyed HMAC of an already-normalised value; None for an empty value."""
        if not normalized:
            return None
        mac = hmac.new(self._index_key, f"{kind}\x1f{normalized}".encode(), hashlib.sha256)
        return mac.hexdigest()[:BLIND_INDEX_HEX]

    def document_number_index(self, number: str | None) -> str | None:
        return self.blind_index("document_number", normalize_document_number(number or ""))

    def surname_index(self, surname: str | None) -> str | None:
        return self.blind_index("surname", normalize_name(surname or ""))


_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


def normalize_document_number(number: str) -> str:
    """Upper case, fillers (``<``), spaces and punctuation removed: ``l898 902c3<`` -> ``L898902C3``."""
    return _NOT_ALNUM.sub("", number.upper())


def normalize_name(name: str) -> str:
    """Upper case ASCII letters only, accents folded: ``O'Brien``, ``O<BRIEN`` -> ``OBRIEN``."""
    folded = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^A-Z]", "", ascii_only.upper())


def mask_document_number(number: str | None) -> str | None:
    """Show the first 3 and last 2 characters only: ``L898902C3`` -> ``L89****C3``.

    Shorter numbers show less (2 + 1 for 7-8 characters, the first for 4-6, nothing for 3
    or fewer), so that a mask never shows more than about half of a number.
    """
    if number is None:
        return None
    n = len(number)
    if n <= 3:
        return "*" * n
    if n <= 6:
        return number[0] + "*" * (n - 1)
    if n <= 8:
        return number[:2] + "*" * (n - 3) + number[-1:]
    return number[:3] + "*" * (n - 5) + number[-2:]
