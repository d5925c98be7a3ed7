"""Confirmed records: search by name, document number and date; details; export.

Numbers are masked in the list (the store masks them); the full record, which holds the
full number, is opened only on request, and every export is audited by the store.
"""

from __future__ import annotations

import html
import logging
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.desk.form import FIELD_LABELS
from desktop_app.core.types import FIELD_KEYS
from desktop_app.settings import Settings
from desktop_app.ui.models._table import RowIdRole, local_time
from desktop_app.ui.models.records_model import RecordsModel
from desktop_app.ui.store_client import StoreClient

if TYPE_CHECKING:  # the storage package pulls in SQLAlchemy: not at window start-up
    from desktop_app.storage import ExportResult, RecordDetail, RecordSummary, Store

log = logging.getLogger(__name__)


class RecordDialog(QDialog):
    """One record in full, with who corrected what."""

    def __init__(self, record: RecordDetail, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Record {record.id}")
        self.setObjectName("recordDialog")
        self.setAccessibleName(f"Record {record.id}")
        head = QLabel(
            f"<b>Record {record.id}</b> - "
            f"{html.escape(record.document_format or record.document_code or '?')}, "
            f"confirmed by {html.escape(record.confirmed_by)} at {html.escape(record.workstation)}, "
            f"{local_time(record.confirmed_at)}"
            + (f" (after review {record.review_id})" if record.review_id else ""),
            self,
        )
        head.setWordWrap(True)
        keys = [k for k in FIELD_KEYS if k in record.fields] + [
            k for k in record.fields if k not in FIELD_KEYS
        ]
        table = QTableWidget(len(keys), 4, self)
        table.setAccessibleName("Record fields")
        table.setHorizontalHeaderLabels(["Field", "Value", "Read as", "Source"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for r, key in enumerate(keys):
            f = record.fields[key]
            for c, text in enumerate((FIELD_LABELS.get(key, key), f.value, f.ocr_value or "", f.source)):
                table.setItem(r, c, QTableWidgetItem(text))
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(table, 1)
        if record.corrections:
            lines = [
                f"• {html.escape(FIELD_LABELS.get(c.key, c.key))}: {html.escape(c.ocr_value or '(empty)')} → "
                f"{html.escape(c.final_value)} by {html.escape(c.operator)} ({c.stage}, {local_time(c.at)})"
                for c in record.corrections
            ]
            corr = QLabel("<b>Corrections</b><br>" + "<br>".join(lines), self)
            corr.setWordWrap(True)
            layout.addWidget(corr)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 520)


def _date_edit(parent: QWidget, name: str) -> tuple[QCheckBox, QDateEdit]:
    box = QCheckBox(name, parent)
    edit = QDateEdit(QDate.currentDate(), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setEnabled(False)
    edit.setAccessibleName(f"{name} date")
    box.toggled.connect(edit.setEnabled)
    return box, edit


class RecordsView(QWidget):
    loaded = Signal(int)
    message = Signal(str, str)
    opened = Signal(object)
    """The :class:`RecordDetail` just opened (tests read it; the dialog shows it)."""
    exported = Signal(object)

    def __init__(self, store: StoreClient, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordsView")
        self.setAccessibleName("Records")
        self.store = store
        self.settings = settings
        self.model = RecordsModel(self)
        self.show_dialogs = True
        """Tests turn the detail dialog off and read :attr:`opened` instead."""

        self.name = QLineEdit(self)
        self.name.setAccessibleName("Surname")
        self.name.setPlaceholderText("Surname")
        self.name.setMinimumWidth(200)
        self.number = QLineEdit(self)
        self.number.setAccessibleName("Document number")
        self.number.setPlaceholderText("Document number")
        self.number.setMinimumWidth(170)
        self.since_on, self.since = _date_edit(self, "From")
        self.until_on, self.until = _date_edit(self, "To")
        self.search_button = QPushButton("Search", self)
        self.search_button.setDefault(True)
        self.search_button.setAccessibleName("Search records")
        self.search_button.clicked.connect(self.search)
        self.name.returnPressed.connect(self.search)
        self.number.returnPressed.connect(self.search)
        self.export_button = QPushButton("Export…", self)
        self.export_button.setAccessibleName("Export records to a file")
        self.export_button.clicked.connect(self.export_dialog)
        bar = QHBoxLayout()
        for w in (
            self.name,
            self.number,
            self.since_on,
            self.since,
            self.until_on,
            self.until,
            self.search_button,
        ):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.export_button)

        self.table = QTableView(self)
        self.table.setObjectName("recordsTable")
        self.table.setAccessibleName("Confirmed records")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The names take the spare width: they are what a person scans the list for.
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(lambda idx: self.open_row(idx.row()))
        self.status = QLabel("", self)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)

    def _filters(self) -> tuple[str | None, str | None, date | None, date | None]:
        name = self.name.text().strip() or None
        number = self.number.text().strip() or None
        since = self.since.date().toPython() if self.since_on.isChecked() else None
        until = self.until.date().toPython() if self.until_on.isChecked() else None
        return name, number, since, until  # type: ignore[return-value]

    def search(self) -> None:
        name, number, since, until = self._filters()

        def load(store: Store) -> list[RecordSummary]:
            return store.search_records(
                name=name, document_number=number, since=since, until=until, masked=True
            )

        self.store.call(load, self._on_rows, lambda msg: self.message.emit("error", msg))

    def _on_rows(self, rows: list[RecordSummary]) -> None:
        self.model.set_rows(rows)
        self.status.setText(f"{len(rows)} record(s)" + (" (first 1000 shown)" if len(rows) >= 1000 else ""))
        self.loaded.emit(len(rows))

    def open_row(self, row: int) -> None:
        value = self.model.index(row, 0).data(RowIdRole)
        if value is None:
            return
        rid = int(value)
        self.store.call(
            lambda s: s.get_record(rid), self._on_record, lambda msg: self.message.emit("error", msg)
        )

    def _on_record(self, record: RecordDetail) -> None:
        self.opened.emit(record)
        if self.show_dialogs:
            RecordDialog(record, self).exec()

    # -- export ----------------------------------------------------------------------------
    def export_dialog(self) -> None:
        fmt_box = QComboBox()
        fmt_box.addItems(["CSV", "JSON"])
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export records", str(Path.home() / "records.csv"), "CSV (*.csv);;JSON (*.json)"
        )
        if not path:
            return
        fmt = "json" if path.lower().endswith(".json") or "JSON" in chosen else "csv"
        self.export(path, fmt)

    def export(self, path: str, fmt: str = "csv") -> None:
        """Export the records of the chosen dates (full values: personal data) to ``path``."""
        _name, _number, since, until = self._filters()
        actor, station = self.settings.operator_name, self.settings.workstation
        target = Path(path)

        def run(store: Store) -> ExportResult:
            return store.export(
                fmt,
                target,
                since=since,
                until=until,
                actor=actor,
                workstation=station,
                allowed_dir=target.parent,
            )

        def done(res: ExportResult) -> None:
            self.message.emit("ok", f"Exported {res.count} record(s) to {res.path}.")
            self.exported.emit(res)

        self.store.call(run, done, lambda msg: self.message.emit("error", f"Export failed: {msg}"))


__all__ = ["RecordDialog", "RecordsView"]
_ = Qt
