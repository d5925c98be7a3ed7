"""Confirmed records as a table; document numbers arrive masked from the store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from desktop_app.ui.models._table import ValueTableModel, local_time

if TYPE_CHECKING:  # the storage package pulls in SQLAlchemy: not at window start-up
    from desktop_app.storage import RecordSummary  # noqa: F401  (the base class's type argument, quoted)


class RecordsModel(ValueTableModel["RecordSummary"]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                ("Record", lambda r: r.id),
                ("Confirmed", lambda r: local_time(r.confirmed_at)),
                ("By", lambda r: r.confirmed_by),
                ("Surname", lambda r: r.surname),
                ("Given names", lambda r: r.given_names),
                ("Number", lambda r: r.document_number),
                ("Country", lambda r: r.issuing_country),
                ("Type", lambda r: r.document_format or r.document_code),
            ],
            row_id=lambda r: r.id,
            parent=parent,
        )
