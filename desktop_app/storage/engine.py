"""Engines for SQLite and PostgreSQL, configured for several windows on one database.

SQLite (each connection): WAL journal (readers never block the writer), foreign keys
on, a busy timeout, ``secure_delete`` (deleted rows are overwritten with zeros), and
``synchronous=FULL`` (a confirmed save survives a power cut). The driver's own
transaction handling is turned off and every transaction begins with ``BEGIN
IMMEDIATE`` (write) or ``BEGIN`` (read), so a writer takes the write lock up front and
waits for it under the busy timeout instead of failing half way with a lock upgrade.

PostgreSQL: ``lock_timeout`` plays the busy timeout's part.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from .errors import DatabaseUnavailableError, ReadOnlyDatabaseError
from .paths import ensure_private_dir, sqlite_file

BEGIN_OPTION = "passport_desk_begin"
"""Execution option naming the SQLite BEGIN mode: ``IMMEDIATE`` (default) or ``DEFERRED``."""


def _prepare_sqlite_file(path: Path) -> None:
    """Create the folder (0700) and an empty file (0600) so SQLite inherits owner-only rights.

    A folder or file that cannot be written is reported here, plainly, rather than as
    SQLite's "unable to open database file" later (WAL needs to create files beside it).
    """
    if path.parent.is_dir() and not os.access(path.parent, os.W_OK | os.X_OK):
        raise ReadOnlyDatabaseError(
            f"The database folder {path.parent} is read-only (or you may not write in it). Nothing was saved."
        )
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise ReadOnlyDatabaseError(f"The database file {path} is read-only. Nothing was saved.")
    try:
        ensure_private_dir(path.parent)
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
            os.close(fd)
    except PermissionError as e:
        raise ReadOnlyDatabaseError(
            f"The database folder {path.parent} cannot be written (no permission). Nothing was saved."
        ) from e
    except OSError as e:
        if e.errno == 30:  # EROFS
            raise ReadOnlyDatabaseError(
                f"The database folder {path.parent} is on a read-only disk. Nothing was saved."
            ) from e
        raise DatabaseUnavailableError(f"The database file {path} cannot be created ({e.strerror}).") from e


def make_engine(url: str, *, busy_timeout_s: float = 10.0, pool: bool = True) -> Engine:
    """An engine for ``url`` with the settings above. ``pool=False`` for one-shot tools."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"hide_parameters": True, "future": True}
    if not pool:
        kwargs["poolclass"] = NullPool
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(parsed)
        if path is not None and not parsed.query.get("uri"):
            _prepare_sqlite_file(path)
        engine = create_engine(
            parsed, connect_args={"timeout": busy_timeout_s, "check_same_thread": False}, **kwargs
        )
        _install_sqlite_hooks(engine, busy_timeout_s)
        return engine
    if parsed.get_backend_name() == "postgresql":
        ms = max(1, int(busy_timeout_s * 1000))
        engine = create_engine(
            parsed,
            pool_pre_ping=True,
            connect_args={"options": f"-c lock_timeout={ms} -c idle_in_transaction_session_timeout=600000"},
            **kwargs,
        )
        return engine
    raise DatabaseUnavailableError(
        f"Unsupported database type {parsed.get_backend_name()!r}: use SQLite or PostgreSQL."
    )


def _install_sqlite_hooks(engine: Engine, busy_timeout_s: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # We emit BEGIN ourselves (see "begin" below); the driver must not.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA secure_delete = ON")
            cur.execute("PRAGMA synchronous = FULL")
            mode = cur.execute("PRAGMA journal_mode").fetchone()
            if mode is None or str(mode[0]).lower() != "wal":
                cur.execute("PRAGMA journal_mode = WAL")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(BEGIN_OPTION, "IMMEDIATE")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")


def reader(engine: Engine) -> Engine:
    """The same engine (same pool), whose SQLite transactions begin DEFERRED (read-only use)."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{BEGIN_OPTION: "DEFERRED"})
    return engine
