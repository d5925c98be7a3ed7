"""The intake queue: every document waits its turn and shows where it is."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from desktop_app.core.desk.policy import Tone, queue_tone
from desktop_app.core.types import DocumentResult
from desktop_app.ui.engine_client import PageImage
from desktop_app.ui.style import TONE_WORDS, tone_icon

QueueStatus = Literal[
    "waiting", "reading", "ready", "needs review", "approved", "rejected", "confirmed", "failed", "cancelled"
]
Origin = Literal["file", "folder", "camera", "clipboard"]
OPEN_STATUSES: Final = ("waiting", "reading", "ready")
"""An item in one of these still needs the operator."""
FINISHED_STATUSES: Final = ("confirmed", "needs review", "approved", "rejected", "cancelled")
"""Done with at this desk ("Remove finished" takes these away)."""

ItemIdRole: Final = int(Qt.ItemDataRole.UserRole) + 1
StatusRole: Final = int(Qt.ItemDataRole.UserRole) + 2
_Index = QModelIndex | QPersistentModelIndex


NOTE_CHARS: Final = 26
"""A queue row's note is cut to this (the tooltip has it all): one long failure message
must not widen the column and squeeze every file name to "…"."""


def trim_note(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= NOTE_CHARS else text[: NOTE_CHARS - 1].rstrip() + "…"


@dataclass(eq=False)
class QueueItem:
    """One input waiting for, being read by, or done by the operator (GUI thread only)."""

    item_id: int
    label: str
    source: str | bytes
    """A file path, or encoded image bytes (camera, clipboard)."""
    origin: Origin = "file"
    status: QueueStatus = "waiting"
    message: str = ""
    request_id: int | None = None
    pages: dict[int, PageImage] = field(default_factory=dict)
    results: dict[int, DocumentResult] = field(default_factory=dict)
    """Latest result per page index (partial after the MRZ stage, final after "done")."""
    read_done: bool = False
    review_id: int | None = None
    """The review item this document was sent to, if flagged."""
    flag_codes: frozenset[str] = frozenset()
    """The codes of the finished read's findings (for the row's colour)."""
    page_index: int = 0
    added_at: float = field(default_factory=time.time)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def release_images(self) -> None:
        """Confirmed or flagged: the pictures are no longer needed in memory."""
        self.pages.clear()


class QueueModel(QAbstractTableModel):
    COLUMNS: Final = ("Document", "Status", "Note")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[QueueItem] = []
        self._next_id = 1

    # -- Qt model -------------------------------------------------------------------------
    def rowCount(self, parent: _Index | None = None) -> int:  # noqa: N802
        return 0 if parent is not None and parent.isValid() else len(self._items)

    def columnCount(self, parent: _Index | None = None) -> int:  # noqa: N802
        return 0 if parent is not None and parent.isValid() else len(self.COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._items)):
            return None
        item = self._items[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (item.label, self.status_word(item), trim_note(item.message))[col]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return (item.label, item.status, item.message)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            src = item.source if isinstance(item.source, str) else f"{item.origin} image"
            return f"{src}\n{item.status}{': ' + item.message if item.message else ''}"
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return tone_icon(self.tone(item))
        if role == ItemIdRole:
            return item.item_id
        if role == StatusRole:
            return item.status
        return None

    @staticmethod
    def tone(item: QueueItem) -> Tone:
        return queue_tone(item.status, item.message, item.flag_codes)

    @classmethod
    def status_word(cls, item: QueueItem) -> str:
        """The status column: for a read document, what its dot means ("to check", "expired")."""
        return TONE_WORDS[cls.tone(item)] if item.status == "ready" else item.status

    # -- items ----------------------------------------------------------------------------
    def add(self, label: str, source: str | bytes, origin: Origin = "file") -> QueueItem:
        item = QueueItem(self._next_id, label, source, origin)
        self._next_id += 1
        row = len(self._items)
        self.beginInsertRows(QModelIndex(), row, row)
        self._items.append(item)
        self.endInsertRows()
        return item

    def remove(self, item_id: int) -> None:
        row = self.row_of(item_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._items[row]
        self.endRemoveRows()

    def items(self) -> list[QueueItem]:
        return list(self._items)

    def item(self, item_id: int) -> QueueItem | None:
        for it in self._items:
            if it.item_id == item_id:
                return it
        return None

    def item_at(self, row: int) -> QueueItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def by_request(self, request_id: int) -> QueueItem | None:
        for it in self._items:
            if it.request_id == request_id:
                return it
        return None

    def row_of(self, item_id: int) -> int | None:
        for row, it in enumerate(self._items):
            if it.item_id == item_id:
                return row
        return None

    def set_status(self, item: QueueItem, status: QueueStatus, message: str | None = None) -> None:
        item.status = status
        if message is not None:
            item.message = message
        self.touch(item)

    def touch(self, item: QueueItem) -> None:
        row = self.row_of(item.item_id)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def count(self, *statuses: str) -> int:
        return sum(1 for it in self._items if it.status in statuses)
