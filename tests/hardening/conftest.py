"""Hardening tests: isolate storage (no keyring, a test key) on top of the suite's home."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hardening.clitools import TEST_KEY_HEX


@pytest.fixture(autouse=True)
def _isolated_storage(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PASSPORT_DESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PASSPORT_DESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PASSPORT_DESK_NO_KEYRING", "1")
    monkeypatch.setenv("PASSPORT_DESK_KEY", TEST_KEY_HEX)
    monkeypatch.setenv("PASSPORT_DESK_OPERATOR", "hardening-test")
    for var in ("DATABASE_URL", "PASSPORT_DESK_EXPORT_DIR"):
        monkeypatch.delenv(var, raising=False)
