"""Qt start-up for the composition root: the QApplication, the excepthook, the services.

``desktop_app/app.py`` decides *what* to build (settings, logging, database opener,
engine factory) and stays free of Qt; this module builds the Qt side of it and runs the
event loop. :class:`Services` is also what the GUI tests and the benchmark build, so they
run the very same wiring as the real application.
"""

from __future__ import annotations

import html
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop_app.core.resources import resources_dir
from desktop_app.engine_process import DEFAULT_READER_FACTORY
from desktop_app.settings import Settings
from desktop_app.ui.background import TaskRunner
from desktop_app.ui.controller import DocumentController
from desktop_app.ui.engine_client import EngineClient
from desktop_app.ui.folder_watch import FolderWatcher
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.store_client import StoreClient
from desktop_app.ui.style import APP_STYLESHEET

if TYPE_CHECKING:  # the storage package pulls in SQLAlchemy: not at window start-up
    from desktop_app.storage import Store

log = logging.getLogger(__name__)


@dataclass
class AppConfig:
    settings: Settings
    open_store: Callable[[], Store]
    settings_path: Path | None = None
    files: Sequence[str] = ()
    reader_factory: str = DEFAULT_READER_FACTORY
    log_file: Path | None = None
    started_at: float = field(default_factory=time.perf_counter)


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """The one QApplication. OpenCV's non-headless wheel points Qt at its own plugins;
    drop that before Qt looks for a platform plugin."""
    os.environ.pop("QT_QPA_PLATFORM_PLUGIN_PATH", None)
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv or ["passport-desk"]))
    assert isinstance(app, QApplication)
    app.setApplicationName("Passport desk")
    app.setOrganizationName("passport-desk")
    app.setDesktopFileName("passport-desk")  # Wayland app_id: the .desktop entry's name
    icon = resources_dir() / "icons" / "passport-desk.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    app.setStyle("Fusion")
    app.setStyleSheet(APP_STYLESHEET)
    return app


class _ErrorRelay(QObject):
    """Carries an error from any thread to the GUI thread, where the message box lives."""

    show = Signal(str)


class ExceptHook:
    """One excepthook for the process: log the detail, show the operator a plain message.

    Installed for the GUI thread (``sys.excepthook``, which PySide calls for exceptions
    escaping slots) and for Python threads (``threading.excepthook``).
    """

    def __init__(self, parent_of_dialog: Callable[[], QWidget | None], log_file: Path | None) -> None:
        self._parent = parent_of_dialog
        self._log_file = log_file
        self._relay = _ErrorRelay()
        self._relay.show.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self._showing = False
        self.count = 0
        self.show_dialog: Callable[[QWidget | None, str, str], object] = QMessageBox.warning

    def install(self) -> None:
        sys.excepthook = self.hook
        threading.excepthook = self.thread_hook

    def uninstall(self) -> None:
        sys.excepthook = sys.__excepthook__
        threading.excepthook = threading.__excepthook__

    def hook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.count += 1
        # Detail goes to the log only: an exception text may hold a field value.
        log.critical("unhandled error\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        self._relay.show.emit(exc_type.__name__)

    def thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self.hook(args.exc_type, args.exc_value, args.exc_traceback)

    def _show(self, kind: str) -> None:
        if self._showing:
            return  # one box at a time: an error in a loop must not bury the operator
        self._showing = True
        try:
            where = f"\n\nThe details were written to {self._log_file}." if self._log_file else ""
            self.show_dialog(
                self._parent(),
                "Passport desk",
                "Something went wrong in the application "
                f"({html.escape(kind)}). Your form was kept; you can carry on, or restart if "
                f"the problem comes back.{where}",
            )
        finally:
            self._showing = False


class Services(QObject):
    """The long-lived objects of one GUI session, and their orderly shutdown."""

    def __init__(self, config: AppConfig, *, lookahead: int = 2, start_engine: bool = True) -> None:
        super().__init__()
        self.config = config
        self.settings = config.settings
        self.runner = TaskRunner("storage")
        self.store = StoreClient(config.open_store, self.runner)
        self.engine = EngineClient(self.settings, factory_path=config.reader_factory)
        if start_engine:
            # First of all: the child process loads its models while the window is built.
            self.engine.start()
        self.controller = DocumentController(self.engine, self.store, self.settings, lookahead=lookahead)
        self.window = MainWindow(
            self.controller,
            self.store,
            self.settings,
            settings_path=config.settings_path,
            on_settings_saved=self.apply_settings,
        )
        self.watcher: FolderWatcher | None = None
        self._closed = False
        self.store.open()
        self._start_watcher(self.settings.watched_folder)

    def _start_watcher(self, folder: str) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        if not folder:
            return
        w = FolderWatcher(folder)
        w.file_ready.connect(lambda path: self.controller.add_files([path], origin="folder"))
        w.problem.connect(lambda text: self.window.show_banner("warning", text))
        w.start()
        self.watcher = w

    def apply_settings(self, new: Settings) -> None:
        old, self.settings = self.settings, new
        if new.watched_folder != old.watched_folder:
            self._start_watcher(new.watched_folder)
        engine_keys = ("engine_threads", "engine_timeout_s", "read_visual_zone", "expiry_warning_days")
        if any(getattr(old, k) != getattr(new, k) for k in engine_keys):
            self._restart_engine(new)
        if new.database_url != old.database_url or new.keep_images_for_review != old.keep_images_for_review:
            self.window.show_banner(
                "info", "The database settings take effect when the application is restarted."
            )

    def _restart_engine(self, settings: Settings) -> None:
        """A new engine process with the new settings; reads in progress are sent again."""
        old = self.engine
        self.engine = EngineClient(settings, factory_path=self.config.reader_factory)
        self.engine.start()
        self.controller.set_engine(self.engine)
        old.shutdown()

    def shutdown(self) -> None:
        """Stop everything we started: camera, watcher, engine child, storage thread."""
        if self._closed:
            return
        self._closed = True
        if self.window.camera_dialog is not None:
            self.window.camera_dialog.stop()
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        self.engine.shutdown()
        self.runner.stop()
        self.store.close()


def run(config: AppConfig) -> int:
    """Build the window, show it at once, and run until it closes."""
    app = create_application(sys.argv[:1])
    services = Services(config)
    hook = ExceptHook(lambda: services.window, config.log_file)
    hook.install()
    window = services.window
    window.show()
    log.info("window shown %.0f ms after start", (time.perf_counter() - config.started_at) * 1000)
    if config.files:
        # After the event loop starts, so the window paints before the queue fills.
        QTimer.singleShot(0, lambda: window.add_paths(list(config.files)))
    app.aboutToQuit.connect(services.shutdown)
    try:
        return int(app.exec())
    finally:
        app.aboutToQuit.disconnect(services.shutdown)
        services.shutdown()
        hook.uninstall()


__all__ = ["AppConfig", "ExceptHook", "Services", "create_application", "run"]
