"""The operator's window with the fake reader in the real engine process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QGraphicsView,
    QHeaderView,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app.core.types import FIELD_KEYS
from desktop_app.ui.application import Services
from desktop_app.ui.main_window import MainWindow


def open_and_wait(qtbot: QtBot, svc: Services, path: str) -> None:
    svc.window.add_paths([path])
    name = Path(path).name
    qtbot.waitUntil(
        lambda: any(it.label == name and it.status == "ready" for it in svc.controller.queue.items()),
        timeout=15000,
    )


def test_window_shows_at_once_and_the_engine_warms_up_behind(qtbot: QtBot, services: Services) -> None:
    w = services.window
    assert w.isVisible()
    assert w.engine_label.text() in ("Engine loading…", "Engine ready")
    qtbot.waitUntil(lambda: w.engine_label.text() == "Engine ready", timeout=15000)
    assert w.db_label.text() == "Database ready"


def test_read_edit_confirm_and_find_in_records(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w = services.window
    open_and_wait(qtbot, services, make_doc("passport.png"))
    surname = w.fields.edit("surname")
    assert surname.text() == "ERIKSSON"
    assert surname.property("fieldState") == "read"  # no check digit covers a name
    assert w.fields.edit("document_number").property("fieldState") == "verified"
    assert w.fields.edit("place_of_birth").property("fieldState") == "unverified"
    assert "no check digit" in w.fields.edit("place_of_birth").toolTip()
    assert w.view.has_page and "surname" in w.view.box_keys()
    assert "Passport" in w.summary.kind.text() and "Utopia" in w.summary.country.text()
    # The ICAO specimen state must be acknowledged before Confirm is offered.
    assert w.ack_box.isVisible() and "specimen" in w.ack_box.text()
    assert not w.confirm_button.isEnabled()
    w.ack_box.setChecked(True)
    assert w.confirm_button.isEnabled()

    surname.setFocus()
    surname.selectAll()
    qtbot.keyClicks(surname, "eriksen")  # typed in lower case: MRZ fields go upper case
    assert surname.text() == "ERIKSEN"
    assert surname.property("fieldState") == "edited"
    assert "Read as: ERIKSSON" in surname.toolTip()
    assert services.controller.has_unsaved_changes()
    # The summary follows the edit at once: the form is now the operator's.
    assert w.summary.verified.text().startswith("Not verified: ")
    assert "edited by the operator: surname" in w.summary.verified.text()
    assert w.summary.decision.text().startswith("Needs review: ")

    with qtbot.waitSignal(services.controller.saved, timeout=10000):
        qtbot.mouseClick(w.confirm_button, Qt.MouseButton.LeftButton)
    assert "Saved as record" in w.banner.text()

    w.tabs.setCurrentIndex(2)  # Records: searches on open
    qtbot.waitUntil(lambda: w.records_view.model.rowCount() == 1, timeout=10000)
    row = w.records_view.model.rows()[0]
    assert row.surname == "ERIKSEN"
    assert row.document_number != "L898902C3" and "*" in (row.document_number or "")  # masked
    w.records_view.name.setText("eriksen")
    with qtbot.waitSignal(w.records_view.loaded, timeout=10000) as found:
        w.records_view.search()
    assert found.args == [1]
    w.records_view.show_dialogs = False
    with qtbot.waitSignal(w.records_view.opened, timeout=10000) as opened:
        w.records_view.open_row(0)
    assert opened.args[0].value("document_number") == "L898902C3"  # full number on open only


def test_invalid_value_disables_confirm_and_override_flags(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w = services.window
    open_and_wait(qtbot, services, make_doc("p.png"))
    expiry = w.fields.edit("expiry_date")
    expiry.setFocus()
    expiry.selectAll()
    qtbot.keyClicks(expiry, "2034-02-30")
    assert expiry.property("fieldState") == "invalid"
    assert not w.confirm_button.isEnabled() and w.override_button.isVisible()
    assert "Cannot confirm yet" in w.blockers.text() and "Date of expiry" in w.blockers.text()
    w.confirm()  # the action too refuses
    assert not services.controller.saving
    with qtbot.waitSignal(services.controller.saved, timeout=10000) as saved:
        qtbot.mouseClick(w.override_button, Qt.MouseButton.LeftButton)
    assert saved.args[0] == "flagged"


def test_selecting_a_field_highlights_its_box_and_back(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w = services.window
    open_and_wait(qtbot, services, make_doc("p.png"))
    w.fields.edit("document_number").setFocus()
    qtbot.waitUntil(lambda: w.view.selected_key() == "document_number", timeout=3000)
    rect = w.view.box_rect("birth_date")
    assert rect is not None
    # Click the middle of the birth date's box in the picture.
    pos = w.view.mapFromScene(rect.center())
    qtbot.mouseClick(w.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: w.fields.edit("birth_date").hasFocus(), timeout=3000)
    assert w.view.selected_key() == "birth_date"


def test_leaving_unsaved_changes_asks_first(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w = services.window
    open_and_wait(qtbot, services, make_doc("a.png"))
    open_and_wait(qtbot, services, make_doc("b.png"))
    services.controller.set_value("surname", "X")
    questions: list[str] = []
    w.ask = lambda title, text: questions.append(text) is not None  # answers "no"
    w.next_document()
    assert questions and "Discard" in questions[0]
    assert services.controller.current is not None and services.controller.current.label == "a.png"
    w.ask = lambda title, text: True
    w.next_document()
    assert services.controller.current is not None and services.controller.current.label == "b.png"


def test_tab_order_follows_the_document_and_every_control_is_named(qtbot: QtBot, services: Services) -> None:
    w = services.window
    first = w.fields.first_edit()
    chain = [first]
    nxt: QWidget = first
    for _ in range(len(FIELD_KEYS) - 1):
        nxt = nxt.nextInFocusChain()
        while not isinstance(nxt, QLineEdit):
            nxt = nxt.nextInFocusChain()
        chain.append(nxt)
    assert [e.property("fieldKey") for e in chain] == list(FIELD_KEYS)
    after = w.fields.last_edit().nextInFocusChain()
    while not (after.focusPolicy() & Qt.FocusPolicy.TabFocus) or not after.isVisibleTo(w):
        after = after.nextInFocusChain()
    assert after is w.confirm_button

    unnamed = []
    for widget in w.findChildren(QWidget):
        if not isinstance(
            widget,
            (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QGraphicsView, QAbstractSpinBox),
        ):
            continue
        if isinstance(widget, QLineEdit) and isinstance(widget.parent(), (QComboBox, QAbstractSpinBox)):
            continue  # the editor inside a combo box or spin box is named through its owner
        if isinstance(widget, QHeaderView):
            continue  # part of its table, which is named
        parent = widget.parent()
        if parent is not None and parent.metaObject().className() == "QComboBoxPrivateContainer":
            continue  # a combo box's drop-down list
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        if not (widget.accessibleName() or text.replace("&", "").strip()):
            unnamed.append(f"{type(widget).__name__}:{widget.objectName()}")
    # Qt's own internals (tab bar scrollers, header corner button) are named by Qt.
    unnamed = [
        u for u in unnamed if not u.startswith(("QToolButton:qt_", "QAbstractButton:", "QToolButton:"))
    ]
    assert unnamed == [], unnamed


def test_shortcuts_exist_for_every_action(services: Services) -> None:
    w = services.window
    for action in (
        w.confirm_action,
        w.flag_action,
        w.clear_action,
        w.next_action,
        w.open_action,
        w.paste_action,
        w.fit_action,
        w.rotate_right_action,
        w.cancel_action,
    ):
        assert not action.shortcut().isEmpty(), action.text()
    assert "Ctrl+Return" in w.confirm_action.shortcut().toString()


def test_drop_and_paste_queue_documents(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str], tmp_path: Path
) -> None:
    w: MainWindow = services.window
    c = services.controller
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(make_doc("dropped1.png")), QUrl.fromLocalFile(make_doc("dropped2.png"))])
    drop = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    w.dropEvent(drop)
    assert [it.label for it in c.queue.items()] == ["dropped1.png", "dropped2.png"]

    img = QImage(make_doc("clip.png"))
    QGuiApplication.clipboard().setImage(img)
    w.paste()
    items = c.queue.items()
    assert len(items) == 3 and items[2].origin == "clipboard" and isinstance(items[2].source, bytes)
    qtbot.waitUntil(lambda: c.queue.items()[2].status == "ready", timeout=20000)
    assert c.queue.items()[2].results[0].fields["surname"].value == "ERIKSSON"


def test_image_view_fit_zoom_rotate(qtbot: QtBot, services: Services, make_doc: Callable[[str], str]) -> None:
    w = services.window
    open_and_wait(qtbot, services, make_doc("p.png"))
    v = w.view
    fit = v.zoom
    v.zoom_in()
    assert v.zoom > fit * 1.2
    v.zoom_out()
    v.zoom_out()
    assert v.zoom < fit
    v.rotate_by(90)
    assert v.rotation == 90
    v.fit()
    # Turned a quarter, the 1200 x 850 page fits by its width (850 px) into the view.
    assert abs(v.zoom - fit) > 1e-3
    v.rotate_by(-90)
    v.fit()
    assert abs(v.zoom - fit) < 1e-3
    _ = QPoint()


def test_closing_with_open_documents_asks(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w = services.window
    services.controller.add_files([make_doc("a.png"), make_doc("b.png")])
    asked: list[str] = []
    w.ask = lambda title, text: asked.append(text) is None and False
    w.close()
    assert w.isVisible() and asked and "not confirmed" in asked[0]
