"""The GUI's access to the record store: opened in the background, called in the background.

Opening can take a while (schema upgrade with a backup copy, a network database), and the
window must show at once, so the store is opened on the background thread and every call
goes through :meth:`StoreClient.call`. Until it is open, a call fails with a plain message
instead of blocking; the operator's form stays as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from desktop_app.ui.background import TaskRunner

if TYPE_CHECKING:  # the storage package pulls in SQLAlchemy: not at window start-up
    from desktop_app.storage import Store

log = logging.getLogger(__name__)
T = TypeVar("T")


def plain_error(exc: BaseException) -> str:
    """The message an operator sees for a failed storage call (never a field value)."""
    from desktop_app.storage import StorageError

    if isinstance(exc, StorageError):
        return str(exc)
    log.error("unexpected storage failure", exc_info=exc)
    return f"The database operation failed unexpectedly ({type(exc).__name__}); details are in the log."


class StoreClient(QObject):
    opened = Signal()
    open_failed = Signal(str)

    def __init__(
        self, opener: Callable[[], Store], runner: TaskRunner, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._opener = opener
        self._runner = runner
        self._store: Store | None = None
        self._error: str | None = None
        self._opening = False

    @property
    def store(self) -> Store | None:
        return self._store

    @property
    def error(self) -> str | None:
        return self._error

    @property
    def is_open(self) -> bool:
        return self._store is not None

    def open(self) -> None:
        if self._opening or self._store is not None:
            return
        self._opening = True
        self._runner.submit(self._opener, self._on_opened, self._on_open_failed)

    def _on_opened(self, store: object) -> None:
        from desktop_app.storage import Store

        self._opening = False
        assert isinstance(store, Store)
        self._store, self._error = store, None
        self.opened.emit()

    def _on_open_failed(self, exc: BaseException) -> None:
        self._opening = False
        self._error = plain_error(exc)
        log.error("database could not be opened: %s", self._error)
        self.open_failed.emit(self._error)

    def call(
        self,
        fn: Callable[[Store], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        """Run ``fn(store)`` in the background; ``on_error`` gets a plain message."""

        def fail(exc: BaseException) -> None:
            if on_error is not None:
                on_error(plain_error(exc))

        store = self._store
        if store is None:
            why = self._error or "The database is still opening; try again in a moment."
            if self._error:
                why = f"The database is not available: {self._error}"
            if on_error is not None:
                on_error(why)
            return

        def done(value: Any) -> None:
            if on_done is not None:
                on_done(value)

        self._runner.submit(lambda: fn(store), done, fail)

    def close(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            try:
                store.close()
            except Exception:
                log.exception("closing the store failed")
