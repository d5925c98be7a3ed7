"""What the walkthrough of 2026-12-03 (docs/walkthrough-2026-12-03.md) found still wrong on
screen under Xvfb: an error about one document left over another, a reviewer's reasons
showing "<br>", the four-eyes note not following a change of operator, the form left
scrolled down for the next document, and escaped text shown as entities."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop_app.core.desk.form import DocumentForm
from desktop_app.core.mrz import MrzData, compose_mrz, read_mrz
from desktop_app.core.types import DocumentResult, Field
from desktop_app.ui.application import Services

TODAY = date(2026, 12, 3)


def shown_text(label: QLabel) -> str:
    """The text a QLabel puts on screen, as Qt decides it (plain or rich)."""
    text, fmt = label.text(), label.textFormat()
    rich = fmt == Qt.TextFormat.RichText or (fmt == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text))
    if not rich:
        return text
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText()


def wait_status(qtbot: QtBot, svc: Services, name: str, *statuses: str) -> None:
    qtbot.waitUntil(
        lambda: any(it.label == name and it.status in statuses for it in svc.controller.queue.items()),
        timeout=15000,
    )


def flag_one(qtbot: QtBot, svc: Services, path: str, reason: str) -> int:
    c = svc.controller
    c.add_files([path])
    wait_status(qtbot, svc, Path(path).name, "ready")
    with qtbot.waitSignal(c.saved, timeout=10000) as saved:
        assert c.flag_for_review(reason)
    return int(saved.args[1])


def open_review(qtbot: QtBot, svc: Services, review_id: int) -> None:
    rv = svc.window.review_view
    with qtbot.waitSignal(rv.loaded, timeout=10000):
        svc.window.tabs.setCurrentIndex(1)
    with qtbot.waitSignal(rv.detail_loaded, timeout=10000):
        rv.select_review(review_id)


def test_an_error_about_one_document_does_not_stay_over_the_next(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str], tmp_path: Path
) -> None:
    w, c = services.window, services.controller
    bad = tmp_path / "truncated.jpg"
    bad.write_text("not a picture", encoding="utf-8")
    w.add_paths([str(bad), make_doc("good.png")])
    wait_status(qtbot, services, "truncated.jpg", "failed")
    wait_status(qtbot, services, "good.png", "ready")
    assert c.current is not None and c.current.label == "truncated.jpg"
    assert w.banner.property("level") == "error" and w.banner.text()
    good = next(it for it in c.queue.items() if it.label == "good.png")
    w.choose_item(good.item_id)
    assert c.current is good
    # Seen on screen: "The image file is truncated or damaged" in red over a passport that
    # read well.
    assert w.banner.text() == "" and w.banner.property("level") == "none"


def test_ctrl_n_onto_a_failed_file_still_says_why(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str], tmp_path: Path
) -> None:
    w, c = services.window, services.controller
    bad = tmp_path / "scan.png"
    bad.write_text("text, not a picture", encoding="utf-8")
    w.add_paths([make_doc("good.png"), str(bad)])
    wait_status(qtbot, services, "scan.png", "failed")
    w.next_document()
    assert c.current is not None and c.current.label == "scan.png"
    assert "scan.png failed" in w.banner.text() and w.banner.property("level") == "error"


def test_good_news_outlives_the_move_to_the_next_document(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w, c = services.window, services.controller
    w.add_paths([make_doc("one.png"), make_doc("two.png")])
    wait_status(qtbot, services, "one.png", "ready")
    wait_status(qtbot, services, "two.png", "ready")
    w.ack_box.setChecked(True)  # the test documents are of the ICAO specimen state
    with qtbot.waitSignal(c.saved, timeout=10000):
        w.confirm()
    qtbot.waitUntil(lambda: c.current is not None and c.current.label == "two.png", timeout=5000)
    assert "Saved as record" in w.banner.text()


def test_a_reason_with_a_line_break_shows_no_markup_to_the_reviewer(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    review_id = flag_one(qtbot, services, make_doc("two-lines.png"), "Huge scan <please look>\nsecond line")
    open_review(qtbot, services, review_id)
    shown = shown_text(services.window.review_view.reasons)
    # Seen on screen: "second line<br>• UTO (Utopia …" (the label took the text as plain).
    assert "<br>" not in shown
    assert "Huge scan <please look>\nsecond line" in shown
    assert shown.count("•") >= 2


def test_a_change_of_operator_in_settings_reaches_the_open_review(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w = services.window
    review_id = flag_one(qtbot, services, make_doc("mine.png"), "photo does not match")
    open_review(qtbot, services, review_id)
    rv = w.review_view
    assert not rv.approve_button.isEnabled() and "another person" in rv.approve_note.text()
    w.apply_settings(replace(w.settings, operator_name="bob"))
    # Seen on screen: the status bar said "Operator: bob" while the open review still said
    # "Cannot approve: alice flagged this document" with Approve greyed out.
    assert rv.approve_button.isEnabled()
    assert rv.approve_note.text() == ""
    w.apply_settings(replace(w.settings, operator_name="tester"))
    assert not rv.approve_button.isEnabled() and "another person" in rv.approve_note.text()


def test_a_new_document_starts_at_the_top_of_the_form(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w, c = services.window, services.controller
    w.resize(1366, 700)
    # "badcheck": the document number needs a look; it sits high in the form.
    w.add_paths([make_doc("one-badcheck.png"), make_doc("two-badcheck.png")])
    wait_status(qtbot, services, "one-badcheck.png", "ready")
    wait_status(qtbot, services, "two-badcheck.png", "ready")
    bar = w.form_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5000)
    bar.setValue(bar.maximum())  # the operator scrolled down to the visual-zone fields
    two = next(it for it in c.queue.items() if it.label == "two-badcheck.png")
    w.choose_item(two.item_id)
    qtbot.waitUntil(lambda: w.focusWidget() is w.fields.edit("document_number"), timeout=5000)
    # Seen on screen: the next document opened still scrolled down, its "Read:" line hidden.
    assert c.current is two
    assert bar.value() == 0


def test_banner_text_with_an_ampersand_is_shown_as_written(qtbot: QtBot, services: Services) -> None:
    w = services.window
    w.show_banner("error", "R&D scan.png failed: the file is not an image.")
    assert shown_text(w.banner) == "R&D scan.png failed: the file is not an image."
    w.show_banner("error", "a <b>tag</b> & an &amp; entity")
    assert shown_text(w.banner) == "a <b>tag</b> & an &amp; entity"


def test_a_closed_review_still_counts_as_done_under_the_queue(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w, c = services.window, services.controller
    review_id = flag_one(qtbot, services, make_doc("flagged.png"), "photo does not match")
    summary = w.queue_panel.summary
    qtbot.waitUntil(lambda: "1 done" in summary.text(), timeout=5000)
    c.review_closed("approved", review_id)
    assert any(it.status == "approved" for it in c.queue.items())
    # Seen on screen: "0 to read · 3 to check · 0 done" once the reviewer approved the one
    # flagged document (it was "1 done" while it waited).
    assert "1 done" in summary.text()


def _frid_with_visual_expiry(expiry: str) -> DocumentResult:
    """A French ID card (pre-2021): its MRZ holds no expiry; the visual zone reads one."""
    lines = compose_mrz(
        MrzData(
            format="FRID",
            document_code="ID",
            issuing_country="FRA",
            surname="MARTIN",
            given_names="CLAIRE",
            document_number="880692310285",
            nationality="FRA",
            birth_date="650612",
            sex="F",
            expiry_date="",
            optional_data="075",
        )
    )
    reading = read_mrz(list(lines), confidences=[[0.99] * len(x) for x in lines], today=TODAY)
    fields = dict(reading.fields)
    fields["expiry_date"] = Field(expiry, 0.93, "viz", "ok")
    return DocumentResult(
        status="ok",
        format=reading.format,
        document_code=reading.document_code,
        mrz=reading,
        fields=fields,
        flags=reading.flags,
    )


def test_an_expiry_only_the_visual_zone_has_needs_the_acknowledgement_when_past() -> None:
    past = DocumentForm(_frid_with_visual_expiry("1998-06-21"), today=TODAY)
    # Seen on screen: a French ID card "EXPIRED 10392 days ago (1998-06-21)" in the summary,
    # yet "all pass" in the queue, "Accepted: no look needed" and a green Confirm, no tick.
    assert [a.code for a in past.acknowledgements()] == ["expired"]
    assert "expired" in past.flag_codes()
    assert not past.verdict().accepted
    valid = DocumentForm(_frid_with_visual_expiry("2031-06-21"), today=TODAY)
    assert valid.acknowledgements() == () and "expired" not in valid.flag_codes()


def test_a_typed_expiry_in_the_past_needs_the_acknowledgement(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w, c = services.window, services.controller
    w.add_paths([make_doc("nomrz.png")])
    wait_status(qtbot, services, "nomrz.png", "ready")
    values = {
        "document_code": "P",
        "issuing_country": "UTO",
        "surname": "ERIKSSON",
        "document_number": "L898902C3",
        "nationality": "UTO",
        "birth_date": "1974-08-12",
        "sex": "F",
        "expiry_date": "2017-04-15",
    }
    for key, value in values.items():
        c.set_value(key, value)
    assert c.save_refusal() is None
    assert w.ack_box.isVisible() and "expired on 2017-04-15" in w.ack_box.text()
    assert not c.confirm()  # no tick, no save


def test_confirm_waits_for_the_visual_zone(qtbot: QtBot, services: Services, make_doc: Callable[[str], str]) -> None:
    """The walkthrough saved a record with Ctrl+Return 0.6 s after the MRZ came up, while
    the visual zone was still being read: the record missed the visual zone's fields and
    what they find. Confirm waits; flagging for review stays open."""
    from desktop_app.core.desk.verdicts import STILL_READING

    svc, c, w = services, services.controller, services.window
    saved: list[object] = []
    c.saved.connect(lambda *a: saved.append(a))
    c.add_files([make_doc("slow.png")])
    qtbot.waitUntil(lambda: c.form is not None, timeout=15000)  # the MRZ is on screen
    assert c.current is not None and c.current.status == "reading"
    w._update_actions()
    assert not w.confirm_button.isEnabled()
    assert "Confirm when it finishes" in shown_text(w.blockers)
    w.confirm_action.trigger()
    assert not c.confirm()
    assert c.form is not None and c.form.confirm_refusal(status="reading", has_image=True, acknowledged=()) == STILL_READING
    assert w.flag_button.isEnabled()
    wait_status(qtbot, svc, "slow.png", "ready")
    qtbot.waitUntil(lambda: "Confirm when it finishes" not in shown_text(w.blockers), timeout=5000)
    assert saved == []  # nothing was saved while reading
    form = c.form
    assert form is not None
    acks = tuple(a.code for a in form.acknowledgements())
    assert form.confirm_refusal(status="ready", has_image=True, acknowledged=acks) is None
    with qtbot.waitSignal(c.saved, timeout=10000):
        assert c.confirm(acks)
