"""The reviewer's queue (approve with corrections, reject with a comment) and the records view."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core.desk.policy import ACK_CODES
from desktop_app.storage import ReviewStateError
from desktop_app.ui.application import Services


def flag_one(qtbot: QtBot, svc: Services, path: str, reason: str = "photo does not match") -> int:
    c = svc.controller
    c.add_files([path])
    name = Path(path).name
    qtbot.waitUntil(
        lambda: any(it.label == name and it.status == "ready" for it in c.queue.items()), timeout=15000
    )
    with qtbot.waitSignal(c.saved, timeout=10000) as saved:
        assert c.flag_for_review(reason)
    return int(saved.args[1])


def test_approve_with_a_correction_makes_a_record(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    review_id = flag_one(qtbot, services, make_doc("flagged.png"))
    w = services.window
    rv = w.review_view
    rv.settings = replace(rv.settings, operator_name="boris.reviewer")  # four eyes
    with qtbot.waitSignal(rv.loaded, timeout=10000) as loaded:
        w.tabs.setCurrentIndex(1)
    assert loaded.args == [1]
    assert rv.model.rows()[0].id == review_id
    assert "operator" in rv.model.index(0, 6).data()  # the reasons column in words
    with qtbot.waitSignal(rv.detail_loaded, timeout=10000):
        rv.select_review(review_id)
    assert rv.detail is not None and rv.detail.status == "pending"
    assert "photo does not match" in rv.reasons.text()
    assert rv.image.has_page  # the scan was kept for the reviewer
    assert rv.approve_button.isEnabled()
    rv.set_final_value("given_names", "ANNA MARIE")
    assert rv.corrections() == {"given_names": "ANNA MARIE"}
    with qtbot.waitSignal(rv.decided, timeout=10000) as decided:
        rv.approve()
    assert decided.args == ["approved", review_id]
    qtbot.waitUntil(lambda: rv.model.rowCount() == 0, timeout=10000)  # no longer pending
    store = services.store.store
    assert store is not None
    records = store.search_records()
    assert len(records) == 1 and records[0].given_names == "ANNA MARIE" and records[0].review_id == review_id
    detail = store.get_review(review_id)
    assert detail.status == "approved" and detail.reviewer == "boris.reviewer"
    # The flagged document's queue row says what the review decided.
    [item] = services.controller.queue.items()
    assert item.status == "approved"


def test_reject_needs_a_comment(qtbot: QtBot, services: Services, make_doc: Callable[[str], str]) -> None:
    review_id = flag_one(qtbot, services, make_doc("flagged.png"))
    rv = services.window.review_view
    with qtbot.waitSignal(rv.loaded, timeout=10000):
        rv.refresh()
    with qtbot.waitSignal(rv.detail_loaded, timeout=10000):
        rv.select_review(review_id)
    messages: list[tuple[str, str]] = []
    rv.message.connect(lambda level, text: messages.append((level, text)))
    rv.reject()
    assert messages and messages[-1][0] == "warning" and "comment" in messages[-1][1]
    rv.comment.setText("not the holder's passport")
    with qtbot.waitSignal(rv.decided, timeout=10000) as decided:
        rv.reject()
    assert decided.args == ["rejected", review_id]
    store = services.store.store
    assert store is not None
    d = store.get_review(review_id)
    assert d.status == "rejected" and d.comment == "not the holder's passport" and not d.has_image
    assert store.search_records() == []
    # Decided items show under "Rejected", read-only.
    rv.status_filter.setCurrentIndex(2)
    qtbot.waitUntil(lambda: rv.model.rowCount() == 1, timeout=10000)
    with qtbot.waitSignal(rv.detail_loaded, timeout=10000):
        rv.select_review(review_id)
    assert not rv.approve_button.isEnabled() and not rv.reject_button.isEnabled()


def test_records_search_by_number_date_and_export(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str], tmp_path: Path
) -> None:
    c = services.controller
    c.add_files([make_doc("one.png")])
    qtbot.waitUntil(
        lambda: c.form is not None and c.current is not None and c.current.status == "ready", timeout=15000
    )
    with qtbot.waitSignal(c.saved, timeout=10000):
        c.confirm(ACK_CODES)
    rv = services.window.records_view
    rv.number.setText("L898902C3")
    with qtbot.waitSignal(rv.loaded, timeout=10000) as by_number:
        rv.search()
    assert by_number.args == [1]
    rv.number.setText("X0000000")
    with qtbot.waitSignal(rv.loaded, timeout=10000) as none:
        rv.search()
    assert none.args == [0]
    rv.number.clear()
    rv.since_on.setChecked(True)  # from today
    with qtbot.waitSignal(rv.loaded, timeout=10000) as today:
        rv.search()
    assert today.args == [1]
    out = tmp_path / "export" / "records.csv"
    out.parent.mkdir()
    with qtbot.waitSignal(rv.exported, timeout=10000) as exported:
        rv.export(str(out), "csv")
    assert exported.args[0].count == 1
    assert "ERIKSSON" in out.read_text(encoding="utf-8")


def open_review(qtbot: QtBot, svc: Services, review_id: int) -> None:
    rv = svc.window.review_view
    with qtbot.waitSignal(rv.loaded, timeout=10000):
        svc.window.tabs.setCurrentIndex(1)
    with qtbot.waitSignal(rv.detail_loaded, timeout=10000):
        rv.select_review(review_id)


def test_four_eyes_the_operator_who_flagged_cannot_approve(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    review_id = flag_one(qtbot, services, make_doc("mine.png"))
    rv = services.window.review_view
    open_review(qtbot, services, review_id)
    assert rv.detail is not None and rv.detail.operator == "tester" == rv.settings.operator_name
    assert not rv.approve_button.isEnabled() and rv.reject_button.isEnabled()
    assert "another person must approve" in rv.approve_note.text()
    messages: list[str] = []
    rv.message.connect(lambda level, text: messages.append(text))
    rv.approve()  # even called directly
    assert messages and "another person" in messages[-1]
    store = services.store.store
    assert store is not None
    with pytest.raises(ReviewStateError):  # the store refuses too
        store.approve_review(review_id, {}, reviewer="TESTER ")
    assert store.get_review(review_id).status == "pending"


def test_a_one_person_branch_may_approve_its_own_flag_and_the_audit_says_so(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    review_id = flag_one(qtbot, services, make_doc("mine.png"))
    rv = services.window.review_view
    rv.settings = replace(rv.settings, allow_self_review=True)
    open_review(qtbot, services, review_id)
    assert rv.approve_button.isEnabled()
    with qtbot.waitSignal(rv.decided, timeout=10000):
        rv.approve()
    store = services.store.store
    assert store is not None
    [entry] = [e for e in store.audit_entries() if e.action == "review.approve"]
    assert entry.details.get("self_review") is True


def test_approve_refuses_a_record_whose_required_fields_are_missing(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    review_id = flag_one(qtbot, services, make_doc("flagged.png"))
    rv = services.window.review_view
    rv.settings = replace(rv.settings, operator_name="boris.reviewer")
    open_review(qtbot, services, review_id)
    rv.set_final_value("surname", "")
    messages: list[str] = []
    rv.message.connect(lambda level, text: messages.append(text))
    decided: list[object] = []
    rv.decided.connect(lambda *a: decided.append(a))
    rv.approve()
    assert messages and "Surname" in messages[-1] and decided == []
    store = services.store.store
    assert store is not None and store.get_review(review_id).status == "pending"
