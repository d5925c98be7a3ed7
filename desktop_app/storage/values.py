"""The plain frozen values the storage hands out. No ORM object ever leaves the package.

Times are aware UTC datetimes. Field values are decrypted plain text; document numbers
in list items are masked unless the caller asked otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

ReviewStatus = Literal["pending", "approved", "rejected"]
ListStatus = Literal["pending", "approved", "rejected", "confirmed"]
CorrectionStage = Literal["confirm", "flag", "review"]
ExportFormat = Literal["csv", "json"]


@dataclass(frozen=True, slots=True)
class StoredField:
    """One field as stored: the value to use, what OCR read, and where each came from."""

    key: str
    value: str
    """The final value (record) or the value the operator proposed (review)."""
    ocr_value: str | None
    """What the reader returned; None when the field was typed in by hand."""
    source: str
    """Source of ``value``: ``mrz``, ``viz``, ``mrz+viz`` or ``operator``."""
    ocr_source: str | None
    confidence: float | None
    status: str | None
    reason: str | None = None

    @property
    def corrected(self) -> bool:
        return self.ocr_value != self.value


@dataclass(frozen=True, slots=True)
class CorrectionInfo:
    """One field changed by a person: from the OCR value to the final value."""

    key: str
    ocr_value: str | None
    final_value: str
    operator: str
    at: datetime
    stage: CorrectionStage
    """``confirm`` (operator at confirm), ``flag`` (operator before flagging), ``review`` (reviewer)."""


@dataclass(frozen=True, slots=True)
class ReviewReason:
    code: str
    message: str


def _frozen(m: Mapping[str, StoredField]) -> Mapping[str, StoredField]:
    return MappingProxyType(dict(m))


@dataclass(frozen=True, slots=True)
class RecordSummary:
    """A confirmed record as a list shows it."""

    id: int
    confirmed_at: datetime
    confirmed_by: str
    workstation: str
    document_format: str | None
    document_code: str | None
    issuing_country: str | None
    document_number: str | None
    """Masked (``L89****C3``) unless asked for in full."""
    surname: str | None
    given_names: str | None
    review_id: int | None


@dataclass(frozen=True)
class RecordDetail:
    """A confirmed record in full: every field, every correction."""

    id: int
    confirmed_at: datetime
    confirmed_by: str
    workstation: str
    document_format: str | None
    document_code: str | None
    review_id: int | None
    source_file: str | None
    fields: Mapping[str, StoredField] = field(default_factory=dict)
    corrections: tuple[CorrectionInfo, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", _frozen(self.fields))

    def value(self, key: str) -> str | None:
        f = self.fields.get(key)
        return None if f is None else f.value


@dataclass(frozen=True, slots=True)
class ReviewSummary:
    """A review item as the queue shows it."""

    id: int
    created_at: datetime
    status: ReviewStatus
    operator: str
    workstation: str
    reason_codes: tuple[str, ...]
    document_format: str | None
    document_code: str | None
    document_number: str | None
    """Masked unless asked for in full."""
    surname: str | None
    given_names: str | None
    reviewer: str | None
    reviewed_at: datetime | None
    record_id: int | None
    """The confirmed record made when the review was approved."""
    has_image: bool


@dataclass(frozen=True)
class ReviewDetail:
    """A review item in full, for the reviewer."""

    id: int
    created_at: datetime
    status: ReviewStatus
    operator: str
    workstation: str
    result_status: str
    document_format: str | None
    document_code: str | None
    reasons: tuple[ReviewReason, ...]
    source_file: str | None
    reviewer: str | None
    reviewed_at: datetime | None
    comment: str | None
    record_id: int | None
    has_image: bool
    fields: Mapping[str, StoredField] = field(default_factory=dict)
    corrections: tuple[CorrectionInfo, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", _frozen(self.fields))

    def value(self, key: str) -> str | None:
        f = self.fields.get(key)
        return None if f is None else f.value


@dataclass(frozen=True)
class AuditEntryInfo:
    """One audit entry (ids, field keys, counts; never a field value)."""

    id: int
    at: datetime
    actor: str
    workstation: str
    action: str
    """``record.create``, ``record.correct``, ``review.flag``, ``review.approve``,
    ``review.reject``, ``export`` or ``purge``."""
    entity: str
    entity_id: int | None
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    format: ExportFormat
    count: int
    skipped: tuple[int, ...] = ()
    """Ids of records left out because a value fails to decrypt or the row fails its MAC."""


@dataclass(frozen=True, slots=True)
class PurgeResult:
    cutoff: datetime
    records: int
    reviews: int
    images: int
    pending_kept: int
    """Pending reviews older than the cutoff, kept because nobody has decided them yet."""
    pending_images: int = 0
    """Images of pending reviews dropped because they were kept longer than allowed."""
    backups: int = 0
    """Pre-migration backup copies deleted because they held data older than the cutoff."""
