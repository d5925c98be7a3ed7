"""Integration tests use the real PaddleOCR engine: build it once per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_app.core.pipeline import DocumentReader, ReaderSettings


@pytest.fixture(scope="session")
def real_reader() -> Iterator[DocumentReader]:
    reader = DocumentReader(ReaderSettings(read_visual_zone=True))
    reader.warm_up()
    yield reader
