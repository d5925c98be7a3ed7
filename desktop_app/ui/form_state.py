"""Moved to :mod:`desktop_app.core.desk.form` (it has no Qt); re-exported so existing
``desktop_app.ui`` imports keep working. New code imports the core module."""

from desktop_app.core.desk.form import (
    FIELD_LABELS,
    REQUIRED,
    DocumentForm,
    FieldView,
    Summary,
    check_digit_keys,
    required_keys,
    verdict_texts,
)

__all__ = [
    "FIELD_LABELS",
    "REQUIRED",
    "DocumentForm",
    "FieldView",
    "Summary",
    "check_digit_keys",
    "required_keys",
    "verdict_texts",
]
