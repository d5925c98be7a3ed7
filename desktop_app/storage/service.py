"""The record service: every public operation is one short transaction.

Write operations lock the audit chain first (see :mod:`.audit`), do all their work and
append their audit entries in the same transaction: either all of it is saved or none
of it. Read operations use their own short read transaction. No session or ORM object
outlives a call; what comes back is a frozen value from :mod:`.values`.

:class:`Store` is the front; the work is split by purpose:

* :mod:`.unit`: engine, sessions, cipher, and :class:`~.unit.UnitOfWork` (one save: its
  session, actor, time and audit head, with ``audit(...)``);
* :mod:`.records`: confirmed records; :mod:`.reviews`: the review queue;
* :mod:`.privacy`: export, purge, retention; :mod:`.auditing`: verify, checkpoints,
  schema and key entries, counts;
* :mod:`.contexts`: the associated data of every encrypted column, built in one place.
"""

from __future__ import annotations

from .auditing import AuditPart
from .common import StoreSettings, _check_person, id_ranges, utcnow
from .privacy import PrivacyPart
from .reviews import ReviewsPart
from .unit import UnitOfWork

__all__ = ["Store", "StoreSettings", "UnitOfWork", "_check_person", "id_ranges", "utcnow"]


class Store(ReviewsPart, PrivacyPart, AuditPart):
    """Records, the review queue, the audit chain and privacy operations on one database.

    Make one with :func:`desktop_app.storage.open_store`. Thread-safe: every method opens
    and closes its own session; share one :class:`Store` between threads of a process.
    """
