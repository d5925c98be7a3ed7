"""Where the database and the key file live, and how a database URL is chosen.

Order for the database: an explicit URL (``--database`` or a setting), then env
``DATABASE_URL``, then a SQLite file in the user's data folder:

* Linux: ``$XDG_DATA_HOME/passport-desk`` (``~/.local/share/passport-desk``)
* Windows: ``%APPDATA%\\passport-desk``
* macOS: ``~/Library/Application Support/passport-desk``

``PASSPORT_DESK_DATA_DIR``, else ``PASSPORT_DESK_HOME`` (the application's own override,
see ``desktop_app.settings``), overrides the folder (tests, portable installs). The key
file, when one is needed, lives in the *config* folder (``$XDG_CONFIG_HOME/passport-desk``
on Linux, so a copy of the data folder alone does not carry the key with it; the data
folder on Windows and macOS; ``PASSPORT_DESK_CONFIG_DIR``, else ``PASSPORT_DESK_HOME``,
overrides).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import URL, make_url

APP_DIR_NAME = "passport-desk"
DB_FILE_NAME = "passport-desk.sqlite3"


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """The folder for the default SQLite database (not created here)."""
    e = _env(env)
    for var in ("PASSPORT_DESK_DATA_DIR", "PASSPORT_DESK_HOME"):
        if e.get(var):
            return Path(e[var]).expanduser()
    if sys.platform == "win32":
        base = e.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(base) / APP_DIR_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_DIR_NAME
    base = e.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / APP_DIR_NAME


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """The folder for the key file when no keyring is available (not created here)."""
    e = _env(env)
    for var in ("PASSPORT_DESK_CONFIG_DIR", "PASSPORT_DESK_HOME"):
        if e.get(var):
            return Path(e[var]).expanduser()
    if sys.platform in ("win32", "darwin"):
        return data_dir(env)
    base = e.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / APP_DIR_NAME


def default_sqlite_path(env: Mapping[str, str] | None = None) -> Path:
    return data_dir(env) / DB_FILE_NAME


def resolve_database_url(url: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The database URL to use, normalised for SQLAlchemy.

    ``url`` may be a SQLAlchemy URL, a plain ``postgresql://`` URL (psycopg 3 is used), or
    a bare file path (taken as a SQLite file).
    """
    e = _env(env)
    chosen = url or e.get("DATABASE_URL") or ""
    if not chosen:
        return "sqlite:///" + str(default_sqlite_path(env))
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


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) owner-only (0700) if it does not exist."""
    if path.is_dir():
        return
    path.mkdir(parents=True, mode=0o700, exist_ok=True)
    if os.name == "posix":
        os.chmod(path, 0o700)
