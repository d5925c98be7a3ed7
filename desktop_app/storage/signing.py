"""The audit signing key (Ed25519): signs checkpoints of the audit chain; not the master key.

Why a key of its own, and asymmetric: every workstation that shares a database holds the
master key (it must, to decrypt), so anything keyed from it (the chain's HMAC) can be
recomputed by any operator. A checkpoint signed with a private key that operators do not
hold cannot be forged by them, and checking it needs only the public half, which an
auditor can keep a copy of (``passport-desk audit public-key``).

Where the private half lives decides who it protects against (see README, "Security
model"): by default a key file in the user's config folder, created owner-only, which
protects against other users and against anyone holding only the master key or a copy of
the database, but not against the account that owns the key file. A branch can give each
workstation a key file owned by another account (``PASSPORT_DESK_AUDIT_SIGNING_KEY`` or the
``audit_signing_key`` setting naming it, readable by the application through a service
account), or run with no signing key at all and rely on the insert-only checkpoint table of
a PostgreSQL server.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .errors import EncryptionKeyError
from .paths import config_dir, ensure_private_dir

ENV_SIGNING_KEY = "PASSPORT_DESK_AUDIT_SIGNING_KEY"
SIGNING_KEY_FILE = "audit-signing.key"
PUBLIC_KEY_SUFFIX = ".pub"
SIGNATURE_DOMAIN = b"passport-desk/audit-checkpoint/v1\n"


def default_signing_key_path(env: Mapping[str, str] | None = None) -> Path:
    e = os.environ if env is None else env
    given = e.get(ENV_SIGNING_KEY)
    if given:
        return Path(given).expanduser()
    return config_dir(env) / SIGNING_KEY_FILE


def key_id_of(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_text(public: Ed25519PublicKey) -> str:
    """One line: ``ed25519 <base64 raw key>``; what ``--public-key`` files hold."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519 " + base64.b64encode(raw).decode("ascii")


def parse_public_key(text: str, *, where: str) -> Ed25519PublicKey:
    parts = text.strip().split()
    try:
        if len(parts) != 2 or parts[0] != "ed25519":
            raise ValueError
        raw = base64.b64decode(parts[1], validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as e:
        raise EncryptionKeyError(f"The audit public key in {where} is not valid (expected `ed25519 <base64>`).") from e


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as e:
        raise EncryptionKeyError(f"The audit public key {path} cannot be read.") from e
    return parse_public_key(text, where=str(path))


class AuditSigner:
    """The private half; signs checkpoint payloads."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public = private.public_key()
        self.key_id = key_id_of(self.public)

    def sign(self, payload: bytes) -> str:
        return base64.b64encode(self._private.sign(SIGNATURE_DOMAIN + payload)).decode("ascii")

    def __repr__(self) -> str:
        return f"AuditSigner(key_id={self.key_id})"


def signature_valid(public: Ed25519PublicKey, payload: bytes, signature: str) -> bool:
    try:
        public.verify(base64.b64decode(signature, validate=True), SIGNATURE_DOMAIN + payload)
    except (InvalidSignature, ValueError):
        return False
    return True


def _check_private_file(path: Path, st: os.stat_result) -> None:
    if os.name != "posix":
        return
    if stat.S_IMODE(st.st_mode) & 0o077:
        raise EncryptionKeyError(
            f"The audit signing key {path} can be read by other users; restrict it with `chmod 600 {path}`."
        )


def load_signer(path: Path) -> AuditSigner | None:
    """The signer in ``path``, or None when there is no such file."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise EncryptionKeyError(f"The audit signing key {path} cannot be read ({e.strerror}).") from e
    _check_private_file(path, st)
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as e:
        raise EncryptionKeyError(f"The audit signing key {path} cannot be read.") from e
    if not isinstance(private, Ed25519PrivateKey):
        raise EncryptionKeyError(f"The audit signing key {path} is not an Ed25519 key.")
    return AuditSigner(private)


def create_signer(path: Path) -> AuditSigner:
    """Make a new key in ``path`` (0600, never over an existing file) and its ``.pub`` beside it."""
    ensure_private_dir(path.parent)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        existing = load_signer(path)
        assert existing is not None
        return existing
    except OSError as e:
        raise EncryptionKeyError(f"The audit signing key {path} cannot be created ({e.strerror}).") from e
    try:
        if os.name == "posix":
            os.fchmod(fd, 0o600)
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    signer = AuditSigner(private)
    pub = path.with_name(path.name + PUBLIC_KEY_SUFFIX)
    pub.write_text(public_key_text(signer.public) + "\n", encoding="ascii")
    return signer
