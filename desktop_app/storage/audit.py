"""The append-only audit chain: write one entry, verify the whole chain.

Each entry's ``row_hash`` is an HMAC-SHA256 (audit sub-key) over the canonical JSON of
its own columns plus the previous entry's hash. Ids are consecutive, assigned by the
writer under the write lock. So:

* a changed column breaks that row's hash;
* a deleted row leaves a gap in the ids (and breaks the next row's ``prev_hash``);
* a cut-off tail disagrees with the MAC'd head row (``audit_head``);
* since the hash is keyed, someone with write access to the database but not the
  key cannot re-compute a consistent chain after a change;
* entry 1 of every database made by this version (or the ``database.seal`` entry of an
  older one) names the database's uid, so an emptied log on a database that was ever
  written is broken, not "intact (0 entries)";
* and what the rows alone cannot show (the whole chain rewritten by someone who holds the
  master key, or an older head put back with the checkpoints beside it) is caught against
  the signed checkpoints kept outside the rows (see :mod:`.checkpoint`).

Entries hold ids, field keys, counts, dates and actions: never a field value.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from .checkpoint import Checkpoint
from .crypto import Keys
from .models import AuditEntry, AuditHead

GENESIS_HASH = "0" * 64
HEAD_ID = 1
GENESIS_ACTIONS = ("database.create", "database.seal")


@dataclass(frozen=True, slots=True)
class AuditVerification:
    """The outcome of :meth:`Store.verify_audit`."""

    ok: bool
    checked: int
    """How many entries were checked."""
    bad_row_id: int | None = None
    """The first entry found altered, missing or out of place (None when ok)."""
    reason: str | None = None
    checkpoints: int = 0
    """How many checkpoints the chain was checked against."""
    covered: int = 0
    """The entry count of the newest checkpoint (entries after it rest on the chain alone)."""
    signatures_checked: bool = False
    """Whether checkpoint signatures were checked against a public key."""
    rows_checked: int = 0
    """How many records and reviews were checked against their MACs and audit entries."""


@functools.cache
def os_account() -> str:
    """The account this process runs as, from the OS (not from env USER or a command-line
    flag): recorded in every entry beside the operator name the caller gives."""
    try:
        if os.name == "posix":
            import pwd

            return pwd.getpwuid(os.geteuid()).pw_name
        return os.getlogin()
    except (KeyError, OSError):
        return f"uid:{os.geteuid()}" if hasattr(os, "geteuid") else "unknown"


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


def head_mac(keys: Keys, last_id: int, last_hash: str, db_uid: str = "") -> str:
    """The head's MAC binds the entry count (``last_id``; ids are consecutive from 1), the
    last hash and the database uid."""
    msg = f"head|{last_id}|{last_hash}" + (f"|{db_uid}" if db_uid else "")
    return hmac.new(keys.audit, msg.encode(), hashlib.sha256).hexdigest()


def ensure_head(session: Session, keys: Keys, db_uid: str = "") -> AuditHead:
    """Create the head row of an empty chain (once, on a new database)."""
    head = session.get(AuditHead, HEAD_ID)
    if head is None:
        head = AuditHead(
            id=HEAD_ID, last_id=0, last_hash=GENESIS_HASH, mac=head_mac(keys, 0, GENESIS_HASH, db_uid)
        )
        session.add(head)
        session.flush()
    return head


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
    db_uid: str | None = None,
) -> int:
    """Append one entry in the caller's transaction; ``head`` must come from :func:`lock_head`.

    ``db_uid``: the database uid the head MAC binds; read from the session when None.
    """
    at = now or datetime.now(UTC)
    cols: dict[str, Any] = {
        "id": head.last_id + 1,
        "at": at,
        "actor": actor,
        "workstation": workstation,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "details": canonical_details({**details, "os_account": os_account()}),
        "prev_hash": head.last_hash,
    }
    digest = row_hash(keys, **cols)
    session.add(AuditEntry(row_hash=digest, **cols))
    head.last_id = cols["id"]
    head.last_hash = digest
    head.mac = head_mac(
        keys, head.last_id, digest, db_uid if db_uid is not None else database_uid(session) or ""
    )
    session.flush()
    return int(cols["id"])


DB_UID = "db_uid"


def database_uid(session: Session) -> str | None:
    from .models import StoreMeta

    meta = session.get(StoreMeta, DB_UID)
    return None if meta is None else meta.value


def _usable_checkpoints(
    checkpoints: Sequence[Checkpoint], db_uid: str | None, trusted: Sequence[Ed25519PublicKey]
) -> tuple[list[Checkpoint], str | None]:
    """The checkpoints to check the chain against, or a reason why one is forged."""
    out: list[Checkpoint] = []
    for cp in checkpoints:
        if db_uid is not None and cp.database != db_uid:
            return [], f"a checkpoint in {cp.origin} names another database ({cp.database})"
        if trusted:
            if cp.signature is None:
                continue  # unsigned: no weight once signatures are asked for
            if not any(cp.signed_by(k) for k in trusted):
                return [], f"the checkpoint of {cp.at} ({cp.origin}) does not carry a valid signature"
        out.append(cp)
    return out, None


def _entry_problem(
    keys: Keys, entry: AuditEntry, expected_id: int, prev: str, by_count: Mapping[int, Sequence[Checkpoint]]
) -> tuple[int, str] | None:
    """(entry id, why) when ``entry`` is not the next link of the chain, else None."""
    if entry.id != expected_id:
        if entry.id > expected_id:
            return expected_id, f"entry {expected_id} is missing (deleted?)"
        return entry.id, f"entry {entry.id} is out of place"
    if entry.prev_hash != prev:
        return entry.id, f"entry {entry.id} does not follow entry {entry.id - 1}"
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
        return entry.id, f"entry {entry.id} was altered"
    for cp in by_count.get(entry.id, ()):
        if not hmac.compare_digest(cp.last_hash, entry.row_hash):
            return (
                entry.id,
                f"entry {entry.id} differs from the checkpoint of {cp.at} ({cp.origin}): the chain was rewritten",
            )
    return None


def verify(
    session: Session,
    keys: Keys,
    *,
    checkpoints: Sequence[Checkpoint] = (),
    trusted: Sequence[Ed25519PublicKey] = (),
    batch: int = 2000,
) -> AuditVerification:
    """Walk the whole chain in id order; report the first bad entry.

    ``checkpoints``: from the table and any checkpoint files; ``trusted``: public keys whose
    signatures count (when given, unsigned checkpoints are ignored and a bad signature is a
    break).
    """
    head = session.get(AuditHead, HEAD_ID)
    db_uid = database_uid(session)
    usable, forged = _usable_checkpoints(checkpoints, db_uid, trusted)
    signed = bool(trusted)
    if forged:
        return AuditVerification(False, 0, None, forged, signatures_checked=signed)
    by_count: dict[int, list[Checkpoint]] = {}
    for cp in usable:
        by_count.setdefault(cp.count, []).append(cp)
    newest = max(usable, key=lambda c: c.count, default=None)

    def fail(checked: int, row: int | None, why: str) -> AuditVerification:
        return AuditVerification(False, checked, row, why, len(usable), 0, signed)

    expected_id = 1
    prev = GENESIS_HASH
    checked = 0
    genesis_seen = False
    stmt = select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=batch)
    for entry in session.scalars(stmt):
        problem = _entry_problem(keys, entry, expected_id, prev, by_count)
        if problem is not None:
            return fail(checked, *problem)
        if db_uid is not None and entry.action in GENESIS_ACTIONS and f'"db_uid":"{db_uid}"' in entry.details:
            genesis_seen = True
        prev = entry.row_hash
        expected_id += 1
        checked += 1
    last_id = expected_id - 1
    if newest is not None and newest.count > last_id:
        return fail(
            checked,
            last_id + 1,
            f"entries {last_id + 1} to {newest.count} are missing: the checkpoint of {newest.at} "
            f"({newest.origin}) recorded {newest.count} entries (log cut short or wiped)",
        )
    if db_uid is not None:
        if checked == 0:
            return fail(0, 1, "the audit log is empty, but this database was initialised (log wiped?)")
        if not genesis_seen:
            return fail(checked, 1, "no entry of the chain creates this database (entries replaced?)")
        if newest is None:
            what = "signed checkpoint" if signed else "checkpoint"
            return fail(checked, None, f"no {what} of the chain was found (checkpoints deleted?)")
    if head is None:
        if checked == 0:
            return AuditVerification(True, 0, signatures_checked=signed)
        return fail(checked, last_id, "the chain's head row is missing")
    if not hmac.compare_digest(head.mac, head_mac(keys, head.last_id, head.last_hash, db_uid or "")):
        return fail(checked, head.last_id or None, "the chain's head row was altered")
    if head.last_id != last_id or head.last_hash != prev:
        if head.last_id > last_id:
            return fail(
                checked, last_id + 1, f"entries {last_id + 1} to {head.last_id} are missing (deleted?)"
            )
        return fail(checked, head.last_id + 1, "entries after the recorded end of the chain")
    return AuditVerification(True, checked, None, None, len(usable), newest.count if newest else 0, signed)
