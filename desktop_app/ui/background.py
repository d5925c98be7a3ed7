"""Run slow, blocking work (database calls, file reads) on one background thread.

One thread, one queue: database work is serialised (one writer at a time is what SQLite
wants anyway) and runs in submission order, so "save, then refresh the list" can't be
reordered. Callbacks run on the GUI thread. A task returns a value or raises; either way
exactly one callback is called.
"""

from __future__ import annotations

import itertools
import logging
import queue
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

log = logging.getLogger(__name__)

_lingering: list[QThread] = []
Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


@dataclass(frozen=True)
class _Task:
    task_id: int
    fn: Callable[[], Any]


class _Worker(QThread):
    done = Signal(int, object)
    error = Signal(int, object)

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.tasks: queue.Queue[_Task | None] = queue.Queue()

    def run(self) -> None:
        while True:
            task = self.tasks.get()
            if task is None:
                return
            try:
                value = task.fn()
            except Exception as exc:  # the one error boundary of this thread
                log.debug("background task %s failed", task.task_id, exc_info=True)
                self.error.emit(task.task_id, exc)
            else:
                self.done.emit(task.task_id, value)


class TaskRunner(QObject):
    """``submit(fn, on_done, on_error)``: ``fn()`` runs off the GUI thread."""

    idle_changed = Signal(bool)

    def __init__(self, name: str = "background", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Done | None, Failed | None]] = {}
        self._worker = _Worker(name)
        self._worker.done.connect(self._on_done)
        self._worker.error.connect(self._on_error)
        self._worker.start()

    @property
    def pending(self) -> int:
        return len(self._callbacks)

    def submit(
        self, fn: Callable[[], Any], on_done: Done | None = None, on_error: Failed | None = None
    ) -> int:
        if not self._worker.isRunning():
            raise RuntimeError("the background runner was stopped")
        task_id = next(self._ids)
        self._callbacks[task_id] = (on_done, on_error)
        if len(self._callbacks) == 1:
            self.idle_changed.emit(False)
        self._worker.tasks.put(_Task(task_id, fn))
        return task_id

    def _pop(self, task_id: int) -> tuple[Done | None, Failed | None]:
        cbs = self._callbacks.pop(task_id, (None, None))
        if not self._callbacks:
            self.idle_changed.emit(True)
        return cbs

    def _on_done(self, task_id: int, value: object) -> None:
        on_done, _ = self._pop(task_id)
        if on_done is not None:
            on_done(value)

    def _on_error(self, task_id: int, exc: object) -> None:
        _, on_error = self._pop(task_id)
        if on_error is not None and isinstance(exc, BaseException):
            on_error(exc)
        elif isinstance(exc, BaseException):
            log.error("background task failed with nobody to tell", exc_info=exc)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Finish the queued tasks (a save in progress completes) and stop the thread."""
        if self._worker.isRunning():
            self._worker.tasks.put(None)
            if not self._worker.wait(int(timeout_s * 1000)):
                # A database call that hangs (a network server): keep the thread referenced
                # rather than let Qt abort the process for destroying a running thread.
                log.error(
                    "background thread %s still busy after %.0f s", self._worker.objectName(), timeout_s
                )
                _lingering.append(self._worker)
