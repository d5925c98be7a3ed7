"""Issue 12, data that must never be saved: each case driven through the window."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.desk.policy import ACK_CODES
from desktop_app.ui.application import Services


def wait_label(qtbot: QtBot, svc: Services, name: str, *statuses: str) -> None:
    qtbot.waitUntil(
        lambda: any(it.label == name and it.status in statuses for it in svc.controller.queue.items()),
        timeout=15000,
    )


def item_named(svc: Services, name: str) -> int:
    return next(it.item_id for it in svc.controller.queue.items() if it.label == name)


def test_a_cleared_document_comes_back_only_by_reading_its_image_again(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w, c = services.window, services.controller
    w.add_paths([make_doc("a.png"), make_doc("b.png")])
    wait_label(qtbot, services, "a.png", "ready")
    wait_label(qtbot, services, "b.png", "ready")
    assert c.current is not None and c.current.label == "a.png"
    w.clear()
    assert c.current is not None and c.current.label == "b.png"
    saved: list[object] = []
    c.saved.connect(lambda *a: saved.append(a))
    w.choose_item(item_named(services, "a.png"))  # its "cleared" row
    # The old fields do not come back without their picture: the image is read again.
    assert c.current is not None and c.current.label == "a.png"
    assert c.current.status in ("waiting", "reading")
    assert c.form is None and w.fields.edit("surname").text() == ""
    w.ack_box.setChecked(True)
    assert not w.confirm_button.isEnabled()
    w.confirm()  # Ctrl+Return
    assert not c.saving and saved == []
    wait_label(qtbot, services, "a.png", "ready")
    assert c.current.pages and w.view.has_page  # read again, with its picture
    w.ack_box.setChecked(True)
    with qtbot.waitSignal(c.saved, timeout=10000):
        qtbot.mouseClick(w.confirm_button, Qt.MouseButton.LeftButton)


def test_a_cleared_item_is_read_only(qtbot: QtBot, services: Services, make_doc: Callable[[str], str]) -> None:
    c = services.controller
    c.add_files([make_doc("a.png")])
    wait_label(qtbot, services, "a.png", "ready")
    item = c.current
    assert item is not None
    c.clear()
    c._show(item)  # even put back on screen by hand, a cleared item cannot be saved
    assert c.save_refusal() is not None or c.form is None
    assert not c.confirm(ACK_CODES) and not c.flag_for_review("x")


def test_a_text_file_renamed_png_cannot_become_a_record(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    w, c = services.window, services.controller
    fake = tmp_path / "notes.png"
    fake.write_text("not a picture at all\n", encoding="utf-8")
    w.add_paths([str(fake)])
    wait_label(qtbot, services, "notes.png", "failed")
    asked: list[str] = []
    w.ask_text = lambda title, label: asked.append(title) or "test"  # type: ignore[func-returns-value]
    assert not w.confirm_button.isEnabled()
    assert not w.override_button.isEnabled() and not w.flag_button.isEnabled()
    w.confirm_with_override()  # "Confirm anyway…" with reason "test"
    w.flag()
    assert asked == [] and not c.saving
    assert "Cannot save" in w.banner.text() or "Cannot save" in w.blockers.text()
    # Typing cannot turn it into a record either: a failed item is read-only.
    assert w.fields.edit("surname").isReadOnly()
    assert not w.view.has_page
    c.set_value("surname", "SOMEONE")
    assert c.save_refusal() is not None
    assert not c.flag_for_review("test", override=True)
    store = services.store.store
    assert store is not None and store.counts()["pending"] == 0 and store.counts()["confirmed"] == 0


def test_no_mrz_needs_every_required_field_before_confirm_anyway(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w, c = services.window, services.controller
    w.add_paths([make_doc("nomrz.png")])
    wait_label(qtbot, services, "nomrz.png", "ready")
    assert w.view.has_page
    assert not w.override_button.isEnabled()  # a picture, but neither an MRZ nor typed fields
    assert "type the required fields" in w.blockers.text()
    values = {
        "document_code": "P",
        "issuing_country": "UTO",
        "surname": "ERIKSSON",
        "document_number": "L898902C3",
        "nationality": "UTO",
        "birth_date": "1974-08-12",
        "sex": "F",
        "expiry_date": "2034-04-15",
    }
    for key, value in values.items():
        c.set_value(key, value)
    assert c.save_refusal() is None


def test_an_expired_passport_needs_an_acknowledgement_recorded_in_the_audit(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w, c = services.window, services.controller
    w.add_paths([make_doc("expired.png")])
    wait_label(qtbot, services, "expired.png", "ready")
    item = c.current
    assert item is not None
    assert c.queue.tone(item) == "expired" and "expired" in item.message
    assert "all checks pass" not in item.message.split(";")[0]
    assert w.ack_box.isVisible() and "expired on 2017-04-15" in w.ack_box.text()
    assert not w.confirm_button.isEnabled()
    w.confirm()  # Ctrl+Return without the tick
    assert not c.saving and "I have checked" in w.banner.text()
    assert not c.confirm()  # the controller too
    w.ack_box.setChecked(True)
    assert w.confirm_button.isEnabled()
    with qtbot.waitSignal(c.saved, timeout=10000) as saved:
        qtbot.mouseClick(w.confirm_button, Qt.MouseButton.LeftButton)
    store = services.store.store
    assert store is not None
    [entry] = [
        e for e in store.audit_entries() if e.action == "record.create" and e.entity_id == saved.args[1]
    ]
    assert set(entry.details["acknowledged"]) == {"expired", "specimen"}


def test_a_new_document_is_never_acknowledged_in_advance(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w, c = services.window, services.controller
    w.add_paths([make_doc("expired one.png"), make_doc("expired two.png")])
    wait_label(qtbot, services, "expired one.png", "ready")
    w.ack_box.setChecked(True)
    w.next_document()
    wait_label(qtbot, services, "expired two.png", "ready")
    assert c.current is not None and c.current.label == "expired two.png"
    assert w.ack_box.isVisible() and not w.ack_box.isChecked() and not w.confirm_button.isEnabled()
