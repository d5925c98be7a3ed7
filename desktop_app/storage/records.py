"""Confirmed records: save (one transaction with its corrections and audit entry), search, read."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.core.types import DocumentResult

from . import common, rowmac
from .common import (
    SUMMARY_KEYS,
    DateLike,
    _check_key,
    _check_person,
    _check_value,
    _chunks,
    _field_order,
    _FieldIn,
    _since_bound,
    _until_bound,
)
from .contexts import Column, Owner, aad
from .errors import (
    DecryptionError,
    NotFoundError,
)
from .models import (
    Correction,
    Record,
    RecordField,
    Review,
    ReviewField,
)
from .unit import StoreCore, UnitOfWork
from .values import (
    CorrectionInfo,
    CorrectionStage,
    RecordDetail,
    RecordSummary,
    StoredField,
)

log = logging.getLogger(__name__)


class RecordsPart(StoreCore):
    """Confirmed records: building and saving them, searching and reading them."""

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
        uow: UnitOfWork,
        fields: Sequence[_FieldIn],
        *,
        document_format: str | None,
        document_code: str | None,
        source_file: str | None,
        review_id: int | None,
    ) -> Record:
        """A new record confirmed by the unit's actor at its workstation and time."""
        assert uow.now is not None
        session = uow.session
        uid = uuid.uuid4().hex
        values = {f.key: f.value for f in fields}
        rec = Record(
            uid=uid,
            confirmed_at=uow.now,
            confirmed_by=uow.actor,
            workstation=uow.workstation,
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
        uow: UnitOfWork,
        owner: Record | Review,
        changes: Iterable[tuple[str, str | None, str]],
        *,
        stage: CorrectionStage,
    ) -> list[str]:
        """Correction rows by the unit's actor; the keys corrected."""
        assert uow.now is not None
        keys: list[str] = []
        kind: Owner = "record" if isinstance(owner, Record) else "review"
        for key, ocr_value, final_value in changes:
            uow.session.add(
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
                    operator=uow.actor,
                    stage=stage,
                    corrected_at=uow.now,
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
        with self._unit(operator, workstation, now=common.utcnow()) as uow:
            rec = self._add_record(
                uow,
                fields,
                document_format=result.format,
                document_code=result.document_code,
                source_file=result.file,
                review_id=None,
            )
            corrected = self._add_corrections(
                uow, rec, ((f.key, f.ocr_value, f.value) for f in fields if f.changed), stage="confirm"
            )
            mac = rowmac.seal(uow.session, self._keys, rec)
            uow.audit(
                "record.create",
                "record",
                rec.id,
                {"fields": len(fields), "corrected_fields": corrected, "row_mac": mac}
                | ({"acknowledged": list(acknowledged)} if acknowledged else {}),
            )
            if corrected:
                uow.audit("record.correct", "record", rec.id, {"stage": "confirm", "fields": corrected})
            record_id = rec.id
        log.info("Saved confirmed record %d (%d corrected fields)", record_id, len(corrected))
        return record_id

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
