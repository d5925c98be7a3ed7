"""The audit side of the store: verify, checkpoints, schema and key entries, counts."""

from __future__ import annotations

import json
import logging
import socket
import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import audit, common, rotation, rowmac
from .checkpoint import Checkpoint, checkpoint_file, make_checkpoint, read_file
from .common import (
    SCHEMA_SEEN,
    _check_person,
    _MissingCheckpoints,
    id_ranges,
)
from .errors import (
    NotFoundError,
)
from .integrity import verify_rows
from .models import (
    AuditCheckpoint,
    AuditEntry,
    AuditHead,
    Record,
    Review,
    StoreMeta,
)
from .unit import StoreCore, UnitOfWork
from .values import (
    AuditEntryInfo,
)

log = logging.getLogger(__name__)


class AuditPart(StoreCore):
    """The audit chain's checks, checkpoints, schema and key notes, and counts."""

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
                audit.database_uid(session) or "", head.last_id, head.last_hash, common.utcnow(), self._signer
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
        station = _check_person(workstation or socket.gethostname(), "workstation")
        with self._unit(_check_person(actor, "actor"), station) as uow:
            uow.audit("key.backup", "database", None, {"fingerprint": fingerprint})

    def note_schema(self, revision: str, *, actor: str) -> None:
        """Audit a schema change once: the first open at a new ``revision`` adds ``database.upgrade``."""
        with self._unit(actor, _check_person(socket.gethostname(), "workstation")) as uow:
            session = uow.session
            meta = session.get(StoreMeta, SCHEMA_SEEN)
            before = None if meta is None else meta.value
            if before == revision:
                return
            if meta is None:
                session.add(StoreMeta(name=SCHEMA_SEEN, value=revision))
            else:
                meta.value = revision
            uow.audit("database.upgrade", "database", None, {"from": before, "to": revision})

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
            uow = UnitOfWork(session, head, self._keys, actor, station)
            if head.last_id == 0:
                if revision is not None:  # made at this revision: no upgrade to note
                    session.add(StoreMeta(name=SCHEMA_SEEN, value=revision))
                uow.audit("database.create", "database", None, {"db_uid": db_uid}, db_uid=db_uid)
            else:
                records = list(session.scalars(select(Record).order_by(Record.id)))
                reviews = list(session.scalars(select(Review).order_by(Review.id)))
                for rev in reviews:
                    rev.reason_codes = ""  # plain codes (age groups) go: reasons_enc holds them
                owners: list[Record | Review] = [*records, *reviews]
                for owner in owners:
                    rowmac.seal(session, self._keys, owner)
                uow.audit(
                    "database.seal",
                    "database",
                    None,
                    {
                        "db_uid": db_uid,
                        "record_ids": id_ranges(r.id for r in records),
                        "review_ids": id_ranges(r.id for r in reviews),
                    },
                    db_uid=db_uid,
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

    def __init__(self, store: StoreCore) -> None:
        self._store = store
        self.keys = store._keys

    def write(self) -> AbstractContextManager[tuple[Session, AuditHead]]:
        return self._store._write()

    def check_intact(self, session: Session, owner: Record | Review) -> None:
        self._store._check_intact(session, owner)

    def append_audit(
        self, session: Session, head: AuditHead, actor: str, workstation: str, details: dict[str, object]
    ) -> None:
        station = _check_person(workstation, "workstation")
        UnitOfWork(session, head, self.keys, actor, station).audit("key.rotate", "database", None, details)
