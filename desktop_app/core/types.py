"""Typed, immutable values the core hands out.

These are the only shapes that cross layer and thread boundaries: the pipeline builds
them, the command line turns them into JSON, the GUI shows them, storage saves them.
Everything here is frozen so a result can be handed to another thread or process
without copying or locking.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, Literal

from desktop_app.core.trust import Verdict, judge, unread

Box = tuple[int, int, int, int]
"""Axis-aligned box ``(x0, y0, x1, y1)`` in the input image's pixel coordinates."""

DocumentFormat = Literal["TD1", "TD2", "TD3", "MRVA", "MRVB", "FRID"]
"""MRZ layouts. ``FRID`` is the French national ID card of before 2021 (2 x 36, own layout)."""

CheckStatus = Literal["valid", "invalid", "absent"]
FieldStatus = Literal["ok", "corrected", "mismatch", "low_confidence", "invalid", "unverified"]
Source = Literal["mrz", "viz", "mrz+viz", "operator", "chip"]
ResultStatus = Literal["ok", "no_mrz", "error"]

CHECK_KEYS: Final = ("document_number", "birth_date", "expiry_date", "personal_number", "composite")

MRZ_FIELD_KEYS: Final = (
    "document_code",
    "issuing_country",
    "surname",
    "given_names",
    "document_number",
    "nationality",
    "birth_date",
    "sex",
    "expiry_date",
    "personal_number",
    "optional_data",
)
VIZ_ONLY_FIELD_KEYS: Final = ("place_of_birth", "issue_date", "authority")
FIELD_KEYS: Final = MRZ_FIELD_KEYS + VIZ_ONLY_FIELD_KEYS
"""Every field key of the command-line contract, in the order a document is read."""


def _frozen_map(m: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(m or {}))


@dataclass(frozen=True, slots=True)
class Field:
    """One field as the operator sees it: value, where it came from, and how sure we are."""

    value: str
    confidence: float
    source: Source
    status: FieldStatus = "ok"
    reason: str | None = None
    box: Box | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "confidence": round(float(self.confidence), 4),
            "source": self.source,
            "status": self.status,
            "reason": self.reason,
            "box": list(self.box) if self.box is not None else None,
        }


@dataclass(frozen=True, slots=True)
class Flag:
    """A document-level finding the operator must see, with a stable machine code."""

    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class CharSpan:
    """Where a field sits in the MRZ text: line index and ``[start, end)`` columns."""

    line: int
    start: int
    end: int


class _Judged:
    """``verified`` and ``accepted``, read off the object's :attr:`verdict` (one rule:
    :mod:`desktop_app.core.trust`)."""

    __slots__ = ()

    @property
    def verdict(self) -> Verdict:
        raise NotImplementedError

    @property
    def verified(self) -> bool:
        """The machine read can be trusted field by field."""
        return self.verdict.verified

    @property
    def accepted(self) -> bool:
        """Verified, and nothing in policy asks for a human look."""
        return self.verdict.accepted


@dataclass(frozen=True)
class MrzReading(_Judged):
    """What the MRZ engine makes of some MRZ lines (no image knowledge, boxes are None)."""

    format: DocumentFormat | None
    document_code: str | None
    lines: tuple[str, ...]
    """The lines after normalisation and repair, as used for the fields."""
    raw_lines: tuple[str, ...]
    """The lines as given, before anything was changed."""
    valid: bool
    """Every check digit the format carries is valid (``verified`` asks more)."""
    checks: Mapping[str, CheckStatus]
    fields: Mapping[str, Field]
    spans: Mapping[str, CharSpan]
    flags: tuple[Flag, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "checks", _frozen_map(self.checks))
        object.__setattr__(self, "fields", _frozen_map(self.fields))
        object.__setattr__(self, "spans", _frozen_map(self.spans))

    @property
    def verdict(self) -> Verdict:
        """Verified and accepted, and why not (the rule is :mod:`desktop_app.core.trust`)."""
        return judge(checks_valid=self.format is not None and self.valid, fields=self.fields, flags=self.flags)


@dataclass(frozen=True, slots=True)
class TextLine:
    """A line of recognised text, in reading order, with its box in input coordinates."""

    text: str
    confidence: float
    box: Box

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "confidence": round(float(self.confidence), 4), "box": list(self.box)}


PortraitMethod = Literal["face", "layout"]


@dataclass(frozen=True, slots=True)
class Portrait:
    """Where the holder's printed photo is, in the input image's pixels."""

    box: Box
    confidence: float
    method: PortraitMethod = "face"
    """``face``: a face was found there; ``layout``: no face was found and the box is the
    photo zone the page's layout prescribes (an estimate)."""

    def to_json(self) -> dict[str, Any]:
        return {"box": list(self.box), "confidence": round(float(self.confidence), 4)}


@dataclass(frozen=True)
class DocumentResult(_Judged):
    """Everything read from one document image (one page of one input)."""

    status: ResultStatus
    file: str | None = None
    page: int | None = None
    """1-based page number for multi-page inputs (TIFF, PDF); None for single images."""
    error: str | None = None
    format: DocumentFormat | None = None
    document_code: str | None = None
    mrz: MrzReading | None = None
    fields: Mapping[str, Field] = field(default_factory=dict)
    flags: tuple[Flag, ...] = ()
    timings_ms: Mapping[str, float] = field(default_factory=dict)
    text: tuple[TextLine, ...] = ()
    image_size: tuple[int, int] | None = None
    """(width, height) of the input image the boxes refer to."""
    portrait: Portrait | None = None
    """The holder's printed photo, when the visual zone was read and one was found."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", _frozen_map(self.fields))
        object.__setattr__(self, "timings_ms", _frozen_map(self.timings_ms))

    @property
    def verdict(self) -> Verdict:
        """Verified and accepted, and why not, for the fields as merged with the visual zone
        and every flag of the document (the rule is :mod:`desktop_app.core.trust`)."""
        if self.status != "ok" or self.mrz is None:
            return unread(self.error or "no machine readable zone was read")
        return judge(
            checks_valid=self.mrz.format is not None and self.mrz.valid,
            fields=self.fields,
            flags=self.flags,
            read=self.mrz.verdict,
        )

    def to_json(self, *, include_file: bool = True) -> dict[str, Any]:
        """The object of the command-line contract."""
        out: dict[str, Any] = {}
        if include_file:
            out["file"] = self.file
            if self.page is not None:
                out["page"] = self.page
        out["status"] = self.status
        out["error"] = self.error
        out["document"] = {"format": self.format, "code": self.document_code}
        out["mrz"] = (
            None
            if self.mrz is None
            else {
                "lines": list(self.mrz.lines),
                "valid": self.mrz.valid,
                "checks": {k: self.mrz.checks.get(k, "absent") for k in CHECK_KEYS},
            }
        )
        out["fields"] = {k: f.to_json() for k, f in self.fields.items()}
        verdict = self.verdict
        out["verified"] = verdict.verified
        out["accepted"] = verdict.accepted
        out["flags"] = [f.to_json() for f in self.flags]
        out["timings_ms"] = {k: round(float(v), 1) for k, v in self.timings_ms.items()}
        out["text"] = [t.to_json() for t in self.text]
        out["portrait"] = self.portrait.to_json() if self.portrait is not None else None
        return out
