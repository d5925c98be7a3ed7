"""The GUI's handle on the OCR engine child process.

:class:`EngineClient` lives on the GUI thread and is all the widgets see: ``submit`` a
file or image bytes, get a request id back, then signals for the page picture, each stage
(MRZ fields first, the visual zone after) and the final result. Behind it a
:class:`_EngineThread` (a QThread running a plain loop, no event loop) owns the child
process and both pipes; it never touches a widget and only emits immutable values
(frozen dataclasses, QImage).

The thread keeps at most one request inside the child at a time and the rest in its own
queue, so when the child has to be killed (cancel that cannot wait for the end of a stage,
a crash, a hang past ``engine_timeout_s``) nothing queued is lost: a fresh child is
started and the queue carries on.
"""

from __future__ import annotations

import collections
import itertools
import logging
import multiprocessing
import multiprocessing.connection as mpc
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtGui import QImage

from desktop_app.engine_process import (
    DEFAULT_READER_FACTORY,
    EVENTS,
    CancelRequest,
    EngineFailed,
    EngineReady,
    PageLoaded,
    ReadCancelled,
    ReadFailed,
    ReadFinished,
    ReadRequest,
    ShutdownRequest,
    StageProgress,
    recv_message,
    send_message,
)
from desktop_app.engine_spawn import EngineProcess, spawn_engine
from desktop_app.engine_wire import WireError
from desktop_app.settings import Settings

log = logging.getLogger(__name__)

MAX_START_FAILURES: Final = 3
"""Consecutive child deaths before it is ready, after which we stop trying (a broken
install would otherwise restart forever)."""

# Operator-facing messages: plain words, what happened and what we did about it.
MSG_CRASHED: Final = (
    "The reading engine stopped unexpectedly and is being restarted. The form keeps what was on it."
)
MSG_TIMEOUT: Final = (
    "Reading took longer than {limit:.0f} seconds, so it was stopped and the engine restarted."
)
MSG_GARBLED: Final = (
    "The reading engine sent a message that could not be understood, so it was stopped and restarted."
)
MSG_START_FAILED: Final = "The reading engine could not be started: {detail}"


class EngineState:
    STARTING: Final = "starting"
    READY: Final = "ready"
    BUSY: Final = "busy"
    RESTARTING: Final = "restarting"
    FAILED: Final = "failed"
    STOPPED: Final = "stopped"


@dataclass(frozen=True)
class PageImage:
    """A page picture ready for the viewer. ``size`` is the full page in which the result's
    boxes are given; ``image`` may be smaller (the viewer scales it up). ``overview`` is a
    smaller copy (at most :data:`OVERVIEW_MAX_SIDE`) drawn when the page is shown whole, so
    a repaint never smooth-scales a 2600 px picture on the GUI thread."""

    page_index: int
    page_count: int
    page_number: int | None
    image: QImage
    size: tuple[int, int]
    overview: QImage | None = None


@dataclass(frozen=True)
class StageUpdate:
    page_index: int
    stage: str
    result: object | None
    """A :class:`~desktop_app.core.types.DocumentResult` (partial after "mrz")."""


OVERVIEW_MAX_SIDE: Final = 1400
"""Long side of a page's overview picture (about the image pane at 1920 x 1080)."""


def bgr_to_qimage(array: np.ndarray) -> QImage:
    """A QImage from a BGR (or gray) uint8 array; safe on any thread, and cheap for the
    GUI thread even when built on another one.

    The pixels are converted with OpenCV, which lets go of the GIL (Qt's own conversions
    and copies hold it, so doing them on a worker thread still stalls the window), into
    Qt's native 32-bit layout (B, G, R, 255 bytes = ``Format_RGB32``), so that
    ``QPixmap.fromImage`` on the GUI thread shares the pixels instead of converting them.
    The QImage keeps a reference to the array that holds its pixels (PySide does this for
    buffer-backed images), so it owns its data like any other QImage."""
    import cv2

    a = np.ascontiguousarray(array)
    if a.dtype != np.uint8:
        a = np.clip(a, 0, 255).astype(np.uint8)
    if a.ndim == 2:
        bgra = cv2.cvtColor(a, cv2.COLOR_GRAY2BGRA)
    elif a.shape[2] == 4:
        bgra = a
    else:
        bgra = cv2.cvtColor(a, cv2.COLOR_BGR2BGRA)
    h, w = bgra.shape[:2]
    return QImage(bgra.data, w, h, bgra.strides[0], QImage.Format.Format_RGB32)


def overview_of(array: np.ndarray, max_side: int = OVERVIEW_MAX_SIDE) -> QImage | None:
    """A smaller picture of the page for drawing it whole, or None when the page is
    small enough already. Scaled with OpenCV (area averaging, the GIL released)."""
    import cv2

    h, w = array.shape[:2]
    side = max(h, w)
    if side <= max_side:
        return None
    f = max_side / side
    small = cv2.resize(array, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)
    return bgr_to_qimage(small)


ENGINE_NICENESS: Final = 5
"""How much lower the engine child's CPU priority is than the window's (POSIX nice steps)."""


def lower_priority(pid: int | None, steps: int = ENGINE_NICENESS) -> bool:
    """Give the engine child (every thread of it) a lower CPU priority than the window.

    Called once the engine is ready: the warm-up runs at full priority (the window has
    nothing else to do then), the reading below it. The engine's threads fill every core
    while it reads; at the same priority the GUI thread waits for a core behind them, and
    the window stalls. A lower priority changes little for the reading (the window is
    idle most of the time) and lets the window's short bursts run at once.

    Linux keeps a priority per thread, so each of the child's threads (``/proc/PID/task``)
    is lowered; threads it starts later inherit it. POSIX only; elsewhere nothing changes."""
    if pid is None or not hasattr(os, "setpriority"):
        return False
    tasks = Path(f"/proc/{pid}/task")
    try:
        ids = [int(t.name) for t in tasks.iterdir()] if tasks.is_dir() else [pid]
    except (OSError, ValueError):
        ids = [pid]
    done = False
    for tid in ids:
        try:
            now = os.getpriority(os.PRIO_PROCESS, tid)
            os.setpriority(os.PRIO_PROCESS, tid, min(19, now + steps))
            done = True
        except OSError as exc:  # the thread ended meanwhile, or not allowed
            log.debug("engine thread %s priority left as it is: %s", tid, exc)
    return done


# -- the worker thread ---------------------------------------------------------------------
@dataclass
class _Inflight:
    request: ReadRequest
    sent_at: float
    last_word: float
    cancel_asked: float | None = None


@dataclass
class _Child:
    process: EngineProcess
    requests: mpc.Connection
    events: mpc.Connection
    started: float
    ready: bool = False
    pid: int | None = None


@dataclass(frozen=True)
class _Cmd:
    kind: str
    request: ReadRequest | None = None
    request_id: int = 0


@dataclass
class _Counters:
    start_failures: int = 0
    restarts: int = 0
    stale_dropped: int = 0


class _EngineThread(QThread):
    """Owns the child process and the IPC. ``run`` is a plain loop on
    :func:`multiprocessing.connection.wait`, waking for child events, child death and
    commands from the GUI (sent through a pipe so they wake the wait at once)."""

    state_changed = Signal(str)
    notice = Signal(str)
    child_started = Signal(int)
    page_loaded = Signal(int, object)
    progress = Signal(int, object)
    finished_read = Signal(int, object)
    failed = Signal(int, str)
    cancelled = Signal(int)

    def __init__(
        self,
        settings: Settings,
        factory_path: str,
        commands: mpc.Connection,
        *,
        cancel_grace_s: float,
        warmup_timeout_s: float,
        log_level: int,
    ) -> None:
        super().__init__()
        self.setObjectName("engine-ipc")
        self._settings = settings
        self._factory_path = factory_path
        self._commands = commands
        self._cancel_grace_s = cancel_grace_s
        self._warmup_timeout_s = warmup_timeout_s
        self._log_level = log_level
        self._child: _Child | None = None
        self._pending: collections.deque[ReadRequest] = collections.deque()
        self._inflight: _Inflight | None = None
        self._state = ""
        self._stop = False
        self._gave_up = False
        self.counters = _Counters()

    # -- helpers ---------------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    def _start_child(self) -> None:
        # A clean environment, no core dumps, and JSON on the pipes (engine_process.spawn_engine):
        # the child parses hostile documents, so it gets neither the key nor pickle.
        proc = spawn_engine(self._settings, self._factory_path, self._log_level)
        self._child = _Child(proc, proc.requests, proc.events, time.monotonic(), pid=proc.pid)
        log.info("engine child started (pid %s)", proc.pid)
        self.child_started.emit(int(proc.pid or 0))

    def _kill_child(self) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        if child.process.is_alive():
            child.process.kill()
        child.process.join(5)
        for conn in (child.requests, child.events):
            conn.close()
        child.process.close()

    def _restart(self, why: str) -> None:
        log.warning("restarting engine child: %s", why)
        self.counters.restarts += 1
        self._kill_child()
        if not self._stop:
            self._set_state(EngineState.RESTARTING)
            self._start_child()

    def _send(self, msg: object) -> bool:
        if self._child is None:
            return False
        try:
            send_message(self._child.requests, msg)
        except (OSError, EOFError, BrokenPipeError):
            return False  # the child died; its sentinel will tell the loop
        return True

    # -- command handling --------------------------------------------------------------------
    def _on_command(self, cmd: _Cmd) -> None:
        if cmd.kind == "read" and cmd.request is not None:
            if self._gave_up:
                self.failed.emit(cmd.request.request_id, "The reading engine is not available.")
            else:
                self._pending.append(cmd.request)
        elif cmd.kind == "cancel":
            rid = cmd.request_id
            for req in list(self._pending):
                if req.request_id == rid:
                    self._pending.remove(req)
                    self.cancelled.emit(rid)
                    return
            inf = self._inflight
            if inf is not None and inf.request.request_id == rid and inf.cancel_asked is None:
                inf.cancel_asked = time.monotonic()
                # Tell the GUI at once: whatever the child still sends for it is stale.
                self.cancelled.emit(rid)
                self._send(CancelRequest(rid))
        elif cmd.kind == "restart":
            self._gave_up = False
            self.counters.start_failures = 0
            inf, self._inflight = self._inflight, None
            if inf is not None and inf.cancel_asked is None:
                self._pending.appendleft(inf.request)  # read it again on the fresh engine
            self._restart("asked by the operator")
        elif cmd.kind == "stop":
            self._stop = True

    # -- child events ----------------------------------------------------------------------
    def _on_event(self, msg: object) -> None:
        child = self._child
        assert child is not None
        if isinstance(msg, EngineReady):
            child.ready = True
            lower_priority(child.pid)  # reading from now on: the window comes first
            self.counters.start_failures = 0
            log.info("engine ready in %.0f ms (pid %s)", msg.warmup_ms, msg.pid)
            self._set_state(EngineState.READY)
            return
        if isinstance(msg, EngineFailed):
            self._give_up(msg.message)
            return
        inf = self._inflight
        rid = getattr(msg, "request_id", None)
        if inf is None or rid != inf.request.request_id:
            self.counters.stale_dropped += 1
            return
        inf.last_word = time.monotonic()
        done = isinstance(msg, (ReadFinished, ReadCancelled, ReadFailed))
        if done:
            self._inflight = None
        if inf.cancel_asked is not None:
            return  # the GUI was already told "cancelled"; everything else is stale
        if isinstance(msg, PageLoaded):
            # Off the GUI thread, and GIL-free: the conversion and the overview.
            page = PageImage(
                msg.page_index,
                msg.page_count,
                msg.page_number,
                bgr_to_qimage(msg.image),
                msg.size,
                overview_of(msg.image),
            )
            self.page_loaded.emit(rid, page)
        elif isinstance(msg, StageProgress):
            self.progress.emit(rid, StageUpdate(msg.page_index, msg.stage, msg.result))
        elif isinstance(msg, ReadFinished):
            self.finished_read.emit(rid, msg.results)
        elif isinstance(msg, ReadCancelled):
            self.cancelled.emit(rid)
        elif isinstance(msg, ReadFailed):
            self.failed.emit(rid, msg.message)

    def _on_garbled(self, detail: str) -> None:
        """The child sent something that is not a message: treat it as compromised."""
        log.error("engine child sent an undecodable message (%s); restarting it", detail)
        child = self._child
        if child is not None and not child.ready:
            self.counters.start_failures += 1
            if self.counters.start_failures >= MAX_START_FAILURES:
                self._give_up(f"it sent {MAX_START_FAILURES} undecodable messages while loading")
                return
        inf, self._inflight = self._inflight, None
        if inf is not None and inf.cancel_asked is None:
            self.failed.emit(inf.request.request_id, MSG_GARBLED)
        self.notice.emit(MSG_GARBLED)
        self._restart("undecodable message")

    def _give_up(self, detail: str) -> None:
        """Stop restarting (a broken install would loop forever); ``restart`` tries again."""
        self._gave_up = True
        self._kill_child()
        self.notice.emit(MSG_START_FAILED.format(detail=detail))
        self._fail_all("The reading engine is not available.")
        self._set_state(EngineState.FAILED)

    def _fail_all(self, message: str) -> None:
        if self._inflight is not None:
            inf, self._inflight = self._inflight, None
            if inf.cancel_asked is None:
                self.failed.emit(inf.request.request_id, message)
        while self._pending:
            self.failed.emit(self._pending.popleft().request_id, message)

    def _on_child_died(self) -> None:
        child = self._child
        assert child is not None
        code = child.process.exitcode
        log.warning("engine child %s exited with code %s", child.pid, code)
        if not child.ready:
            self.counters.start_failures += 1
            if self.counters.start_failures >= MAX_START_FAILURES:
                self._give_up(f"it stopped {MAX_START_FAILURES} times while loading")
                return
        inf, self._inflight = self._inflight, None
        if inf is not None and inf.cancel_asked is None:
            self.failed.emit(inf.request.request_id, MSG_CRASHED)
            self.notice.emit(MSG_CRASHED)
        elif child.ready and inf is None:
            self.notice.emit(MSG_CRASHED)
        self._restart(f"exit code {code}")

    def _check_clocks(self) -> None:
        child, now = self._child, time.monotonic()
        if child is None:
            return
        if not child.ready and now - child.started > self._warmup_timeout_s:
            self.counters.start_failures += 1
            if self.counters.start_failures >= MAX_START_FAILURES:
                self._give_up(
                    f"it took more than {self._warmup_timeout_s:.0f} seconds to load, "
                    f"{MAX_START_FAILURES} times"
                )
            else:
                self.notice.emit(
                    f"The reading engine took more than {self._warmup_timeout_s:.0f} seconds to load; "
                    "trying again."
                )
                self._restart("warm-up timed out")
            return
        inf = self._inflight
        if inf is None:
            return
        if inf.cancel_asked is not None:
            if now - inf.cancel_asked > self._cancel_grace_s:
                # The stage in progress can't be interrupted (a model call): kill it.
                self._inflight = None
                self._restart("cancel did not take effect in time")
            return
        limit = self._settings.engine_timeout_s
        if now - inf.last_word > limit:
            self._inflight = None
            msg = MSG_TIMEOUT.format(limit=limit)
            self.failed.emit(inf.request.request_id, msg)
            self.notice.emit(msg)
            self._restart("request timed out")

    def _dispatch(self) -> None:
        child = self._child
        if child is None or not child.ready or self._inflight is not None:
            return
        if not self._pending:
            self._set_state(EngineState.READY)
            return
        req = self._pending.popleft()
        now = time.monotonic()
        self._inflight = _Inflight(req, now, now)
        if not self._send(req):
            self._pending.appendleft(req)
            self._inflight = None
            return
        self._set_state(EngineState.BUSY)

    # -- the loop ----------------------------------------------------------------------------
    def run(self) -> None:
        self._set_state(EngineState.STARTING)
        try:
            self._start_child()
            while not self._stop:
                waitables: list[object] = [self._commands]
                child = self._child
                if child is not None:
                    waitables.append(child.events)
                    if child.process.sentinel is not None:
                        waitables.append(child.process.sentinel)
                ready = mpc.wait(waitables, timeout=0.2)  # type: ignore[arg-type]
                while self._commands.poll():
                    self._on_command(self._commands.recv())
                if self._stop:
                    break
                child = self._child
                if child is not None and child.events in ready:
                    try:
                        while child.events.poll():
                            self._on_event(recv_message(child.events, EVENTS))
                            if self._child is not child:
                                break
                    except WireError as exc:
                        self._on_garbled(str(exc))
                    except (EOFError, OSError):
                        pass  # the child died mid-message: the sentinel handles it below
                child = self._child
                if child is not None and not child.process.is_alive():
                    self._on_child_died()
                self._check_clocks()
                self._dispatch()
        except Exception:
            log.exception("engine IPC thread failed")
            self.notice.emit("The connection to the reading engine failed; restart the application.")
            self._set_state(EngineState.FAILED)
        finally:
            self._shutdown_child()
            self._set_state(EngineState.STOPPED)

    def _shutdown_child(self) -> None:
        child = self._child
        if child is None:
            return
        self._send(ShutdownRequest())
        child.process.join(2.0)
        self._kill_child()


_lingering: list[QThread] = []
"""Threads that did not stop in time at shutdown, kept referenced so Qt does not abort."""


# -- the GUI-side facade ---------------------------------------------------------------------
class EngineClient(QObject):
    """Submit documents to the engine and get Qt signals back (all on the GUI thread).

    Signals carry the request id first; a receiver shows only the ids it still waits for.
    """

    state_changed = Signal(str)
    notice = Signal(str)
    """A plain message for the operator (crash, restart, time-out)."""
    page_loaded = Signal(int, object)
    """(request id, :class:`PageImage`)"""
    progress = Signal(int, object)
    """(request id, :class:`StageUpdate`)"""
    finished = Signal(int, object)
    """(request id, tuple of DocumentResult, one per page)"""
    failed = Signal(int, str)
    cancelled = Signal(int)

    def __init__(
        self,
        settings: Settings,
        *,
        factory_path: str = DEFAULT_READER_FACTORY,
        cancel_grace_s: float = 2.0,
        warmup_timeout_s: float | None = None,
        log_level: int = logging.WARNING,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._factory_path = factory_path
        self._cancel_grace_s = cancel_grace_s
        # Loading Paddle and its models takes seconds on a cold disk; be generous.
        self._warmup_timeout_s = warmup_timeout_s or max(120.0, 2 * settings.engine_timeout_s)
        self._log_level = log_level
        self._ids = itertools.count(1)
        self._thread: _EngineThread | None = None
        self._cmd_send: mpc.Connection | None = None
        self._state = EngineState.STOPPED
        self._child_pid: int | None = None

    @property
    def state(self) -> str:
        return self._state

    @property
    def child_pid(self) -> int | None:
        """The engine process id (tests kill it to prove crash recovery)."""
        return self._child_pid

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def start(self) -> None:
        """Start the child and warm it up in the background; returns at once."""
        if self._thread is not None:
            return
        self._state = EngineState.STARTING  # so a window built next says "loading" at once
        cmd_recv, cmd_send = multiprocessing.Pipe(duplex=False)
        self._cmd_send = cmd_send
        t = _EngineThread(
            self._settings,
            self._factory_path,
            cmd_recv,
            cancel_grace_s=self._cancel_grace_s,
            warmup_timeout_s=self._warmup_timeout_s,
            log_level=self._log_level,
        )
        t.state_changed.connect(self._on_state)
        t.notice.connect(self.notice)
        t.child_started.connect(self._on_child_started)
        t.page_loaded.connect(self.page_loaded)
        t.progress.connect(self.progress)
        t.finished_read.connect(self.finished)
        t.failed.connect(self.failed)
        t.cancelled.connect(self.cancelled)
        self._thread = t
        t.start()

    def _on_state(self, state: str) -> None:
        self._state = state
        self.state_changed.emit(state)

    def _on_child_started(self, pid: int) -> None:
        self._child_pid = pid

    def _command(self, cmd: _Cmd) -> None:
        if self._cmd_send is None:
            raise RuntimeError("the engine client is not started")
        self._cmd_send.send(cmd)

    def submit(self, source: str | bytes, name: str | None = None) -> int:
        """Queue a file path or encoded image bytes; returns the request id."""
        rid = next(self._ids)
        self._command(_Cmd("read", request=ReadRequest(rid, source, name)))
        return rid

    def cancel(self, request_id: int) -> None:
        """Stop a request: dropped if queued, interrupted between stages if running, and
        the child killed and restarted if the current stage won't stop in time."""
        if self._cmd_send is not None:
            self._command(_Cmd("cancel", request_id=request_id))

    def restart(self) -> None:
        """Start a fresh engine (after it gave up, or on the operator's request)."""
        self._command(_Cmd("restart"))

    def shutdown(self, timeout_s: float = 10.0) -> None:
        """Stop the child and the thread; blocks at most ``timeout_s`` (closing the window)."""
        t, self._thread = self._thread, None
        if t is None:
            return
        if self._cmd_send is not None:
            self._command(_Cmd("stop"))
        if not t.wait(int(timeout_s * 1000)):
            # Never drop a running QThread (Qt aborts the process); keep it until it ends.
            log.error("the engine thread did not stop within %.0f s", timeout_s)
            _lingering.append(t)
        if self._cmd_send is not None:
            self._cmd_send.close()
            self._cmd_send = None
        self._child_pid = None
        self._state = EngineState.STOPPED
