"""A watched folder: images a scanner writes there join the queue once fully written.

Scanners write a file in pieces, and a file picked up half-written reads as garbage, so a
file is only reported when its size and modification time are unchanged across two
polls (and it is not empty). Polling runs on its own thread: listing a network share can
take seconds and must not freeze the window. Files already in the folder when watching
starts are taken as handled (they are yesterday's scans, not new arrivals).
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Final

from PySide6.QtCore import QThread, Signal

log = logging.getLogger(__name__)

IMAGE_SUFFIXES: Final = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".gif", ".pdf"})
PARTIAL_SUFFIXES: Final = frozenset({".tmp", ".part", ".crdownload", ".partial"})


class FolderWatcher(QThread):
    file_ready = Signal(str)
    problem = Signal(str)
    """A plain message (folder missing or unreadable); watching goes on and recovers."""

    def __init__(
        self, folder: str | Path, *, interval_s: float = 1.0, include_existing: bool = False
    ) -> None:
        super().__init__()
        self.setObjectName("folder-watch")
        self.folder = Path(folder)
        self.interval_s = interval_s
        self.include_existing = include_existing
        self._stop = threading.Event()
        self._seen: set[str] = set()
        self._pending: dict[str, tuple[int, int]] = {}
        self._problem_shown = False

    def stop(self) -> None:
        self._stop.set()
        self.wait(5000)

    def _scan(self) -> dict[str, tuple[int, int]] | None:
        try:
            entries = list(os.scandir(self.folder))
        except OSError as exc:
            if not self._problem_shown:
                self._problem_shown = True
                self.problem.emit(f"The watched folder {self.folder} cannot be read ({exc.strerror or exc}).")
            return None
        if self._problem_shown:
            self._problem_shown = False
            log.info("watched folder %s readable again", self.folder)
        found: dict[str, tuple[int, int]] = {}
        for entry in entries:
            name = entry.name
            suffix = os.path.splitext(name)[1].lower()
            if name.startswith(".") or suffix in PARTIAL_SUFFIXES or suffix not in IMAGE_SUFFIXES:
                continue
            try:
                if not entry.is_file():
                    continue
                st = entry.stat()
            except OSError:
                continue  # vanished between listing and stat
            found[entry.path] = (st.st_size, st.st_mtime_ns)
        return found

    def poll_once(self) -> list[str]:
        """One poll; returns the files that became ready (also emitted)."""
        found = self._scan()
        if found is None:
            return []
        ready: list[str] = []
        for path, sig in found.items():
            if path in self._seen:
                continue
            if sig[0] > 0 and self._pending.get(path) == sig:
                self._seen.add(path)
                self._pending.pop(path, None)
                ready.append(path)
            else:
                self._pending[path] = sig
        # Forget files that disappeared before they settled.
        for path in list(self._pending):
            if path not in found:
                del self._pending[path]
        for path in sorted(ready):
            self.file_ready.emit(path)
        return ready

    def run(self) -> None:
        if not self.include_existing:
            existing = self._scan()
            if existing:
                self._seen.update(existing)
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:
                log.exception("watched folder poll failed")
            self._stop.wait(self.interval_s)
