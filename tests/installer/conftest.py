"""Registers the ``installer`` marker for these tests (pytest runs with --strict-markers).

The same line belongs in pyproject.toml's ``[tool.pytest.ini_options] markers``; this
keeps the module collectable until it is there, and is harmless after.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "installer: builds the PyInstaller bundle and checks the frozen program (Linux, minutes)"
    )
