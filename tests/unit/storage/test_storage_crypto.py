"""Field encryption, blind indexes, masking and the key provider (no database)."""

from __future__ import annotations

import base64
import os
import stat
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from storage_helpers import KEY, OTHER_KEY

from desktop_app.storage import (
    DecryptionError,
    EncryptionKeyError,
    KeyProvider,
    StaticKey,
    mask_document_number,
)
from desktop_app.storage.crypto import FieldCipher, Keys, normalize_document_number, normalize_name
from desktop_app.storage.keys import decode_key, encode_key

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def cipher(key: bytes = KEY) -> FieldCipher:
    return FieldCipher(Keys.from_master(key))


def test_round_trip_and_binding_to_context() -> None:
    c = cipher()
    blob = c.encrypt("ERIKSSON", "record:abc:surname:final")
    assert b"ERIKSSON" not in blob
    assert c.decrypt(blob, "record:abc:surname:final") == "ERIKSSON"
    # Moved to another field or row: refused.
    with pytest.raises(DecryptionError):
        c.decrypt(blob, "record:abc:given_names:final")
    with pytest.raises(DecryptionError):
        c.decrypt(blob, "record:xyz:surname:final")
    # Another key: refused.
    with pytest.raises(DecryptionError):
        cipher(OTHER_KEY).decrypt(blob, "record:abc:surname:final")


def test_tampered_blob_is_refused() -> None:
    c = cipher()
    blob = bytearray(c.encrypt("L898902C3", "ctx"))
    blob[20] ^= 0x01
    with pytest.raises(DecryptionError):
        c.decrypt(bytes(blob), "ctx")


def test_same_value_encrypts_differently_and_length_is_padded() -> None:
    c = cipher()
    assert c.encrypt("ANNA", "ctx") != c.encrypt("ANNA", "ctx")
    assert len(c.encrypt("A", "ctx")) == len(c.encrypt("ABCDEFGHIJKLMNO", "ctx"))


@given(st.text(max_size=80))
def test_any_text_round_trips(value: str) -> None:
    c = cipher()
    assert c.decrypt(c.encrypt(value, "k"), "k") == value


def test_blind_index_normalises_and_depends_on_key() -> None:
    c = cipher()
    assert c.document_number_index("l898 902c3<") == c.document_number_index("L898902C3")
    assert c.document_number_index("L898902C3") != c.document_number_index("L898902C4")
    assert c.document_number_index("L898902C3") != cipher(OTHER_KEY).document_number_index("L898902C3")
    assert c.surname_index("O'Brien") == c.surname_index("O<BRIEN") == c.surname_index("obrien")
    assert c.surname_index("Müller") == c.surname_index("MULLER")
    assert c.document_number_index("") is None
    assert normalize_document_number(" ab-12<") == "AB12"
    assert normalize_name("Ériksson  Anna") == "ERIKSSONANNA"


def test_mask_example_from_the_issue() -> None:
    assert mask_document_number("L898902C3") == "L89****C3"
    assert mask_document_number(None) is None
    assert mask_document_number("AB1") == "***"


@given(st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=1, max_size=20))
def test_mask_keeps_length_and_hides_at_least_half(number: str) -> None:
    masked = mask_document_number(number)
    assert masked is not None and len(masked) == len(number)
    hidden = masked.count("*")
    assert hidden >= len(number) / 2 - 1
    assert hidden >= 1


def test_keys_repr_hides_material() -> None:
    assert KEY.hex() not in repr(Keys.from_master(KEY))


# -- key provider -------------------------------------------------------------------


def test_env_key_hex_and_base64(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSPORT_DESK_KEY", KEY.hex())
    assert KeyProvider().find() == KEY
    monkeypatch.setenv("PASSPORT_DESK_KEY", base64.b64encode(KEY).decode())
    assert KeyProvider().find() == KEY
    monkeypatch.setenv("PASSPORT_DESK_KEY", encode_key(KEY))
    assert KeyProvider().find() == KEY
    provider = KeyProvider()
    provider.find()
    assert provider.describe() == "env PASSPORT_DESK_KEY"


def test_bad_env_key_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSPORT_DESK_KEY", "too-short")
    with pytest.raises(EncryptionKeyError, match="PASSPORT_DESK_KEY"):
        KeyProvider().find()


def test_static_key_must_be_32_bytes() -> None:
    with pytest.raises(EncryptionKeyError):
        StaticKey(b"short")


@posix_only
def test_key_file_is_created_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "database.key"
    provider = KeyProvider(key_file=path, use_keyring=False)
    assert provider.find() is None
    key = provider.create()
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert decode_key(path.read_text(), where="test") == key
    # Found again, and create() does not replace it.
    assert KeyProvider(key_file=path, use_keyring=False).find() == key
    assert KeyProvider(key_file=path, use_keyring=False).create() == key


@posix_only
def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "database.key"
    path.write_text(encode_key(KEY))
    path.chmod(0o644)
    with pytest.raises(EncryptionKeyError, match="chmod 600"):
        KeyProvider(key_file=path, use_keyring=False).find()


def test_keyring_is_used_when_it_has_a_backend(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    keyring = pytest.importorskip("keyring")
    from keyring.backend import KeyringBackend

    previous = keyring.get_keyring()  # before the class below exists (keyring collects subclasses)

    class MemoryKeyring(KeyringBackend):
        priority = 0.01  # type: ignore[assignment]  # never chosen by keyring on its own

        def __init__(self) -> None:
            super().__init__()
            self.store: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.store.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.store[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.store.pop((service, username), None)

    monkeypatch.delenv("PASSPORT_DESK_NO_KEYRING")
    mem = MemoryKeyring()
    keyring.set_keyring(mem)
    try:
        provider = KeyProvider(key_file=tmp_path / "database.key")
        key = provider.create()
        assert provider.describe() == "the OS keyring"
        assert not (tmp_path / "database.key").exists()
        assert KeyProvider(key_file=tmp_path / "database.key").find() == key
        assert mem.store[("passport-desk", "database-key")] == encode_key(key)
    finally:
        keyring.set_keyring(previous)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="headless Linux has no keyring backend")
def test_headless_linux_falls_back_to_the_key_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pytest.importorskip("keyring")
    monkeypatch.delenv("PASSPORT_DESK_NO_KEYRING")
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    provider = KeyProvider(key_file=tmp_path / "database.key")
    key = provider.create()
    if provider.describe() == "the OS keyring":  # pragma: no cover - a desktop session with a keyring
        pytest.skip("this machine has a keyring backend")
    assert (tmp_path / "database.key").exists()
    assert KeyProvider(key_file=tmp_path / "database.key").find() == key
