"""Every field of the contract, in document order: value (editable), state, confidence, source.

The panel shows :class:`~desktop_app.core.desk.form.FieldView` values and reports edits;
it decides nothing itself. Edits are reported on ``textEdited`` (typing), never on
programmatic updates, so showing a new stage can't be mistaken for an operator's change.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QSizePolicy, QWidget

from desktop_app.core.desk.form import DATE_KEYS, FIELD_LABELS, FieldView
from desktop_app.core.types import FIELD_KEYS
from desktop_app.ui.style import state_pixmap, style_for

SOURCE_TEXT: Final = {"mrz": "MRZ", "viz": "Visual zone", "mrz+viz": "MRZ + visual", "operator": "Operator"}
FREE_TEXT_KEYS: Final = ("place_of_birth", "authority")
"""Visual-zone text keeps the case it was printed in; everything else is MRZ-style upper case."""


class _Row:
    def __init__(self, key: str, parent: QWidget) -> None:
        self.key = key
        label_text = FIELD_LABELS.get(key, key)
        self.label = QLabel(label_text + ":", parent)
        self.edit = QLineEdit(parent)
        self.edit.setObjectName(f"field_{key}")
        self.edit.setAccessibleName(label_text)
        self.edit.setProperty("fieldKey", key)
        self.edit.setMinimumWidth(180)
        if key in DATE_KEYS:
            self.edit.setPlaceholderText("YYYY-MM-DD")
        self.label.setBuddy(self.edit)
        self.icon = QLabel(parent)
        self.icon.setFixedSize(22, 22)
        self.icon.setAccessibleName(f"{label_text} status")
        self.word = QLabel(parent)
        self.word.setObjectName("statusWord")
        # Plain text, coloured through the palette: a rich-text label builds a text
        # document on every change, and a new document changes every row's word.
        self.word.setTextFormat(Qt.TextFormat.PlainText)
        self.word.setMinimumWidth(96)
        self.meta = QLabel(parent)
        self.meta.setObjectName("fieldMeta")
        self.meta.setMinimumWidth(110)
        self.meta.setAccessibleName(f"{label_text} confidence and source")
        self.view: FieldView | None = None


class FieldsPanel(QWidget):
    value_edited = Signal(str, str)
    """(key, new text) on every keystroke of the operator."""
    field_focused = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldsPanel")
        self.setAccessibleName("Fields")
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        for col, text in enumerate(("Field", "Value", "", "Status", "Confidence · source")):
            head = QLabel(f"<b>{text}</b>" if text else "", self)
            grid.addWidget(head, 0, col)
        self._rows: dict[str, _Row] = {}
        previous: QWidget | None = None
        for i, key in enumerate(FIELD_KEYS, start=1):
            row = _Row(key, self)
            grid.addWidget(row.label, i, 0, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(row.edit, i, 1)
            grid.addWidget(row.icon, i, 2)
            grid.addWidget(row.word, i, 3)
            grid.addWidget(row.meta, i, 4)
            row.edit.textEdited.connect(lambda text, k=key: self._on_edited(k, text))
            row.edit.installEventFilter(self)
            # Tab goes down the fields in the order they are printed on the document.
            if previous is not None:
                QWidget.setTabOrder(previous, row.edit)
            previous = row.edit
            self._rows[key] = row
        grid.setColumnStretch(1, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.set_enabled_for_input(False)

    # -- input ---------------------------------------------------------------------------
    def _on_edited(self, key: str, text: str) -> None:
        edit = self._rows[key].edit
        if key not in FREE_TEXT_KEYS and text != text.upper():
            pos = edit.cursorPosition()
            text = text.upper()
            edit.setText(text)
            edit.setCursorPosition(pos)
        self.value_edited.emit(key, text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QLineEdit):
            key = watched.property("fieldKey")
            if isinstance(key, str):
                self.field_focused.emit(key)
        return super().eventFilter(watched, event)

    # -- output --------------------------------------------------------------------------
    def edit(self, key: str) -> QLineEdit:
        return self._rows[key].edit

    def first_edit(self) -> QLineEdit:
        return self._rows[FIELD_KEYS[0]].edit

    def last_edit(self) -> QLineEdit:
        return self._rows[FIELD_KEYS[-1]].edit

    def focus_field(self, key: str) -> None:
        row = self._rows.get(key)
        if row is not None:
            row.edit.setFocus(Qt.FocusReason.OtherFocusReason)
            row.edit.selectAll()

    def set_enabled_for_input(self, enabled: bool) -> None:
        for row in self._rows.values():
            row.edit.setReadOnly(not enabled)

    def clear(self) -> None:
        for row in self._rows.values():
            row.view = None
            row.edit.setText("")
            row.edit.setToolTip("")
            row.edit.setProperty("fieldState", "")
            row.edit.setAccessibleDescription("")
            row.icon.clear()
            row.word.setText("")
            row.meta.setText("")
            _repolish(row.edit)
        self.set_enabled_for_input(False)

    def show_views(self, views: Iterable[FieldView]) -> None:
        for view in views:
            row = self._rows[view.key]
            if row.edit.text() != view.value:
                # Don't move the cursor of a field the operator is typing in.
                pos = row.edit.cursorPosition()
                row.edit.setText(view.value)
                if row.edit.hasFocus():
                    row.edit.setCursorPosition(min(pos, len(view.value)))
            explanation = view.explanation()
            st = style_for(view.display)
            if row.view is None or row.view.display != view.display:
                row.edit.setProperty("fieldState", view.display)
                _repolish(row.edit)
                row.icon.setPixmap(state_pixmap(view.display))
                pal = row.word.palette()
                pal.setColor(QPalette.ColorRole.WindowText, QColor(st.color))
                row.word.setPalette(pal)
                row.word.setText(st.word)
            tip = f"{view.label}: {explanation}"
            if view.edited and view.ocr_value is not None:
                tip += f"\nRead as: {view.ocr_value or '(empty)'}"
            row.edit.setToolTip(tip)
            row.icon.setToolTip(tip)
            row.word.setToolTip(tip)
            row.edit.setAccessibleDescription(explanation)
            row.icon.setAccessibleDescription(explanation)
            conf = "" if view.confidence is None else f"{view.confidence * 100:.0f}%"
            src = SOURCE_TEXT.get(view.source or "", "")
            row.meta.setText(" · ".join(t for t in (conf, src) if t))
            row.view = view
        self.set_enabled_for_input(True)

    def view(self, key: str) -> FieldView | None:
        return self._rows[key].view


def _repolish(w: QWidget) -> None:
    # Dynamic properties only restyle after an unpolish/polish cycle.
    st = w.style()
    st.unpolish(w)
    st.polish(w)
