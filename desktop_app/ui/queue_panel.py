"""The intake queue as a list: what waits, what is being read, what is done or failed."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.models.queue_model import ItemIdRole, QueueModel


class QueuePanel(QWidget):
    item_chosen = Signal(int)
    """The operator picked an item (click or Enter)."""
    retry_requested = Signal(int)
    remove_requested = Signal(int)
    remove_finished_requested = Signal()

    def __init__(self, model: QueueModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queuePanel")
        self.model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("<b>Queue</b>", self)
        layout.addWidget(title)
        self.table = QTableView(self)
        self.table.setObjectName("queueTable")
        self.table.setAccessibleName("Document queue")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keep the file's ending visible
        # The file name takes what the status and the (trimmed) note leave; nothing scrolls
        # sideways, so a click never shifts the rows under the pointer.
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(1, self.fontMetrics().horizontalAdvance("needs review") + 14)
        # The note (trimmed) is in each row's tooltip and in the summary under the list; as
        # a column it left the file names a few pixels.
        self.table.setColumnHidden(2, True)
        header.setMinimumSectionSize(40)
        self.setMinimumWidth(300)
        self.table.activated.connect(self._on_activated)
        self.table.clicked.connect(self._on_activated)
        layout.addWidget(self.table, 1)
        title.setBuddy(self.table)
        buttons = QHBoxLayout()
        self.retry_button = QPushButton("Retry", self)
        self.retry_button.setAccessibleName("Retry reading the selected document")
        self.retry_button.setToolTip("Read the selected document again")
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setAccessibleName("Remove the selected document from the queue")
        self.retry_button.clicked.connect(self._retry_selected)
        self.remove_button.clicked.connect(self._remove_selected)
        self.remove_finished_button = QPushButton("Remove finished", self)
        self.remove_finished_button.setAccessibleName("Remove confirmed, flagged and cleared documents")
        self.remove_finished_button.setToolTip("Take confirmed, flagged and cleared documents off the queue")
        self.remove_finished_button.clicked.connect(self.remove_finished_requested.emit)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.remove_finished_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.summary = QLabel("", self)
        self.summary.setObjectName("queueSummary")
        layout.addWidget(self.summary)
        for sig in (model.rowsInserted, model.rowsRemoved, model.dataChanged, model.modelReset):
            sig.connect(self._update_summary)
        self._update_summary()

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        value = rows[0].data(ItemIdRole)
        return int(value) if value is not None else None

    def _retry_selected(self) -> None:
        item_id = self.selected_id()
        if item_id is not None:
            self.retry_requested.emit(item_id)

    def _remove_selected(self) -> None:
        item_id = self.selected_id()
        if item_id is not None:
            self.remove_requested.emit(item_id)

    def _on_activated(self, index: QModelIndex) -> None:
        value = index.data(ItemIdRole)
        if value is not None:
            self.item_chosen.emit(int(value))

    def mark_current(self, item_id: int | None) -> None:
        """Select the row of the item on screen, without emitting ``item_chosen``."""
        sel = self.table.selectionModel()
        if item_id is None:
            sel.clearSelection()
            return
        row = self.model.row_of(item_id)
        if row is None:
            return
        index = self.model.index(row, 0)
        sel.select(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.scrollTo(index)

    def _update_summary(self, *args: object) -> None:
        m = self.model
        waiting = m.count("waiting", "reading")
        ready = m.count("ready")
        done = m.count("confirmed", "needs review", "approved", "rejected")
        failed = m.count("failed")
        self.summary.setText(
            f"{waiting} to read · {ready} to check · {done} done" + (f" · {failed} failed" if failed else "")
        )
        self.summary.setAlignment(Qt.AlignmentFlag.AlignLeft)
