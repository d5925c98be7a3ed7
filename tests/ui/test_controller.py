"""The reading workflow through the controller (real engine process, fake reader, real store)."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from desktop_app.core.desk.form import DocumentForm
from desktop_app.core.desk.policy import ACK_CODES
from desktop_app.storage import DatabaseLockedError
from desktop_app.ui.application import Services
from desktop_app.ui.controller import DocumentController
from desktop_app.ui.engine_client import MSG_CRASHED
from desktop_app.ui.qt_compat import emit_loses_bool_references


def wait_status(qtbot: QtBot, c: DocumentController, label: str, status: str, timeout: int = 15000) -> None:
    def check() -> bool:
        return any(it.label == label and it.status == status for it in c.queue.items())

    qtbot.waitUntil(check, timeout=timeout)


def test_signal_emit_keeps_references_balanced(qtbot: QtBot) -> None:
    """The PySide6 6.12 emit defect (a lost reference to True per emit) is neutralised."""

    class Emitter(QObject):
        s = Signal(str)

    o = Emitter()
    o.s.connect(lambda _x: None)
    before = sys.getrefcount(True)
    for _ in range(5000):
        o.s.emit("x")
    assert abs(sys.getrefcount(True) - before) < 100  # 5000 lost without the work-around
    assert emit_loses_bool_references() == 0


def test_mrz_fields_show_before_the_visual_zone(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    c = services.controller
    seen: list[tuple[str, str]] = []  # (surname, place of birth) each time the form changed

    def snapshot(form: DocumentForm | None) -> None:
        if form is not None:
            seen.append((form.field("surname").value, form.field("place_of_birth").value))

    c.form_changed.connect(snapshot)
    with qtbot.waitSignal(c.current_changed, timeout=5000):
        c.add_files([make_doc("passport.png")])
    wait_status(qtbot, c, "passport.png", "ready")
    assert seen[0] == ("ERIKSSON", "")  # the MRZ first, the visual zone later
    assert seen[-1] == ("ERIKSSON", "ZENITH")
    final = c.form
    assert final is not None and final.field("place_of_birth").value == "ZENITH"
    assert final.field("document_number").display == "verified"
    assert final.field("surname").display == "read"  # names carry no check digit
    assert final.field("place_of_birth").display == "unverified"


def test_edit_then_confirm_saves_the_operators_value(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    c = services.controller
    c.add_files([make_doc("p.png")])
    wait_status(qtbot, c, "p.png", "ready")
    c.set_value("given_names", "ANNA MARIE")
    form = c.form
    assert form is not None and form.dirty
    v = form.field("given_names")
    assert v.edited and v.source == "operator" and v.display == "edited" and not v.verified
    with qtbot.waitSignal(c.saved, timeout=10000) as blocker:
        assert c.confirm(ACK_CODES)
    kind, record_id = blocker.args
    assert kind == "confirmed"
    store = services.store.store
    assert store is not None
    rec = store.get_record(record_id)
    assert rec.value("given_names") == "ANNA MARIE" and rec.value("surname") == "ERIKSSON"
    assert [k.key for k in rec.corrections] == ["given_names"]
    assert c.queue.items()[0].status == "confirmed"
    assert c.current is None and c.form is None


def test_invalid_field_blocks_confirm_until_override(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    c = services.controller
    c.add_files([make_doc("p.png")])
    wait_status(qtbot, c, "p.png", "ready")
    c.set_value("birth_date", "1974-13-45")
    form = c.form
    assert form is not None
    assert [v.key for v in form.blocking()] == ["birth_date"]
    assert form.field("birth_date").display == "invalid"
    assert not c.confirm()
    with qtbot.waitSignal(c.saved, timeout=10000) as blocker:
        assert c.flag_for_review("holder showed a birth certificate", override=True)
    assert blocker.args[0] == "flagged"
    store = services.store.store
    assert store is not None
    detail = store.get_review(blocker.args[1])
    assert detail.reasons[0].code == "operator_override"
    assert any("Date of birth" in r.message for r in detail.reasons)
    assert detail.has_image  # keep_review_images is on in the test store
    assert c.queue.items()[0].status == "needs review"


def test_a_failed_save_keeps_the_form_and_a_retry_works(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    c = services.controller
    c.add_files([make_doc("p.png")])
    wait_status(qtbot, c, "p.png", "ready")
    c.set_value("surname", "ERIKSON")
    store = services.store.store
    assert store is not None
    real = store.confirm_record
    calls: list[int] = []

    def locked_once(*a: Any, **kw: Any) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise DatabaseLockedError()
        return real(*a, **kw)

    store.confirm_record = locked_once  # type: ignore[method-assign]
    with qtbot.waitSignal(c.save_failed, timeout=10000) as failed:
        c.confirm(ACK_CODES)
    assert "busy" in failed.args[0]
    form = c.form
    assert form is not None and form.field("surname").value == "ERIKSON" and not c.saving
    assert c.current is not None and c.current.status == "ready"
    with qtbot.waitSignal(c.saved, timeout=10000):
        assert c.confirm(ACK_CODES)
    assert len(calls) == 2


def test_queue_reads_ahead_and_next_clear_cancel(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    c = services.controller
    docs = [make_doc(f"doc{i}.png") for i in range(4)]
    c.add_files(docs)
    # The first is on screen; the engine works at most two documents ahead.
    assert c.current is not None and c.current.label == "doc0.png"
    assert [it.status for it in c.queue.items()].count("waiting") >= 1
    wait_status(qtbot, c, "doc1.png", "ready")
    assert c.queue.items()[3].status in ("waiting", "reading")
    nxt = c.next_document()
    assert nxt is not None and nxt.label == "doc1.png"
    assert c.form is not None and c.form.field("surname").value == "ERIKSSON"
    c.clear()  # drop doc1; the next open one comes up
    assert c.queue.items()[1].status == "cancelled"
    assert c.current is not None and c.current.label in ("doc2.png", "doc0.png")
    for label in ("doc2.png", "doc3.png"):
        wait_status(qtbot, c, label, "ready")
    assert sorted(it.status for it in c.queue.items()) == ["cancelled", "ready", "ready", "ready"]


def test_cancel_reading_keeps_the_mrz_fields(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    c = services.controller
    c.add_files([make_doc("slow.png")])
    qtbot.waitUntil(lambda: c.form is not None, timeout=15000)  # MRZ stage done
    assert c.cancel_reading()
    assert c.queue.items()[0].status == "cancelled"
    form = c.form
    assert form is not None and form.field("surname").value == "ERIKSSON"
    # Typing is still possible, and a retry reads again under a new request id.
    old_request = c.queue.items()[0].request_id
    c.retry(c.queue.items()[0].item_id)
    assert c.queue.items()[0].request_id != old_request


@pytest.fixture
def very_slow_viz(monkeypatch: pytest.MonkeyPatch) -> None:
    """Listed before ``services`` so the engine child starts with it."""
    monkeypatch.setenv("FAKE_READER_SLOW_S", "30")


def test_engine_crash_keeps_the_form(
    qtbot: QtBot, very_slow_viz: None, services: Services, make_doc: Callable[[str], str]
) -> None:
    c = services.controller
    qtbot.waitUntil(lambda: services.engine.state == "ready", timeout=15000)
    c.add_files([make_doc("slow.png")])
    qtbot.waitUntil(lambda: c.form is not None, timeout=15000)
    c.set_value("surname", "ERIKSON")
    pid = services.engine.child_pid
    assert pid
    notices: list[tuple[str, str]] = []
    c.notice.connect(lambda level, text: notices.append((level, text)))
    os.kill(pid, signal.SIGKILL)
    wait_status(qtbot, c, "slow.png", "failed")
    form = c.form
    assert form is not None and form.field("surname").value == "ERIKSON" and form.dirty
    assert any(text == MSG_CRASHED for _l, text in notices)
    qtbot.waitUntil(lambda: services.engine.state == "ready", timeout=15000)
    assert services.engine.child_pid != pid
