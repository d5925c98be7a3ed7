"""Settings, limits, input checks and small helpers shared by the parts of the store."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Final, TypeVar

from desktop_app.core.types import FIELD_KEYS, DocumentResult, Flag

from .errors import (
    InvalidInputError,
)
from .values import (
    ReviewReason,
)

log = logging.getLogger(__name__)


T = TypeVar("T")
DateLike = date | datetime

SUMMARY_KEYS: Final = ("document_number", "surname", "given_names", "issuing_country")
MAX_VALUE_CHARS: Final = 500
MAX_NAME_CHARS: Final = 128
MAX_IMAGE_BYTES: Final = 64 * 1024 * 1024
_CHUNK: Final = 500
RETENTION_INTERVAL_S: Final = 24 * 3600.0
SCHEMA_SEEN: Final = "schema_revision"


def utcnow() -> datetime:
    """The store's clock (tests move it back to make old rows the way the application does)."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class StoreSettings:
    """How a :class:`Store` behaves. All have safe defaults."""

    keep_review_images: bool = False
    """Keep the scan of a flagged document (encrypted) until its review closes."""
    busy_timeout_s: float = 10.0
    """How long a save waits for another window's save before :class:`DatabaseLockedError`."""
    create: bool = True
    """Create the schema in an empty database (an older schema is never upgraded here), and a
    missing SQLite file, key or signing key. False for read-only commands."""
    sign_checkpoints: bool = True
    """Sign audit checkpoints with the audit signing key (see :mod:`.signing`)."""
    audit_signing_key: Path | None = None
    """The signing key file; None for the default (env, else the config folder)."""
    checkpoint_dir: Path | None = None
    """A folder to append signed checkpoints to (a share, ideally); None for none."""
    retention_days: int | None = None
    """Apply this retention period at open and once a day while open; None: only on request."""
    pending_image_days: int = 30
    """Images kept with a review that is still pending are dropped after this many days."""
    pending_overdue_days: int = 14
    """Pending reviews older than this are reported (audited, logged) as overdue."""


@dataclass(frozen=True, slots=True)
class _FieldIn:
    key: str
    value: str
    ocr_value: str | None
    source: str
    ocr_source: str | None
    confidence: float | None
    status: str | None
    reason: str | None

    @property
    def changed(self) -> bool:
        return self.ocr_value != self.value


def _local_midnight_utc(d: date) -> datetime:
    return datetime.combine(d, time()).astimezone().astimezone(UTC)


def _since_bound(since: DateLike | None) -> datetime | None:
    if since is None:
        return None
    if isinstance(since, datetime):
        return (since if since.tzinfo else since.astimezone()).astimezone(UTC)
    return _local_midnight_utc(since)


def _until_bound(until: DateLike | None) -> tuple[datetime, bool] | None:
    """(bound, inclusive). A date covers that whole (local) day."""
    if until is None:
        return None
    if isinstance(until, datetime):
        return (until if until.tzinfo else until.astimezone()).astimezone(UTC), True
    return _local_midnight_utc(until + timedelta(days=1)), False


def _check_person(value: str, what: str) -> str:
    v = (value or "").strip()
    if not v:
        raise InvalidInputError(f"The {what} must be given.")
    if len(v) > MAX_NAME_CHARS:
        raise InvalidInputError(f"The {what} is longer than {MAX_NAME_CHARS} characters.")
    return v


def _check_key(key: str) -> None:
    if key not in FIELD_KEYS:
        raise InvalidInputError(f"Unknown field {key!r}; expected one of: {', '.join(FIELD_KEYS)}.")


def _check_value(key: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"The value of {key} must be text.")
    if len(value) > MAX_VALUE_CHARS:
        raise InvalidInputError(f"The value of {key} is longer than {MAX_VALUE_CHARS} characters.")
    return value


def _field_order(keys: Iterable[str]) -> list[str]:
    order = {k: i for i, k in enumerate(FIELD_KEYS)}
    return sorted(set(keys), key=lambda k: (order.get(k, len(order)), k))


def _chunks(items: Sequence[T], n: int = _CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def id_ranges(ids: Iterable[int]) -> list[list[int]]:
    """``[1, 2, 3, 7]`` -> ``[[1, 3], [7, 7]]``: ids of purged rows, compact, for the audit entry."""
    out: list[list[int]] = []
    for i in sorted(set(ids)):
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


def _reasons_of(reasons: Sequence[Flag | ReviewReason | str], result: DocumentResult) -> list[ReviewReason]:
    out: list[ReviewReason] = []
    for r in reasons or result.flags:
        if isinstance(r, Flag | ReviewReason):
            out.append(ReviewReason(r.code, r.message))
        elif isinstance(r, str) and r.strip():
            out.append(ReviewReason("operator", r.strip()))
    if not out:
        out.append(ReviewReason("operator", "Sent for review by the operator."))
    return out


class _MissingCheckpoints(Exception):
    pass
