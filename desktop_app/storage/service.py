"""The record service: every public operation is one short transaction.

Write operations lock the audit chain first (see :mod:`.audit`), do all their work and
append their audit entries in the same transaction: either all of it is saved or none
of it. Read operations use their own short read transaction. No session or ORM object
outlives a call; what comes back is a frozen value from :mod:`.values`.
"""

from __future__ import annotations

import json
import logging
import socket
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import monotonic
from typing import Final, TypeVar, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.core.types import FIELD_KEYS, DocumentResult, Flag

from . import audit, backups, rotation, rowmac
from .checkpoint import Checkpoint, append_to_folder, checkpoint_file, make_checkpoint, read_file
from .contexts import Column, Owner, aad
from .crypto import FieldCipher, Keys, mask_document_number
from .engine import reader
from .errors import (
    DecryptionError,
    InvalidInputError,
    NotFoundError,
    ReviewStateError,
    StorageError,
    TamperedError,
    translate,
)
from .exportfile import resolve_export_path, to_csv, write_private_file
from .integrity import verify_rows
from .models import (
    AuditCheckpoint,
    AuditEntry,
    AuditHead,
    Correction,
    Record,
    RecordField,
    Review,
    ReviewField,
    ReviewImage,
    StoreMeta,
)
from .paths import sqlite_file
from .signing import AuditSigner
from .values import (
    AuditEntryInfo,
    CorrectionInfo,
    CorrectionStage,
    ExportFormat,
    ExportResult,
    PurgeResult,
    RecordDetail,
    RecordSummary,
    ReviewDetail,
    ReviewReason,
    ReviewStatus,
    ReviewSummary,
    StoredField,
)

log = logging.getLogger(__name__)

SUMMARY_KEYS: Final = ("document_number", "surname", "given_names", "issuing_country")
MAX_VALUE_CHARS: Final = 500
MAX_NAME_CHARS: Final = 128
MAX_IMAGE_BYTES: Final = 64 * 1024 * 1024
_CHUNK: Final = 500
RETENTION_INTERVAL_S: Final = 24 * 3600.0
SCHEMA_SEEN: Final = "schema_revision"

T = TypeVar("T")
DateLike = date | datetime


@dataclass(frozen=True, slots=True)
class StoreSettings:
    """How a :class:`Store` behaves. All have safe defaults."""

    keep_review_images: bool = False
    """Keep the scan of a flagged document (encrypted) until its review closes."""
    busy_timeout_s: float = 10.0
    """How long a save waits for another window's save before :class:`DatabaseLockedError`."""
    create: bool = True
    """Create the schema in an empty database (an older schema is never upgraded here), and a
    missing SQLite file, key or signing key. False for read-only commands."""
    sign_checkpoints: bool = True
    """Sign audit checkpoints with the audit signing key (see :mod:`.signing`)."""
    audit_signing_key: Path | None = None
    """The signing key file; None for the default (env, else the config folder)."""
    checkpoint_dir: Path | None = None
    """A folder to append signed checkpoints to (a share, ideally); None for none."""
    retention_days: int | None = None
    """Apply this retention period at open and once a day while open; None: only on request."""
    pending_image_days: int = 30
    """Images kept with a review that is still pending are dropped after this many days."""
    pending_overdue_days: int = 14
    """Pending reviews older than this are reported (audited, logged) as overdue."""


@dataclass(frozen=True, slots=True)
class _FieldIn:
    key: str
    value: str
    ocr_value: str | None
    source: str
    ocr_source: str | None
    confidence: float | None
    status: str | None
    reason: str | None

    @property
    def changed(self) -> bool:
        return self.ocr_value != self.value


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _local_midnight_utc(d: date) -> datetime:
    return datetime.combine(d, time()).astimezone().astimezone(UTC)


def _since_bound(since: DateLike | None) -> datetime | None:
    if since is None:
        return None
    if isinstance(since, datetime):
        return (since if since.tzinfo else since.astimezone()).astimezone(UTC)
    return _local_midnight_utc(since)


def _until_bound(until: DateLike | None) -> tuple[datetime, bool] | None:
    """(bound, inclusive). A date covers that whole (local) day."""
    if until is None:
        return None
    if isinstance(until, datetime):
        return (until if until.tzinfo else until.astimezone()).astimezone(UTC), True
    return _local_midnight_utc(until + timedelta(days=1)), False


def _check_person(value: str, what: str) -> str:
    v = (value or "").strip()
    if not v:
        raise InvalidInputError(f"The {what} must be given.")
    if len(v) > MAX_NAME_CHARS:
        raise InvalidInputError(f"The {what} is longer than {MAX_NAME_CHARS} characters.")
    return v


def _check_key(key: str) -> None:
    if key not in FIELD_KEYS:
        raise InvalidInputError(f"Unknown field {key!r}; expected one of: {', '.join(FIELD_KEYS)}.")


def _check_value(key: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"The value of {key} must be text.")
    if len(value) > MAX_VALUE_CHARS:
        raise InvalidInputError(f"The value of {key} is longer than {MAX_VALUE_CHARS} characters.")
    return value


def _field_order(keys: Iterable[str]) -> list[str]:
    order = {k: i for i, k in enumerate(FIELD_KEYS)}
    return sorted(set(keys), key=lambda k: (order.get(k, len(order)), k))


def _chunks(items: Sequence[T], n: int = _CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def id_ranges(ids: Iterable[int]) -> list[list[int]]:
    """``[1, 2, 3, 7]`` -> ``[[1, 3], [7, 7]]``: ids of purged rows, compact, for the audit entry."""
    out: list[list[int]] = []
    for i in sorted(set(ids)):
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


def _reasons_of(reasons: Sequence[Flag | ReviewReason | str], result: DocumentResult) -> list[ReviewReason]:
    out: list[ReviewReason] = []
    for r in reasons or result.flags:
        if isinstance(r, Flag | ReviewReason):
            out.append(ReviewReason(r.code, r.message))
        elif isinstance(r, str) and r.strip():
            out.append(ReviewReason("operator", r.strip()))
    if not out:
        out.append(ReviewReason("operator", "Sent for review by the operator."))
    return out


class _MissingCheckpoints(Exception):
    pass


class Store:
    """Records, the review queue, the audit chain and privacy operations on one database.

    Make one with :func:`desktop_app.storage.open_store`. Thread-safe: every method opens
    and closes its own session; share one :class:`Store` between threads of a process.
    """

    def __init__(
        self,
        engine: Engine,
        keys: Keys,
        settings: StoreSettings,
        url_for_display: str,
        *,
        signer: AuditSigner | None = None,
        resolved_url: str | None = None,
    ) -> None:
        self._engine = engine
        self._keys = keys
        self._cipher = FieldCipher(keys)
        self._signer = signer
        self._sqlite_path = sqlite_file(resolved_url) if resolved_url else None
        self._retention_last: float | None = monotonic()  # open_store applies it at open itself
        self._in_retention = False
        self.settings = settings
        self.database = url_for_display
        """The database URL, password hidden."""
        self._write_sessions = sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
        self._read_sessions = sessionmaker(bind=reader(engine), expire_on_commit=False, autoflush=False)

    # -- plumbing ----------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, for tests, benchmarks and maintenance tools only."""
        return self._engine

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def close(self) -> None:
        """Release every pooled connection. The store must not be used afterwards."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[tuple[Session, AuditHead]]:
        """One write transaction, chain locked first; driver errors become StorageErrors.

        A transaction that appended audit entries also stores a checkpoint of the chain (in
        the table, and after the commit in the checkpoint folder, if any).
        """
        made: list[Checkpoint] = []
        try:
            with self._write_sessions.begin() as session:
                head = audit.lock_head(session)
                start = head.last_id
                # New blobs use the database's current key id (a rotation elsewhere moves it).
                self._cipher.key_id = rotation.current_key_id(session)
                yield session, head
                if head.last_id != start:
                    made.append(self._store_checkpoint(session, head))
        except StorageError:
            raise
        except sa_exc.SQLAlchemyError as e:
            err = translate(e)
            log.warning("Save failed: %s (%s)", type(err).__name__, type(e.__cause__ or e).__name__)
            raise err from e
        for cp in made:
            self._export_checkpoint(cp)
        self._retention_if_due()

    def _store_checkpoint(self, session: Session, head: AuditHead) -> Checkpoint:
        cp = make_checkpoint(
            audit.database_uid(session) or "", head.last_id, head.last_hash, _utcnow(), self._signer
        )
        session.add(
            AuditCheckpoint(
                count=cp.count, last_hash=cp.last_hash, at=cp.at, key_id=cp.key_id, signature=cp.signature
            )
        )
        return cp

    def _export_checkpoint(self, cp: Checkpoint) -> None:
        """Best effort, after the commit: the save stands even if the folder is unreachable."""
        folder = self.settings.checkpoint_dir
        if folder is None or cp.signature is None or not cp.database:
            return
        try:
            append_to_folder(folder, cp)
        except OSError as e:
            log.warning(
                "Audit checkpoint not written to the checkpoint folder (%s)", e.strerror or type(e).__name__
            )

    @contextmanager
    def _read(self) -> Iterator[Session]:
        try:
            with self._read_sessions.begin() as session:
                yield session
        except StorageError:
            raise
        except sa_exc.SQLAlchemyError as e:
            raise translate(e) from e
        self._retention_if_due()

    def _enc(self, value: str | None, ctx: str) -> bytes | None:
        return self._cipher.encrypt_opt(value, ctx)

    def _dec(self, blob: bytes | None, ctx: str) -> str | None:
        return self._cipher.decrypt_opt(blob, ctx)

    # -- building rows -----------------------------------------------------------
    def _merge(self, result: DocumentResult, final_values: Mapping[str, str]) -> list[_FieldIn]:
        for key, value in final_values.items():
            _check_key(key)
            _check_value(key, value)
        out: list[_FieldIn] = []
        for key in _field_order([*result.fields.keys(), *final_values.keys()]):
            ocr = result.fields.get(key)
            if key in final_values:
                value = final_values[key]
            elif ocr is not None:
                value = ocr.value
            else:
                continue
            if ocr is None and value == "":
                continue
            changed = ocr is None or value != ocr.value
            out.append(
                _FieldIn(
                    key=key,
                    value=value,
                    ocr_value=None if ocr is None else ocr.value,
                    source="operator" if changed or ocr is None else ocr.source,
                    ocr_source=None if ocr is None else ocr.source,
                    confidence=None if ocr is None else float(ocr.confidence),
                    status=None if ocr is None else ocr.status,
                    reason=None if ocr is None else ocr.reason,
                )
            )
        return out

    def _add_record(
        self,
        session: Session,
        fields: Sequence[_FieldIn],
        *,
        confirmed_by: str,
        workstation: str,
        document_format: str | None,
        document_code: str | None,
        source_file: str | None,
        review_id: int | None,
        now: datetime,
    ) -> Record:
        uid = uuid.uuid4().hex
        values = {f.key: f.value for f in fields}
        rec = Record(
            uid=uid,
            confirmed_at=now,
            confirmed_by=confirmed_by,
            workstation=workstation,
            review_id=review_id,
            document_format=document_format,
            document_code=document_code,
            document_number_index=self._cipher.document_number_index(values.get("document_number")),
            surname_index=self._cipher.surname_index(values.get("surname")),
            source_file_enc=self._enc(source_file, aad("record", uid, Column.SOURCE_FILE)),
        )
        session.add(rec)
        session.flush()
        session.add_all(
            RecordField(
                record_id=rec.id,
                key=f.key,
                final_value_enc=self._cipher.encrypt(f.value, aad("record", uid, Column.FINAL, field=f.key)),
                ocr_value_enc=self._enc(f.ocr_value, aad("record", uid, Column.OCR, field=f.key)),
                source=f.source,
                ocr_source=f.ocr_source,
                confidence=f.confidence,
                status=f.status,
            )
            for f in fields
        )
        return rec

    def _add_corrections(
        self,
        session: Session,
        owner: Record | Review,
        changes: Iterable[tuple[str, str | None, str]],
        *,
        operator: str,
        stage: CorrectionStage,
        now: datetime,
    ) -> list[str]:
        keys: list[str] = []
        kind: Owner = "record" if isinstance(owner, Record) else "review"
        for key, ocr_value, final_value in changes:
            session.add(
                Correction(
                    record_id=owner.id if isinstance(owner, Record) else None,
                    review_id=owner.id if isinstance(owner, Review) else None,
                    key=key,
                    ocr_value_enc=self._enc(
                        ocr_value, aad(kind, owner.uid, Column.OCR, field=key, stage=stage)
                    ),
                    final_value_enc=self._cipher.encrypt(
                        final_value, aad(kind, owner.uid, Column.FINAL, field=key, stage=stage)
                    ),
                    operator=operator,
                    stage=stage,
                    corrected_at=now,
                )
            )
            keys.append(key)
        return keys

    # -- operator ----------------------------------------------------------------
    def confirm_record(
        self,
        result: DocumentResult,
        final_values: Mapping[str, str],
        *,
        operator: str,
        workstation: str,
        acknowledged: Sequence[str] = (),
    ) -> int:
        """Save a confirmed record; return its id.

        ``acknowledged``: the findings the operator explicitly acknowledged before saving
        (expired, minor, specimen); the audit entry records them.

        ``final_values`` holds the values the operator confirmed, by field key (keys of
        :data:`FIELD_KEYS`); a field not in it keeps its OCR value. Every field whose final
        value differs from its OCR value gets a correction row. One transaction.
        """
        operator = _check_person(operator, "operator")
        workstation = _check_person(workstation, "workstation")
        fields = self._merge(result, final_values)
        now = _utcnow()
        with self._write() as (session, head):
            rec = self._add_record(
                session,
                fields,
                confirmed_by=operator,
                workstation=workstation,
                document_format=result.format,
                document_code=result.document_code,
                source_file=result.file,
                review_id=None,
                now=now,
            )
            corrected = self._add_corrections(
                session,
                rec,
                ((f.key, f.ocr_value, f.value) for f in fields if f.changed),
                operator=operator,
                stage="confirm",
                now=now,
            )
            mac = rowmac.seal(session, self._keys, rec)
            audit.append(
                session,
                self._keys,
                head,
                actor=operator,
                workstation=workstation,
                action="record.create",
                entity="record",
                entity_id=rec.id,
                details={"fields": len(fields), "corrected_fields": corrected, "row_mac": mac}
                | ({"acknowledged": list(acknowledged)} if acknowledged else {}),
                now=now,
            )
            if corrected:
                audit.append(
                    session,
                    self._keys,
                    head,
                    actor=operator,
                    workstation=workstation,
                    action="record.correct",
                    entity="record",
                    entity_id=rec.id,
                    details={"stage": "confirm", "fields": corrected},
                    now=now,
                )
            record_id = rec.id
        log.info("Saved confirmed record %d (%d corrected fields)", record_id, len(corrected))
        return record_id

    def flag_for_review(
        self,
        result: DocumentResult,
        final_values: Mapping[str, str],
        reasons: Sequence[Flag | ReviewReason | str],
        *,
        operator: str,
        workstation: str,
        image_bytes: bytes | None = None,
    ) -> int:
        """Put a scan in the review queue (status ``pending``); return the review id.

        ``final_values`` as for :meth:`confirm_record` (the values the operator proposes).
        ``reasons``: flags, reasons or plain sentences; empty means the result's own flags.
        ``image_bytes`` (the encoded scan) is kept, encrypted, only when
        :attr:`StoreSettings.keep_review_images` is on, and dropped when the review closes.
        """
        return self.flag_batch_for_review(
            [(result, final_values, reasons, image_bytes)], operator=operator, workstation=workstation
        )[0]

    def flag_batch_for_review(
        self,
        items: Sequence[
            tuple[DocumentResult, Mapping[str, str], Sequence[Flag | ReviewReason | str], bytes | None]
        ],
        *,
        operator: str,
        workstation: str,
    ) -> list[int]:
        """Flag several scans in one transaction (all or none); ids in the same order.

        Each item is ``(result, final_values, reasons, image_bytes)`` as for
        :meth:`flag_for_review`. Used by ``scan --save``.
        """
        operator = _check_person(operator, "operator")
        workstation = _check_person(workstation, "workstation")
        prepared = []
        for result, final_values, reasons, image_bytes in items:
            if image_bytes is not None and len(image_bytes) > MAX_IMAGE_BYTES:
                raise InvalidInputError("The image is too large to keep with the review.")
            prepared.append(
                (result, self._merge(result, final_values), _reasons_of(reasons, result), image_bytes)
            )
        now = _utcnow()
        ids: list[int] = []
        with self._write() as (session, head):
            for result, fields, why, image_bytes in prepared:
                ids.append(
                    self._add_review(
                        session,
                        head,
                        result,
                        fields=fields,
                        why=why,
                        image_bytes=image_bytes,
                        operator=operator,
                        workstation=workstation,
                        now=now,
                    )
                )
        for rid in ids:
            log.info("Flagged scan for review %d", rid)
        return ids

    def _add_review(
        self,
        session: Session,
        head: AuditHead,
        result: DocumentResult,
        *,
        fields: Sequence[_FieldIn],
        why: Sequence[ReviewReason],
        image_bytes: bytes | None,
        operator: str,
        workstation: str,
        now: datetime,
    ) -> int:
        keep_image = bool(image_bytes) and self.settings.keep_review_images
        values = {f.key: f.value for f in fields}
        uid = uuid.uuid4().hex
        rev = Review(
            uid=uid,
            created_at=now,
            status="pending",
            operator=operator,
            workstation=workstation,
            result_status=result.status,
            document_format=result.format,
            document_code=result.document_code,
            reason_codes="",  # encrypted with the messages in reasons_enc: `minor`, `expired` tell an age group
            reasons_enc=self._cipher.encrypt(
                json.dumps([[r.code, r.message] for r in why]), aad("review", uid, Column.REASONS)
            ),
            document_number_index=self._cipher.document_number_index(values.get("document_number")),
            surname_index=self._cipher.surname_index(values.get("surname")),
            source_file_enc=self._enc(result.file, aad("review", uid, Column.SOURCE_FILE)),
        )
        session.add(rev)
        session.flush()
        session.add_all(
            ReviewField(
                review_id=rev.id,
                key=f.key,
                ocr_value_enc=self._enc(f.ocr_value, aad("review", uid, Column.OCR, field=f.key)),
                proposed_value_enc=self._cipher.encrypt(
                    f.value, aad("review", uid, Column.PROPOSED, field=f.key)
                ),
                source=f.source,
                ocr_source=f.ocr_source,
                confidence=f.confidence,
                status=f.status,
                reason_enc=self._enc(f.reason, aad("review", uid, Column.REASON, field=f.key)),
            )
            for f in fields
        )
        corrected = self._add_corrections(
            session,
            rev,
            ((f.key, f.ocr_value, f.value) for f in fields if f.changed),
            operator=operator,
            stage="flag",
            now=now,
        )
        if keep_image and image_bytes:
            session.add(
                ReviewImage(
                    review_id=rev.id,
                    created_at=now,
                    image_enc=self._cipher.encrypt_bytes(image_bytes, aad("review", uid, Column.IMAGE)),
                )
            )
        mac = rowmac.seal(session, self._keys, rev)
        audit.append(
            session,
            self._keys,
            head,
            actor=operator,
            workstation=workstation,
            action="review.flag",
            entity="review",
            entity_id=rev.id,
            details={
                "fields": len(fields),
                "corrected_fields": corrected,
                "reasons": len(why),
                "image_kept": keep_image,
                "row_mac": mac,
            },
            now=now,
        )
        return rev.id

    # -- reviewer ----------------------------------------------------------------
    def _pending_review(self, session: Session, review_id: int) -> Review:
        rev = session.execute(
            select(Review).where(Review.id == review_id).with_for_update()
        ).scalar_one_or_none()
        if rev is None:
            raise NotFoundError(f"Review {review_id} does not exist (or was purged).")
        if rev.status != "pending":
            raise ReviewStateError(
                f"Review {review_id} was already {rev.status} by {rev.reviewer or 'someone'}; "
                "nothing was changed."
            )
        self._check_intact(session, rev)
        return rev

    def _check_intact(self, session: Session, owner: Record | Review) -> None:
        if not rowmac.intact(session, self._keys, owner):
            kind = "Record" if isinstance(owner, Record) else "Review"
            log.error("%s %d fails its integrity check", kind, owner.id)
            raise TamperedError(
                f"{kind} {owner.id} fails its integrity check: it was changed outside the application. "
                "Nothing was changed; run `passport-desk audit verify` and tell the security officer."
            )

    def _drop_image(self, session: Session, review_id: int) -> bool:
        res = session.execute(delete(ReviewImage).where(ReviewImage.review_id == review_id))
        return bool(getattr(res, "rowcount", 0))

    def approve_review(
        self,
        review_id: int,
        corrections: Mapping[str, str] | None = None,
        *,
        reviewer: str,
        comment: str | None = None,
        workstation: str | None = None,
        allow_self_review: bool = False,
    ) -> int:
        """Approve a pending review, applying the reviewer's own ``corrections``; return the new record id.

        Four eyes: the operator who flagged the document may not approve it
        (:class:`ReviewStateError`) unless ``allow_self_review`` (a one-person branch);
        the audit entry of the decision then says ``self_review``.

        The confirmed record is made in the same transaction; it is confirmed by the
        reviewer at ``workstation`` (default: the workstation that flagged the scan).
        A kept image is dropped.
        """
        reviewer = _check_person(reviewer, "reviewer")
        corrections = dict(corrections or {})
        for key, value in corrections.items():
            _check_key(key)
            _check_value(key, value)
        if comment is not None:
            _check_value("comment", comment)
        now = _utcnow()
        with self._write() as (session, head):
            rev = self._pending_review(session, review_id)
            self_review = rev.operator.strip().casefold() == reviewer.strip().casefold()
            if self_review and not allow_self_review:
                raise ReviewStateError(
                    f"Review {review_id} was flagged by {rev.operator}: another person must approve it."
                )
            station = _check_person(workstation, "workstation") if workstation else rev.workstation
            rows = {
                f.key: f for f in session.scalars(select(ReviewField).where(ReviewField.review_id == rev.id))
            }
            fields: list[_FieldIn] = []
            changes: list[tuple[str, str | None, str]] = []
            for key in _field_order([*rows.keys(), *corrections.keys()]):
                row = rows.get(key)
                ocr_value = (
                    None
                    if row is None
                    else self._dec(row.ocr_value_enc, aad("review", rev.uid, Column.OCR, field=key))
                )
                proposed = (
                    None
                    if row is None
                    else self._cipher.decrypt(
                        row.proposed_value_enc, aad("review", rev.uid, Column.PROPOSED, field=key)
                    )
                )
                final = corrections.get(key, proposed)
                if final is None or (row is None and final == ""):
                    continue
                if key in corrections and final != proposed:
                    changes.append((key, ocr_value, final))
                fields.append(
                    _FieldIn(
                        key=key,
                        value=final,
                        ocr_value=ocr_value,
                        source="operator"
                        if final != ocr_value
                        else (row.ocr_source if row else "operator") or "operator",
                        ocr_source=None if row is None else row.ocr_source,
                        confidence=None if row is None else row.confidence,
                        status=None if row is None else row.status,
                        reason=None,
                    )
                )
            source_file = self._dec(rev.source_file_enc, aad("review", rev.uid, Column.SOURCE_FILE))
            rec = self._add_record(
                session,
                fields,
                confirmed_by=reviewer,
                workstation=station,
                document_format=rev.document_format,
                document_code=rev.document_code,
                source_file=source_file,
                review_id=rev.id,
                now=now,
            )
            corrected = self._add_corrections(
                session, rev, changes, operator=reviewer, stage="review", now=now
            )
            self._close_review(
                session,
                head,
                rev,
                status="approved",
                reviewer=reviewer,
                comment=comment,
                station=station,
                now=now,
                details={"record_id": rec.id, "corrected_fields": corrected}
                | ({"self_review": True} if self_review else {}),
            )
            record_mac = rowmac.seal(session, self._keys, rec)
            audit.append(
                session,
                self._keys,
                head,
                actor=reviewer,
                workstation=station,
                action="record.create",
                entity="record",
                entity_id=rec.id,
                details={
                    "fields": len(fields),
                    "review_id": rev.id,
                    "corrected_fields": [f.key for f in fields if f.changed],
                    "row_mac": record_mac,
                },
                now=now,
            )
            if corrected:
                audit.append(
                    session,
                    self._keys,
                    head,
                    actor=reviewer,
                    workstation=station,
                    action="record.correct",
                    entity="record",
                    entity_id=rec.id,
                    details={"stage": "review", "fields": corrected, "review_id": rev.id},
                    now=now,
                )
            record_id = rec.id
        log.info(
            "Approved review %d as record %d (%d reviewer corrections)", review_id, record_id, len(corrected)
        )
        return record_id

    def _close_review(
        self,
        session: Session,
        head: AuditHead,
        rev: Review,
        *,
        status: str,
        reviewer: str,
        comment: str | None,
        station: str,
        now: datetime,
        details: dict[str, object],
    ) -> None:
        """Approve or reject: the review's closing fields, its image dropped, one audit entry."""
        rev.status = status
        rev.reviewer = reviewer
        rev.reviewed_at = now
        rev.comment_enc = self._enc(comment, aad("review", rev.uid, Column.COMMENT))
        dropped = self._drop_image(session, rev.id)
        mac = rowmac.seal(session, self._keys, rev)
        audit.append(
            session,
            self._keys,
            head,
            actor=reviewer,
            workstation=station,
            action="review.approve" if status == "approved" else "review.reject",
            entity="review",
            entity_id=rev.id,
            details={**details, "image_dropped": dropped, "row_mac": mac},
            now=now,
        )

    def reject_review(
        self, review_id: int, *, reviewer: str, comment: str | None = None, workstation: str | None = None
    ) -> None:
        """Reject a pending review (no record is made); a kept image is dropped."""
        reviewer = _check_person(reviewer, "reviewer")
        if comment is not None:
            _check_value("comment", comment)
        now = _utcnow()
        with self._write() as (session, head):
            rev = self._pending_review(session, review_id)
            station = _check_person(workstation, "workstation") if workstation else rev.workstation
            self._close_review(
                session,
                head,
                rev,
                status="rejected",
                reviewer=reviewer,
                comment=comment,
                station=station,
                now=now,
                details={},
            )
        log.info("Rejected review %d", review_id)

    # -- reading -----------------------------------------------------------------
    def _field_values(
        self,
        session: Session,
        model: type[RecordField] | type[ReviewField],
        owners: Mapping[int, str],
        keys: Sequence[str],
    ) -> dict[int, dict[str, str]]:
        """Decrypted final/proposed values of ``keys`` for the owners ``{id: uid}``.

        An owner with a value that fails to decrypt is left out (and logged by id), so one
        damaged row never stops a whole listing.
        """
        out: dict[int, dict[str, str]] = {i: {} for i in owners}
        damaged: set[int] = set()
        ids = list(owners)
        kind: Owner = "record" if model is RecordField else "review"
        column = Column.FINAL if kind == "record" else Column.PROPOSED
        for chunk in _chunks(ids):
            if model is RecordField:
                q = select(RecordField.record_id, RecordField.key, RecordField.final_value_enc).where(
                    RecordField.record_id.in_(chunk), RecordField.key.in_(keys)
                )
            else:
                q = select(ReviewField.review_id, ReviewField.key, ReviewField.proposed_value_enc).where(
                    ReviewField.review_id.in_(chunk), ReviewField.key.in_(keys)
                )
            for owner_id, key, blob in session.execute(q):
                if owner_id in damaged:
                    continue
                try:
                    out[owner_id][key] = self._cipher.decrypt(
                        blob, aad(kind, owners[owner_id], column, field=key)
                    )
                except DecryptionError:
                    damaged.add(owner_id)
        for owner_id in damaged:
            del out[owner_id]
        if damaged:
            log.warning("Skipped damaged %ss (a value fails to decrypt): ids %s", kind, sorted(damaged))
        return out

    def _reason_codes(self, rev: Review) -> tuple[str, ...]:
        if rev.reason_codes:  # a row from before revision 0003 that was never sealed
            return tuple(c for c in rev.reason_codes.split(",") if c)
        try:
            reasons = json.loads(
                self._cipher.decrypt(rev.reasons_enc, aad("review", rev.uid, Column.REASONS))
            )
        except DecryptionError:
            log.warning("Review %d: its reasons fail to decrypt", rev.id)
            return ()
        return tuple(dict.fromkeys(str(c) for c, _ in reasons))

    def _mask(self, number: str | None, masked: bool) -> str | None:
        return mask_document_number(number) if masked else number

    def search_records(
        self,
        name: str | None = None,
        document_number: str | None = None,
        since: DateLike | None = None,
        until: DateLike | None = None,
        masked: bool = True,
        *,
        limit: int | None = 1000,
        viewer: str | None = None,
    ) -> list[RecordSummary]:
        """Confirmed records, newest first.

        ``document_number`` and ``name`` (a surname) match exactly after normalisation
        (case, fillers, spaces, accents and punctuation ignored), through keyed blind
        indexes. ``since``/``until`` are dates (whole local days) or datetimes.
        ``masked=False`` (full document numbers) is an audited view (``viewer`` as for
        :meth:`get_record`).
        """
        q = select(Record)
        if document_number is not None:
            idx = self._cipher.document_number_index(document_number)
            if idx is None:
                return []
            q = q.where(Record.document_number_index == idx)
        if name is not None:
            sidx = self._cipher.surname_index(name)
            if sidx is None:
                return []
            q = q.where(Record.surname_index == sidx)
        lo = _since_bound(since)
        if lo is not None:
            q = q.where(Record.confirmed_at >= lo)
        hi = _until_bound(until)
        if hi is not None:
            q = q.where(Record.confirmed_at <= hi[0] if hi[1] else Record.confirmed_at < hi[0])
        q = q.order_by(Record.confirmed_at.desc(), Record.id.desc())
        if limit is not None:
            q = q.limit(limit)
        with self._read() as session:
            recs = list(session.scalars(q))
            values = self._field_values(session, RecordField, {r.id: r.uid for r in recs}, SUMMARY_KEYS)
            out = [
                RecordSummary(
                    id=r.id,
                    confirmed_at=r.confirmed_at,
                    confirmed_by=r.confirmed_by,
                    workstation=r.workstation,
                    document_format=r.document_format,
                    document_code=r.document_code,
                    issuing_country=values[r.id].get("issuing_country"),
                    document_number=self._mask(values[r.id].get("document_number"), masked),
                    surname=values[r.id].get("surname"),
                    given_names=values[r.id].get("given_names"),
                    review_id=r.review_id,
                )
                for r in recs
                if r.id in values
            ]
        if not masked:
            self._audit_view(
                "records.search_unmasked",
                "records",
                None,
                {"by_name": name is not None, "by_number": document_number is not None, "count": len(out)},
                viewer,
            )
        return out

    def _corrections_of(
        self, session: Session, *, record: Record | None, review: Review | None
    ) -> list[CorrectionInfo]:
        out: list[CorrectionInfo] = []
        owners: list[tuple[Owner, Record | Review]] = []
        if review is not None:
            owners.append(("review", review))
        if record is not None:
            owners.append(("record", record))
        for kind, owner in owners:
            col = Correction.record_id if kind == "record" else Correction.review_id
            for c in session.scalars(select(Correction).where(col == owner.id).order_by(Correction.id)):
                out.append(
                    CorrectionInfo(
                        key=c.key,
                        ocr_value=self._dec(
                            c.ocr_value_enc, aad(kind, owner.uid, Column.OCR, field=c.key, stage=c.stage)
                        ),
                        final_value=self._cipher.decrypt(
                            c.final_value_enc, aad(kind, owner.uid, Column.FINAL, field=c.key, stage=c.stage)
                        ),
                        operator=c.operator,
                        at=c.corrected_at,
                        stage=cast(CorrectionStage, c.stage),
                    )
                )
        out.sort(key=lambda c: c.at)
        return out

    def _record_detail(self, session: Session, rec: Record) -> RecordDetail:
        self._check_intact(session, rec)
        fields: dict[str, StoredField] = {}
        rows = session.scalars(select(RecordField).where(RecordField.record_id == rec.id))
        for row in rows:
            fields[row.key] = StoredField(
                key=row.key,
                value=self._cipher.decrypt(
                    row.final_value_enc, aad("record", rec.uid, Column.FINAL, field=row.key)
                ),
                ocr_value=self._dec(row.ocr_value_enc, aad("record", rec.uid, Column.OCR, field=row.key)),
                source=row.source,
                ocr_source=row.ocr_source,
                confidence=row.confidence,
                status=row.status,
            )
        review = session.get(Review, rec.review_id) if rec.review_id is not None else None
        return RecordDetail(
            id=rec.id,
            confirmed_at=rec.confirmed_at,
            confirmed_by=rec.confirmed_by,
            workstation=rec.workstation,
            document_format=rec.document_format,
            document_code=rec.document_code,
            review_id=rec.review_id,
            source_file=self._dec(rec.source_file_enc, aad("record", rec.uid, Column.SOURCE_FILE)),
            fields={k: fields[k] for k in _field_order(fields)},
            corrections=tuple(self._corrections_of(session, record=rec, review=review)),
        )

    def get_record(self, record_id: int, *, viewer: str | None = None) -> RecordDetail:
        """A confirmed record in full (document number not masked); the view is audited.

        ``viewer``: the operator name for the audit entry (the OS account is recorded anyway).
        :class:`NotFoundError` if absent.
        """
        with self._read() as session:
            rec = session.get(Record, record_id)
            if rec is None:
                raise NotFoundError(f"Record {record_id} does not exist (or was purged).")
            detail = self._record_detail(session, rec)
        self._audit_view("record.view", "record", record_id, {}, viewer)
        return detail

    def _audit_view(
        self, action: str, entity: str, entity_id: int | None, details: dict[str, object], viewer: str | None
    ) -> None:
        """One audit entry for reading personal data in full (who saw what, never the values)."""
        actor = _check_person(viewer or audit.os_account(), "operator")
        with self._write() as (session, head):
            audit.append(
                session,
                self._keys,
                head,
                actor=actor,
                workstation=_check_person(socket.gethostname(), "workstation"),
                action=action,
                entity=entity,
                entity_id=entity_id,
                details=details,
            )

    def list_reviews(
        self,
        status: ReviewStatus | None = "pending",
        *,
        since: DateLike | None = None,
        until: DateLike | None = None,
        masked: bool = True,
        limit: int | None = 1000,
    ) -> list[ReviewSummary]:
        """Review items, oldest first (the queue order); ``status=None`` for all."""
        q = select(Review)
        if status is not None:
            if status not in ("pending", "approved", "rejected"):
                raise InvalidInputError(f"Unknown review status {status!r}.")
            q = q.where(Review.status == status)
        lo = _since_bound(since)
        if lo is not None:
            q = q.where(Review.created_at >= lo)
        hi = _until_bound(until)
        if hi is not None:
            q = q.where(Review.created_at <= hi[0] if hi[1] else Review.created_at < hi[0])
        q = q.order_by(Review.created_at, Review.id)
        if limit is not None:
            q = q.limit(limit)
        with self._read() as session:
            revs = list(session.scalars(q))
            values = self._field_values(session, ReviewField, {r.id: r.uid for r in revs}, SUMMARY_KEYS)
            ids = [r.id for r in revs]
            with_image: set[int] = set()
            made: dict[int, int] = {}
            for chunk in _chunks(ids):
                with_image.update(
                    session.scalars(select(ReviewImage.review_id).where(ReviewImage.review_id.in_(chunk)))
                )
                made.update(
                    (rid, rec_id)
                    for rid, rec_id in session.execute(
                        select(Record.review_id, Record.id).where(Record.review_id.in_(chunk))
                    )
                    if rid is not None
                )
            return [
                ReviewSummary(
                    id=r.id,
                    created_at=r.created_at,
                    status=cast(ReviewStatus, r.status),
                    operator=r.operator,
                    workstation=r.workstation,
                    reason_codes=self._reason_codes(r),
                    document_format=r.document_format,
                    document_code=r.document_code,
                    document_number=self._mask(values[r.id].get("document_number"), masked),
                    surname=values[r.id].get("surname"),
                    given_names=values[r.id].get("given_names"),
                    reviewer=r.reviewer,
                    reviewed_at=r.reviewed_at,
                    record_id=made.get(r.id),
                    has_image=r.id in with_image,
                )
                for r in revs
                if r.id in values
            ]

    def get_review(self, review_id: int) -> ReviewDetail:
        """A review item in full, for the reviewer. :class:`NotFoundError` if absent."""
        with self._read() as session:
            rev = session.get(Review, review_id)
            if rev is None:
                raise NotFoundError(f"Review {review_id} does not exist (or was purged).")
            self._check_intact(session, rev)
            fields: dict[str, StoredField] = {}
            for row in session.scalars(select(ReviewField).where(ReviewField.review_id == rev.id)):
                fields[row.key] = StoredField(
                    key=row.key,
                    value=self._cipher.decrypt(
                        row.proposed_value_enc, aad("review", rev.uid, Column.PROPOSED, field=row.key)
                    ),
                    ocr_value=self._dec(row.ocr_value_enc, aad("review", rev.uid, Column.OCR, field=row.key)),
                    source=row.source,
                    ocr_source=row.ocr_source,
                    confidence=row.confidence,
                    status=row.status,
                    reason=self._dec(row.reason_enc, aad("review", rev.uid, Column.REASON, field=row.key)),
                )
            reasons = json.loads(
                self._cipher.decrypt(rev.reasons_enc, aad("review", rev.uid, Column.REASONS))
            )
            record_id = session.scalar(select(Record.id).where(Record.review_id == rev.id))
            has_image = session.get(ReviewImage, rev.id) is not None
            return ReviewDetail(
                id=rev.id,
                created_at=rev.created_at,
                status=cast(ReviewStatus, rev.status),
                operator=rev.operator,
                workstation=rev.workstation,
                result_status=rev.result_status,
                document_format=rev.document_format,
                document_code=rev.document_code,
                reasons=tuple(ReviewReason(str(c), str(m)) for c, m in reasons),
                source_file=self._dec(rev.source_file_enc, aad("review", rev.uid, Column.SOURCE_FILE)),
                reviewer=rev.reviewer,
                reviewed_at=rev.reviewed_at,
                comment=self._dec(rev.comment_enc, aad("review", rev.uid, Column.COMMENT)),
                record_id=record_id,
                has_image=has_image,
                fields={k: fields[k] for k in _field_order(fields)},
                corrections=tuple(self._corrections_of(session, record=None, review=rev)),
            )

    def get_review_image(self, review_id: int, *, viewer: str | None = None) -> bytes | None:
        """The kept scan of a review item, or None (not kept, or dropped when the review closed).

        A returned image is an audited view (``viewer`` as for :meth:`get_record`).
        """
        with self._read() as session:
            row = session.execute(
                select(ReviewImage.image_enc, Review.uid)
                .join(Review, Review.id == ReviewImage.review_id)
                .where(ReviewImage.review_id == review_id)
            ).first()
            if row is None:
                return None
            image = self._cipher.decrypt_bytes(row[0], aad("review", row[1], Column.IMAGE))
        self._audit_view("review.image_view", "review", review_id, {}, viewer)
        return image

    # -- export ------------------------------------------------------------------
    def export(
        self,
        fmt: str,
        out: str | Path,
        *,
        since: DateLike | None,
        until: DateLike | None = None,
        actor: str,
        workstation: str | None = None,
        allowed_dir: str | Path | None = None,
        overwrite: bool = False,
    ) -> ExportResult:
        """Write confirmed records (full values) to ``out`` as ``fmt`` (``"csv"`` or ``"json"``); audited.

        ``out`` must stay inside ``allowed_dir`` (default: the folder ``out`` names); the file
        is created owner-only and never replaces an existing file unless ``overwrite``.
        """
        if fmt not in ("csv", "json"):
            raise InvalidInputError(f"Unknown export format {fmt!r}; use csv or json.")
        kind = cast(ExportFormat, fmt)
        actor = _check_person(actor, "operator")
        station = _check_person(workstation or socket.gethostname(), "workstation")
        path = resolve_export_path(out, allowed_dir)
        q = select(Record)
        lo = _since_bound(since)
        if lo is not None:
            q = q.where(Record.confirmed_at >= lo)
        hi = _until_bound(until)
        if hi is not None:
            q = q.where(Record.confirmed_at <= hi[0] if hi[1] else Record.confirmed_at < hi[0])
        q = q.order_by(Record.id)
        with self._read() as session:
            details: list[RecordDetail] = []
            skipped: list[int] = []
            for r in session.scalars(q):
                try:
                    details.append(self._record_detail(session, r))
                except (DecryptionError, TamperedError):
                    skipped.append(r.id)
        if skipped:
            log.warning("Export skipped damaged or altered records: ids %s", skipped)
        data = _format_export(kind, details)
        write_private_file(path, data, overwrite=overwrite)
        try:
            with self._write() as (session, head):
                audit.append(
                    session,
                    self._keys,
                    head,
                    actor=actor,
                    workstation=station,
                    action="export",
                    entity="records",
                    entity_id=None,
                    details={
                        "format": fmt,
                        "count": len(details),
                        "since": lo.isoformat() if lo else None,
                        "until": hi[0].isoformat() if hi else None,
                        "record_ids": [d.id for d in details] if len(details) <= 5000 else None,
                        "first_id": details[0].id if details else None,
                        "last_id": details[-1].id if details else None,
                        "skipped_ids": skipped,
                    },
                )
        except StorageError:
            # An export that cannot be audited must not stay behind.
            with suppress(OSError):
                path.unlink()
            raise
        log.info("Exported %d records as %s", len(details), fmt)
        return ExportResult(path=path, format=kind, count=len(details), skipped=tuple(skipped))

    # -- retention ---------------------------------------------------------------
    def purge(
        self,
        older_than_days: int,
        *,
        actor: str = "retention",
        workstation: str | None = None,
        pending_image_days: int | None = None,
    ) -> PurgeResult:
        """Delete confirmed records and closed reviews older than ``older_than_days``; audited.

        Deleted rows are overwritten on SQLite (``secure_delete``) and the WAL is then
        truncated; on PostgreSQL the tables are vacuumed afterwards. Pending reviews are
        never purged (nobody has decided them yet): they are counted in ``pending_kept``,
        and their kept images are dropped after ``pending_image_days`` (default: the
        setting). Pre-migration backup copies that hold anything older than the cutoff are
        deleted too. Audit entries are kept: they hold no personal data.
        """
        if not isinstance(older_than_days, int) or older_than_days < 0:
            raise InvalidInputError("The retention period must be a whole number of days, 0 or more.")
        actor = _check_person(actor, "operator")
        station = _check_person(workstation or socket.gethostname(), "workstation")
        image_days = self.settings.pending_image_days if pending_image_days is None else pending_image_days
        now = _utcnow()
        cutoff = now - timedelta(days=older_than_days)
        image_cutoff = now - timedelta(days=max(0, image_days))
        overdue_cutoff = now - timedelta(days=max(0, self.settings.pending_overdue_days))
        with self._write() as (session, head):
            old_records = select(Record.id).where(Record.confirmed_at < cutoff)
            record_ids = list(session.scalars(old_records))
            kept_record_reviews = select(Record.review_id).where(
                Record.review_id.is_not(None), Record.confirmed_at >= cutoff
            )
            review_ids = list(
                session.scalars(
                    select(Review.id).where(
                        Review.created_at < cutoff,
                        Review.status != "pending",
                        Review.id.not_in(kept_record_reviews),
                    )
                )
            )
            pending_kept = session.scalar(
                select(func.count())
                .select_from(Review)
                .where(Review.created_at < cutoff, Review.status == "pending")
            )
            overdue = list(
                session.scalars(
                    select(Review.id).where(Review.created_at < overdue_cutoff, Review.status == "pending")
                )
            )
            stale_images = list(
                session.scalars(
                    select(ReviewImage.review_id)
                    .join(Review, Review.id == ReviewImage.review_id)
                    .where(Review.status == "pending", ReviewImage.created_at < image_cutoff)
                )
            )
            images = 0
            for chunk in _chunks(record_ids):
                session.execute(delete(Correction).where(Correction.record_id.in_(chunk)))
                session.execute(delete(RecordField).where(RecordField.record_id.in_(chunk)))
                session.execute(delete(Record).where(Record.id.in_(chunk)))
            for chunk in _chunks(review_ids):
                res = session.execute(delete(ReviewImage).where(ReviewImage.review_id.in_(chunk)))
                images += int(getattr(res, "rowcount", 0) or 0)
                session.execute(delete(Correction).where(Correction.review_id.in_(chunk)))
                session.execute(delete(ReviewField).where(ReviewField.review_id.in_(chunk)))
                session.execute(delete(Review).where(Review.id.in_(chunk)))
            for chunk in _chunks(stale_images):
                session.execute(delete(ReviewImage).where(ReviewImage.review_id.in_(chunk)))
            removed_backups = backups.expire(self._sqlite_path, cutoff) if self._sqlite_path else 0
            audit.append(
                session,
                self._keys,
                head,
                actor=actor,
                workstation=station,
                action="purge",
                entity="records",
                entity_id=None,
                details={
                    "older_than_days": older_than_days,
                    "cutoff": cutoff.isoformat(),
                    "records": len(record_ids),
                    "reviews": len(review_ids),
                    "images": images,
                    "pending_kept": int(pending_kept or 0),
                    "pending_images": len(stale_images),
                    "backups": removed_backups,
                    "record_ids": id_ranges(record_ids),
                    "review_ids": id_ranges(review_ids),
                },
                now=now,
            )
            if overdue:
                audit.append(
                    session,
                    self._keys,
                    head,
                    actor=actor,
                    workstation=station,
                    action="review.overdue",
                    entity="reviews",
                    entity_id=None,
                    details={
                        "older_than_days": self.settings.pending_overdue_days,
                        "review_ids": id_ranges(overdue),
                    },
                    now=now,
                )
        self._scrub_after_delete()
        if overdue:
            log.warning(
                "%d pending reviews are overdue (older than %d days)",
                len(overdue),
                self.settings.pending_overdue_days,
            )
        log.info(
            "Purged %d records and %d reviews older than %d days (%d backup copies)",
            len(record_ids),
            len(review_ids),
            older_than_days,
            removed_backups,
        )
        return PurgeResult(
            cutoff,
            len(record_ids),
            len(review_ids),
            images,
            int(pending_kept or 0),
            len(stale_images),
            removed_backups,
        )

    def apply_retention(self) -> PurgeResult | None:
        """Apply :attr:`StoreSettings.retention_days` now (None when no period is set); audited."""
        days = self.settings.retention_days
        if days is None:
            return None
        self._in_retention = True
        try:
            return self.purge(days, actor="retention")
        finally:
            self._in_retention = False
            self._retention_last = monotonic()

    def _retention_if_due(self) -> None:
        """Once a day while the store is open (checked after each call); never fails the caller."""
        if self.settings.retention_days is None or self._in_retention:
            return
        if self._retention_last is not None and monotonic() - self._retention_last < RETENTION_INTERVAL_S:
            return
        try:
            self.apply_retention()
        except StorageError as e:
            log.warning("Retention could not run now (%s); it is tried again later", type(e).__name__)

    def _scrub_after_delete(self) -> None:
        """Best effort: push deleted pages out of the WAL (SQLite) or vacuum (PostgreSQL)."""
        try:
            if self.dialect == "sqlite":
                with self._engine.connect() as conn:
                    raw = conn.connection.dbapi_connection
                    assert raw is not None
                    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            elif self.dialect == "postgresql":
                with self._engine.connect() as conn:
                    ac = conn.execution_options(isolation_level="AUTOCOMMIT")
                    for table in (
                        "corrections",
                        "record_fields",
                        "records",
                        "review_fields",
                        "review_images",
                        "reviews",
                    ):
                        ac.execute(text(f"VACUUM {table}"))
        except Exception as e:  # a busy reader, say: the rows are deleted all the same
            log.info("Could not compact the database after the purge (%s)", type(e).__name__)

    # -- audit -------------------------------------------------------------------
    def _checkpoints(self, session: Session, extra: Sequence[Path]) -> list[Checkpoint]:
        db_uid = audit.database_uid(session) or ""
        out = [
            Checkpoint(
                db_uid, c.count, c.last_hash, c.at, c.key_id, c.signature, origin="the checkpoint table"
            )
            for c in session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id))
        ]
        sources: list[Path] = []
        if self.settings.checkpoint_dir is not None:
            sources.append(self.settings.checkpoint_dir)
        sources.extend(extra)
        for src in sources:
            path = checkpoint_file(src, db_uid) if src.is_dir() or not src.exists() else src
            if not path.exists():
                # Asked for by the verifier: its absence is a break. The configured folder
                # may simply predate this database's first write there: not one.
                if src in extra:
                    raise _MissingCheckpoints(f"no checkpoint file for this database in {src}")
                continue
            for cp in read_file(path):
                if cp is None:
                    raise _MissingCheckpoints(f"a line of {path} is not a checkpoint (altered?)")
                out.append(cp)
        return out

    def verify_audit(
        self, *, public_keys: Sequence[Ed25519PublicKey] | None = None, checkpoints: Sequence[Path] = ()
    ) -> audit.AuditVerification:
        """Check the audit chain against its checkpoints, then every record and review against it.

        ``public_keys``: the audit public keys whose signatures count (default: this store's
        signing key, if it has one); an auditor passes the copy they keep. ``checkpoints``:
        more checkpoint files or folders (an exported checkpoint, a share).
        ``ok`` False names the first bad entry (``bad_row_id``) or row (``reason``).
        """
        trusted = (
            list(public_keys) if public_keys is not None else ([self._signer.public] if self._signer else [])
        )
        with self._read() as session:
            try:
                cps = self._checkpoints(session, checkpoints)
            except _MissingCheckpoints as e:
                return audit.AuditVerification(False, 0, None, str(e), signatures_checked=bool(trusted))
            except OSError as e:
                return audit.AuditVerification(
                    False,
                    0,
                    None,
                    f"a checkpoint file cannot be read ({e.strerror})",
                    signatures_checked=bool(trusted),
                )
            v = audit.verify(session, self._keys, checkpoints=cps, trusted=trusted)
            if not v.ok:
                return v
            rows = verify_rows(session, self._keys)
            return replace(v, ok=rows.ok, reason=rows.reason, rows_checked=rows.checked)

    def current_checkpoint(self) -> Checkpoint:
        """A checkpoint of the chain as it stands, signed when this store has a signing key."""
        with self._read() as session:
            head = session.get(AuditHead, audit.HEAD_ID)
            if head is None:
                raise NotFoundError("This database has no audit chain yet.")
            return make_checkpoint(
                audit.database_uid(session) or "", head.last_id, head.last_hash, _utcnow(), self._signer
            )

    # -- keys --------------------------------------------------------------------
    def rotate_key(
        self,
        *,
        actor: str,
        workstation: str | None = None,
        batch: int = rotation.DEFAULT_BATCH,
        max_batches: int | None = None,
    ) -> rotation.RotationResult:
        """Re-encrypt everything under a new data key, resumably (see :mod:`.rotation`)."""
        return rotation.rotate(
            _RotationPort(self),
            actor=_check_person(actor, "actor"),
            workstation=workstation,
            batch=batch,
            max_batches=max_batches,
        )

    def key_status(self) -> dict[str, object]:
        """The current key id, a rotation in progress (or None), and blobs per key id."""
        with self._read() as session:
            return {
                "key_id": rotation.current_key_id(session),
                "rotation": rotation.rotation_state(session),
                "blobs_by_key_id": rotation.key_ids_in_use(session),
            }

    def note_key_backup(self, *, actor: str, fingerprint: str, workstation: str | None = None) -> None:
        """Audit that the master key was copied out (``key backup``); never the key itself."""
        with self._write() as (session, head):
            audit.append(
                session,
                self._keys,
                head,
                actor=_check_person(actor, "actor"),
                workstation=_check_person(workstation or socket.gethostname(), "workstation"),
                action="key.backup",
                entity="database",
                entity_id=None,
                details={"fingerprint": fingerprint},
            )

    def note_schema(self, revision: str, *, actor: str) -> None:
        """Audit a schema change once: the first open at a new ``revision`` adds ``database.upgrade``."""
        with self._write() as (session, head):
            meta = session.get(StoreMeta, SCHEMA_SEEN)
            before = None if meta is None else meta.value
            if before == revision:
                return
            if meta is None:
                session.add(StoreMeta(name=SCHEMA_SEEN, value=revision))
            else:
                meta.value = revision
            audit.append(
                session,
                self._keys,
                head,
                actor=actor,
                workstation=_check_person(socket.gethostname(), "workstation"),
                action="database.upgrade",
                entity="database",
                entity_id=None,
                details={"from": before, "to": revision},
            )

    def initialise(self, *, actor: str, workstation: str | None = None, revision: str | None = None) -> None:
        """Give a new database its identity and first entry, or seal an older one (once).

        New: ``store_meta.db_uid`` and entry 1, ``database.create``. Older (made before
        revision 0003, no uid yet): every record and review gets its MAC, and one
        ``database.seal`` entry lists what existed. A database that lost its uid after
        having checkpoints is left alone: ``audit verify`` reports it.
        """
        station = _check_person(workstation or socket.gethostname(), "workstation")
        with self._write_sessions.begin() as session:
            if audit.database_uid(session) is not None:
                return
            if session.scalar(select(func.count()).select_from(AuditCheckpoint)):
                log.error("The database lost its identity (store_meta.db_uid); audit verify will fail")
                return
            db_uid = uuid.uuid4().hex
            session.add(StoreMeta(name=audit.DB_UID, value=db_uid))
            head = audit.ensure_head(session, self._keys, db_uid)
            if head.last_id == 0:
                if revision is not None:  # made at this revision: no upgrade to note
                    session.add(StoreMeta(name=SCHEMA_SEEN, value=revision))
                audit.append(
                    session,
                    self._keys,
                    head,
                    actor=actor,
                    workstation=station,
                    action="database.create",
                    entity="database",
                    entity_id=None,
                    details={"db_uid": db_uid},
                    db_uid=db_uid,
                )
            else:
                records = list(session.scalars(select(Record).order_by(Record.id)))
                reviews = list(session.scalars(select(Review).order_by(Review.id)))
                for rev in reviews:
                    rev.reason_codes = ""  # plain codes (age groups) go: reasons_enc holds them
                owners: list[Record | Review] = [*records, *reviews]
                for owner in owners:
                    rowmac.seal(session, self._keys, owner)
                audit.append(
                    session,
                    self._keys,
                    head,
                    actor=actor,
                    workstation=station,
                    action="database.seal",
                    entity="database",
                    entity_id=None,
                    db_uid=db_uid,
                    details={
                        "db_uid": db_uid,
                        "record_ids": id_ranges(r.id for r in records),
                        "review_ids": id_ranges(r.id for r in reviews),
                    },
                )
                log.warning("Sealed an older database: %d records and %d reviews", len(records), len(reviews))
            cp = self._store_checkpoint(session, head)
        self._export_checkpoint(cp)

    def audit_entries(self, *, since_id: int = 0, limit: int = 1000) -> list[AuditEntryInfo]:
        """Audit entries after ``since_id``, oldest first (they hold no personal data)."""
        with self._read() as session:
            q = select(AuditEntry).where(AuditEntry.id > since_id).order_by(AuditEntry.id).limit(limit)
            return [
                AuditEntryInfo(
                    id=e.id,
                    at=e.at,
                    actor=e.actor,
                    workstation=e.workstation,
                    action=e.action,
                    entity=e.entity,
                    entity_id=e.entity_id,
                    details=json.loads(e.details),
                )
                for e in session.scalars(q)
            ]

    # -- counts (tests, status bar) ---------------------------------------------
    def counts(self) -> dict[str, int]:
        """How many records and review items of each status there are."""
        with self._read() as session:
            out = {"confirmed": int(session.scalar(select(func.count()).select_from(Record)) or 0)}
            for st in ("pending", "approved", "rejected"):
                out[st] = int(
                    session.scalar(select(func.count()).select_from(Review).where(Review.status == st)) or 0
                )
            out["audit"] = int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
            return out


class _RotationPort:
    """What :func:`rotation.rotate` needs of a store."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.keys = store._keys

    def write(self) -> AbstractContextManager[tuple[Session, AuditHead]]:
        return self._store._write()

    def check_intact(self, session: Session, owner: Record | Review) -> None:
        self._store._check_intact(session, owner)

    def append_audit(
        self, session: Session, head: AuditHead, actor: str, workstation: str, details: dict[str, object]
    ) -> None:
        audit.append(
            session,
            self.keys,
            head,
            actor=actor,
            workstation=_check_person(workstation, "workstation"),
            action="key.rotate",
            entity="database",
            entity_id=None,
            details=details,
        )


def _format_export(fmt: ExportFormat, details: Sequence[RecordDetail]) -> bytes:
    if fmt == "csv":
        header = ["record_id", "confirmed_at", "confirmed_by", "workstation", "document_format", *FIELD_KEYS]
        rows: list[list[object]] = [
            [d.id, d.confirmed_at.isoformat(), d.confirmed_by, d.workstation, d.document_format]
            + [d.value(k) or "" for k in FIELD_KEYS]
            for d in details
        ]
        return to_csv(header, rows)
    items = [
        {
            "record_id": d.id,
            "confirmed_at": d.confirmed_at.isoformat(),
            "confirmed_by": d.confirmed_by,
            "workstation": d.workstation,
            "review_id": d.review_id,
            "document": {"format": d.document_format, "code": d.document_code},
            "fields": {
                k: {"value": f.value, "ocr_value": f.ocr_value, "source": f.source}
                for k, f in d.fields.items()
            },
            "corrections": [
                {
                    "field": c.key,
                    "ocr_value": c.ocr_value,
                    "final_value": c.final_value,
                    "by": c.operator,
                    "at": c.at.isoformat(),
                    "stage": c.stage,
                }
                for c in d.corrections
            ],
        }
        for d in details
    ]
    return (json.dumps({"records": items}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
