"""Where the database encryption key comes from. The key is never stored in the database.

Order (first found wins):

1. env ``PASSPORT_DESK_KEY``: 32 bytes as 64 hex digits or base64. For servers, shared
   PostgreSQL deployments and tests.
2. The OS keyring (Windows Credential Manager, macOS Keychain, Secret Service), through
   the optional ``keyring`` package, service ``passport-desk``, user ``database-key``.
   A headless Linux box has no backend: that is detected and skipped.
3. A key file ``<config dir>/database.key`` (see :mod:`.paths`), created owner-only
   (0600, in a 0700 folder) and refused if anyone else may read it.

A new key is created only for a new database (:meth:`KeyProvider.create`): in the keyring
when there is one, otherwise in the key file. Every workstation sharing one PostgreSQL
database needs the same key: give it through the env variable or a key file.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from .errors import EncryptionKeyError
from .paths import config_dir, ensure_private_dir

log = logging.getLogger(__name__)

KEY_BYTES = 32
ENV_VAR = "PASSPORT_DESK_KEY"
KEYRING_SERVICE = "passport-desk"
KEYRING_USER = "database-key"
KEY_FILE_NAME = "database.key"


def encode_key(key: bytes) -> str:
    """The text form of a key, as accepted by :func:`decode_key` (base64, urlsafe)."""
    return base64.urlsafe_b64encode(key).decode("ascii")


def decode_key(text: str, *, where: str) -> bytes:
    """Parse a key given as 64 hex digits or base64 (standard or urlsafe)."""
    t = text.strip()
    raw: bytes | None = None
    if len(t) == 2 * KEY_BYTES:
        try:
            raw = bytes.fromhex(t)
        except ValueError:
            raw = None
    if raw is None:
        try:
            raw = base64.b64decode(t.replace("-", "+").replace("_", "/"), validate=True)
        except (binascii.Error, ValueError):
            raw = None
    if raw is None or len(raw) != KEY_BYTES:
        raise EncryptionKeyError(
            f"The encryption key in {where} is not valid: it must be {KEY_BYTES} bytes, "
            "written as 64 hex digits or base64."
        )
    return raw


def key_fingerprint(key: bytes) -> str:
    """A short public name of a key (to match an escrow copy), never enough to recover it."""
    import hashlib

    return hashlib.sha256(b"passport-desk key fingerprint\x00" + key).hexdigest()[:16]


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


class KeySource(Protocol):
    """What :func:`desktop_app.storage.open_store` needs from a key provider."""

    def find(self) -> bytes | None:
        """The existing key, or None when there is none yet."""

    def create(self) -> bytes:
        """Make, keep and return a new key (for a new database)."""

    def describe(self) -> str:
        """Where the key comes from, for messages (never the key itself)."""


class StaticKey:
    """A key given directly (tests, tools). ``create`` returns the same key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise EncryptionKeyError(f"The encryption key must be {KEY_BYTES} bytes.")
        self._key = bytes(key)

    def find(self) -> bytes | None:
        return self._key

    def create(self) -> bytes:
        return self._key

    def describe(self) -> str:
        return "a key given by the caller"


class KeyProvider:
    """Env variable, then OS keyring, then an owner-only key file."""

    def __init__(
        self,
        *,
        env: Mapping[str, str] | None = None,
        key_file: Path | None = None,
        use_keyring: bool = True,
    ) -> None:
        self._env = os.environ if env is None else env
        self.key_file = key_file if key_file is not None else config_dir(self._env) / KEY_FILE_NAME
        self._use_keyring = use_keyring and not self._env.get("PASSPORT_DESK_NO_KEYRING")
        self._where = "nowhere yet"

    # -- keyring -----------------------------------------------------------------
    def _keyring(self) -> object | None:
        """The ``keyring`` module when it has a usable backend, else None."""
        if not self._use_keyring:
            return None
        try:
            import keyring
            from keyring.backends import fail
        except Exception:  # not installed, or broken backend import
            return None
        try:
            backend = keyring.get_keyring()
        except Exception:
            return None
        if isinstance(backend, fail.Keyring):  # headless Linux: no backend at all
            return None
        return keyring

    def _keyring_get(self) -> bytes | None:
        kr = self._keyring()
        if kr is None:
            return None
        try:
            text = kr.get_password(KEYRING_SERVICE, KEYRING_USER)  # type: ignore[attr-defined]
        except Exception as e:  # locked keyring, D-Bus errors...
            log.info("OS keyring not usable (%s); trying the key file", type(e).__name__)
            return None
        if not text:
            return None
        self._where = "the OS keyring"
        return decode_key(text, where="the OS keyring")

    def _keyring_set(self, key: bytes) -> bool:
        kr = self._keyring()
        if kr is None:
            return False
        try:
            kr.set_password(KEYRING_SERVICE, KEYRING_USER, encode_key(key))  # type: ignore[attr-defined]
        except Exception as e:
            log.info("Cannot store the key in the OS keyring (%s); using a key file", type(e).__name__)
            return False
        self._where = "the OS keyring"
        return True

    # -- key file ----------------------------------------------------------------
    def _file_get(self) -> bytes | None:
        path = self.key_file
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        except OSError as e:
            raise EncryptionKeyError(f"The key file {path} cannot be read ({e.strerror}).") from e
        if os.name == "posix":
            if stat.S_IMODE(st.st_mode) & 0o077:
                raise EncryptionKeyError(
                    f"The key file {path} can be read by other users; "
                    f"restrict it with `chmod 600 {path}` and try again."
                )
            if st.st_uid != os.geteuid():
                raise EncryptionKeyError(f"The key file {path} belongs to another user.")
        try:
            text = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as e:
            raise EncryptionKeyError(f"The key file {path} cannot be read.") from e
        self._where = f"the key file {path}"
        return decode_key(text, where=f"the key file {path}")

    def _file_create(self, key: bytes) -> None:
        path = self.key_file
        ensure_private_dir(path.parent)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(path, flags, 0o600)
        except FileExistsError as e:
            raise EncryptionKeyError(f"The key file {path} appeared while creating it; try again.") from e
        except OSError as e:
            raise EncryptionKeyError(f"The key file {path} cannot be created ({e.strerror}).") from e
        try:
            if os.name == "posix":
                os.fchmod(fd, 0o600)
            os.write(fd, (encode_key(key) + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        self._where = f"the key file {path}"

    # -- KeySource ---------------------------------------------------------------
    def find(self) -> bytes | None:
        text = self._env.get(ENV_VAR)
        if text:
            self._where = f"env {ENV_VAR}"
            return decode_key(text, where=f"env {ENV_VAR}")
        found = self._keyring_get()
        if found is not None:
            return found
        return self._file_get()

    def create(self) -> bytes:
        existing = self.find()
        if existing is not None:
            return existing
        key = new_key()
        if not self._keyring_set(key):
            self._file_create(key)
        log.info("Created a new database encryption key in %s", self._where)
        return key

    def describe(self) -> str:
        return self._where
