"""The store's core: engine, sessions, cipher, and the unit of work each save runs in."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from time import monotonic
from typing import Self

from sqlalchemy import Engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from . import audit, common, rotation, rowmac
from .checkpoint import Checkpoint, append_to_folder, make_checkpoint
from .common import (
    RETENTION_INTERVAL_S,
    StoreSettings,
    _check_person,
)
from .crypto import FieldCipher, Keys, mask_document_number
from .engine import reader
from .errors import (
    StorageError,
    TamperedError,
    translate,
)
from .models import (
    AuditCheckpoint,
    AuditHead,
    Record,
    Review,
)
from .paths import sqlite_file
from .signing import AuditSigner
from .values import (
    PurgeResult,
)

log = logging.getLogger(__name__)


@dataclass
class UnitOfWork:
    """One write transaction: its session, the locked audit head, who acts, from where,
    and when. :meth:`audit` appends an entry in the same transaction."""

    session: Session
    head: AuditHead
    keys: Keys
    actor: str
    workstation: str
    now: datetime | None = None
    """The time of the change (None: each entry takes the clock when it is appended)."""

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: int | None,
        details: Mapping[str, object],
        *,
        actor: str | None = None,
        workstation: str | None = None,
        db_uid: str | None = None,
    ) -> int:
        """One audit entry (no personal data in ``details``) in this unit's transaction."""
        return audit.append(
            self.session,
            self.keys,
            self.head,
            actor=actor or self.actor,
            workstation=workstation or self.workstation,
            action=action,
            entity=entity,
            entity_id=entity_id,
            details=details,
            now=self.now,
            db_uid=db_uid,
        )


class StoreCore:
    """Connections, transactions, the cipher and the audited view: what every part of the store uses."""

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

    def __enter__(self) -> Self:
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

    @contextmanager
    def _unit(self, actor: str, workstation: str, *, now: datetime | None = None) -> Iterator[UnitOfWork]:
        """:meth:`_write` as a :class:`UnitOfWork` acting for ``actor`` at ``workstation``."""
        with self._write() as (session, head):
            yield UnitOfWork(session, head, self._keys, actor, workstation, now)

    def _store_checkpoint(self, session: Session, head: AuditHead) -> Checkpoint:
        cp = make_checkpoint(
            audit.database_uid(session) or "", head.last_id, head.last_hash, common.utcnow(), self._signer
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

    def _check_intact(self, session: Session, owner: Record | Review) -> None:
        if not rowmac.intact(session, self._keys, owner):
            kind = "Record" if isinstance(owner, Record) else "Review"
            log.error("%s %d fails its integrity check", kind, owner.id)
            raise TamperedError(
                f"{kind} {owner.id} fails its integrity check: it was changed outside the application. "
                "Nothing was changed; run `passport-desk audit verify` and tell the security officer."
            )

    def _mask(self, number: str | None, masked: bool) -> str | None:
        return mask_document_number(number) if masked else number

    def _audit_view(
        self, action: str, entity: str, entity_id: int | None, details: dict[str, object], viewer: str | None
    ) -> None:
        """One audit entry for reading personal data in full (who saw what, never the values)."""
        actor = _check_person(viewer or audit.os_account(), "operator")
        with self._unit(actor, _check_person(socket.gethostname(), "workstation")) as uow:
            uow.audit(action, entity, entity_id, details)

    def apply_retention(self) -> PurgeResult | None:
        """Apply the retention period now (the privacy part of the store does it)."""
        raise NotImplementedError

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
