"""What a read may be trusted for: the one place ``verified`` and ``accepted`` are decided.

``verified``: the machine read can be trusted field by field. Every check digit the format
carries is valid; no field is ``unverified`` (a repair no check digit proved, or a
look-alike no check digit can tell apart that the recogniser did not clearly reject, see
:mod:`desktop_app.core.mrz.same_value`), ``mismatch``, ``low_confidence`` or ``invalid``;
no flag says the read itself is in doubt (:data:`DOUBT_FLAGS`); and every value shown is
the machine's: a field the operator typed is the operator's, not a machine read, so a
form with edits is not *verified* (the check digits are still re-run over the edits and
shown field by field; the operator's confirm is the human look that ``verified`` and
``accepted`` are about avoiding). Image-quality findings (blur, low resolution, glare)
are neither: when every check holds they change nothing.

``accepted``: ``verified``, and nothing in policy asks for a person (:data:`POLICY_FLAGS`:
expired, a minor, the ICAO specimen state, a partial date or a truncated name, a kind of
document the desk does not expect). So ``accepted`` implies ``verified`` by construction.

:class:`~desktop_app.core.types.MrzReading` and
:class:`~desktop_app.core.types.DocumentResult` compute both from their own checks,
fields and flags through :func:`judge`; the command line prints them and the window's
summary shows them, so all of them say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from desktop_app.core.types import Field, Flag

DOUBT_STATUSES: Final = frozenset({"unverified", "mismatch", "low_confidence", "invalid"})
"""Field statuses that say the field's value may not be what is printed."""

DOUBT_FLAGS: Final = frozenset(
    {
        "no_mrz",
        "engine_error",
        "check_failed",
        "repaired_unverified",
        "low_confidence",
        "invalid_field",
        "invalid_date",
        "unknown_country",
        "date_inconsistent",  # expiry before birth: one of the two dates is misread
        "format_mismatch",  # the document code contradicts the layout: positions may be wrong
    }
)
"""Findings that say the read itself cannot be trusted."""

POLICY_FLAGS: Final = frozenset(
    {
        "expired",
        "minor",
        "specimen",
        "partial_date",  # the document prints unknown parts: read right, but a person decides
        "name_truncated",  # the MRZ holds a cut name: the operator takes it from the visual zone
        "unexpected_format",
        "unexpected_country",
    }
)
"""Findings about the document, read right, that ask for a person."""

_STATUS_WORDS: Final = {
    "unverified": "not proven",
    "mismatch": "MRZ and visual zone disagree",
    "low_confidence": "low OCR confidence",
    "invalid": "invalid",
}
_FIELD_MIRRORS: Final = frozenset({"repaired_unverified", "low_confidence", "invalid_field", "check_failed"})
"""Flags that only summarise field statuses: named by the fields themselves when any is in doubt."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a read is verified and accepted, and why not, in plain words."""

    verified: bool
    accepted: bool
    doubts: tuple[str, ...]
    """Why the read is not verified (empty when it is), most telling first, in short: fields
    in doubt are named with what is wrong (their own reasons say why in detail)."""
    asks: tuple[str, ...]
    """What in policy asks for a person (empty when nothing does)."""
    in_doubt: tuple[str, ...] = ()
    """The keys of the fields in doubt, in field order."""


def unread(reason: str) -> Verdict:
    """The verdict on an input that gave no MRZ reading at all."""
    return Verdict(False, False, (reason,), ())


def judge(
    *,
    checks_valid: bool,
    fields: Mapping[str, Field],
    flags: Iterable[Flag],
    read: Verdict | None = None,
) -> Verdict:
    """The verdict on a read with these checks, fields and flags.

    ``read`` is the verdict on the MRZ reading a document result was built from: the
    document is verified only if that reading is too (the visual zone may confirm a field
    for the operator's eye, but never turns an unproven machine read into a verified one).
    """
    flag_list = list(flags)
    doubts: list[str] = []
    if not checks_valid:
        failed = next((f.message for f in flag_list if f.code == "check_failed"), None)
        doubts.append(failed or "the check digits do not all hold")
    typed: list[str] = []
    by_status: dict[str, list[str]] = {}
    in_doubt: list[str] = list(read.in_doubt) if read is not None else []
    for key, f in fields.items():
        if f.source == "operator":
            typed.append(_words(key))
        if f.status in DOUBT_STATUSES:
            by_status.setdefault(_STATUS_WORDS[f.status], []).append(_words(key))
            in_doubt.append(key)
    doubts += [f"{words}: {', '.join(keys)}" for words, keys in by_status.items()]
    if typed:
        doubts.append("edited by the operator: " + ", ".join(typed))
    for fl in flag_list:
        if fl.code in DOUBT_FLAGS and not (by_status and fl.code in _FIELD_MIRRORS):
            doubts.append(fl.message)
    asks = [fl.message for fl in flag_list if fl.code in POLICY_FLAGS]
    if read is not None:
        # The document's verdict builds on its MRZ reading's: what that doubted stays doubted.
        doubts = [*read.doubts, *doubts]
        asks = [*read.asks, *asks]
    doubts_t = tuple(dict.fromkeys(doubts))
    verified = not doubts_t and (read is None or read.verified)
    return Verdict(
        verified, verified and not asks, doubts_t, tuple(dict.fromkeys(asks)), tuple(dict.fromkeys(in_doubt))
    )


def _words(key: str) -> str:
    return key.replace("_", " ")
