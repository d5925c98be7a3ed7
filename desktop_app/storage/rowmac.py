"""Per-row MACs: one HMAC over a record (or review), its field rows and its corrections.

The field values are already AES-GCM blobs bound to their row and field, but the plain
columns beside them (who confirmed, when, the review's status, sources, confidences) and
the *set* of rows (a field row or a correction deleted) were not authenticated. The MAC
covers the owner's plain columns, a SHA-256 of every blob, and every field and correction
row, in a canonical order. It is checked when a record or review is read in full and by
``audit verify``, and the audit entry that created or changed the row carries it, so the
(signed) audit chain also pins it against someone who holds the master key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .crypto import Keys
from .models import Correction, Record, RecordField, Review, ReviewField

DOMAIN = "passport-desk/row/v1"


def _blob(b: bytes | None) -> str | None:
    return None if b is None else hashlib.sha256(b).hexdigest()


def _time(t: datetime | None) -> str | None:
    return None if t is None else t.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def _corrections(rows: Sequence[Correction]) -> list[list[Any]]:
    items = [
        [c.stage, c.key, c.operator, _time(c.corrected_at), _blob(c.ocr_value_enc), _blob(c.final_value_enc)]
        for c in rows
    ]
    return sorted(items, key=json.dumps)


def _mac(keys: Keys, kind: str, body: list[Any]) -> str:
    data = json.dumps([DOMAIN, kind, body], separators=(",", ":"), ensure_ascii=True).encode()
    return hmac.new(keys.rows, data, hashlib.sha256).hexdigest()


def record_mac(keys: Keys, rec: Record, fields: Sequence[RecordField], corrections: Sequence[Correction]) -> str:
    owner = [
        rec.id,
        rec.uid,
        _time(rec.confirmed_at),
        rec.confirmed_by,
        rec.workstation,
        rec.review_id,
        rec.document_format,
        rec.document_code,
        rec.document_number_index,
        rec.surname_index,
        _blob(rec.source_file_enc),
    ]
    rows = sorted(
        [f.key, _blob(f.final_value_enc), _blob(f.ocr_value_enc), f.source, f.ocr_source, f.confidence, f.status]
        for f in fields
    )
    return _mac(keys, "record", [owner, rows, _corrections(corrections)])


def review_mac(keys: Keys, rev: Review, fields: Sequence[ReviewField], corrections: Sequence[Correction]) -> str:
    owner = [
        rev.id,
        rev.uid,
        _time(rev.created_at),
        rev.status,
        rev.operator,
        rev.workstation,
        rev.result_status,
        rev.document_format,
        rev.document_code,
        rev.reason_codes,
        _blob(rev.reasons_enc),
        rev.document_number_index,
        rev.surname_index,
        _blob(rev.source_file_enc),
        rev.reviewer,
        _time(rev.reviewed_at),
        _blob(rev.comment_enc),
    ]
    rows = sorted(
        [
            f.key,
            _blob(f.proposed_value_enc),
            _blob(f.ocr_value_enc),
            f.source,
            f.ocr_source,
            f.confidence,
            f.status,
            _blob(f.reason_enc),
        ]
        for f in fields
    )
    return _mac(keys, "review", [owner, rows, _corrections(corrections)])


def compute_record(session: Session, keys: Keys, rec: Record) -> str:
    """The MAC of ``rec`` as its rows stand in ``session`` (flush first when writing)."""
    fields = list(session.scalars(select(RecordField).where(RecordField.record_id == rec.id)))
    corr = list(session.scalars(select(Correction).where(Correction.record_id == rec.id)))
    return record_mac(keys, rec, fields, corr)


def compute_review(session: Session, keys: Keys, rev: Review) -> str:
    fields = list(session.scalars(select(ReviewField).where(ReviewField.review_id == rev.id)))
    corr = list(session.scalars(select(Correction).where(Correction.review_id == rev.id)))
    return review_mac(keys, rev, fields, corr)


def seal(session: Session, keys: Keys, owner: Record | Review) -> str:
    """Compute and store the owner's MAC (in the caller's write transaction); return it."""
    session.flush()
    mac = compute_record(session, keys, owner) if isinstance(owner, Record) else compute_review(session, keys, owner)
    owner.row_mac = mac
    return mac


def intact(session: Session, keys: Keys, owner: Record | Review) -> bool:
    if owner.row_mac is None:
        return False
    mac = compute_record(session, keys, owner) if isinstance(owner, Record) else compute_review(session, keys, owner)
    return hmac.compare_digest(mac, owner.row_mac)
