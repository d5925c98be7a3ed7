"""The desk's three verdicts on a document, for a read result and for an operator-edited form.

* **can confirm**: :func:`confirm_refusal` is None. A record needs its evidence (a picture,
  and an MRZ reading or every required field typed: :func:`.policy.save_refusal`), no field
  that blocks (invalid, or required and missing), and an acknowledgement of every finding
  that asks for one (expired, minor, specimen: :func:`.policy.acknowledgements`).
* **verified** and **accepted**: :func:`desktop_app.core.trust.judge`, asked of the result as
  read (:func:`result_verdict`) or of the form as it stands (:func:`form_verdict`: the
  re-validated MRZ reading, the fields as shown, a typed field as the operator's, and the
  findings after the edits).

The pipeline asks :func:`needs_review_flag`, the form and the window's controller ask the
rest; none of them decides these itself.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Final

from desktop_app.core.desk.policy import Acknowledgement, save_refusal
from desktop_app.core.trust import Verdict
from desktop_app.core.types import DocumentResult, Field, FieldStatus, Flag, MrzReading

__all__ = [
    "NEEDS_REVIEW",
    "confirm_refusal",
    "form_verdict",
    "needs_review_flag",
    "result_verdict",
]

NEEDS_REVIEW: Final = Flag(
    "needs_review",
    "The visual zone disagrees with the MRZ or is unsure of a field, or the document is not of an expected kind.",
)


def result_verdict(result: DocumentResult) -> Verdict:
    """Verified and accepted for a read result (its MRZ reading's verdict, then its merged
    fields and every flag of the page)."""
    return result.verdict


def needs_review_flag(reading: MrzReading | None, merged: DocumentResult) -> Flag | None:
    """The finding the pipeline adds when the MRZ alone would be accepted but the page as a
    whole (visual zone, expectations) is not; None otherwise."""
    if reading is not None and reading.format is not None and reading.accepted and not merged.accepted:
        return NEEDS_REVIEW
    return None


def form_verdict(
    result: DocumentResult,
    *,
    reading: MrzReading | None,
    shown: Mapping[str, tuple[str, str | None, str | None, bool]],
    current: Mapping[str, Field | None],
    flags: Sequence[Flag],
) -> Verdict:
    """Verified and accepted for a form: ``shown`` gives each field's (value, status, reason,
    edited) as displayed, ``current`` each unedited field as re-validation sees it now,
    ``reading`` the re-validated MRZ reading and ``flags`` the findings after the edits.

    A typed field counts as the operator's (so the form is not *verified*), invalid if
    re-validation says so."""
    fields: dict[str, Field] = {}
    for key, (value, status, reason, edited) in shown.items():
        read = result.fields.get(key)
        if edited:
            typed: FieldStatus = "invalid" if status == "invalid" else "ok"
            fields[key] = Field(value, 1.0, "operator", typed, reason)
        elif read is not None:
            now = current.get(key) or read
            fields[key] = replace(read, status=now.status, reason=now.reason)
    return replace(result, mrz=reading, fields=fields, flags=tuple(flags)).verdict


STILL_READING: Final = "the visual zone is still being read; confirm when it finishes, or flag the document for review"
"""Why a document whose MRZ is on screen cannot be confirmed yet: a record confirmed before
the visual zone is read would miss what it finds (an expiry only the visual zone prints, a
mismatch). Flagging it for review stays open."""


def confirm_refusal(
    *,
    status: str,
    has_image: bool,
    mrz_read: bool,
    fmt: str | None,
    values: Mapping[str, str | None],
    blocking: Iterable[str],
    needed: Iterable[Acknowledgement],
    acknowledged: Collection[str],
) -> str | None:
    """Why the operator cannot confirm this document now; None when they can.

    ``blocking`` are the labels of the fields that block (invalid, or required and missing),
    ``needed`` the acknowledgements the findings ask for, ``acknowledged`` the codes ticked.
    """
    refusal = save_refusal(status=status, has_image=has_image, mrz_read=mrz_read, fmt=fmt, values=values)
    if refusal is not None:
        return refusal
    if status == "reading":
        return STILL_READING
    labels = list(blocking)
    if labels:
        return "fix these fields first, or send the document for review: " + ", ".join(labels)
    missing = [a.text for a in needed if a.code not in acknowledged]
    if missing:
        return "acknowledge first: " + "; ".join(missing)
    return None
