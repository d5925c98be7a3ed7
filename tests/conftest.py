"""Shared fixtures: isolate every test from the user's settings and data folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("passport-desk-home")
    monkeypatch.setenv("PASSPORT_DESK_HOME", str(home))
    monkeypatch.setenv("PASSPORT_DESK_CONFIG", str(home / "settings.json"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    yield home
