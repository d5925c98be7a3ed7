"""The application's settings: one typed, versioned, human-readable JSON file.

No Qt here (QSettings is only for window geometry), so the command line, the GUI and the
tests share one definition. Unknown keys are ignored and missing keys take defaults, so
an older file keeps working after an upgrade; ``version`` lets a later release migrate.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import sys
import tempfile
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
    keep_images_for_review: bool = True
    """Keep the scan of a flagged document (encrypted) until its review closes, so the
    reviewer sees it. Off: the reviewer decides from the fields and reasons alone."""
    allow_self_review: bool = False
    """A one-person branch: the operator who flagged a document may approve it (the audit
    trail records it). Off: four eyes, another person approves."""
    read_visual_zone: bool = True
    audit_checkpoint_dir: str = ""
    """Where signed audit checkpoints are appended; empty: ``<data folder>/audit-checkpoints``.
    Point it at a share the workstation may append to but not rewrite (see README)."""
    audit_signing_key: str = ""
    """The audit signing key file; empty: env PASSPORT_DESK_AUDIT_SIGNING_KEY, else the config folder."""
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


def ensure_private_folder(folder: Path) -> None:
    """Create ``folder`` (and parents) owner-only (0700) before anything is written in it."""
    if not folder.is_dir():
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)
        if os.name == "posix":
            os.chmod(folder, 0o700)


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write atomically (a unique owner-only temp file + rename) so a crash never leaves half
    a file, and no other user can read it (it may name a database server)."""
    p = path or config_path()
    ensure_private_folder(p.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)  # 0600, O_EXCL
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(asdict(settings), indent=2, sort_keys=True) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_name, p)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return p
