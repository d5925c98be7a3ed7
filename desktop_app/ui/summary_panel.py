"""The document at a glance: whether the read is verified and accepted, kind, issuing
country, expiry, age, and findings in plain words."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QGroupBox, QLabel, QScrollArea, QWidget

from desktop_app.core.desk.form import Summary


class SummaryPanel(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Document", parent)
        self.setObjectName("summaryPanel")
        self.setAccessibleName("Document summary")
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 4, 8, 4)
        grid.setVerticalSpacing(2)
        grid.setHorizontalSpacing(8)
        # Two separate lines on purpose: "verified" speaks of the machine read, "accepted" of
        # what the desk may do with it (an expired passport is read right and still needs a look).
        self.verified = QLabel("-", self)
        self.verified.setObjectName("verified")
        self.verified.setWordWrap(True)
        self.decision = QLabel("-", self)
        self.decision.setObjectName("decision")
        self.decision.setWordWrap(True)
        self.kind = QLabel("-", self)
        self.country = QLabel("-", self)
        self.expiry = QLabel("-", self)
        self.expiry.setObjectName("expiry")
        self.age = QLabel("-", self)
        self.flags = QLabel("-", self)
        self.flags.setWordWrap(True)
        self.flags.setObjectName("findings")
        self.flags.setAccessibleName("Findings")
        self.flags.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # Fixed heights: however long the verdict or the findings, the field rows below
        # never move (the findings scroll inside their own box; tooltips hold the verdicts).
        line = self.fontMetrics().lineSpacing()
        for w in (self.verified, self.decision):
            w.setFixedHeight(2 * line + 2)
            w.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.findings_box = QScrollArea(self)
        self.findings_box.setObjectName("findingsBox")
        self.findings_box.setAccessibleName("Findings list")
        self.findings_box.setWidget(self.flags)
        self.findings_box.setWidgetResizable(True)
        self.findings_box.setFrameShape(QFrame.Shape.NoFrame)
        self.findings_box.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.findings_box.setFixedHeight(3 * line + 4)
        # Verdicts and findings span the panel; the four short facts sit two by two, so
        # the field rows below start higher on a 768-pixel screen.
        placed = (
            ("Read:", self.verified, "Verified", 0, 0, 3),
            ("Decision:", self.decision, "Accepted or needs review", 1, 0, 3),
            ("Type:", self.kind, "Document type", 2, 0, 1),
            ("Expiry:", self.expiry, "Expiry", 2, 2, 1),
            ("Issued by:", self.country, "Issuing country", 3, 0, 1),
            ("Age:", self.age, "Holder's age", 3, 2, 1),
            ("Findings:", self.findings_box, "Findings", 4, 0, 3),
        )
        for label, widget, name, row, col, span in placed:
            widget.setAccessibleName(name)
            # A reason may wrap over lines: its label stays level with the first one.
            caption = QLabel(label, self)
            caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            caption.setBuddy(widget)
            grid.addWidget(caption, row, col)
            grid.addWidget(widget, row, col + 1, 1, span)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

    def clear(self) -> None:
        for w in (self.verified, self.decision, self.kind, self.country, self.expiry, self.age, self.flags):
            w.setText("-")
        self._set_level("unknown")
        _level(self.verified, "unknown")
        _level(self.decision, "unknown")

    def show_summary(self, s: Summary) -> None:
        self.verified.setText(s.verified_text)
        self.verified.setToolTip(s.verified_text)
        self.decision.setToolTip(s.decision_text)
        _level(self.verified, "ok" if s.verified else "warning")
        self.decision.setText(s.decision_text)
        _level(self.decision, "ok" if s.accepted else "warning")
        self.kind.setText(s.format_text)
        self.country.setText(s.country_text)
        self.expiry.setText(s.expiry_text)
        self._set_level(s.expiry_level)
        self.age.setText(s.age_text)
        if s.flags:
            self.flags.setText("<br>".join(f"• {html.escape(t)}" for t in s.flags))
        else:
            self.flags.setText("None")

    def _set_level(self, level: str) -> None:
        _level(self.expiry, level)


def _level(label: QLabel, level: str) -> None:
    """Set the ``level`` property the style sheet colours by, and re-apply the style."""
    label.setProperty("level", level)
    st = label.style()
    st.unpolish(label)
    st.polish(label)
