"""Colours, glyphs and icons for field states, drawn in code (no icon files to ship).

Colour is never the only cue: every state has its own glyph and words too, for
colour-blind operators and for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPen, QPixmap


@dataclass(frozen=True)
class StateStyle:
    color: str
    glyph: str
    word: str
    """One or two words for the status column."""


STYLES: Final[dict[str, StateStyle]] = {
    "verified": StateStyle("#1e8e3e", "✓", "Verified"),
    "agreed": StateStyle("#137333", "=", "MRZ = visual"),
    "read": StateStyle("#3c4043", "•", "Read (MRZ)"),
    "unconfirmed": StateStyle("#5f6368", "•", "Unconfirmed"),
    "viz": StateStyle("#5f6368", "•", "Visual zone"),
    "corrected": StateStyle("#8430ce", "↻", "Corrected"),
    "unverified": StateStyle("#b06000", "?", "Unverified"),
    "mismatch": StateStyle("#d56e0c", "≠", "Mismatch"),
    "low_confidence": StateStyle("#b06000", "~", "Low confidence"),
    "invalid": StateStyle("#c5221f", "✗", "Invalid"),
    "edited": StateStyle("#1a73e8", "✎", "Edited"),
    "missing": StateStyle("#c5221f", "!", "Missing"),
    "empty": StateStyle("#9aa0a6", "", "Empty"),
}

TONES: Final[dict[str, StateStyle]] = {
    # A queue row's dot (see :func:`desktop_app.ui.policy.queue_tone`): each its own colour
    # and glyph, so "all checks pass" never looks like "to check" or "no MRZ".
    "pass": StateStyle("#1e8e3e", "✓", "All checks pass"),
    "check": StateStyle("#e37400", "?", "To check"),
    "no_mrz": StateStyle("#8430ce", "∅", "No MRZ"),
    "failed": StateStyle("#c5221f", "✗", "Failed"),
    "expired": StateStyle("#a50e0e", "⌛", "Expired"),
    "waiting": StateStyle("#9aa0a6", "…", "Waiting"),
    "reading": StateStyle("#1a73e8", "↻", "Reading"),
    "done": StateStyle("#5f6368", "■", "Done"),
    "cancelled": StateStyle("#bdc1c6", "–", "Cleared"),
}


def style_for(display: str) -> StateStyle:
    return STYLES.get(display, STYLES["unverified"])


@cache
def state_pixmap(display: str, size: int = 20) -> QPixmap:
    """A filled round badge with the state's glyph (cached; GUI thread only)."""
    st = style_for(display)
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    if not st.glyph:
        return pm
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(st.color))
    p.drawEllipse(QRectF(1, 1, size - 2, size - 2))
    p.setPen(QPen(QColor("white")))
    f = QFont()
    f.setBold(True)
    f.setPixelSize(int(size * 0.62))
    p.setFont(f)
    p.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, st.glyph)
    p.end()
    return pm


def state_icon(display: str) -> QIcon:
    return QIcon(state_pixmap(display))


TONE_WORDS: Final[dict[str, str]] = {
    "pass": "all pass", "check": "to check", "no_mrz": "no MRZ", "failed": "failed", "expired": "EXPIRED",
    "waiting": "waiting", "reading": "reading", "done": "done", "cancelled": "cleared",
}
"""A read document's status word in the queue (the tone's own word, short)."""


@cache
def tone_icon(tone: str, size: int = 16) -> QIcon:
    """A queue row's round badge: the tone's colour with its glyph (cached; GUI thread)."""
    st = TONES.get(tone, TONES["done"])
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(st.color))
    p.drawEllipse(QPointF(size / 2, size / 2), size / 2 - 0.5, size / 2 - 0.5)
    p.setPen(QPen(QColor("white")))
    f = QFont()
    f.setBold(True)
    f.setPixelSize(int(size * 0.68))
    p.setFont(f)
    p.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, st.glyph)
    p.end()
    return QIcon(pm)


FIELD_BACKGROUNDS: Final[dict[str, str]] = {
    "corrected": "#f6efff",
    "unverified": "#fff8e6",
    "low_confidence": "#fff8e6",
    "mismatch": "#fff1e3",
    "invalid": "#fdecea",
    "missing": "#fdecea",
    "edited": "#eef4fe",
}
"""States that ask for the operator's eye get a tinted background as well as a border."""


def _field_rules() -> str:
    rules = []
    for state, st in STYLES.items():
        quiet = state in ("unconfirmed", "viz", "empty", "read")
        border = f"1px solid {'#b0b4b8' if quiet else st.color}"
        pad = "3px 5px" if quiet else "2px 4px"
        bg = f" background: {FIELD_BACKGROUNDS[state]};" if state in FIELD_BACKGROUNDS else ""
        width = "" if quiet else "border-width: 2px;"
        body = f"border: {border}; {width} border-radius: 3px; padding: {pad};{bg}"
        rules.append(f'QLineEdit[fieldState="{state}"] {{ {body} }}')
    return "\n".join(rules)


APP_STYLESHEET: Final = (
    _field_rules()
    + """
QLineEdit:focus { border: 3px solid #1a73e8; padding: 1px 3px; }
QPushButton:focus, QCheckBox:focus, QComboBox:focus, QToolButton:focus {
    outline: none; border: 2px solid #1a73e8; border-radius: 4px;
}
QTableView:focus, QGraphicsView:focus { border: 2px solid #1a73e8; }
QLabel#statusWord { font-size: 11px; }
QLabel#fieldMeta { color: #5f6368; font-size: 11px; }
QLabel#expiry[level="expired"] { color: #c5221f; font-weight: bold; }
QLabel#expiry[level="warning"] { color: #b06000; font-weight: bold; }
QLabel#expiry[level="ok"] { color: #1e8e3e; }
QLabel#verified[level="ok"], QLabel#decision[level="ok"] { color: #1e8e3e; font-weight: bold; }
QLabel#verified[level="warning"], QLabel#decision[level="warning"] { color: #b06000; }
QLabel#banner { padding: 6px 10px; border-radius: 4px; }
QLabel#banner[level="info"] { background: #e8f0fe; color: #174ea6; }
QLabel#banner[level="ok"] { background: #e6f4ea; color: #0d652d; }
QLabel#banner[level="warning"] { background: #fef7e0; color: #7a4a00; }
QLabel#banner[level="error"] { background: #fce8e6; color: #a50e0e; }
QPushButton#confirmButton { font-weight: bold; padding: 6px 14px; }
QPushButton#confirmButton:enabled { background: #1e8e3e; color: white; border-radius: 4px; }
QPushButton#flagButton { padding: 6px 14px; }
"""
)
