"""The application's settings: one typed, versioned, human-readable JSON file.

No Qt here (QSettings is only for window geometry), so the command line, the GUI and the
tests share one definition. Unknown keys are ignored and missing keys take defaults, so
an older file keeps working after an upgrade; ``version`` lets a later release migrate.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SETTINGS_VERSION = 1
APP_DIR_NAME = "passport-desk"


def data_dir() -> Path:
    """Per-user data folder (database, key file, logs); PASSPORT_DESK_HOME overrides."""
    override = os.environ.get("PASSPORT_DESK_HOME")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_DIR_NAME


def config_path() -> Path:
    override = os.environ.get("PASSPORT_DESK_CONFIG")
    if override:
        return Path(override)
    return data_dir() / "settings.json"


@dataclass(frozen=True)
class Settings:
    version: int = SETTINGS_VERSION
    database_url: str = ""
    """Empty: the SQLite file in the data folder. DATABASE_URL in the environment wins."""
    operator_name: str = field(default_factory=lambda: os.environ.get("USER") or os.environ.get("USERNAME") or "operator")
    workstation: str = field(default_factory=socket.gethostname)
    watched_folder: str = ""
    camera: str = ""
    """Camera index ("0") or stream URL; empty when no camera is used."""
    retention_days: int = 365
    expiry_warning_days: int = 90
    engine_threads: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    engine_timeout_s: float = 60.0
    keep_images_for_review: bool = False
    read_visual_zone: bool = True
    chip_reader: str = ""
    """PC/SC reader for the passport chip (a name or part of it); empty: the first with a card."""
    chip_trust_store: str = ""
    """CSCA certificates for passive authentication: a folder, a certificate or a master list."""

    def effective_database_url(self) -> str:
        env = os.environ.get("DATABASE_URL")
        if env:
            return env
        if self.database_url:
            return self.database_url
        return f"sqlite:///{data_dir() / 'passport-desk.sqlite3'}"

    def validated(self) -> Settings:
        """Clamp values into sane ranges rather than fail on a hand-edited file."""
        return replace(
            self,
            retention_days=max(1, min(self.retention_days, 36500)),
            expiry_warning_days=max(0, min(self.expiry_warning_days, 3650)),
            engine_threads=max(1, min(self.engine_threads, 64)),
            engine_timeout_s=max(5.0, min(self.engine_timeout_s, 600.0)),
        )


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file; a missing or damaged file gives defaults (and a log line)."""
    p = path or config_path()
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings().validated()
    except (OSError, ValueError) as exc:
        log.warning("settings file %s unreadable (%s); using defaults", p, exc)
        return Settings().validated()
    if not isinstance(raw, dict):
        return Settings().validated()
    known = {f.name: f for f in fields(Settings)}
    values: dict[str, Any] = {}
    defaults = Settings()
    for key, raw_value in raw.items():
        if key not in known or key == "version":
            continue
        expected = type(getattr(defaults, key))
        value = float(raw_value) if expected is float and isinstance(raw_value, int) else raw_value
        if isinstance(value, expected) and not (expected is int and isinstance(value, bool)):
            values[key] = value
        else:
            log.warning("settings: ignoring %s of the wrong type", key)
    return Settings(**values).validated()


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write atomically (temp file + rename) so a crash never leaves half a file."""
    p = path or config_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(settings), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, p)
    return p
