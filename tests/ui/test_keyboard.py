"""Issue 12, keyboard first: reason dialogs submit with Ctrl+Enter, F8 walks the fields that
need a look, a new document focuses its first such field, the focus ring shows, mnemonics
are unique and Ctrl+N visits failed files saying why."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QMenu
from pytestqt.qtbot import QtBot

from desktop_app.ui.application import Services
from desktop_app.ui.reason_dialog import ReasonDialog
from desktop_app.ui.style import APP_STYLESHEET


def wait_label(qtbot: QtBot, svc: Services, name: str, *statuses: str) -> None:
    qtbot.waitUntil(
        lambda: any(it.label == name and it.status in statuses for it in svc.controller.queue.items()),
        timeout=15000,
    )


def test_ctrl_enter_submits_a_reason_and_tab_leaves_the_text(qtbot: QtBot) -> None:
    dlg = ReasonDialog("Flag for review", "Why?")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    dlg.text.setFocus()
    qtbot.keyClicks(dlg.text, "photo differs")
    qtbot.keyClick(dlg.text, Qt.Key.Key_Return)  # Enter: a new line, not a submit
    qtbot.keyClicks(dlg.text, "second line")
    assert dlg.isVisible() and dlg.reason() == "photo differs\nsecond line"
    qtbot.keyClick(dlg.text, Qt.Key.Key_Tab)
    assert "\t" not in dlg.text.toPlainText() and not dlg.text.hasFocus()
    dlg.text.setFocus()
    qtbot.keyClick(dlg.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dlg.result() == ReasonDialog.DialogCode.Accepted and not dlg.isVisible()


def test_ctrl_enter_with_no_reason_sends_nothing(qtbot: QtBot) -> None:
    dlg = ReasonDialog("Confirm anyway", "Why?")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClick(dlg.text, Qt.Key.Key_Enter, Qt.KeyboardModifier.ControlModifier)
    assert dlg.isVisible() and not dlg.ok_button.isEnabled()


def test_a_cancelled_reason_is_kept_for_the_next_try(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w = services.window
    w.add_paths([make_doc("a.png")])
    wait_label(qtbot, services, "a.png", "ready")

    def type_then(action: str) -> None:
        dlg = QApplication.activeModalWidget()
        assert isinstance(dlg, ReasonDialog)
        if action == "cancel":
            dlg.text.setPlainText("the photo is not the holder")
            dlg.reject()
        else:
            seen.append(dlg.reason())
            dlg.reject()

    seen: list[str] = []
    QTimer.singleShot(50, lambda: type_then("cancel"))
    assert w._ask_text_dialog("Flag for review", "Why?") is None
    assert "kept" in w.banner.text()
    QTimer.singleShot(50, lambda: type_then("look"))
    w._ask_text_dialog("Flag for review", "Why?")
    assert seen == ["the photo is not the holder"]


def test_f8_walks_the_fields_needing_a_look_and_a_new_document_starts_at_the_first(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w, c = services.window, services.controller
    w.activateWindow()
    w.add_paths([make_doc("badcheck.png"), make_doc("second.png")])
    wait_label(qtbot, services, "badcheck.png", "ready")
    form = c.form
    assert form is not None
    look = [v.key for v in form.fields() if v.blocking or v.needs_look]
    assert len(look) >= 2
    qtbot.waitUntil(lambda: QApplication.focusWidget() is w.fields.edit(look[0]), timeout=3000)
    w.next_look_action.trigger()  # F8
    assert QApplication.focusWidget() is w.fields.edit(look[1])
    for _ in range(len(look) - 1):
        w.next_look_action.trigger()
    assert QApplication.focusWidget() is w.fields.edit(look[0])  # wraps round
    assert w.next_look_action.shortcut().toString() == "F8"
    # The next document: the focus leaves the previous document's field at once.
    wait_label(qtbot, services, "second.png", "ready")
    w.fields.edit("surname").setFocus()
    w.next_document()
    assert c.current is not None and c.current.label == "second.png"
    nxt = c.form
    assert nxt is not None
    first = next(v.key for v in nxt.fields() if v.blocking or v.needs_look)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is w.fields.edit(first), timeout=3000)


def test_the_focus_ring_is_drawn(qtbot: QtBot, services: Services) -> None:
    assert re.search(r"QPushButton:focus[^{]*\{[^}]*border", APP_STYLESHEET)
    w = services.window
    w.setStyleSheet(APP_STYLESHEET)  # as create_application sets it for the whole app
    w.activateWindow()
    button = w.queue_panel.retry_button
    plain = button.grab().toImage()
    button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(button.hasFocus, timeout=3000)
    ringed = button.grab().toImage()
    assert plain != ringed


def _mnemonic(text: str) -> str | None:
    m = re.search(r"&([^&])", text)
    return m.group(1).lower() if m else None


def test_shortcut_letters_are_unique(services: Services) -> None:
    w = services.window
    # Alt+letter in the window: the menu bar's titles, the buttons and labels of the reading tab.
    letters: dict[str, list[str]] = {}
    for a in w.menuBar().actions():
        if (k := _mnemonic(a.text())) is not None:
            letters.setdefault(k, []).append(a.text())
    reading = w.tabs.widget(0)
    for widget in reading.findChildren(QAbstractButton) + reading.findChildren(QLabel):
        text = widget.text()
        if isinstance(widget, QLabel) and widget.buddy() is None:
            continue
        if (k := _mnemonic(text)) is not None:
            letters.setdefault(k, []).append(text)
    doubled = {k: v for k, v in letters.items() if len(v) > 1}
    assert doubled == {}, doubled
    # Inside each menu too.
    for menu in w.menuBar().findChildren(QMenu):
        inside: dict[str, list[str]] = {}
        for a in menu.actions():
            if (k := _mnemonic(a.text())) is not None:
                inside.setdefault(k, []).append(a.text())
        assert {k: v for k, v in inside.items() if len(v) > 1} == {}, menu.title()


def test_ctrl_n_visits_failed_files_and_says_why(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str], tmp_path: Path
) -> None:
    w, c = services.window, services.controller
    bad = tmp_path / "scan.png"
    bad.write_text("text, not a picture", encoding="utf-8")
    w.add_paths([make_doc("good.png"), str(bad)])
    wait_label(qtbot, services, "scan.png", "failed")
    assert c.current is not None and c.current.label == "good.png"
    w.next_document()  # Ctrl+N
    assert c.current is not None and c.current.label == "scan.png"
    assert "scan.png failed" in w.banner.text()
