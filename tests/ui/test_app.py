"""The composition root (``passport-desk gui FILES``) and the one excepthook."""

from __future__ import annotations

import base64
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from fake_reader import FACTORY
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app import app as app_module
from desktop_app.settings import data_dir
from desktop_app.ui.application import ExceptHook
from desktop_app.ui.main_window import MainWindow


def test_main_shows_the_window_reads_the_files_and_quits(
    qtbot: QtBot, make_doc: Callable[[str], str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PASSPORT_DESK_KEY", base64.urlsafe_b64encode(bytes(range(32))).decode())
    doc = make_doc("given-on-the-command-line.png")
    seen: dict[str, object] = {}

    def poll() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not windows:
            return
        w = windows[0]
        items = w.controller.queue.items()
        if items and items[0].status == "ready" and w.store.is_open:
            seen["label"] = items[0].label
            seen["engine"] = w.engine_label.text()
            w._close_confirmed = True
            w.close()  # the last window closes: the event loop ends
        else:
            QTimer.singleShot(50, poll)

    QTimer.singleShot(50, poll)
    root = logging.getLogger()
    handlers = list(root.handlers)
    level = root.level
    try:
        assert app_module.main([doc], reader_factory=FACTORY) == 0
    finally:
        for h in root.handlers[:]:
            if h not in handlers:
                root.removeHandler(h)
                h.close()
        root.setLevel(level)
    assert seen == {"label": "given-on-the-command-line.png", "engine": "Engine ready"}
    assert sys.excepthook is sys.__excepthook__ or sys.excepthook.__module__ != "desktop_app.ui.application"
    # The log went to the (isolated) data folder, and holds no field value.
    log_text = (data_dir() / "logs" / "passport-desk.log").read_text(encoding="utf-8")
    assert "starting the GUI" in log_text and "ERIKSSON" not in log_text


def test_excepthook_logs_detail_and_shows_a_plain_message(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    hook = ExceptHook(lambda: None, Path("/tmp/passport-desk.log"))
    shown: list[str] = []
    hook.show_dialog = lambda parent, title, text: shown.append(text)
    try:
        raise ValueError("surname ERIKSSON is odd")  # detail that must not reach the dialog
    except ValueError as exc:
        with caplog.at_level(logging.CRITICAL):
            hook.hook(type(exc), exc, exc.__traceback__)
    qtbot.waitUntil(lambda: bool(shown), timeout=2000)
    assert "ValueError" in shown[0] and "ERIKSSON" not in shown[0] and "/tmp/passport-desk.log" in shown[0]
    assert "ERIKSSON" in caplog.text  # the detail is in the log

    def boom() -> None:
        raise RuntimeError("from a worker thread")

    t = threading.Thread(target=boom)
    old = threading.excepthook
    threading.excepthook = hook.thread_hook
    try:
        t.start()
        t.join()
    finally:
        threading.excepthook = old
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=2000)
    assert "RuntimeError" in shown[1]
