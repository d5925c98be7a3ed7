"""The tables (SQLAlchemy 2.0 declarative). Internal: nothing here leaves the storage package.

Columns ending in ``_enc`` hold AES-GCM blobs (see :mod:`.crypto`); columns ending in
``_index`` hold keyed HMACs for exact look-ups. Everything else is plain: times, ids,
operator and workstation names, field keys, sources, statuses, machine reason codes.

The schema is changed only through the Alembic revisions in ``migrations/versions``;
a test checks that those revisions and these models agree.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

REVIEW_STATUSES = ("pending", "approved", "rejected")
CORRECTION_STAGES = ("confirm", "flag", "review")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out; stored naive UTC on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class StoreMeta(Base):
    """Small named values about the database itself (key check value)."""

    __tablename__ = "store_meta"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Review(Base):
    """A flagged scan waiting for (or closed by) a reviewer."""

    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    operator: Mapped[str] = mapped_column(String(128))
    workstation: Mapped[str] = mapped_column(String(128))
    result_status: Mapped[str] = mapped_column(String(16))
    document_format: Mapped[str | None] = mapped_column(String(8))
    document_code: Mapped[str | None] = mapped_column(String(4))
    reason_codes: Mapped[str] = mapped_column(Text)
    """Comma-separated machine codes of the reasons (no personal data)."""
    reasons_enc: Mapped[bytes] = mapped_column(LargeBinary)
    """The reasons with their messages, JSON, encrypted (messages may quote values)."""
    document_number_index: Mapped[str | None] = mapped_column(String(64), index=True)
    surname_index: Mapped[str | None] = mapped_column(String(64), index=True)
    source_file_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    reviewer: Mapped[str | None] = mapped_column(String(128))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    row_mac: Mapped[str | None] = mapped_column(String(64))
    """HMAC over this row, its fields and corrections (see :mod:`.rowmac`); revision 0003."""


class ReviewField(Base):
    """One field of a flagged scan: OCR value and the value the operator proposed."""

    __tablename__ = "review_fields"
    __table_args__ = (UniqueConstraint("review_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(32))
    ocr_value_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    proposed_value_enc: Mapped[bytes] = mapped_column(LargeBinary)
    source: Mapped[str] = mapped_column(String(16))
    ocr_source: Mapped[str | None] = mapped_column(String(16))
    confidence: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str | None] = mapped_column(String(16))
    reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)


class Record(Base):
    """A confirmed record: who confirmed it, when, where."""

    __tablename__ = "records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    confirmed_by: Mapped[str] = mapped_column(String(128))
    workstation: Mapped[str] = mapped_column(String(128))
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="SET NULL"), unique=True)
    document_format: Mapped[str | None] = mapped_column(String(8))
    document_code: Mapped[str | None] = mapped_column(String(4))
    document_number_index: Mapped[str | None] = mapped_column(String(64), index=True)
    surname_index: Mapped[str | None] = mapped_column(String(64), index=True)
    source_file_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    row_mac: Mapped[str | None] = mapped_column(String(64))
    """HMAC over this row, its fields and corrections (see :mod:`.rowmac`); revision 0003."""


class RecordField(Base):
    """One field of a confirmed record: final value, OCR value, sources."""

    __tablename__ = "record_fields"
    __table_args__ = (UniqueConstraint("record_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(32))
    final_value_enc: Mapped[bytes] = mapped_column(LargeBinary)
    ocr_value_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    source: Mapped[str] = mapped_column(String(16))
    """Where the final value came from: ``mrz``, ``viz``, ``mrz+viz`` or ``operator``."""
    ocr_source: Mapped[str | None] = mapped_column(String(16))
    confidence: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str | None] = mapped_column(String(16))


class Correction(Base):
    """One field an operator or reviewer changed from the OCR value.

    Belongs to exactly one owner: a record (stage ``confirm``) or a review (stages ``flag``,
    by the operator who flagged it, and ``review``, by the reviewer who approved it). A
    record made from a review shows its own corrections and its review's.
    """

    __tablename__ = "corrections"
    __table_args__ = (
        CheckConstraint("stage IN ('confirm', 'flag', 'review')", name="stage"),
        CheckConstraint("(record_id IS NULL) <> (review_id IS NULL)", name="owner"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(32))
    ocr_value_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    final_value_enc: Mapped[bytes] = mapped_column(LargeBinary)
    operator: Mapped[str] = mapped_column(String(128))
    stage: Mapped[str] = mapped_column(String(16))
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Append-only, hash-chained (HMAC) log of every create, change, review, export, purge.

    ``details`` is canonical JSON with ids, field keys and counts only, never values.
    ``id`` is assigned by the writer (last id + 1) so that a deleted row leaves a gap.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(128))
    workstation: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32), index=True)
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The one row (id 1) naming the last audit entry, MAC'd, so a cut-off tail is caught.

    Every write transaction locks it first (``SELECT ... FOR UPDATE`` on PostgreSQL;
    SQLite write transactions are ``BEGIN IMMEDIATE``), which serialises the chain.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))


class ReviewImage(Base):
    """The scanned image of a review item, encrypted; only kept when the setting says so.

    Dropped when the review is approved or rejected. Added in revision 0002.
    """

    __tablename__ = "review_images"

    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    image_enc: Mapped[bytes] = mapped_column(LargeBinary)


class AuditCheckpoint(Base):
    """One checkpoint of the audit chain per write transaction (see :mod:`.checkpoint`).

    Insert-only on PostgreSQL (a trigger refuses UPDATE, DELETE and TRUNCATE; revision 0003).
    """

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, index=True)
    last_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(String(40))
    """UTC ISO 8601 text, exactly as signed."""
    key_id: Mapped[str | None] = mapped_column(String(32))
    signature: Mapped[str | None] = mapped_column(String(128))


class RecordChipRead(Base):
    """The e-passport chip read of a confirmed record (issue 16), added in revision 0004_chip.

    One row per record that had its chip read; records without one (all older records) have
    none. The result (the chip's fields, the portrait's hash, passive authentication) is
    personal data and encrypted; the passive-authentication status is a status word.
    """

    __tablename__ = "record_chip_reads"

    record_id: Mapped[int] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)
    result_enc: Mapped[bytes] = mapped_column(LargeBinary)
    passive_auth: Mapped[str] = mapped_column(String(16))
