"""The OCR engine's child-process side (no Qt): build the reader once, answer requests.

Why a process and not a thread: Paddle holds the GIL for the whole model call, so OCR on
any thread of the GUI process freezes the window for hundreds of milliseconds. A spawned
child also gives a real cancel (the parent kills it when a stage cannot be interrupted)
and survives an engine crash without touching the operator's form.

Protocol (two one-way pipes, so neither side ever reads and writes the same connection
from two threads):

  parent -> child   :class:`ReadRequest`, :class:`CancelRequest`, :class:`ShutdownRequest`
  child  -> parent  :class:`EngineReady` | :class:`EngineFailed` once, then per request
                    :class:`PageLoaded`, :class:`StageProgress` ..., and exactly one of
                    :class:`ReadFinished`, :class:`ReadCancelled`, :class:`ReadFailed`

Every per-request message carries the request id, so the parent can drop stale ones.
The reader is built by a factory named by a ``"module:function"`` string that the child
imports; tests name a fake reader and exercise the very same process machinery.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Final, Protocol

import numpy as np

from desktop_app.core.types import CharSpan, DocumentResult, Field, Flag, MrzReading, Portrait, TextLine
from desktop_app.engine_wire import MAX_FRAME, Wire, WireError

if TYPE_CHECKING:
    from desktop_app.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_READER_FACTORY: Final = "desktop_app.engine_process:default_reader"
DISPLAY_MAX_SIDE: Final = 2600
"""Long side (px) of the page image sent back for display; the boxes stay in full-size
pixels and the viewer scales the picture, so a 600 dpi A4 scan doesn't cost 100 MB."""


# -- messages: parent -> child ------------------------------------------------------------
@dataclass(frozen=True)
class ReadRequest:
    request_id: int
    source: str | bytes
    """A file path, or the encoded bytes of an image (clipboard, camera)."""
    name: str | None = None
    """Label written into ``DocumentResult.file``."""


@dataclass(frozen=True)
class CancelRequest:
    request_id: int


@dataclass(frozen=True)
class ShutdownRequest:
    pass


# -- messages: child -> parent ------------------------------------------------------------
@dataclass(frozen=True)
class EngineReady:
    pid: int
    warmup_ms: float


@dataclass(frozen=True)
class EngineFailed:
    """The reader could not be built or warmed up; the child exits after sending this."""

    message: str


@dataclass(frozen=True)
class PageLoaded:
    request_id: int
    page_index: int
    page_count: int
    page_number: int | None
    image: np.ndarray
    """BGR uint8, at most :data:`DISPLAY_MAX_SIDE` on its long side."""
    size: tuple[int, int]
    """(width, height) of the full page, the space the result's boxes live in."""


@dataclass(frozen=True)
class StageProgress:
    request_id: int
    page_index: int
    stage: str
    result: DocumentResult | None


@dataclass(frozen=True)
class ReadFinished:
    request_id: int
    results: tuple[DocumentResult, ...]


@dataclass(frozen=True)
class ReadCancelled:
    request_id: int


@dataclass(frozen=True)
class ReadFailed:
    request_id: int
    message: str


@dataclass(frozen=True)
class Bootstrap:
    """The first message to a fresh child: what ``spawn`` used to pickle for it."""

    settings: dict[str, Any]
    factory_path: str
    log_level: int
    sys_path: tuple[str, ...]


REQUESTS: Final = (ReadRequest, CancelRequest, ShutdownRequest, Bootstrap)
EVENTS: Final = (
    EngineReady,
    EngineFailed,
    PageLoaded,
    StageProgress,
    ReadFinished,
    ReadCancelled,
    ReadFailed,
)
WIRE: Final = Wire(
    (*REQUESTS, *EVENTS, DocumentResult, MrzReading, Field, Flag, CharSpan, TextLine, Portrait)
)
"""Both directions speak :mod:`desktop_app.engine_wire` (JSON + raw arrays), never pickle:
the child parses hostile documents, and the GUI holding the key must not unpickle them."""


def send_message(conn: Connection, msg: object) -> None:
    conn.send_bytes(WIRE.encode(msg))


def recv_message(conn: Connection, expect: tuple[type, ...]) -> Any:
    """The next message; :class:`WireError` if it is not one of ``expect`` (or too big),
    ``EOFError``/``OSError`` when the other side is gone."""
    try:
        frame = conn.recv_bytes(MAX_FRAME)
    except OSError as exc:
        if "bad message length" in str(exc):
            raise WireError("engine message too large or garbled") from None
        raise
    msg = WIRE.decode(frame, expect)
    check_message(msg)
    return msg


MAX_IMAGE_SIDE: Final = 20_000


def _int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def check_message(msg: object) -> None:
    """The checks the decoder cannot make: types the GUI relies on, and a page image that
    Qt can wrap without reading past its buffer (uint8, gray or 3 channels)."""
    if hasattr(msg, "request_id") and not _int(msg.request_id):
        raise WireError("engine message with a bad request id")
    if isinstance(msg, PageLoaded):
        img = msg.image
        ok = (
            isinstance(img, np.ndarray)
            and img.dtype == np.uint8
            and (img.ndim == 2 or (img.ndim == 3 and img.shape[2] == 3))
            and all(0 < d <= MAX_IMAGE_SIDE for d in img.shape[:2])
            and isinstance(msg.size, tuple)
            and len(msg.size) == 2
            and all(_int(d) and d > 0 for d in msg.size)
            and _int(msg.page_index)
            and _int(msg.page_count)
        )
        if not ok:
            raise WireError("engine message with a bad page image")
    elif isinstance(msg, StageProgress):
        if not (
            isinstance(msg.stage, str) and (msg.result is None or isinstance(msg.result, DocumentResult))
        ):
            raise WireError("engine message with a bad stage result")
    elif isinstance(msg, ReadFinished):
        if not (isinstance(msg.results, tuple) and all(isinstance(r, DocumentResult) for r in msg.results)):
            raise WireError("engine message with bad results")
    elif isinstance(msg, ReadFailed | EngineFailed) and not isinstance(msg.message, str):
        raise WireError("engine message with a bad text")
    elif isinstance(msg, EngineReady) and not _int(msg.pid):
        raise WireError("engine message with a bad process id")


# -- the child's environment ------------------------------------------------------------
CHILD_ENV_NAMES: Final = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "LANG",
        "LANGUAGE",
        "TZ",
        "TMPDIR",
        "TEMP",
        "TMP",
        "SYSTEMROOT",
        "SYSTEMDRIVE",
        "WINDIR",
        "USERPROFILE",
        "LOCALAPPDATA",
        "APPDATA",
        "XDG_CACHE_HOME",
        "XDG_RUNTIME_DIR",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
        "HF_HUB_OFFLINE",
        "PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK",
        "PADDLE_PDX_MODEL_SOURCE",
        "PADDLE_PDX_CACHE_HOME",
        "PADDLEX_HOME",
    }
)
"""Variables the OCR child gets; everything else (the database key and URL, tokens, Qt's
variables) stays in the GUI."""
CHILD_ENV_PREFIXES: list[str] = ["LC_", "FLAGS_", "GLOG_", "KMP_"]
"""Name prefixes that pass too (locale, Paddle and OpenMP tuning). Tests add their fake
reader's knobs here."""
SECRET_MARKERS: Final = ("KEY", "SECRET", "TOKEN", "PASSWORD", "PASSWD", "DATABASE", "CREDENTIAL", "PGPASS")
"""A name holding any of these never passes, whatever the allow-list says."""
CHILD_SETTINGS_BLANKED: Final = ("database_url", "audit_signing_key", "audit_checkpoint_dir", "operator_name")
"""Settings the child has no use for, sent blank."""


def child_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The allow-listed part of ``environ`` (default: this process's)."""
    env = os.environ if environ is None else environ
    out: dict[str, str] = {}
    for name, value in env.items():
        upper = name.upper()
        if any(m in upper for m in SECRET_MARKERS):
            continue
        if upper in CHILD_ENV_NAMES or any(upper.startswith(p) for p in CHILD_ENV_PREFIXES):
            out[name] = value
    return out


def disable_core_dumps(*, hard: bool = False) -> None:
    """``RLIMIT_CORE`` 0: a crash must not write the process memory (keys, faces) to disk."""
    try:
        import resource
    except ImportError:  # Windows: no core files to begin with
        return
    _soft, cur_hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0 if hard else cur_hard))


# -- spawning the child -----------------------------------------------------------------
class EngineProcess:
    """A started engine child: the process, its two pipes, and the process-like methods
    the GUI's IPC thread uses (``is_alive``, ``kill``, ``join``, ``exitcode``, ``sentinel``)."""

    def __init__(self, popen: subprocess.Popen[bytes], requests: Connection, events: Connection) -> None:
        self._popen = popen
        self.requests = requests
        self.events = events
        self.pid: int = popen.pid
        self.sentinel: int | None = None
        if sys.platform == "win32":
            self.sentinel = int(popen._handle)  # type: ignore[attr-defined]
        elif hasattr(os, "pidfd_open"):
            try:
                self.sentinel = os.pidfd_open(popen.pid)
            except OSError:
                self.sentinel = None

    @property
    def exitcode(self) -> int | None:
        return self._popen.poll()

    def is_alive(self) -> bool:
        return self._popen.poll() is None

    def kill(self) -> None:
        if self.is_alive():
            self._popen.kill()

    def join(self, timeout: float | None = None) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._popen.wait(timeout)

    def close(self) -> None:
        if self.sentinel is not None and sys.platform != "win32":
            os.close(self.sentinel)
        self.sentinel = None

    def send(self, msg: object) -> None:
        send_message(self.requests, msg)

    def receive(self) -> Any:
        return recv_message(self.events, EVENTS)


def child_command(handles: tuple[int, int]) -> list[str]:
    """How to start the child: this interpreter (or the frozen program) in child mode."""
    tail = ["--engine-child", str(handles[0]), str(handles[1])]
    if getattr(sys, "frozen", False):
        return [sys.executable, *tail]
    return [sys.executable, "-m", "desktop_app.engine_process", *tail]


def spawn_engine(
    settings: Settings, factory_path: str = DEFAULT_READER_FACTORY, log_level: int = logging.WARNING
) -> EngineProcess:
    """Start the OCR child with a clean environment and no core dumps, and send it its
    :class:`Bootstrap`. The child answers :class:`EngineReady` or :class:`EngineFailed`."""
    import multiprocessing
    from dataclasses import asdict

    disable_core_dumps()  # this process too: cheap, and children inherit it
    req_recv, req_send = multiprocessing.Pipe(duplex=False)
    evt_recv, evt_send = multiprocessing.Pipe(duplex=False)
    handles = (req_recv.fileno(), evt_send.fileno())
    extra: dict[str, Any] = {}
    if sys.platform == "win32":
        for h in handles:
            os.set_handle_inheritable(h, True)
        info = subprocess.STARTUPINFO()
        info.lpAttributeList = {"handle_list": list(handles)}
        extra["startupinfo"] = info
    else:
        extra["pass_fds"] = handles
    try:
        popen = subprocess.Popen(
            child_command(handles), env=child_environment(), stdin=subprocess.DEVNULL, **extra
        )
    finally:
        # Our copies of the child's ends: EOF then tells each side the other is gone.
        req_recv.close()
        evt_send.close()
    child = EngineProcess(popen, req_send, evt_recv)
    plain = {k: v for k, v in asdict(settings).items() if k not in CHILD_SETTINGS_BLANKED}
    child.send(
        Bootstrap(plain, factory_path, int(log_level), tuple(p for p in sys.path if isinstance(p, str)))
    )
    return child


# -- the reader seam ----------------------------------------------------------------------
class CancelTokenLike(Protocol):
    def cancel(self) -> None: ...
    def check(self) -> None: ...


class ReaderLike(Protocol):
    """What the loop needs from a reader: :class:`desktop_app.core.DocumentReader` fits."""

    def warm_up(self) -> None: ...

    def read(
        self,
        source: Any,
        *,
        name: str | None = ...,
        on_progress: Callable[[Any], None] | None = ...,
        cancel: Any = ...,
    ) -> list[DocumentResult]: ...


def default_reader(settings: Settings) -> ReaderLike:
    """The production reader: the real pipeline with the Paddle engine."""
    from desktop_app.core.pipeline import DocumentReader, ReaderSettings

    return DocumentReader(
        ReaderSettings(
            read_visual_zone=settings.read_visual_zone,
            threads=settings.engine_threads,
            expiry_warning_days=settings.expiry_warning_days,
        )
    )


def resolve_factory(path: str) -> Callable[[Settings], ReaderLike]:
    """Import ``"package.module:function"``."""
    module_name, _, attr = path.partition(":")
    if not module_name or not attr:
        raise ValueError(f"reader factory must look like 'module:function', not {path!r}")
    factory = getattr(importlib.import_module(module_name), attr)
    if not callable(factory):
        raise TypeError(f"{path} is not callable")
    return factory  # type: ignore[no-any-return]


def display_image(image: np.ndarray) -> np.ndarray:
    """A copy of the page small enough to ship to the GUI (never larger than the page)."""
    import cv2

    h, w = image.shape[:2]
    side = max(h, w)
    if side <= DISPLAY_MAX_SIDE:
        return np.ascontiguousarray(image)
    f = DISPLAY_MAX_SIDE / side
    return cv2.resize(image, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)


# -- the child loop -----------------------------------------------------------------------
class _RequestState:
    """Which request runs now and which were cancelled, shared by the two child threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current_id: int | None = None
        self.current_token: CancelTokenLike | None = None
        self.cancelled: set[int] = set()

    def begin(self, request_id: int, token: CancelTokenLike) -> bool:
        with self._lock:
            if request_id in self.cancelled:
                self.cancelled.discard(request_id)
                return False
            self.current_id, self.current_token = request_id, token
            return True

    def end(self) -> None:
        with self._lock:
            self.current_id, self.current_token = None, None

    def cancel(self, request_id: int) -> None:
        with self._lock:
            if self.current_id == request_id and self.current_token is not None:
                self.current_token.cancel()
            else:
                self.cancelled.add(request_id)


def _listen(requests: Connection, inbox: queue.Queue[ReadRequest | None], state: _RequestState) -> None:
    """Second child thread: keeps reading requests while the main thread reads a document,
    so a cancel reaches the token between two stages."""
    while True:
        try:
            msg = recv_message(requests, REQUESTS)
        except WireError:
            log.error("dropped a request the engine could not decode")
            continue
        except (EOFError, OSError):
            # The parent is gone (closed its end or died): nobody wants our results.
            os._exit(0)
        if isinstance(msg, CancelRequest):
            state.cancel(msg.request_id)
        elif isinstance(msg, ShutdownRequest):
            if state.current_id is not None:
                state.cancel(state.current_id)
            inbox.put(None)
            return
        elif isinstance(msg, ReadRequest):
            inbox.put(msg)


def _load_pages(source: str | bytes) -> list[Any]:
    from desktop_app.core.imaging.load import load_pages, load_pages_from_bytes

    return load_pages_from_bytes(source) if isinstance(source, bytes) else load_pages(source)


def _serve(
    req: ReadRequest, reader: ReaderLike, token: CancelTokenLike, send: Callable[[object], None]
) -> None:
    from desktop_app.core.imaging.load import ImageLoadError
    from desktop_app.core.types import DocumentResult

    label = req.name if req.name is not None else (req.source if isinstance(req.source, str) else None)
    try:
        pages = _load_pages(req.source)
    except ImageLoadError as exc:
        send(ReadFinished(req.request_id, (DocumentResult(status="error", file=label, error=str(exc)),)))
        return
    except MemoryError:
        msg = "The image is too large to open in the available memory."
        send(ReadFinished(req.request_id, (DocumentResult(status="error", file=label, error=msg),)))
        return
    results: list[DocumentResult] = []
    for index, page in enumerate(pages):
        token.check()
        h, w = page.image.shape[:2]
        send(PageLoaded(req.request_id, index, len(pages), page.number, display_image(page.image), (w, h)))

        def on_progress(p: Any, index: int = index, number: int | None = page.number) -> None:
            result = replace(p.result, page=number) if p.result is not None else None
            send(StageProgress(req.request_id, index, str(p.stage), result))

        # The page is handed over as an array, so the boxes refer to exactly the picture
        # we just sent for display (EXIF turns and PDF rendering are already applied).
        for r in reader.read(page.image, name=label, on_progress=on_progress, cancel=token):
            results.append(replace(r, page=page.number))
    send(ReadFinished(req.request_id, tuple(results)))


def child_main(
    requests: Connection,
    events: Connection,
    settings: Settings,
    factory_path: str = DEFAULT_READER_FACTORY,
    log_level: int = logging.WARNING,
) -> None:
    """Entry point of the spawned engine process."""
    # Ctrl+C in a terminal reaches the whole process group; the parent decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(
        level=log_level,
        stream=sys.stderr,
        format="%(asctime)s engine[%(process)d] %(levelname)s %(name)s: %(message)s",
    )
    send_lock = threading.Lock()

    def send(msg: object) -> None:
        with send_lock:
            send_message(events, msg)

    t0 = time.perf_counter()
    try:
        from desktop_app.core.pipeline import Cancelled, CancelToken

        reader = resolve_factory(factory_path)(settings)
        reader.warm_up()
    except Exception as exc:
        log.exception("engine could not start")
        send(EngineFailed(f"The reading engine could not start: {exc}"))
        return
    send(EngineReady(os.getpid(), (time.perf_counter() - t0) * 1000))

    inbox: queue.Queue[ReadRequest | None] = queue.Queue()
    state = _RequestState()
    threading.Thread(
        target=_listen, args=(requests, inbox, state), name="engine-listener", daemon=True
    ).start()
    while True:
        req = inbox.get()
        if req is None:
            return
        token = CancelToken()
        if not state.begin(req.request_id, token):
            send(ReadCancelled(req.request_id))
            continue
        try:
            _serve(req, reader, token, send)
        except Cancelled:
            send(ReadCancelled(req.request_id))
        except Exception as exc:
            # The reader promises not to raise for bad input; anything here is a bug, and
            # one bad document must not take the engine down for the next ones.
            log.exception("reading request %s failed", req.request_id)
            send(
                ReadFailed(
                    req.request_id,
                    f"The document could not be read because of an internal error ({type(exc).__name__}).",
                )
            )
        finally:
            state.end()


def child_entry(argv: list[str]) -> int:
    """``--engine-child REQUESTS EVENTS``: the child's start, before any document is seen."""
    from dataclasses import fields

    disable_core_dumps(hard=True)
    read_handle, write_handle = int(argv[0]), int(argv[1])
    if sys.platform == "win32":
        from multiprocessing.connection import PipeConnection  # type: ignore[attr-defined]

        requests: Connection = PipeConnection(read_handle, writable=False)
        events: Connection = PipeConnection(write_handle, readable=False)
    else:
        requests = Connection(read_handle, writable=False)
        events = Connection(write_handle, readable=False)
    boot = recv_message(requests, (Bootstrap,))
    for entry in boot.sys_path:
        if isinstance(entry, str) and entry not in sys.path:
            sys.path.append(entry)
    from desktop_app.settings import Settings

    known = {f.name for f in fields(Settings)}
    settings = Settings(**{k: v for k, v in boot.settings.items() if k in known})
    child_main(requests, events, settings, boot.factory_path, boot.log_level)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] != ["--engine-child"] or len(sys.argv) != 4:
        sys.exit("usage: python -m desktop_app.engine_process --engine-child REQUESTS EVENTS")
    sys.exit(child_entry(sys.argv[2:]))
