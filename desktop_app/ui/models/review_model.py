"""The review queue as a table (flagged scans waiting for, or decided by, a reviewer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QObject

from desktop_app.ui.models._table import ValueTableModel, local_time

if TYPE_CHECKING:  # the storage package pulls in SQLAlchemy: not at window start-up
    from desktop_app.storage import ReviewSummary

REASON_WORDS: Final = {
    "operator": "operator's note",
    "operator_override": "confirmed over failed checks",
    "needs_review": "visual zone disagrees",
    "no_mrz": "no MRZ",
    "blurred": "blurred",
    "glare": "glare",
    "expired": "expired",
}


def reason_words(codes: tuple[str, ...]) -> str:
    return ", ".join(REASON_WORDS.get(c, c.replace("_", " ")) for c in codes)


def _name(r: ReviewSummary) -> str:
    return ", ".join(p for p in (r.surname, r.given_names) if p)


class ReviewModel(ValueTableModel["ReviewSummary"]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                ("Flagged", lambda r: local_time(r.created_at)),
                ("By", lambda r: r.operator),
                ("Name", _name),
                ("Number", lambda r: r.document_number),
                ("Type", lambda r: r.document_format or r.document_code),
                ("Status", lambda r: r.status),
                ("Reasons", lambda r: reason_words(r.reason_codes)),
            ],
            row_id=lambda r: r.id,
            parent=parent,
        )
