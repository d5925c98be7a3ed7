"""The review queue: scans an operator could not confirm, decided by another person."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import cast

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from desktop_app.core.types import DocumentResult, Flag

from . import common, rowmac
from .common import (
    MAX_IMAGE_BYTES,
    SUMMARY_KEYS,
    DateLike,
    _check_key,
    _check_person,
    _check_value,
    _chunks,
    _field_order,
    _FieldIn,
    _reasons_of,
    _since_bound,
    _until_bound,
)
from .contexts import Column, aad
from .errors import (
    DecryptionError,
    InvalidInputError,
    NotFoundError,
    ReviewStateError,
)
from .models import (
    Record,
    Review,
    ReviewField,
    ReviewImage,
)
from .records import RecordsPart
from .unit import UnitOfWork
from .values import (
    ReviewDetail,
    ReviewReason,
    ReviewStatus,
    ReviewSummary,
    StoredField,
)

log = logging.getLogger(__name__)


class ReviewsPart(RecordsPart):
    """The review queue: flag, approve (four eyes), reject, list and read."""

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
        ids: list[int] = []
        with self._unit(operator, workstation, now=common.utcnow()) as uow:
            for result, fields, why, image_bytes in prepared:
                ids.append(self._add_review(uow, result, fields=fields, why=why, image_bytes=image_bytes))
        for rid in ids:
            log.info("Flagged scan for review %d", rid)
        return ids

    def _add_review(
        self,
        uow: UnitOfWork,
        result: DocumentResult,
        *,
        fields: Sequence[_FieldIn],
        why: Sequence[ReviewReason],
        image_bytes: bytes | None,
    ) -> int:
        assert uow.now is not None
        session = uow.session
        keep_image = bool(image_bytes) and self.settings.keep_review_images
        values = {f.key: f.value for f in fields}
        uid = uuid.uuid4().hex
        rev = Review(
            uid=uid,
            created_at=uow.now,
            status="pending",
            operator=uow.actor,
            workstation=uow.workstation,
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
        session.add_all(self._review_fields(rev, fields))
        corrected = self._add_corrections(
            uow, rev, ((f.key, f.ocr_value, f.value) for f in fields if f.changed), stage="flag"
        )
        if keep_image and image_bytes:
            session.add(
                ReviewImage(
                    review_id=rev.id,
                    created_at=uow.now,
                    image_enc=self._cipher.encrypt_bytes(image_bytes, aad("review", uid, Column.IMAGE)),
                )
            )
        mac = rowmac.seal(session, self._keys, rev)
        uow.audit(
            "review.flag",
            "review",
            rev.id,
            {
                "fields": len(fields),
                "corrected_fields": corrected,
                "reasons": len(why),
                "image_kept": keep_image,
                "row_mac": mac,
            },
        )
        return rev.id

    def _review_fields(self, rev: Review, fields: Sequence[_FieldIn]) -> list[ReviewField]:
        uid = rev.uid
        return [
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
        ]

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
        station = _check_person(workstation, "workstation") if workstation else None
        with self._unit(reviewer, station or "-", now=common.utcnow()) as uow:
            rev = self._pending_review(uow.session, review_id)
            self_review = rev.operator.strip().casefold() == reviewer.strip().casefold()
            if self_review and not allow_self_review:
                raise ReviewStateError(
                    f"Review {review_id} was flagged by {rev.operator}: another person must approve it."
                )
            uow.workstation = station or rev.workstation
            fields, changes = self._approved_fields(uow.session, rev, corrections)
            rec = self._add_record(
                uow,
                fields,
                document_format=rev.document_format,
                document_code=rev.document_code,
                source_file=self._dec(rev.source_file_enc, aad("review", rev.uid, Column.SOURCE_FILE)),
                review_id=rev.id,
            )
            corrected = self._add_corrections(uow, rev, changes, stage="review")
            self._close_review(
                uow,
                rev,
                status="approved",
                comment=comment,
                details={"record_id": rec.id, "corrected_fields": corrected}
                | ({"self_review": True} if self_review else {}),
            )
            record_mac = rowmac.seal(uow.session, self._keys, rec)
            uow.audit(
                "record.create",
                "record",
                rec.id,
                {
                    "fields": len(fields),
                    "review_id": rev.id,
                    "corrected_fields": [f.key for f in fields if f.changed],
                    "row_mac": record_mac,
                },
            )
            if corrected:
                uow.audit(
                    "record.correct",
                    "record",
                    rec.id,
                    {"stage": "review", "fields": corrected, "review_id": rev.id},
                )
            record_id = rec.id
        log.info(
            "Approved review %d as record %d (%d reviewer corrections)", review_id, record_id, len(corrected)
        )
        return record_id

    def _approved_fields(
        self, session: Session, rev: Review, corrections: Mapping[str, str]
    ) -> tuple[list[_FieldIn], list[tuple[str, str | None, str]]]:
        """The record's fields (proposed values with the reviewer's corrections) and the
        reviewer's changes ``(key, ocr value, final value)``."""
        rows = {f.key: f for f in session.scalars(select(ReviewField).where(ReviewField.review_id == rev.id))}
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
        return fields, changes

    def _close_review(
        self,
        uow: UnitOfWork,
        rev: Review,
        *,
        status: str,
        comment: str | None,
        details: dict[str, object],
    ) -> None:
        """Approve or reject: the review's closing fields, its image dropped, one audit entry."""
        rev.status = status
        rev.reviewer = uow.actor
        rev.reviewed_at = uow.now
        rev.comment_enc = self._enc(comment, aad("review", rev.uid, Column.COMMENT))
        dropped = self._drop_image(uow.session, rev.id)
        mac = rowmac.seal(uow.session, self._keys, rev)
        uow.audit(
            "review.approve" if status == "approved" else "review.reject",
            "review",
            rev.id,
            {**details, "image_dropped": dropped, "row_mac": mac},
        )

    def reject_review(
        self, review_id: int, *, reviewer: str, comment: str | None = None, workstation: str | None = None
    ) -> None:
        """Reject a pending review (no record is made); a kept image is dropped."""
        reviewer = _check_person(reviewer, "reviewer")
        if comment is not None:
            _check_value("comment", comment)
        station = _check_person(workstation, "workstation") if workstation else None
        with self._unit(reviewer, station or "-", now=common.utcnow()) as uow:
            rev = self._pending_review(uow.session, review_id)
            uow.workstation = station or rev.workstation
            self._close_review(uow, rev, status="rejected", comment=comment, details={})
        log.info("Rejected review %d", review_id)

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
