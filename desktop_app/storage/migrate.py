"""Schema migrations (Alembic): status, upgrade with a backup copy first.

The application calls :func:`upgrade_database` on start, before :func:`open_store`;
``passport-desk db upgrade`` does the same from the command line. For a SQLite file at
an older revision, a consistent copy (SQLite's online backup, so WAL content is
included) is written beside it first, owner-only, named
``<file>.backup-<revision>-<UTC time>.sqlite3``; it is deleted by the purge that reaches
the oldest data it holds (see :mod:`.backups`). The upgrade itself runs in one
transaction: if any step fails, the database is left exactly as it was.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy import exc as sa_exc

from .backups import backup_name
from .engine import make_engine
from .errors import (
    DatabaseLockedError,
    DiskFullError,
    MigrationError,
    ReadOnlyDatabaseError,
    SchemaOutdatedError,
    StorageError,
    translate,
)
from .paths import display_url, resolve_database_url, sqlite_file

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
FIRST_REVISION = "0001"

SchemaState = Literal["empty", "current", "outdated", "newer", "unversioned"]


@dataclass(frozen=True, slots=True)
class UpgradeResult:
    """What :func:`upgrade_database` did."""

    database: str
    """The URL, password hidden."""
    from_revision: str | None
    """None for a new (empty) database."""
    to_revision: str
    backup_path: Path | None
    """The backup copy written first, if any (SQLite files at an older revision only)."""

    @property
    def changed(self) -> bool:
        return self.from_revision != self.to_revision


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def schema_state(conn: Connection) -> tuple[SchemaState, str | None]:
    """Where a database stands against this application's migrations."""
    rev = current_revision(conn)
    if rev is None:
        tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
        return ("unversioned" if tables else "empty"), None
    if rev == head_revision():
        return "current", rev
    if rev in _known_revisions():
        return "outdated", rev
    return "newer", rev


def backup_sqlite(path: Path, revision: str | None) -> Path:
    """A consistent owner-only copy of a live SQLite file (WAL included)."""
    target = backup_name(path, revision, datetime.now(UTC))
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    os.close(fd)
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    finally:
        dst.close()
        src.close()
    return target


def _run_upgrade(engine: Engine, revision: str, *, down: bool = False) -> None:
    """Migrate in one transaction. SQLite: foreign keys off meanwhile (table rebuilds), checked after."""
    with engine.connect() as conn:
        is_sqlite = engine.dialect.name == "sqlite"
        if is_sqlite:
            # Must be set outside a transaction; this connection is not pooled (NullPool).
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        try:
            (command.downgrade if down else command.upgrade)(cfg, revision)
            if is_sqlite:
                bad = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
                if bad:
                    raise MigrationError(
                        f"The upgrade would break {len(bad)} links between rows; "
                        "the database was left unchanged."
                    )
            conn.commit()
        except BaseException:
            conn.rollback()
            raise


def upgrade_database(
    url: str | None = None,
    *,
    backup: bool = True,
    revision: str = "head",
    busy_timeout_s: float = 30.0,
) -> UpgradeResult:
    """Bring the database at ``url`` (default: see :func:`resolve_database_url`) to ``revision``.

    With ``backup=True`` a SQLite file that already holds a schema is copied first (see
    the module docstring). PostgreSQL is not copied here: back it up with the server's
    tools (``pg_dump``). Raises :class:`SchemaOutdatedError` for a database made by a
    newer application, :class:`MigrationError` when an upgrade step fails (the database
    is then unchanged), other :class:`StorageError` for I/O problems.
    """
    resolved = resolve_database_url(url)
    engine = make_engine(resolved, busy_timeout_s=busy_timeout_s, pool=False)
    try:
        try:
            with engine.connect() as conn:
                state, before = schema_state(conn)
                conn.rollback()
        except sa_exc.SQLAlchemyError as e:
            raise translate(e) from e
        target = head_revision() if revision == "head" else revision
        if state == "newer":
            raise SchemaOutdatedError(
                f"The database is at schema revision {before}, newer than this application knows "
                f"({target}). Use a newer version of the application."
            )
        if state == "unversioned":
            raise MigrationError(
                "The database holds tables but no schema version; it was not made by this application."
            )
        if before == target:
            return UpgradeResult(display_url(resolved), before, target, None)
        backup_path: Path | None = None
        path = sqlite_file(resolved)
        if backup and before is not None and path is not None:
            try:
                backup_path = backup_sqlite(path, before)
            except (OSError, sqlite3.Error) as e:
                raise MigrationError(
                    f"The backup copy before the upgrade could not be written ({e}); nothing was changed."
                ) from e
            log.info("Backed up the database before upgrading to %s", backup_path)
        try:
            _run_upgrade(engine, target)
        except StorageError:
            raise
        except Exception as e:
            err = translate(e)
            if isinstance(err, DatabaseLockedError | DiskFullError | ReadOnlyDatabaseError):
                raise err from e
            raise MigrationError(
                f"The schema upgrade from {before or 'empty'} to {target} failed ({type(e).__name__}). "
                "The database was left unchanged"
                + (f"; a backup copy is at {backup_path}." if backup_path else ".")
            ) from e
        log.info("Database schema upgraded from %s to %s", before or "empty", target)
        return UpgradeResult(display_url(resolved), before, target, backup_path)
    finally:
        engine.dispose()


def downgrade_database(url: str | None, revision: str, *, backup: bool = True) -> UpgradeResult:
    """Take the schema back to ``revision`` (maintenance and tests; data of dropped tables is lost).

    SQLite files are copied first as for :func:`upgrade_database`.
    """
    resolved = resolve_database_url(url)
    engine = make_engine(resolved, pool=False)
    try:
        with engine.connect() as conn:
            before = current_revision(conn)
            conn.rollback()
        backup_path = None
        path = sqlite_file(resolved)
        if backup and before is not None and path is not None:
            backup_path = backup_sqlite(path, before)
        try:
            _run_upgrade(engine, revision, down=True)
        except sa_exc.SQLAlchemyError as e:
            raise translate(e) from e
        return UpgradeResult(display_url(resolved), before, revision, backup_path)
    finally:
        engine.dispose()
