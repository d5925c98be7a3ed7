"""The desktop GUI: the only package that imports PySide6 (a checked layer rule)."""

from desktop_app.ui.qt_compat import patch_signal_emit

patch_signal_emit()
