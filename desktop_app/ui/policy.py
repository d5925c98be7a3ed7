"""Moved to :mod:`desktop_app.core.desk.policy` (it has no Qt); re-exported so existing
``desktop_app.ui`` imports keep working. New code imports the core module."""

from desktop_app.core.desk.policy import (
    ACK_CODES,
    FIELD_LABELS,
    OPEN_FOR_SAVING,
    REQUIRED,
    Acknowledgement,
    Tone,
    acknowledgements,
    approve_refusal,
    expiry_flag,
    four_eyes_refusal,
    implausible_viz,
    missing_required,
    queue_tone,
    reopen_rereads,
    required_keys,
    same_person,
    save_refusal,
)

__all__ = [
    "ACK_CODES",
    "FIELD_LABELS",
    "OPEN_FOR_SAVING",
    "REQUIRED",
    "Acknowledgement",
    "Tone",
    "acknowledgements",
    "approve_refusal",
    "expiry_flag",
    "four_eyes_refusal",
    "implausible_viz",
    "missing_required",
    "queue_tone",
    "reopen_rereads",
    "required_keys",
    "same_person",
    "save_refusal",
]
