"""``passport-desk key rotate``: every blob re-encrypted under a new data-encryption key.

Why: AES-GCM with 96-bit random nonces should see at most about 2^32 messages per key; a
busy shared PostgreSQL gets there. A rotation starts a new key id (new blobs use it at
once, on every workstation, as each write reads the id from ``store_meta``), then walks
records and reviews in id order, in batches of one transaction each:

* each owner is checked against its MAC first (a rotation never launders a tampered row),
* every blob of it that is not under the new key is decrypted and encrypted again (same
  associated data, see :mod:`.contexts`), and its row MAC renewed,
* one ``key.rotate`` audit entry per batch carries the new MACs (so ``audit verify``
  still ties each row to the chain), and the progress (the last id done) is stored in
  the same transaction.

An interrupted rotation therefore loses at most the batch in flight (rolled back), and
running the command again continues where it stopped. The new key is derived from the
master key (see :meth:`Keys.data_key`): the master key's escrow copy covers every key id.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import rowmac
from .contexts import Column, Owner, aad
from .crypto import FieldCipher, blob_key_id
from .models import (
    Correction,
    Record,
    RecordChipRead,
    RecordField,
    Review,
    ReviewField,
    ReviewImage,
    StoreMeta,
)

DATA_KEY_ID: Final = "data_key_id"
ROTATION: Final = "key_rotation"
DEFAULT_BATCH: Final = 200


@dataclass(frozen=True, slots=True)
class RotationResult:
    key_id: int
    records: int
    reviews: int
    blobs: int
    done: bool
    """False when stopped after ``max_batches`` (run again to continue)."""
    resumed: bool


def current_key_id(session: Session) -> int:
    meta = session.get(StoreMeta, DATA_KEY_ID)
    try:
        return int(meta.value) if meta is not None else 0
    except ValueError:
        return 0


def _set_meta(session: Session, name: str, value: str | None) -> None:
    meta = session.get(StoreMeta, name)
    if value is None:
        if meta is not None:
            session.delete(meta)
    elif meta is None:
        session.add(StoreMeta(name=name, value=value))
    else:
        meta.value = value


def rotation_state(session: Session) -> dict[str, int] | None:
    meta = session.get(StoreMeta, ROTATION)
    return None if meta is None else {k: int(v) for k, v in json.loads(meta.value).items()}


class _Recrypt:
    """Re-encrypts one owner's blobs with ``cipher`` (whose key id is the new one)."""

    def __init__(self, cipher: FieldCipher) -> None:
        self.cipher = cipher
        self.blobs = 0

    def __call__(self, blob: bytes | None, context: str) -> bytes | None:
        if blob is None or blob_key_id(blob) == self.cipher.key_id:
            return blob
        self.blobs += 1
        return self.cipher.encrypt_bytes(self.cipher.decrypt_bytes(blob, context), context)

    def corrections(self, session: Session, kind: Owner, owner: Record | Review) -> None:
        col = Correction.record_id if kind == "record" else Correction.review_id
        for c in session.scalars(select(Correction).where(col == owner.id)):
            c.ocr_value_enc = self(
                c.ocr_value_enc, aad(kind, owner.uid, Column.OCR, field=c.key, stage=c.stage)
            )
            c.final_value_enc = (
                self(c.final_value_enc, aad(kind, owner.uid, Column.FINAL, field=c.key, stage=c.stage)) or b""
            )

    def record(self, session: Session, rec: Record) -> None:
        rec.source_file_enc = self(rec.source_file_enc, aad("record", rec.uid, Column.SOURCE_FILE))
        for f in session.scalars(select(RecordField).where(RecordField.record_id == rec.id)):
            f.final_value_enc = (
                self(f.final_value_enc, aad("record", rec.uid, Column.FINAL, field=f.key)) or b""
            )
            f.ocr_value_enc = self(f.ocr_value_enc, aad("record", rec.uid, Column.OCR, field=f.key))
        self.corrections(session, "record", rec)
        chip = session.get(RecordChipRead, rec.id)
        if chip is not None:
            chip.result_enc = self(chip.result_enc, aad("record", str(rec.id), Column.CHIP)) or b""

    def review(self, session: Session, rev: Review) -> None:
        rev.reasons_enc = self(rev.reasons_enc, aad("review", rev.uid, Column.REASONS)) or b""
        rev.source_file_enc = self(rev.source_file_enc, aad("review", rev.uid, Column.SOURCE_FILE))
        rev.comment_enc = self(rev.comment_enc, aad("review", rev.uid, Column.COMMENT))
        for f in session.scalars(select(ReviewField).where(ReviewField.review_id == rev.id)):
            f.ocr_value_enc = self(f.ocr_value_enc, aad("review", rev.uid, Column.OCR, field=f.key))
            f.proposed_value_enc = (
                self(f.proposed_value_enc, aad("review", rev.uid, Column.PROPOSED, field=f.key)) or b""
            )
            f.reason_enc = self(f.reason_enc, aad("review", rev.uid, Column.REASON, field=f.key))
        self.corrections(session, "review", rev)
        image = session.get(ReviewImage, rev.id)
        if image is not None:
            image.image_enc = self(image.image_enc, aad("review", rev.uid, Column.IMAGE)) or b""


AuditFn = Callable[[Session, Any, str, dict[str, Any]], None]
"""``(session, head, phase, details)``: appends one ``key.rotate`` entry."""


def _batch(
    session: Session,
    store: Any,
    state: dict[str, int],
    batch: int,
) -> tuple[dict[str, dict[str, str]], int] | None:
    """Re-encrypt the next batch; the new MACs by kind, and blobs rewritten. None: all done."""
    recrypt = _Recrypt(FieldCipher(store.keys, state["to"]))
    macs: dict[str, dict[str, str]] = {"records": {}, "reviews": {}}
    owners: list[Record | Review] = list(
        session.scalars(
            select(Record).where(Record.id > state["record_after"]).order_by(Record.id).limit(batch)
        )
    )
    kind = "records"
    if not owners:
        kind = "reviews"
        owners = list(
            session.scalars(
                select(Review).where(Review.id > state["review_after"]).order_by(Review.id).limit(batch)
            )
        )
    if not owners:
        return None
    for owner in owners:
        store.check_intact(session, owner)
        if isinstance(owner, Record):
            recrypt.record(session, owner)
            state["record_after"] = owner.id
        else:
            recrypt.review(session, owner)
            state["review_after"] = owner.id
        macs[kind][str(owner.id)] = rowmac.seal(session, store.keys, owner)
    return macs, recrypt.blobs


def rotate(
    store: Any,
    *,
    actor: str,
    workstation: str | None = None,
    batch: int = DEFAULT_BATCH,
    max_batches: int | None = None,
) -> RotationResult:
    """Start (or continue) a rotation; see the module docstring.

    ``store`` gives ``write()`` (a transaction yielding ``(session, head)``), ``keys``,
    ``check_intact(session, owner)`` and ``append_audit(session, head, ...)``.
    """
    station = workstation or socket.gethostname()
    resumed = True
    with store.write() as (session, head):
        state = rotation_state(session)
        if state is None:
            resumed = False
            old = current_key_id(session)
            state = {"from": old, "to": old + 1, "record_after": 0, "review_after": 0}
            _set_meta(session, DATA_KEY_ID, str(state["to"]))
            _set_meta(session, ROTATION, json.dumps(state))
            store.append_audit(
                session, head, actor, station, {"phase": "start", "from": old, "key_id": state["to"]}
            )
    records = reviews = blobs = batches = 0
    while max_batches is None or batches < max_batches:
        with store.write() as (session, head):
            state = rotation_state(session) or state
            out = _batch(session, store, state, batch)
            if out is None:
                _set_meta(session, ROTATION, None)
                store.append_audit(session, head, actor, station, {"phase": "done", "key_id": state["to"]})
                return RotationResult(state["to"], records, reviews, blobs, True, resumed)
            macs, n = out
            _set_meta(session, ROTATION, json.dumps(state))
            store.append_audit(
                session, head, actor, station, {"phase": "batch", "key_id": state["to"], **macs}
            )
        records += len(macs["records"])
        reviews += len(macs["reviews"])
        blobs += n
        batches += 1
    return RotationResult(state["to"], records, reviews, blobs, False, resumed)


def key_ids_in_use(session: Session) -> dict[int, int]:
    """How many blobs each key id encrypts (every encrypted column of every table)."""
    counts: dict[int, int] = {}
    columns = [
        Record.source_file_enc,
        RecordField.final_value_enc,
        RecordField.ocr_value_enc,
        Correction.ocr_value_enc,
        Correction.final_value_enc,
        RecordChipRead.result_enc,
        Review.reasons_enc,
        Review.source_file_enc,
        Review.comment_enc,
        ReviewField.ocr_value_enc,
        ReviewField.proposed_value_enc,
        ReviewField.reason_enc,
        ReviewImage.image_enc,
    ]
    for col in columns:
        for (blob,) in session.execute(select(col).where(col.is_not(None))):
            if blob is None:
                continue
            kid = blob_key_id(blob)
            counts[kid] = counts.get(kid, 0) + 1
    return counts
