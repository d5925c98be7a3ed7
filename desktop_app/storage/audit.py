"""The append-only audit chain: write one entry, verify the whole chain.

Each entry's ``row_hash`` is an HMAC-SHA256 (audit sub-key) over the canonical JSON of
its own columns plus the previous entry's hash. Ids are consecutive, assigned by the
writer under the write lock. So:

* a changed column breaks that row's hash;
* a deleted row leaves a gap in the ids (and breaks the next row's ``prev_hash``);
* a cut-off tail disagrees with the MAC'd head row (``audit_head``);
* and since the hash is keyed, someone with write access to the database but not the
  key cannot re-compute a consistent chain after a change.

Entries hold ids, field keys, counts, dates and actions: never a field value.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .crypto import Keys
from .models import AuditEntry, AuditHead

GENESIS_HASH = "0" * 64
HEAD_ID = 1


@dataclass(frozen=True, slots=True)
class AuditVerification:
    """The outcome of :meth:`Store.verify_audit`."""

    ok: bool
    checked: int
    """How many entries were checked."""
    bad_row_id: int | None = None
    """The first entry found altered, missing or out of place (None when ok)."""
    reason: str | None = None


def canonical_details(details: Mapping[str, Any]) -> str:
    return json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)


def _row_payload(
    *,
    id: int,
    at: datetime,
    actor: str,
    workstation: str,
    action: str,
    entity: str,
    entity_id: int | None,
    details: str,
    prev_hash: str,
) -> bytes:
    at_utc = at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    return json.dumps(
        [id, at_utc, actor, workstation, action, entity, entity_id, details, prev_hash],
        separators=(",", ":"),
        ensure_ascii=True,
    ).encode()


def row_hash(keys: Keys, **cols: Any) -> str:
    return hmac.new(keys.audit, _row_payload(**cols), hashlib.sha256).hexdigest()


def head_mac(keys: Keys, last_id: int, last_hash: str) -> str:
    return hmac.new(keys.audit, f"head|{last_id}|{last_hash}".encode(), hashlib.sha256).hexdigest()


def ensure_head(session: Session, keys: Keys) -> None:
    """Create the head row of an empty chain (once, on a new database)."""
    if session.get(AuditHead, HEAD_ID) is None:
        session.add(
            AuditHead(id=HEAD_ID, last_id=0, last_hash=GENESIS_HASH, mac=head_mac(keys, 0, GENESIS_HASH))
        )


def lock_head(session: Session) -> AuditHead:
    """Lock the chain for this transaction (first statement of every write transaction)."""
    head = session.execute(select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update()).scalar_one()
    return head


def append(
    session: Session,
    keys: Keys,
    head: AuditHead,
    *,
    actor: str,
    workstation: str,
    action: str,
    entity: str,
    entity_id: int | None,
    details: Mapping[str, Any],
    now: datetime | None = None,
) -> int:
    """Append one entry in the caller's transaction; ``head`` must come from :func:`lock_head`."""
    at = now or datetime.now(UTC)
    cols: dict[str, Any] = {
        "id": head.last_id + 1,
        "at": at,
        "actor": actor,
        "workstation": workstation,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "details": canonical_details(details),
        "prev_hash": head.last_hash,
    }
    digest = row_hash(keys, **cols)
    session.add(AuditEntry(row_hash=digest, **cols))
    head.last_id = cols["id"]
    head.last_hash = digest
    head.mac = head_mac(keys, head.last_id, digest)
    session.flush()
    return int(cols["id"])


def verify(session: Session, keys: Keys, *, batch: int = 2000) -> AuditVerification:
    """Walk the whole chain in id order; report the first bad entry."""
    head = session.get(AuditHead, HEAD_ID)
    expected_id = 1
    prev = GENESIS_HASH
    checked = 0
    stmt = select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=batch)
    for entry in session.scalars(stmt):
        if entry.id != expected_id:
            if entry.id > expected_id:
                return AuditVerification(
                    False, checked, expected_id, f"entry {expected_id} is missing (deleted?)"
                )
            return AuditVerification(False, checked, entry.id, f"entry {entry.id} is out of place")
        if entry.prev_hash != prev:
            return AuditVerification(
                False, checked, entry.id, f"entry {entry.id} does not follow entry {entry.id - 1}"
            )
        computed = row_hash(
            keys,
            id=entry.id,
            at=entry.at,
            actor=entry.actor,
            workstation=entry.workstation,
            action=entry.action,
            entity=entry.entity,
            entity_id=entry.entity_id,
            details=entry.details,
            prev_hash=entry.prev_hash,
        )
        if not hmac.compare_digest(computed, entry.row_hash):
            return AuditVerification(False, checked, entry.id, f"entry {entry.id} was altered")
        prev = entry.row_hash
        expected_id += 1
        checked += 1
    last_id = expected_id - 1
    if head is None:
        if checked == 0:
            return AuditVerification(True, 0)
        return AuditVerification(False, checked, last_id, "the chain's head row is missing")
    if not hmac.compare_digest(head.mac, head_mac(keys, head.last_id, head.last_hash)):
        return AuditVerification(False, checked, head.last_id or None, "the chain's head row was altered")
    if head.last_id != last_id or head.last_hash != prev:
        if head.last_id > last_id:
            return AuditVerification(
                False, checked, last_id + 1, f"entries {last_id + 1} to {head.last_id} are missing (deleted?)"
            )
        return AuditVerification(
            False, checked, head.last_id + 1, "entries after the recorded end of the chain"
        )
    return AuditVerification(True, checked)
