"""The window with the real OCR engine in its child process, end to end."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.engine_process import DEFAULT_READER_FACTORY
from desktop_app.settings import Settings
from desktop_app.ui.application import AppConfig, Services

pytestmark = [pytest.mark.slow, pytest.mark.ocr]


@pytest.fixture
def real_services(qtbot: QtBot, settings: Settings, store_opener: Callable[[], object]) -> Iterator[Services]:
    svc = Services(
        AppConfig(
            settings=settings,
            open_store=store_opener,  # type: ignore[arg-type]
            reader_factory=DEFAULT_READER_FACTORY,
        )
    )
    svc.window.ask = lambda title, text: True
    svc.window.ask_text = lambda title, label: "checked against the document"
    qtbot.addWidget(svc.window)
    svc.window.show()
    yield svc
    svc.window._close_confirmed = True
    svc.window.close()
    svc.shutdown()


def test_generated_passport_read_corrected_confirmed_and_found(
    qtbot: QtBot, real_services: Services, tmp_path: Path
) -> None:
    from tests.synth import generate

    doc = generate("TD3", 7)
    path = tmp_path / "generated-td3.png"
    cv2.imwrite(str(path), doc.image)
    svc, w, c = real_services, real_services.window, real_services.controller
    assert w.engine_label.text() == "Engine loading…"  # the window is up before the engine
    qtbot.waitUntil(lambda: svc.engine.state == "ready", timeout=120000)
    w.add_paths([str(path)])
    qtbot.waitUntil(lambda: c.current is not None and c.current.status == "ready", timeout=120000)
    form = c.form
    assert form is not None
    truth = doc.truth
    for key in ("document_number", "birth_date", "expiry_date", "nationality"):
        assert w.fields.edit(key).text() == truth[key], key
    # The summary shows the core's verdict on the real read, verified apart from accepted.
    s = form.summary()
    assert w.summary.verified.text() == s.verified_text and w.summary.decision.text() == s.decision_text
    assert s.verified == form.result.verified and s.accepted == form.result.accepted
    assert s.accepted <= s.verified
    # Correct one field by typing into it, as the operator would.
    target = next(
        (
            k
            for k in ("surname", "given_names", "place_of_birth", "authority")
            if form.field(k).value != truth[k] and truth[k]
        ),
        "authority",
    )
    value = truth[target] if form.field(target).value != truth[target] else "QUESTURA DI NAPOLI"
    edit = w.fields.edit(target)
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, value)
    assert edit.property("fieldState") in ("edited", "invalid")
    assert "edited by the operator" in w.summary.verified.text()
    typed = edit.text()
    expected_kind = "confirmed" if not form.blocking() else "flagged"
    with qtbot.waitSignal(c.saved, timeout=20000) as saved:
        if expected_kind == "confirmed":
            w.ack_box.setChecked(w.ack_box.isVisible())
            qtbot.mouseClick(w.confirm_button, Qt.MouseButton.LeftButton)
        else:
            w.confirm_with_override()
    assert saved.args[0] == expected_kind
    if expected_kind == "flagged":
        pytest.skip("the read needed an override; the review path is covered elsewhere")
    rv = w.records_view
    rv.number.setText(truth["document_number"])
    w.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: rv.model.rowCount() == 1, timeout=20000)
    rv.show_dialogs = False
    with qtbot.waitSignal(rv.opened, timeout=20000) as opened:
        rv.open_row(0)
    record = opened.args[0]
    assert record.value("document_number") == truth["document_number"]
    assert record.value(target) == typed
    assert any(corr.key == target for corr in record.corrections)
