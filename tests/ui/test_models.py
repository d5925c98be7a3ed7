"""Every table model under Qt's own model tester, with rows added, changed and removed."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot

from desktop_app.storage import RecordSummary, ReviewSummary
from desktop_app.ui.models._table import RowIdRole
from desktop_app.ui.models.queue_model import ItemIdRole, QueueModel, StatusRole
from desktop_app.ui.models.records_model import RecordsModel
from desktop_app.ui.models.review_model import ReviewModel

MODE = QAbstractItemModelTester.FailureReportingMode.Fatal


def test_queue_model(qtbot: QtBot) -> None:
    m = QueueModel()
    tester = QAbstractItemModelTester(m, MODE)
    a = m.add("a.png", "/x/a.png")
    b = m.add("b.png", b"\x89PNG", "clipboard")
    m.add("c.png", "/x/c.png", "folder")
    assert m.rowCount() == 3 and m.columnCount() == 3
    m.set_status(b, "reading")
    m.set_status(a, "failed", "The file does not exist.")
    assert m.index(0, 1).data() == "failed" and m.index(0, 2).data() == "The file does not exist."
    assert m.index(1, 0).data(ItemIdRole) == b.item_id and m.index(1, 0).data(StatusRole) == "reading"
    assert m.index(1, 0).data(Qt.ItemDataRole.DecorationRole) is not None
    assert "clipboard image" in m.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert m.by_request(123) is None
    m.remove(b.item_id)
    assert [it.label for it in m.items()] == ["a.png", "c.png"]
    assert m.count("waiting") == 1
    del tester


def _review(i: int) -> ReviewSummary:
    now = datetime(2026, 1, i + 1, 9, 30, tzinfo=UTC)
    return ReviewSummary(
        i,
        now,
        "pending",
        "op",
        "desk",
        ("operator", "needs_review"),
        "TD3",
        "P",
        "L89****C3",
        "ERIKSSON",
        "ANNA",
        None,
        None,
        None,
        False,
    )


def _record(i: int) -> RecordSummary:
    now = datetime(2026, 1, i + 1, 9, 30, tzinfo=UTC)
    return RecordSummary(i, now, "op", "desk", "TD3", "P", "UTO", "L89****C3", "ERIKSSON", "ANNA", None)


def test_review_model(qtbot: QtBot) -> None:
    m = ReviewModel()
    tester = QAbstractItemModelTester(m, MODE)
    m.set_rows([_review(i) for i in range(5)])
    assert m.rowCount() == 5
    assert m.index(0, 2).data() == "ERIKSSON, ANNA"
    assert m.index(0, 6).data() == "operator's note, visual zone disagrees"
    assert m.index(4, 0).data(RowIdRole) == 4
    m.set_rows([])
    assert m.rowCount() == 0
    del tester


def test_records_model(qtbot: QtBot) -> None:
    m = RecordsModel()
    tester = QAbstractItemModelTester(m, MODE)
    m.set_rows([_record(i) for i in range(3)])
    assert m.index(1, 5).data() == "L89****C3"
    assert m.headerData(1, Qt.Orientation.Horizontal) == "Confirmed"
    assert m.index(9, 0).data() is None
    m.set_rows([_record(7)])
    assert m.rowCount() == 1 and m.index(0, 0).data() == "7"
    del tester
