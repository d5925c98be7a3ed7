"""Composition root of the desktop application: settings, logging, database, engine, window.

``passport-desk gui [FILES...]`` calls :func:`main`. This module decides what to build and
stays free of Qt (only ``desktop_app.ui`` imports PySide6); :mod:`desktop_app.ui.application`
builds the Qt side and runs the event loop.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.engine_process import DEFAULT_READER_FACTORY
from desktop_app.runtime import Runtime, choose_database_url, data_dir, ensure_private_folder, load_runtime
from desktop_app.settings import Settings

if TYPE_CHECKING:
    from desktop_app.storage import Store

log = logging.getLogger("desktop_app")

LOG_FILE_NAME = "passport-desk.log"


def setup_logging(folder: Path | None = None) -> Path | None:
    """One logging set-up for the GUI: a rotating file in the data folder (INFO) and
    standard error (whatever the command line chose). Field values are never logged."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(
            level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    folder = folder or data_dir() / "logs"
    try:
        # The data folder first, owner-only: under umask 022 a plain mkdir of logs/ would
        # leave it 0755 (and it holds the database, the key file and the backups).
        ensure_private_folder(folder.parent)
        ensure_private_folder(folder)
        path = folder / LOG_FILE_NAME
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError as exc:
        log.warning("no log file (%s); logging to standard error only", exc)
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    root.addHandler(handler)
    # Keep stderr as quiet as the command line asked; the file gets INFO.
    for h in root.handlers:
        if h is not handler and h.level == logging.NOTSET:
            h.setLevel(root.level)
    root.setLevel(logging.INFO)
    return path


def store_opener(settings: Settings, runtime: Runtime | None = None) -> Callable[[], Store]:
    """A function that upgrades (after a backup copy) and opens the record store. It runs
    on the storage thread, so a slow migration never delays the window. The database is
    the one every command uses (:meth:`desktop_app.runtime.Runtime.database_url`)."""

    def open_store_now() -> Store:
        from desktop_app.storage import open_store, upgrade_database
        from desktop_app.store_settings import store_settings

        # The settings passed (not the file's: the window may hold newer ones), the
        # environment the window started with.
        url = choose_database_url(None, settings.database_url, runtime.env if runtime else None)
        upgrade_database(url)
        # Retention runs at open and then once a day while the window is open.
        return open_store(url, settings=store_settings(settings, retention=True))

    return open_store_now


def main(argv: Sequence[str] | None = None, *, reader_factory: str = DEFAULT_READER_FACTORY) -> int:
    """Start the GUI with ``argv`` as the documents to queue; returns the exit status."""
    started = time.perf_counter()
    # Note for frozen (PyInstaller) builds: the engine child re-executes the program, so
    # multiprocessing.freeze_support() must run first thing in the entry point, before the
    # command line is parsed (desktop_app/__main__.py), not here.
    runtime = load_runtime()
    settings, settings_file = runtime.settings, runtime.settings_file
    log_file = setup_logging()
    log.info("starting the GUI (workstation %s)", settings.workstation)

    from desktop_app.ui.application import AppConfig, run

    config = AppConfig(
        settings=settings,
        open_store=store_opener(settings, runtime),
        settings_path=settings_file,
        files=list(argv or []),
        reader_factory=reader_factory,
        log_file=log_file,
        started_at=started,
    )
    return run(config)
