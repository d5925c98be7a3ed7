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
import tempfile
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from desktop_app.runtime import APP_DIR_NAME, choose_database_url, data_dir, ensure_private_folder, login_name
from desktop_app.runtime import settings_path as config_path

log = logging.getLogger(__name__)

SETTINGS_VERSION = 1

__all__ = [
    "APP_DIR_NAME", "SETTINGS_VERSION", "Settings", "config_path", "data_dir",
    "ensure_private_folder", "load_settings", "save_settings",
]


@dataclass(frozen=True)
class Settings:
    version: int = SETTINGS_VERSION
    database_url: str = ""
    """Empty: the SQLite file in the data folder. ``--database`` and env DATABASE_URL win
    (the order: :mod:`desktop_app.runtime`)."""
    operator_name: str = field(default_factory=login_name)
    """Who works at this desk, for the audit log; the default is the login name."""
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
        """The database this desk uses: env DATABASE_URL, else this setting, else the local file."""
        return choose_database_url(None, self.database_url)

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
