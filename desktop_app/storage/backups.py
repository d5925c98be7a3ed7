"""Pre-migration backup copies of a SQLite file: their names, and their expiry.

A copy is written by :func:`desktop_app.storage.migrate.backup_sqlite` before each schema
upgrade, owner-only, beside the database. It holds the records as they were, readable with
the same key, so it must not outlive them: every purge (and so every retention run)
deletes each copy that holds a record or closed review older than the purge's cutoff, or
that cannot be read. A copy that holds only newer rows stays until a later purge reaches it.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

_INFIX = ".backup-"
_SUFFIX = ".sqlite3"


def backup_name(database: Path, revision: str | None, at: datetime) -> Path:
    stamp = at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return database.with_name(f"{database.name}{_INFIX}{revision or 'none'}-{stamp}{_SUFFIX}")


def backups_of(database: Path) -> list[Path]:
    return sorted(p for p in database.parent.glob(f"{database.name}{_INFIX}*{_SUFFIX}") if p.is_file())


def _holds_older(copy: Path, cutoff: datetime) -> bool:
    """True when ``copy`` holds a record or closed review older than ``cutoff`` (or cannot be read)."""
    bound = cutoff.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    try:
        con = sqlite3.connect(f"file:{copy}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return True
    try:
        rec = con.execute("SELECT 1 FROM records WHERE confirmed_at < ? LIMIT 1", (bound,)).fetchone()
        rev = con.execute(
            "SELECT 1 FROM reviews WHERE created_at < ? AND status <> 'pending' LIMIT 1", (bound,)
        ).fetchone()
        return rec is not None or rev is not None
    except sqlite3.Error:
        return True
    finally:
        con.close()


def expire(database: Path, cutoff: datetime) -> int:
    """Delete the backup copies of ``database`` that hold data older than ``cutoff``; how many."""
    removed = 0
    for copy in backups_of(database):
        if not _holds_older(copy, cutoff):
            continue
        try:
            copy.unlink()
        except OSError as e:
            log.warning("A backup copy holding purged data could not be deleted (%s)", e.strerror)
            continue
        removed += 1
    if removed:
        log.info("Deleted %d pre-migration backup copies holding data past the retention period", removed)
    return removed
