"""Rows against the audit chain: every record and review against the entries that made it.

Run by ``audit verify`` after the chain itself verified. For each record and review:

* its MAC (see :mod:`.rowmac`) must match its row, field rows and corrections;
* the newest audit entry that created or changed it must carry that same MAC (so a row
  re-MACed by someone holding the master key still disagrees with the signed chain);
* every record or review an entry created must still exist unless a purge entry names it
  (a whole record deleted with sqlite3 is caught);
* a row no entry created is foreign, unless the ``database.seal`` entry of an upgraded
  database lists it (those older rows are covered by their MAC only, and the seal entry's
  list of what existed then).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import rowmac
from .crypto import Keys
from .models import AuditEntry, Record, Review

_CREATES = {"record": ("record.create",), "review": ("review.flag",)}
_CHANGES = {"record": ("record.create",), "review": ("review.flag", "review.approve", "review.reject")}


@dataclass(frozen=True, slots=True)
class RowCheck:
    ok: bool
    checked: int
    reason: str | None = None


def _expand(ranges: Iterable[list[int]]) -> Iterable[int]:
    for lo, hi in ranges:
        yield from range(int(lo), int(hi) + 1)


@dataclass
class _Trail:
    created: set[int]
    purged: set[int]
    mac: dict[int, str]
    sealed_upto: int = 0


def _trails(session: Session) -> dict[str, _Trail]:
    trails = {k: _Trail(set(), set(), {}) for k in ("record", "review")}
    stmt = select(AuditEntry.action, AuditEntry.entity, AuditEntry.entity_id, AuditEntry.details).order_by(
        AuditEntry.id
    )
    for action, entity, entity_id, details_text in session.execute(stmt):
        details = json.loads(details_text)
        if action == "purge":
            trails["record"].purged.update(_expand(details.get("record_ids") or []))
            trails["review"].purged.update(_expand(details.get("review_ids") or []))
            continue
        if action == "database.seal":
            # What existed when an older database was sealed replaces what its older entries said.
            for kind, key in (("record", "record_ids"), ("review", "review_ids")):
                present = set(_expand(details.get(key) or []))
                trails[kind].created = present
                trails[kind].sealed_upto = max(present, default=0)
            continue
        if action == "key.rotate" and details.get("phase") == "batch":
            # A rotation re-encrypted these rows: their MACs changed with the chain's word.
            for kind, key in (("record", "records"), ("review", "reviews")):
                for owner_id, mac in (details.get(key) or {}).items():
                    trails[kind].mac[int(owner_id)] = str(mac)
            continue
        if entity not in trails or entity_id is None:
            continue
        t = trails[entity]
        if action in _CREATES[entity]:
            t.created.add(int(entity_id))
        if action in _CHANGES[entity] and "row_mac" in details:
            t.mac[int(entity_id)] = str(details["row_mac"])
    return trails


def verify_rows(session: Session, keys: Keys) -> RowCheck:
    trails = _trails(session)
    checked = 0
    seen: dict[str, set[int]] = {"record": set(), "review": set()}
    for kind in ("record", "review"):
        t = trails[kind]
        rows: Iterable[Record | Review] = (
            session.scalars(select(Record).order_by(Record.id))
            if kind == "record"
            else session.scalars(select(Review).order_by(Review.id))
        )
        for owner in rows:
            seen[kind].add(owner.id)
            checked += 1
            if not rowmac.intact(session, keys, owner):
                return RowCheck(False, checked, f"{kind} {owner.id} was changed outside the application")
            expected = t.mac.get(owner.id)
            if expected is None:
                if owner.id > t.sealed_upto:
                    return RowCheck(
                        False, checked, f"{kind} {owner.id} has no audit entry that made it as it is"
                    )
            elif expected != owner.row_mac:
                return RowCheck(False, checked, f"{kind} {owner.id} differs from its audit entry")
        missing = sorted(t.created - t.purged - seen[kind])
        if missing:
            return RowCheck(False, checked, f"{kind} {missing[0]} was deleted outside the application")
    return RowCheck(True, checked)
