"""Issue 12, the screen: the window fits a 1366 x 768 counter screen, Confirm and the status
bar stay visible whatever the findings say, messages never move the layout, queue names
stay readable and the queue's dots mean something."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop_app.core.desk.policy import queue_tone
from desktop_app.ui.application import Services
from desktop_app.ui.main_window import PREFERRED_SIZE, MainWindow, first_geometry
from desktop_app.ui.style import TONES

LONG_FINDINGS = tuple(f"finding number {i}: a long sentence that wraps over the panel width" for i in range(8))


def wait_ready(qtbot: QtBot, svc: Services, *names: str) -> None:
    qtbot.waitUntil(
        lambda: all(
            any(it.label == n and it.status in ("ready", "failed") for it in svc.controller.queue.items())
            for n in names
        ),
        timeout=15000,
    )


def fully_visible(w: MainWindow, widget: QWidget) -> bool:
    top_left = widget.mapTo(w, QPoint(0, 0))
    rect = QRect(top_left, widget.size())
    return widget.isVisible() and w.rect().contains(rect)


def test_first_start_fits_the_screen() -> None:
    small = QRect(0, 0, 1366, 768 - 32)  # a task bar takes 32 px
    rect, maximised = first_geometry(small)
    assert maximised and small.contains(rect)
    big = QRect(0, 0, 1920, 1080 - 40)
    rect, maximised = first_geometry(big)
    assert not maximised and big.contains(rect) and rect.size().toTuple() == PREFERRED_SIZE


def test_the_window_can_shrink_to_a_1366_by_768_screen(services: Services) -> None:
    hint = services.window.minimumSizeHint()
    assert hint.width() <= 1366 - 16 and hint.height() <= 768 - 32 - 40, hint


def test_confirm_row_and_status_bar_stay_visible_with_long_findings_and_a_banner(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w = services.window
    w.resize(1366 - 16, 768 - 32 - 40)  # maximised on a 1366 x 768 screen with a task bar
    w.add_paths([make_doc("expired sentence.png")])
    wait_ready(qtbot, services, "expired sentence.png")
    form = services.controller.form
    assert form is not None
    w.summary.show_summary(form.summary().__class__(**{**form.summary().__dict__, "flags": LONG_FINDINGS}))
    w.show_banner("ok", "Saved as record 6. " * 12)
    qtbot.wait(50)
    for widget in (w.confirm_button, w.flag_button, w.clear_button, w.next_button, w.ack_box, w.statusBar()):
        assert fully_visible(w, widget), widget.objectName() or type(widget).__name__
    assert fully_visible(w, w.queue_panel.retry_button) and fully_visible(w, w.queue_panel.remove_button)


def test_a_message_never_moves_the_layout(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w = services.window
    w.add_paths([make_doc("a.png")])
    wait_ready(qtbot, services, "a.png")
    qtbot.wait(50)

    def where() -> tuple[int, int, int]:
        return (
            w.queue_panel.table.mapTo(w, QPoint(0, 0)).y(),
            w.fields.edit("surname").mapTo(w, QPoint(0, 0)).y(),
            w.confirm_button.mapTo(w, QPoint(0, 0)).y(),
        )

    before = where()
    w.show_banner("ok", "Sent to the review queue (item 3).")
    qtbot.wait(20)
    assert where() == before
    w.clear_banner()
    qtbot.wait(20)
    assert where() == before
    # Findings of another length do not move the field rows either.
    form = services.controller.form
    assert form is not None
    s = form.summary()
    w.summary.show_summary(s.__class__(**{**s.__dict__, "flags": LONG_FINDINGS}))
    qtbot.wait(20)
    assert where() == before


def test_queue_names_stay_visible_after_a_long_failure_note(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str], tmp_path: Path
) -> None:
    w = services.window
    bad = tmp_path / "a text file with a long name renamed.png"
    bad.write_text("no picture here " * 20, encoding="utf-8")
    w.add_paths([str(bad), make_doc("passport of the holder.png")])
    wait_ready(qtbot, services, bad.name, "passport of the holder.png")
    table = w.queue_panel.table
    qtbot.wait(20)
    assert table.columnWidth(0) >= table.viewport().width() // 2
    assert table.horizontalScrollBar().maximum() == 0  # nothing to scroll sideways
    note = w.controller.queue.index(0, 2).data()
    assert len(note) <= 26
    assert bad.name in w.controller.queue.index(0, 0).data()


def test_queue_dots_differ_for_pass_check_no_mrz_failed_and_expired(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str], tmp_path: Path
) -> None:
    w = services.window
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n nothing")
    services.controller.lookahead = 8  # read them all now, not two ahead of the operator
    w.add_paths([make_doc("good.png"), make_doc("nomrz.png"), make_doc("expired.png"), make_doc("badcheck.png"), str(bad)])
    wait_ready(qtbot, services, "good.png", "nomrz.png", "expired.png", "badcheck.png", "broken.png")
    q = services.controller.queue
    tones = {it.label: q.tone(it) for it in q.items()}
    assert tones == {
        "good.png": "check",  # the specimen state asks for a look
        "nomrz.png": "no_mrz",
        "expired.png": "expired",
        "badcheck.png": "check",
        "broken.png": "failed",
    }
    assert queue_tone("ready", "all checks pass") == "pass"
    colours = {TONES[t].color for t in ("pass", "check", "no_mrz", "failed", "expired")}
    glyphs = {TONES[t].glyph for t in ("pass", "check", "no_mrz", "failed", "expired")}
    assert len(colours) == 5 and len(glyphs) == 5
