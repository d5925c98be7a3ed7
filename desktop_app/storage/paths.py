"""Where the database and the key file live, and how a database URL is normalised.

The folders and the order in which a database URL is chosen (``--database``, env
``DATABASE_URL``, the settings file, the SQLite file in the data folder) are resolved in
:mod:`desktop_app.runtime`, for the window and every command; this module re-exports the
folders and turns the chosen URL into one SQLAlchemy accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from desktop_app.runtime import (
    APP_DIR_NAME,
    DB_FILE_NAME,
    choose_database_url,
    config_dir,
    data_dir,
    default_sqlite_path,
)
from desktop_app.runtime import ensure_private_folder as ensure_private_dir

__all__ = [
    "APP_DIR_NAME", "DB_FILE_NAME", "config_dir", "data_dir", "default_sqlite_path", "display_url",
    "ensure_private_dir", "is_sqlite", "resolve_database_url", "sqlite_file",
]


def resolve_database_url(url: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The database URL to use, normalised for SQLAlchemy.

    ``url`` (else env ``DATABASE_URL``, else the SQLite file in the data folder) may be a
    SQLAlchemy URL, a plain ``postgresql://`` URL (psycopg 3 is used), or a bare file path
    (taken as a SQLite file).
    """
    chosen = choose_database_url(url, "", env)
    if "://" not in chosen:
        return "sqlite:///" + str(Path(chosen).expanduser().absolute())
    parsed = make_url(chosen)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_file(url: str | URL) -> Path | None:
    """The file of a SQLite URL, or None for in-memory databases and other backends."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    db = parsed.database
    if not db or db == ":memory:" or db.startswith("file::memory:") or "mode=memory" in db:
        return None
    if db.startswith("file:"):  # a SQLite URI filename (``?uri=true``)
        db = db[len("file:") :].split("?", 1)[0]
        if db.startswith("//"):
            db = db[2:]
    return Path(db)


def display_url(url: str | URL) -> str:
    """The URL without its password, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)
