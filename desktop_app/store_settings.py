"""The application's settings as the storage layer takes them (one place for GUI and CLI)."""

from __future__ import annotations

from pathlib import Path

from desktop_app.runtime import data_dir
from desktop_app.settings import Settings
from desktop_app.storage import StoreSettings

CHECKPOINT_FOLDER = "audit-checkpoints"


def checkpoint_folder(settings: Settings) -> Path:
    """The setting, else ``<data folder>/audit-checkpoints`` (which a local user can rewrite:
    a branch points the setting at a share; see README, "Security model")."""
    if settings.audit_checkpoint_dir:
        return Path(settings.audit_checkpoint_dir).expanduser()
    return data_dir() / CHECKPOINT_FOLDER


def store_settings(settings: Settings, *, create: bool = True, retention: bool = False) -> StoreSettings:
    """``create=False`` for read-only commands; ``retention`` applies ``retention_days`` at open
    and daily while open (the GUI)."""
    return StoreSettings(
        keep_review_images=settings.keep_images_for_review,
        create=create,
        audit_signing_key=Path(settings.audit_signing_key).expanduser() if settings.audit_signing_key else None,
        checkpoint_dir=checkpoint_folder(settings),
        retention_days=settings.retention_days if retention else None,
    )
