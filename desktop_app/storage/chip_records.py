"""The chip read kept with a confirmed record (issue 16), and its audit entry.

The chip's result (its fields, the portrait's hash, passive authentication) is personal
data: it is stored encrypted like every field value. The audit entry holds only the
status words and the data groups read, never a value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from . import common
from .contexts import Column, aad
from .errors import StorageError
from .models import Record, RecordChipRead
from .service import Store, _check_person

PA_STATUSES = frozenset({"valid", "invalid", "untrusted", "not_checked"})


def _context(record_id: int) -> str:
    return aad("record", str(record_id), Column.CHIP)


def save_chip_read(
    store: Store, record_id: int, chip: Mapping[str, Any], *, operator: str, workstation: str
) -> None:
    """Attach a chip read (the ``chip`` command's JSON object) to a record, in one
    transaction with its ``record.chip_read`` audit entry."""
    operator = _check_person(operator, "operator")
    workstation = _check_person(workstation, "workstation")
    pa = (chip.get("passive_authentication") or {}).get("status", "not_checked")
    if pa not in PA_STATUSES:
        raise ValueError(f"unknown passive-authentication status {pa!r}")
    payload = json.dumps(chip, sort_keys=True, ensure_ascii=False, default=str)
    with store._unit(operator, workstation, now=common.utcnow()) as uow:
        session, now = uow.session, uow.now
        assert now is not None
        if session.get(Record, record_id) is None:
            raise StorageError(f"record {record_id} does not exist")
        blob = store._enc(payload, _context(record_id))
        assert blob is not None
        row = session.get(RecordChipRead, record_id)
        if row is None:
            session.add(RecordChipRead(record_id=record_id, read_at=now, result_enc=blob, passive_auth=pa))
        else:  # read again: the latest read is kept, the audit trail has both
            row.read_at, row.result_enc, row.passive_auth = now, blob, pa
        uow.audit(
            "record.chip_read",
            "record",
            record_id,
            {
                "status": chip.get("status"),
                "access": chip.get("access"),
                "data_groups": list(chip.get("data_groups") or []),
                "passive_authentication": pa,
            },
        )


def chip_read_of(store: Store, record_id: int) -> dict[str, Any] | None:
    """The chip read kept with a record, or None (a record saved without one)."""
    with store._read() as session:
        if session.get(Record, record_id) is None:
            raise StorageError(f"record {record_id} does not exist")
        row = session.get(RecordChipRead, record_id)
        text = None if row is None else store._dec(row.result_enc, _context(record_id))
    return None if text is None else dict(json.loads(text))
