"""A read-only table model over a list of frozen values, one row per value."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Final, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

T = TypeVar("T")
_Index = QModelIndex | QPersistentModelIndex
RowIdRole: Final = int(Qt.ItemDataRole.UserRole) + 1


def local_time(value: datetime | None) -> str:
    """Stored times are aware UTC; operators read local time."""
    if value is None:
        return ""
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


class ValueTableModel(QAbstractTableModel, Generic[T]):
    """Columns are ``(title, getter)`` pairs; ``set_rows`` replaces everything at once."""

    def __init__(
        self,
        columns: Sequence[tuple[str, Callable[[T], Any]]],
        row_id: Callable[[T], int],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._row_id = row_id
        self._rows: list[T] = []

    def rowCount(self, parent: _Index | None = None) -> int:  # noqa: N802
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index | None = None) -> int:  # noqa: N802
        return 0 if parent is not None and parent.isValid() else len(self._columns)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._columns)
        ):
            return self._columns[section][0]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            not index.isValid()
            or not (0 <= index.row() < len(self._rows))
            or not (0 <= index.column() < len(self._columns))
        ):
            return None
        row = self._rows[index.row()]
        if role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            value = self._columns[index.column()][1](row)
            return "" if value is None else str(value)
        if role == RowIdRole:
            return self._row_id(row)
        return None

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[T]:
        return list(self._rows)

    def row_value(self, row: int) -> T | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None
