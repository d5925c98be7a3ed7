"""Document policy at the desk, written once and asked everywhere (no Qt, no storage).

What may be saved at all, what a person must acknowledge before saving, who may approve a
review, and what colour a queue row is. The window, the controller and the review view ask
these functions; none of them repeats a rule.

* Nothing is saved without its evidence: a picture of the document, and either an MRZ
  reading or every required field typed by the operator (:func:`save_refusal`).
* A read item that was cleared or failed is read-only; opening it again re-reads its image
  (:func:`reopen_rereads`).
* Expired, minor and specimen documents need an explicit acknowledgement in the Confirm
  step (:func:`acknowledgements`); the acknowledgement goes to the audit trail.
* Four eyes: the person who flagged a document does not approve it, unless the branch's
  setting allows one-person reviews (recorded in the audit trail) (:func:`approve_refusal`).
* Approving a review needs every required field (:func:`missing_required`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from desktop_app.core.mrz.layouts import REQUIRED, required_fields
from desktop_app.core.types import Flag

__all__ = [
    "ACK_CODES", "FIELD_LABELS", "OPEN_FOR_SAVING", "REQUIRED", "Acknowledgement", "Tone", "acknowledgements",
    "approve_refusal", "expiry_flag", "four_eyes_refusal", "implausible_viz", "missing_required", "queue_tone",
    "reopen_rereads", "required_keys", "same_person", "save_refusal",
]

FIELD_LABELS: Final[Mapping[str, str]] = {
    "document_code": "Document code",
    "issuing_country": "Issuing country",
    "surname": "Surname",
    "given_names": "Given names",
    "document_number": "Document number",
    "nationality": "Nationality",
    "birth_date": "Date of birth",
    "sex": "Sex",
    "expiry_date": "Date of expiry",
    "personal_number": "Personal number",
    "optional_data": "Optional data",
    "place_of_birth": "Place of birth",
    "issue_date": "Date of issue",
    "authority": "Authority",
}


def required_keys(fmt: str | None) -> tuple[str, ...]:
    """The fields a record of this format cannot be saved without (the layout table says)."""
    return required_fields(fmt)


def missing_required(fmt: str | None, values: Mapping[str, str | None]) -> list[str]:
    """Labels of the required fields with no value (in field order)."""
    return [FIELD_LABELS[k] for k in required_keys(fmt) if not (values.get(k) or "").strip()]


# -- saving ---------------------------------------------------------------------------------
OPEN_FOR_SAVING: Final = ("reading", "ready")
"""Queue statuses whose document may be confirmed or flagged (the rest are read-only)."""


def reopen_rereads(status: str) -> bool:
    """Opening an item in this status reads its image again (nothing old comes back)."""
    return status in ("failed", "cancelled")


def save_refusal(
    *,
    status: str,
    has_image: bool,
    mrz_read: bool,
    fmt: str | None,
    values: Mapping[str, str | None],
) -> str | None:
    """Why this document cannot be confirmed, confirmed anyway or flagged; None if it can.

    Asked for every way of saving: a record needs the document's picture and either a
    read MRZ or every required field typed in.
    """
    if status == "failed":
        return "the file could not be read; Retry reads it again"
    if status == "cancelled":
        return "this document was cleared; open it again to read it again"
    if status not in OPEN_FOR_SAVING:
        return f"this document is {status}"
    if not has_image:
        return "there is no picture of the document"
    if not mrz_read:
        missing = missing_required(fmt, values)
        if missing:
            return "no MRZ was read; type the required fields first (" + ", ".join(missing) + ")"
    return None


# -- acknowledgements -----------------------------------------------------------------------
ACK_CODES: Final = ("expired", "minor", "specimen")
"""Findings the operator must acknowledge, one tick, before the record is saved."""


@dataclass(frozen=True)
class Acknowledgement:
    code: str
    text: str


def expiry_flag(expiry_value: str, flags: Iterable[Flag], today: date) -> Flag | None:
    """An "expired" finding from the expiry date on the form, when the MRZ gave none: a
    French ID card (pre-2021) prints its expiry in the visual zone only, and with no MRZ
    the operator types it. None when the MRZ said it already, or the date is not past."""
    if any(f.code == "expired" for f in flags):
        return None
    try:
        expiry = date.fromisoformat(expiry_value.strip())
    except ValueError:
        return None
    return Flag("expired", f"expired on {expiry.isoformat()}") if expiry < today else None


def acknowledgements(flags: Iterable[Flag]) -> tuple[Acknowledgement, ...]:
    """What must be acknowledged in the Confirm step, in a fixed order, once each."""
    found: dict[str, str] = {}
    for f in flags:
        if f.code in ACK_CODES:
            found.setdefault(f.code, f.message)
    return tuple(Acknowledgement(c, found[c]) for c in ACK_CODES if c in found)


# -- four eyes ------------------------------------------------------------------------------
def same_person(a: str | None, b: str | None) -> bool:
    return (a or "").strip().casefold() == (b or "").strip().casefold()


def four_eyes_refusal(*, flagged_by: str, reviewer: str, allow_self_review: bool) -> str | None:
    """Why this reviewer may not decide on a document this person flagged; None if they may."""
    if same_person(flagged_by, reviewer) and not allow_self_review:
        return (
            f"{flagged_by} flagged this document, so another person must approve it "
            "(four eyes; a one-person branch can allow this in Settings)"
        )
    return None


def approve_refusal(
    *,
    flagged_by: str,
    reviewer: str,
    allow_self_review: bool,
    fmt: str | None,
    values: Mapping[str, str | None],
) -> str | None:
    """Why this reviewer cannot approve this review now; None if they can."""
    refusal = four_eyes_refusal(flagged_by=flagged_by, reviewer=reviewer, allow_self_review=allow_self_review)
    if refusal is not None:
        return refusal
    missing = missing_required(fmt, values)
    if missing:
        return "required fields are missing: " + ", ".join(missing)
    return None


# -- queue tone -----------------------------------------------------------------------------
Tone = Literal["pass", "check", "no_mrz", "failed", "expired", "waiting", "reading", "done", "cancelled"]


def queue_tone(status: str, note: str = "", flag_codes: Iterable[str] = ()) -> Tone:
    """What a queue row's dot says: each has its own colour and glyph (see desktop_app.ui.style)."""
    codes = set(flag_codes)
    if status == "failed":
        return "failed"
    if status in ("waiting", "reading", "cancelled"):
        return status  # type: ignore[return-value]
    if status != "ready":
        return "done"
    if "expired" in codes:
        return "expired"
    if "no_mrz" in codes or note == "no MRZ":
        return "no_mrz"
    return "pass" if note == "all checks pass" else "check"


# -- values from the visual zone only ------------------------------------------------------
MAX_PLACE_WORDS: Final = 4
MAX_PLACE_CHARS: Final = 40
RUN_TOGETHER_LETTERS: Final = 11
"""An authority written as one word this long is likely two words the page spaced."""


def implausible_viz(key: str, value: str) -> str | None:
    """Why a value read from the visual zone alone does not look like what the field holds
    (None when it does). Such a value is shown as "check", whatever the OCR confidence:
    no check digit and no MRZ stands behind it."""
    text = value.strip()
    if not text:
        return None
    words = text.split()
    if key == "place_of_birth":
        if any(ch.isdigit() for ch in text):
            return "a place of birth has no digits: the visual zone may have read another line"
        if len(words) > MAX_PLACE_WORDS or len(text) > MAX_PLACE_CHARS or text.rstrip().endswith("."):
            return "this reads like a sentence, not a place: the visual zone may have read another line"
    elif key == "authority":
        if len(words) == 1 and sum(ch.isalpha() for ch in text) >= RUN_TOGETHER_LETTERS:
            return "one long word: the words printed on the page may have run together"
        if text.rstrip().endswith(".") and len(words) > 6:
            return "this reads like a sentence, not an authority"
    return None
