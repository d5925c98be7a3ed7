"""The runtime configuration, resolved in one place for the window and every command.

What is resolved here, and in which order:

* **Data folder** (the default SQLite file, logs, audit checkpoints, ``settings.json``):
  env ``PASSPORT_DESK_DATA_DIR``, else ``PASSPORT_DESK_HOME``, else the platform's user
  data folder (``$XDG_DATA_HOME/passport-desk``, ``%APPDATA%\\passport-desk``,
  ``~/Library/Application Support/passport-desk``).
* **Config folder** (the key file when no keyring is available): env
  ``PASSPORT_DESK_CONFIG_DIR``, else ``PASSPORT_DESK_HOME``, else ``$XDG_CONFIG_HOME/passport-desk``
  on Linux and the data folder on Windows and macOS.
* **Settings file**: env ``PASSPORT_DESK_CONFIG``, else ``<data folder>/settings.json``.
* **Database URL**: ``--database`` (a command's explicit URL), else env ``DATABASE_URL``,
  else ``database_url`` in the settings file, else the SQLite file in the data folder.
* **Operator** (the audit log's actor): ``operator_name`` in the settings file, whose
  default is the login name (:func:`login_name`); a command's ``--operator``, else env
  ``PASSPORT_DESK_OPERATOR``, comes before it (:meth:`Runtime.operator`). The window uses
  the setting (the Settings dialog edits it).

Only the standard library is imported at module level, so :mod:`desktop_app.settings` and
:mod:`desktop_app.storage.paths` can take their folders from here without a cycle.
"""

from __future__ import annotations

import getpass
import os
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_app.settings import Settings

APP_DIR_NAME = "passport-desk"
DB_FILE_NAME = "passport-desk.sqlite3"
SETTINGS_FILE_NAME = "settings.json"


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """The per-user data folder (not created here)."""
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


def settings_path(env: Mapping[str, str] | None = None) -> Path:
    """The settings file: env ``PASSPORT_DESK_CONFIG``, else ``<data folder>/settings.json``."""
    override = _env(env).get("PASSPORT_DESK_CONFIG")
    if override:
        return Path(override).expanduser()
    return data_dir(env) / SETTINGS_FILE_NAME


def default_sqlite_path(env: Mapping[str, str] | None = None) -> Path:
    return data_dir(env) / DB_FILE_NAME


def ensure_private_folder(folder: Path) -> None:
    """Create ``folder`` (and parents) owner-only (0700) before anything is written in it."""
    if not folder.is_dir():
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)
        if os.name == "posix":
            os.chmod(folder, 0o700)


def login_name() -> str:
    """The login name (``getpass``: LOGNAME, USER, LNAME, USERNAME, then the password
    database), or ``operator`` when there is none."""
    try:
        return getpass.getuser() or "operator"
    except Exception:  # no such variable and no password entry (a bare container)
        return "operator"


def choose_database_url(
    explicit: str | None, settings_url: str = "", env: Mapping[str, str] | None = None
) -> str:
    """The database URL as given (not normalised; :func:`desktop_app.storage.resolve_database_url`
    does that): ``explicit``, else env ``DATABASE_URL``, else ``settings_url``, else the
    SQLite file in the data folder."""
    chosen = explicit or _env(env).get("DATABASE_URL") or settings_url
    if chosen:
        return chosen
    return "sqlite:///" + str(default_sqlite_path(env))


def choose_operator(explicit: str | None, settings_name: str = "", env: Mapping[str, str] | None = None) -> str:
    """``explicit``, else env ``PASSPORT_DESK_OPERATOR``, else ``settings_name``, else the login name."""
    return explicit or _env(env).get("PASSPORT_DESK_OPERATOR") or settings_name or login_name()


@dataclass(frozen=True)
class Runtime:
    """Settings, folders, database and operator for one run of the window or a command."""

    settings: Settings
    settings_file: Path
    env: Mapping[str, str]

    @property
    def data_dir(self) -> Path:
        return data_dir(self.env)

    @property
    def config_dir(self) -> Path:
        return config_dir(self.env)

    def database_url(self, explicit: str | None = None) -> str:
        return choose_database_url(explicit, self.settings.database_url, self.env)

    def operator(self, explicit: str | None = None) -> str:
        return choose_operator(explicit, self.settings.operator_name, self.env)

    @property
    def workstation(self) -> str:
        return self.settings.workstation or socket.gethostname()


def load_runtime(env: Mapping[str, str] | None = None, *, settings_file: Path | None = None) -> Runtime:
    """Read the settings file (a missing or damaged one gives defaults) and bind the environment."""
    from desktop_app.settings import load_settings

    e = dict(_env(env))
    path = settings_file or settings_path(e)
    return Runtime(settings=load_settings(path), settings_file=path, env=e)
