"""The storage layer's exceptions, and the translation of driver errors into them.

Every exception carries a plain message an operator can act on (``str(exc)``); none
of them ever contains a field value. Callers catch :class:`StorageError` for
"anything went wrong with saving or reading", or a subclass when they can do something
specific (retry on :class:`DatabaseLockedError`, for instance).

When a save fails, its transaction is rolled back whole: nothing of it is in the
database, nothing that was there before is lost, and the caller still holds the data it
tried to save, so it can keep it on screen and try again.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import exc as sa_exc


class StorageError(Exception):
    """Base of every storage error. ``str(exc)`` is a plain message for the operator."""

    default_message = "The database could not complete the operation."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        return str(self)


class DatabaseUnavailableError(StorageError):
    """The database cannot be opened or reached (missing folder, server down, bad file)."""

    default_message = "The database cannot be opened. Nothing was saved."


class DatabaseLockedError(StorageError):
    """Another window or process holds the database longer than the busy timeout."""

    default_message = "The database is busy (another window is saving). Nothing was saved; please try again."


class DiskFullError(StorageError):
    """The disk (or the database's size limit) is full."""

    default_message = (
        "The disk holding the database is full. Nothing was saved; free some space and try again."
    )


class ReadOnlyDatabaseError(StorageError):
    """The database file, its folder or the server connection is read-only."""

    default_message = "The database cannot be written (read-only file, folder or server). Nothing was saved."


class IntegrityError(StorageError):
    """The change would break a rule of the database (duplicate, missing parent...)."""

    default_message = "The change conflicts with data already in the database. Nothing was saved."


class SchemaOutdatedError(StorageError):
    """The database schema is older (or newer) than this version of the application."""

    default_message = (
        "The database was made by another version of the application; run `passport-desk db upgrade` first."
    )


class MigrationError(StorageError):
    """A schema upgrade failed; the database was left as it was before."""

    default_message = "The database schema could not be upgraded. The database was left unchanged."


class EncryptionKeyError(StorageError):
    """The encryption key is missing, malformed, unsafe or does not match the database."""

    default_message = "The encryption key for the database is missing or does not match."


class DecryptionError(EncryptionKeyError):
    """A stored value failed its authentication check (wrong key or altered row)."""

    default_message = "A stored value could not be decrypted: wrong key, or the row was altered."


class TamperedError(StorageError):
    """A record or review fails its integrity check: it was changed outside the application."""

    default_message = (
        "A stored item fails its integrity check (changed outside the application); "
        "run `passport-desk audit verify`."
    )


class NotFoundError(StorageError):
    """The record or review asked for does not exist (or was purged)."""

    default_message = "The requested item does not exist."


class ReviewStateError(StorageError):
    """The review is not in a state that allows this action (already approved, say)."""

    default_message = "The review has already been closed."


class InvalidInputError(StorageError, ValueError):
    """The caller passed something the storage cannot accept (unknown field, empty operator)."""

    default_message = "Invalid input."


class ExportPathError(StorageError):
    """The export file cannot be written where asked (outside the folder, exists, symlink)."""

    default_message = "The export file cannot be written there."


# SQLite primary result codes (https://sqlite.org/rescode.html).
_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_CONSTRAINT = 19
_SQLITE_NOTADB = 26
_SQLITE_IOERR_SHMSIZE = _SQLITE_IOERR | (19 << 8)
"""WAL mode: the -shm file could not be grown. SQLite writes to each new page of it, so on
a full disk this (not SQLITE_FULL) is what opening a connection fails with."""


def _from_sqlite(orig: sqlite3.Error) -> StorageError | None:
    code = getattr(orig, "sqlite_errorcode", None)
    text = str(orig).lower()
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in text:
        return DatabaseLockedError()
    if primary == _SQLITE_FULL or code == _SQLITE_IOERR_SHMSIZE or "disk is full" in text:
        return DiskFullError()
    if primary in (_SQLITE_READONLY, _SQLITE_PERM) or "readonly database" in text:
        return ReadOnlyDatabaseError()
    if primary == _SQLITE_CANTOPEN or "unable to open database" in text:
        return DatabaseUnavailableError(
            "The database file cannot be opened (missing or read-only folder?). Nothing was saved."
        )
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return DatabaseUnavailableError(
            "The database file is damaged or is not a database. Restore it from the backup copy."
        )
    if primary == _SQLITE_IOERR:
        return StorageError("The disk reported an error while saving. Nothing was saved.")
    if primary == _SQLITE_CONSTRAINT or isinstance(orig, sqlite3.IntegrityError):
        return IntegrityError()
    return None


def _from_psycopg(orig: Any) -> StorageError | None:
    sqlstate = getattr(orig, "sqlstate", None)
    if not isinstance(sqlstate, str):
        return None
    if sqlstate == "53100" or sqlstate.startswith("53"):
        return DiskFullError(
            "The database server is out of disk space or memory. Nothing was saved; tell the administrator."
        )
    if sqlstate in ("55P03", "40001", "40P01", "57014"):
        # lock_not_available, serialization_failure, deadlock_detected, query_canceled
        # (statement_timeout): another transaction is in the way.
        return DatabaseLockedError()
    if sqlstate in ("25006", "42501"):
        return ReadOnlyDatabaseError(
            "The database server refuses writes (read-only or no permission). Nothing was saved."
        )
    if sqlstate.startswith("23"):
        return IntegrityError()
    if sqlstate.startswith("08") or sqlstate in ("57P01", "57P02", "57P03", "3D000", "28000", "28P01"):
        return DatabaseUnavailableError(
            "The database server cannot be reached or refused the connection. Nothing was saved."
        )
    return None


def translate(exc: BaseException) -> StorageError:
    """Turn a driver or SQLAlchemy error into the matching :class:`StorageError`.

    The original is kept as ``__cause__`` by the caller (``raise translate(e) from e``)
    for the log; its text may quote SQL but never a parameter (engines are made with
    ``hide_parameters=True``), and field values are encrypted before they reach SQL.
    """
    if isinstance(exc, StorageError):
        return exc
    orig: Any = exc.orig if isinstance(exc, sa_exc.DBAPIError) else exc
    if isinstance(orig, sqlite3.Error):
        found = _from_sqlite(orig)
        if found is not None:
            return found
    else:
        found = _from_psycopg(orig)
        if found is not None:
            return found
    if isinstance(exc, sa_exc.IntegrityError):
        return IntegrityError()
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return DatabaseUnavailableError("The connection to the database was lost. Nothing was saved.")
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        return DatabaseUnavailableError()
    if isinstance(exc, OSError):
        return _from_os_error(exc)
    return StorageError()


def _from_os_error(exc: OSError) -> StorageError:
    import errno

    if exc.errno == errno.ENOSPC:
        return DiskFullError()
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return ReadOnlyDatabaseError(
            "The database folder cannot be written (read-only or no permission). Nothing was saved."
        )
    return DatabaseUnavailableError()
