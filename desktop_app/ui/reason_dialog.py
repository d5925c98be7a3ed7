"""A reason asked of the operator (Flag, Confirm anyway), keyboard first.

Ctrl+Enter (or Ctrl+Return) submits from anywhere in the dialog; Tab leaves the text box
instead of typing a tab; Enter in the text is a new line. OK is the default button. A
reason cancelled unsent is not lost: :func:`ask_reason` keeps it as the next draft.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

SUBMIT_KEYS = ("Ctrl+Return", "Ctrl+Enter")


class ReasonDialog(QDialog):
    def __init__(self, title: str, label: str, draft: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("reasonDialog")
        layout = QVBoxLayout(self)
        prompt = QLabel(label + "\n(Ctrl+Enter to send)", self)
        prompt.setWordWrap(True)
        layout.addWidget(prompt)
        self.text = QPlainTextEdit(self)
        self.text.setAccessibleName("Reason")
        self.text.setTabChangesFocus(True)
        self.text.setPlainText(draft)
        self.text.setMinimumSize(420, 110)
        prompt.setBuddy(self.text)
        layout.addWidget(self.text)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for keys in SUBMIT_KEYS:
            sc = QShortcut(QKeySequence(keys), self)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(self.accept)
        self.text.installEventFilter(self)  # Ctrl+Enter inside the text box too
        self.text.textChanged.connect(self._update_ok)
        self._update_ok()
        self.text.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            watched is self.text
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.accept()
            return True
        return super().eventFilter(watched, event)

    def reason(self) -> str:
        return self.text.toPlainText().strip()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.reason()))

    def accept(self) -> None:
        if self.reason():  # an empty reason is not sent (Ctrl+Enter included)
            super().accept()
