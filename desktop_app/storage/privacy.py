"""Privacy operations: export (audited, owner-only file), purge and the retention that runs it."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from time import monotonic
from typing import cast

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from desktop_app.core.types import FIELD_KEYS

from . import backups, common
from .common import (
    DateLike,
    _check_person,
    _chunks,
    _since_bound,
    _until_bound,
    id_ranges,
)
from .errors import (
    DecryptionError,
    InvalidInputError,
    StorageError,
    TamperedError,
)
from .exportfile import resolve_export_path, to_csv, write_private_file
from .models import (
    Correction,
    Record,
    RecordField,
    Review,
    ReviewField,
    ReviewImage,
)
from .records import RecordsPart
from .values import (
    ExportFormat,
    ExportResult,
    PurgeResult,
    RecordDetail,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _PurgePlan:
    records: list[int]
    reviews: list[int]
    pending_kept: int
    overdue: list[int]
    stale_images: list[int]


class PrivacyPart(RecordsPart):
    """Export, purge and retention."""

    # -- export ------------------------------------------------------------------
    def export(
        self,
        fmt: str,
        out: str | Path,
        *,
        since: DateLike | None,
        until: DateLike | None = None,
        actor: str,
        workstation: str | None = None,
        allowed_dir: str | Path | None = None,
        overwrite: bool = False,
    ) -> ExportResult:
        """Write confirmed records (full values) to ``out`` as ``fmt`` (``"csv"`` or ``"json"``); audited.

        ``out`` must stay inside ``allowed_dir`` (default: the folder ``out`` names); the file
        is created owner-only and never replaces an existing file unless ``overwrite``.
        """
        if fmt not in ("csv", "json"):
            raise InvalidInputError(f"Unknown export format {fmt!r}; use csv or json.")
        kind = cast(ExportFormat, fmt)
        actor = _check_person(actor, "operator")
        station = _check_person(workstation or socket.gethostname(), "workstation")
        path = resolve_export_path(out, allowed_dir)
        q = select(Record)
        lo = _since_bound(since)
        if lo is not None:
            q = q.where(Record.confirmed_at >= lo)
        hi = _until_bound(until)
        if hi is not None:
            q = q.where(Record.confirmed_at <= hi[0] if hi[1] else Record.confirmed_at < hi[0])
        q = q.order_by(Record.id)
        with self._read() as session:
            details: list[RecordDetail] = []
            skipped: list[int] = []
            for r in session.scalars(q):
                try:
                    details.append(self._record_detail(session, r))
                except (DecryptionError, TamperedError):
                    skipped.append(r.id)
        if skipped:
            log.warning("Export skipped damaged or altered records: ids %s", skipped)
        data = _format_export(kind, details)
        write_private_file(path, data, overwrite=overwrite)
        try:
            with self._unit(actor, station) as uow:
                uow.audit(
                    "export",
                    "records",
                    None,
                    {
                        "format": fmt,
                        "count": len(details),
                        "since": lo.isoformat() if lo else None,
                        "until": hi[0].isoformat() if hi else None,
                        "record_ids": [d.id for d in details] if len(details) <= 5000 else None,
                        "first_id": details[0].id if details else None,
                        "last_id": details[-1].id if details else None,
                        "skipped_ids": skipped,
                    },
                )
        except StorageError:
            # An export that cannot be audited must not stay behind.
            with suppress(OSError):
                path.unlink()
            raise
        log.info("Exported %d records as %s", len(details), fmt)
        return ExportResult(path=path, format=kind, count=len(details), skipped=tuple(skipped))

    # -- retention ---------------------------------------------------------------
    def purge(
        self,
        older_than_days: int,
        *,
        actor: str = "retention",
        workstation: str | None = None,
        pending_image_days: int | None = None,
    ) -> PurgeResult:
        """Delete confirmed records and closed reviews older than ``older_than_days``; audited.

        Deleted rows are overwritten on SQLite (``secure_delete``) and the WAL is then
        truncated; on PostgreSQL the tables are vacuumed afterwards. Pending reviews are
        never purged (nobody has decided them yet): they are counted in ``pending_kept``,
        and their kept images are dropped after ``pending_image_days`` (default: the
        setting). Pre-migration backup copies that hold anything older than the cutoff are
        deleted too. Audit entries are kept: they hold no personal data.
        """
        if not isinstance(older_than_days, int) or older_than_days < 0:
            raise InvalidInputError("The retention period must be a whole number of days, 0 or more.")
        actor = _check_person(actor, "operator")
        station = _check_person(workstation or socket.gethostname(), "workstation")
        image_days = self.settings.pending_image_days if pending_image_days is None else pending_image_days
        now = common.utcnow()
        cutoff = now - timedelta(days=older_than_days)
        with self._unit(actor, station, now=now) as uow:
            plan = self._purge_plan(uow.session, now, cutoff, image_days)
            images = self._purge_rows(uow.session, plan)
            removed_backups = backups.expire(self._sqlite_path, cutoff) if self._sqlite_path else 0
            uow.audit(
                "purge",
                "records",
                None,
                {
                    "older_than_days": older_than_days,
                    "cutoff": cutoff.isoformat(),
                    "records": len(plan.records),
                    "reviews": len(plan.reviews),
                    "images": images,
                    "pending_kept": plan.pending_kept,
                    "pending_images": len(plan.stale_images),
                    "backups": removed_backups,
                    "record_ids": id_ranges(plan.records),
                    "review_ids": id_ranges(plan.reviews),
                },
            )
            if plan.overdue:
                uow.audit(
                    "review.overdue",
                    "reviews",
                    None,
                    {
                        "older_than_days": self.settings.pending_overdue_days,
                        "review_ids": id_ranges(plan.overdue),
                    },
                )
        self._scrub_after_delete()
        if plan.overdue:
            log.warning(
                "%d pending reviews are overdue (older than %d days)",
                len(plan.overdue),
                self.settings.pending_overdue_days,
            )
        log.info(
            "Purged %d records and %d reviews older than %d days (%d backup copies)",
            len(plan.records),
            len(plan.reviews),
            older_than_days,
            removed_backups,
        )
        return PurgeResult(
            cutoff,
            len(plan.records),
            len(plan.reviews),
            images,
            plan.pending_kept,
            len(plan.stale_images),
            removed_backups,
        )

    def _purge_plan(self, session: Session, now: datetime, cutoff: datetime, image_days: int) -> _PurgePlan:
        """What a purge at ``cutoff`` deletes, keeps and reports (in the purge's transaction)."""
        image_cutoff = now - timedelta(days=max(0, image_days))
        overdue_cutoff = now - timedelta(days=max(0, self.settings.pending_overdue_days))
        kept_record_reviews = select(Record.review_id).where(
            Record.review_id.is_not(None), Record.confirmed_at >= cutoff
        )
        pending_kept = session.scalar(
            select(func.count())
            .select_from(Review)
            .where(Review.created_at < cutoff, Review.status == "pending")
        )
        return _PurgePlan(
            records=list(session.scalars(select(Record.id).where(Record.confirmed_at < cutoff))),
            reviews=list(
                session.scalars(
                    select(Review.id).where(
                        Review.created_at < cutoff,
                        Review.status != "pending",
                        Review.id.not_in(kept_record_reviews),
                    )
                )
            ),
            pending_kept=int(pending_kept or 0),
            overdue=list(
                session.scalars(
                    select(Review.id).where(Review.created_at < overdue_cutoff, Review.status == "pending")
                )
            ),
            stale_images=list(
                session.scalars(
                    select(ReviewImage.review_id)
                    .join(Review, Review.id == ReviewImage.review_id)
                    .where(Review.status == "pending", ReviewImage.created_at < image_cutoff)
                )
            ),
        )

    @staticmethod
    def _purge_rows(session: Session, plan: _PurgePlan) -> int:
        """Delete what the plan names; the number of images deleted with closed reviews."""
        images = 0
        for chunk in _chunks(plan.records):
            session.execute(delete(Correction).where(Correction.record_id.in_(chunk)))
            session.execute(delete(RecordField).where(RecordField.record_id.in_(chunk)))
            session.execute(delete(Record).where(Record.id.in_(chunk)))
        for chunk in _chunks(plan.reviews):
            res = session.execute(delete(ReviewImage).where(ReviewImage.review_id.in_(chunk)))
            images += int(getattr(res, "rowcount", 0) or 0)
            session.execute(delete(Correction).where(Correction.review_id.in_(chunk)))
            session.execute(delete(ReviewField).where(ReviewField.review_id.in_(chunk)))
            session.execute(delete(Review).where(Review.id.in_(chunk)))
        for chunk in _chunks(plan.stale_images):
            session.execute(delete(ReviewImage).where(ReviewImage.review_id.in_(chunk)))
        return images

    def apply_retention(self) -> PurgeResult | None:
        """Apply :attr:`StoreSettings.retention_days` now (None when no period is set); audited."""
        days = self.settings.retention_days
        if days is None:
            return None
        self._in_retention = True
        try:
            return self.purge(days, actor="retention")
        finally:
            self._in_retention = False
            self._retention_last = monotonic()

    def _scrub_after_delete(self) -> None:
        """Best effort: push deleted pages out of the WAL (SQLite) or vacuum (PostgreSQL)."""
        try:
            if self.dialect == "sqlite":
                with self._engine.connect() as conn:
                    raw = conn.connection.dbapi_connection
                    assert raw is not None
                    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            elif self.dialect == "postgresql":
                with self._engine.connect() as conn:
                    ac = conn.execution_options(isolation_level="AUTOCOMMIT")
                    for table in (
                        "corrections",
                        "record_fields",
                        "records",
                        "review_fields",
                        "review_images",
                        "reviews",
                    ):
                        ac.execute(text(f"VACUUM {table}"))
        except Exception as e:  # a busy reader, say: the rows are deleted all the same
            log.info("Could not compact the database after the purge (%s)", type(e).__name__)


def _format_export(fmt: ExportFormat, details: Sequence[RecordDetail]) -> bytes:
    if fmt == "csv":
        header = ["record_id", "confirmed_at", "confirmed_by", "workstation", "document_format", *FIELD_KEYS]
        rows: list[list[object]] = [
            [d.id, d.confirmed_at.isoformat(), d.confirmed_by, d.workstation, d.document_format]
            + [d.value(k) or "" for k in FIELD_KEYS]
            for d in details
        ]
        return to_csv(header, rows)
    items = [
        {
            "record_id": d.id,
            "confirmed_at": d.confirmed_at.isoformat(),
            "confirmed_by": d.confirmed_by,
            "workstation": d.workstation,
            "review_id": d.review_id,
            "document": {"format": d.document_format, "code": d.document_code},
            "fields": {
                k: {"value": f.value, "ocr_value": f.ocr_value, "source": f.source}
                for k, f in d.fields.items()
            },
            "corrections": [
                {
                    "field": c.key,
                    "ocr_value": c.ocr_value,
                    "final_value": c.final_value,
                    "by": c.operator,
                    "at": c.at.isoformat(),
                    "stage": c.stage,
                }
                for c in d.corrections
            ],
        }
        for d in details
    ]
    return (json.dumps({"records": items}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
