"""Issue 12, waiting: a document opened while the engine starts shows its picture at once
and says the engine is starting."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.ui.application import Services
from desktop_app.ui.engine_client import EngineState


@pytest.fixture
def slow_warmup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_READER_WARMUP_S", "4")


def test_a_document_opened_while_the_engine_starts_shows_its_picture_at_once(
    slow_warmup: None, qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w, c = services.window, services.controller
    assert services.engine.state == EngineState.STARTING
    w.add_paths([make_doc("first of the day.png")])
    assert c.current is not None and c.current.label == "first of the day.png"
    # The picture is decoded off the GUI thread and on screen a moment later, while the
    # engine still loads.
    qtbot.waitUntil(lambda: w.view.has_page, timeout=3000)
    assert not c.current.pages  # nothing from the engine yet
    assert "engine is starting" in w.stage.text()
    qtbot.waitUntil(lambda: c.current is not None and c.current.status == "ready", timeout=20000)
    assert w.view.has_page and "starting" not in w.stage.text()
