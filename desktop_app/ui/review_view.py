"""The reviewer's queue: flagged scans with their reasons; approve (with corrections) or reject.

Every store call runs in the background; the view only ever holds frozen values from the
store. A failed approve/reject keeps the reviewer's corrections and comment on screen.
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.desk.form import FIELD_LABELS
from desktop_app.core.desk.policy import approve_refusal, four_eyes_refusal
from desktop_app.core.types import FIELD_KEYS
from desktop_app.settings import Settings
from desktop_app.ui.engine_client import bgr_to_qimage, overview_of
from desktop_app.ui.image_view import DocumentView
from desktop_app.ui.models._table import RowIdRole, local_time
from desktop_app.ui.models.review_model import ReviewModel
from desktop_app.ui.store_client import StoreClient

if TYPE_CHECKING:  # the storage package pulls in SQLAlchemy: not at window start-up
    from desktop_app.storage import ReviewDetail, ReviewSummary, Store

log = logging.getLogger(__name__)

STATUS_FILTERS: Final = (
    ("Pending", "pending"),
    ("Approved", "approved"),
    ("Rejected", "rejected"),
    ("All", None),
)
COL_FIELD, COL_READ, COL_PROPOSED, COL_FINAL = range(4)


def decode_scan(data: bytes) -> tuple[QImage, QImage | None] | None:
    """A kept scan's picture and its overview, for the storage thread: decoded and scaled
    with OpenCV, which lets go of the GIL (QImage.fromData holds it for the whole decode,
    and the window with it); Qt decodes what OpenCV cannot."""
    import cv2
    import numpy as np

    array = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if array is not None and array.size:
        return bgr_to_qimage(array), overview_of(array)
    img = QImage.fromData(data)
    return None if img.isNull() else (img, None)


class ReviewView(QWidget):
    decided = Signal(str, int)
    """("approved" | "rejected", review id)"""
    message = Signal(str, str)
    loaded = Signal(int)
    """Rows in the list after a refresh."""
    detail_loaded = Signal(int)

    def __init__(self, store: StoreClient, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewView")
        self.setAccessibleName("Review queue")
        self.store = store
        self.settings = settings
        self.model = ReviewModel(self)
        self._detail: ReviewDetail | None = None
        self._busy = False

        self.status_filter = QComboBox(self)
        self.status_filter.setAccessibleName("Show reviews with status")
        for text, value in STATUS_FILTERS:
            self.status_filter.addItem(text, value)
        self.status_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setAccessibleName("Refresh the review queue")
        self.refresh_button.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        show = QLabel("&Show:", self)
        show.setBuddy(self.status_filter)
        bar.addWidget(show)
        bar.addWidget(self.status_filter)
        bar.addStretch(1)
        bar.addWidget(self.refresh_button)

        self.table = QTableView(self)
        self.table.setObjectName("reviewTable")
        self.table.setAccessibleName("Flagged documents")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The reasons take what is left and are elided; the tooltip has them in full.
        self.table.horizontalHeader().setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._open_row(cur.row()))

        # -- detail pane --
        self.image = DocumentView(self)
        self.image.show_placeholder("Select a flagged document")
        self.image.setMinimumHeight(220)
        self.heading = QLabel("", self)
        self.heading.setWordWrap(True)
        self.reasons = QLabel("", self)
        self.reasons.setObjectName("banner")
        self.reasons.setProperty("level", "warning")
        self.reasons.setWordWrap(True)
        # Always rich text: the reasons are escaped, joined by line breaks, and a reason
        # typed on two lines must not turn the whole label into plain text showing "<br>".
        self.reasons.setTextFormat(Qt.TextFormat.RichText)
        self.reasons.setAccessibleName("Reasons for review")
        self.fields = QTableWidget(0, 4, self)
        self.fields.setObjectName("reviewFields")
        self.fields.setAccessibleName("Fields of the flagged document")
        self.fields.setHorizontalHeaderLabels(
            ["Field", "Read", "Operator's value", "Final value (edit to correct)"]
        )
        self.fields.verticalHeader().setVisible(False)
        self.fields.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.fields.horizontalHeader().setStretchLastSection(True)
        self.comment = QLineEdit(self)
        self.comment.setAccessibleName("Reviewer's comment")
        self.comment.setPlaceholderText("Comment (required to reject)")
        self.approve_button = QPushButton("Approve", self)
        self.approve_button.setObjectName("confirmButton")
        self.approve_button.setAccessibleName("Approve with the final values")
        self.approve_button.clicked.connect(self.approve)
        self.reject_button = QPushButton("Reject", self)
        self.reject_button.setAccessibleName("Reject this document")
        self.reject_button.clicked.connect(self.reject)
        self.approve_note = QLabel("", self)
        self.approve_note.setObjectName("fieldMeta")
        self.approve_note.setWordWrap(True)
        self.approve_note.setAccessibleName("Why approving is not offered")
        actions = QHBoxLayout()
        comment_label = QLabel("&Comment:", self)
        comment_label.setBuddy(self.comment)
        actions.addWidget(comment_label)
        actions.addWidget(self.comment, 1)
        actions.addWidget(self.approve_button)
        actions.addWidget(self.reject_button)

        detail = QWidget(self)
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.heading)
        dl.addWidget(self.reasons)
        split_detail = QSplitter(Qt.Orientation.Vertical, detail)
        split_detail.addWidget(self.image)
        split_detail.addWidget(self.fields)
        split_detail.setSizes([300, 400])
        dl.addWidget(split_detail, 1)
        dl.addWidget(self.approve_note)
        dl.addLayout(actions)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(split)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(bar)
        ll.addWidget(self.table, 1)
        split.addWidget(left)
        split.addWidget(detail)
        split.setSizes([600, 760])
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self._show_detail(None)

    # -- list ------------------------------------------------------------------------------
    def refresh(self) -> None:
        status = self.status_filter.currentData()

        def load(store: Store) -> list[ReviewSummary]:
            return store.list_reviews(status)

        self.store.call(load, self._on_list, lambda msg: self.message.emit("error", msg))

    def _on_list(self, rows: list[ReviewSummary]) -> None:
        keep = self._detail.id if self._detail is not None else None
        self.model.set_rows(rows)
        self.loaded.emit(len(rows))
        if keep is not None:
            for r, row in enumerate(rows):
                if row.id == keep:
                    self.table.selectRow(r)
                    return
        self._show_detail(None)

    def select_review(self, review_id: int) -> bool:
        for r, row in enumerate(self.model.rows()):
            if row.id == review_id:
                self.table.selectRow(r)
                self._open_row(r)
                return True
        return False

    def _open_row(self, row: int) -> None:
        review_id = self.model.index(row, 0).data(RowIdRole) if row >= 0 else None
        if review_id is None:
            return
        rid = int(review_id)

        def load(store: Store) -> tuple[ReviewDetail, tuple[QImage, QImage | None] | None]:
            detail = store.get_review(rid)
            data = store.get_review_image(rid) if detail.has_image else None
            return detail, (decode_scan(data) if data else None)  # decoding off the GUI thread

        self.store.call(load, self._on_detail, lambda msg: self.message.emit("error", msg))

    def _on_detail(self, value: tuple[ReviewDetail, tuple[QImage, QImage | None] | None]) -> None:
        detail, scan = value
        self._show_detail(detail, *(scan or (None, None)))
        self.detail_loaded.emit(detail.id)

    # -- detail ----------------------------------------------------------------------------
    def _show_detail(
        self, detail: ReviewDetail | None, image: QImage | None = None, overview: QImage | None = None
    ) -> None:
        self._detail = detail
        self.fields.setRowCount(0)
        self.comment.clear()
        pending = detail is not None and detail.status == "pending"
        self.reject_button.setEnabled(pending)
        self.comment.setEnabled(pending)
        self._update_approve()
        if detail is None:
            self.heading.setText("<i>Select a flagged document to review it.</i>")
            self.reasons.setText("")
            self.reasons.setVisible(False)
            self.image.show_placeholder("Select a flagged document")
            return
        who = (
            f"flagged by {html.escape(detail.operator)} at {html.escape(detail.workstation)}, "
            f"{local_time(detail.created_at)}"
        )
        state = "" if pending else f" - {detail.status} by {html.escape(detail.reviewer or '?')}"
        self.heading.setText(
            f"<b>Review {detail.id}</b> ({html.escape(detail.document_format or '?')}) {who}{state}"
        )
        self.reasons.setVisible(True)
        self.reasons.setText(
            "<br>".join(f"• {html.escape(r.message)}".replace("\n", "<br>") for r in detail.reasons)
            or "No reason given"
        )
        if image is not None:
            self.image.set_page(image, (image.width(), image.height()), overview)
        elif detail.status == "pending":
            self.image.show_placeholder(
                "No image was kept for this document (Settings: keep the scan of flagged documents)"
            )
        else:
            self.image.show_placeholder("The scan was dropped when the review closed")
        keys = [k for k in FIELD_KEYS if k in detail.fields] + [
            k for k in detail.fields if k not in FIELD_KEYS
        ]
        self.fields.setRowCount(len(keys))
        for r, key in enumerate(keys):
            f = detail.fields[key]
            name = QTableWidgetItem(FIELD_LABELS.get(key, key))
            name.setData(Qt.ItemDataRole.UserRole, key)
            read = QTableWidgetItem(f.ocr_value or "")
            proposed = QTableWidgetItem(f.value)
            if f.status and f.status != "ok":
                tip = f"{f.status}: {f.reason}" if f.reason else f.status
                for it in (name, read, proposed):
                    it.setToolTip(tip)
                name.setText(f"{name.text()}  ⚠")
            if f.corrected:
                proposed.setToolTip(f"Changed by the operator (read as {f.ocr_value!r})")
                bold = proposed.font()
                bold.setBold(True)
                proposed.setFont(bold)
            final = QTableWidgetItem(f.value)
            for it in (name, read, proposed):
                it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if not pending:
                final.setFlags(final.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.fields.setItem(r, COL_FIELD, name)
            self.fields.setItem(r, COL_READ, read)
            self.fields.setItem(r, COL_PROPOSED, proposed)
            self.fields.setItem(r, COL_FINAL, final)

    def _four_eyes_refusal(self) -> str | None:
        d = self._detail
        if d is None:
            return None
        return four_eyes_refusal(
            flagged_by=d.operator,
            reviewer=self.settings.operator_name,
            allow_self_review=self.settings.allow_self_review,
        )

    def apply_settings(self, settings: Settings) -> None:
        """New settings (another operator, the one-person-branch setting): the open review's
        four-eyes check follows at once."""
        self.settings = settings
        self._update_approve()

    def _update_approve(self) -> None:
        pending = self._detail is not None and self._detail.status == "pending"
        refusal = self._four_eyes_refusal() if pending else None
        self.approve_button.setEnabled(pending and refusal is None and not self._busy)
        self.approve_note.setText(f"Cannot approve: {html.escape(refusal)}." if refusal else "")
        self.approve_note.setVisible(bool(refusal))

    def final_values(self) -> dict[str, str]:
        """Every field's final value as the reviewer would approve it."""
        out: dict[str, str] = {}
        for r in range(self.fields.rowCount()):
            key = self._cell(r, COL_FIELD).data(Qt.ItemDataRole.UserRole)
            out[str(key)] = self._cell(r, COL_FINAL).text().strip()
        return out

    @property
    def detail(self) -> ReviewDetail | None:
        return self._detail

    def _cell(self, row: int, col: int) -> QTableWidgetItem:
        item = self.fields.item(row, col)
        assert item is not None  # every cell is filled in _show_detail
        return item

    def corrections(self) -> dict[str, str]:
        """The reviewer's changes over the operator's values."""
        out: dict[str, str] = {}
        for r in range(self.fields.rowCount()):
            key = self._cell(r, COL_FIELD).data(Qt.ItemDataRole.UserRole)
            proposed = self._cell(r, COL_PROPOSED).text()
            final = self._cell(r, COL_FINAL).text().strip()
            if final != proposed:
                out[str(key)] = final
        return out

    def set_final_value(self, key: str, value: str) -> None:
        for r in range(self.fields.rowCount()):
            if self._cell(r, COL_FIELD).data(Qt.ItemDataRole.UserRole) == key:
                self._cell(r, COL_FINAL).setText(value)
                return
        raise KeyError(key)

    # -- decisions -------------------------------------------------------------------------
    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        pending = self._detail is not None and self._detail.status == "pending"
        self.reject_button.setEnabled(pending and not busy)
        self._update_approve()

    def approve(self) -> None:
        d = self._detail
        if d is None or self._busy:
            return
        reviewer, station = self.settings.operator_name, self.settings.workstation
        allow_self = self.settings.allow_self_review
        refusal = approve_refusal(
            flagged_by=d.operator,
            reviewer=reviewer,
            allow_self_review=allow_self,
            fmt=d.document_format,
            values=self.final_values(),
        )
        if refusal is not None:
            self.message.emit("warning", f"Not approved: {refusal}.")
            return
        corrections = self.corrections()
        comment = self.comment.text().strip() or None

        def save(store: Store) -> int:
            return store.approve_review(
                d.id,
                corrections,
                reviewer=reviewer,
                comment=comment,
                workstation=station,
                allow_self_review=allow_self,
            )

        self._set_busy(True)
        self.store.call(
            save,
            lambda rec: self._decided("approved", d.id, f"Approved; saved as record {rec}."),
            self._failed,
        )

    def reject(self) -> None:
        d = self._detail
        if d is None or self._busy:
            return
        comment = self.comment.text().strip()
        if not comment:
            self.message.emit("warning", "Write a comment saying why the document is rejected.")
            self.comment.setFocus()
            return
        reviewer, station = self.settings.operator_name, self.settings.workstation

        def save(store: Store) -> None:
            store.reject_review(d.id, reviewer=reviewer, comment=comment, workstation=station)

        self._set_busy(True)
        self.store.call(save, lambda _v: self._decided("rejected", d.id, "Rejected."), self._failed)

    def _decided(self, kind: str, review_id: int, text: str) -> None:
        self._set_busy(False)
        self.message.emit("ok", f"Review {review_id}: {text}")
        self.decided.emit(kind, review_id)
        self._detail = None
        self.refresh()

    def _failed(self, message: str) -> None:
        # The corrections and the comment stay on screen for another try.
        self._set_busy(False)
        self.message.emit("error", f"Not saved: {message}")
