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

import importlib
import logging
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
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


class MrzFirstReader:
    """The production reader, ready as soon as it can read an MRZ.

    ``warm_up_first`` loads the OCR models and runs the recogniser once (what the MRZ, the
    first thing on screen, needs); the engine reports ready after it. ``warm_up`` then
    warms the rest (the second MRZ recogniser, the detector of the visual zone) while the
    engine is idle: about a third of a second the operator no longer waits for at start.
    """

    def __init__(self, reader: Any) -> None:
        self.reader = reader

    def warm_up_first(self) -> None:
        import cv2

        from desktop_app.core.ocr.base import MRZ_ALPHABET

        blank = np.full((48, 320, 3), 255, dtype=np.uint8)
        cv2.putText(blank, "P<UTO", (5, 35), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
        self.reader.engine.recognize([blank], alphabet=MRZ_ALPHABET)

    def warm_up(self) -> None:
        self.reader.warm_up()

    def read(self, source: Any, **kwargs: Any) -> list[DocumentResult]:
        return self.reader.read(source, **kwargs)  # type: ignore[no-any-return]


def default_reader(settings: Settings) -> ReaderLike:
    """The production reader: the real pipeline with the Paddle engine."""
    from desktop_app.core.pipeline import DocumentReader, ReaderSettings

    return MrzFirstReader(
        DocumentReader(
            ReaderSettings(
                read_visual_zone=settings.read_visual_zone,
                threads=settings.engine_threads,
                expiry_warning_days=settings.expiry_warning_days,
            )
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
        # A reader that can warm up in two steps reports ready after the first (what the
        # MRZ needs) and warms the rest when the engine is idle.
        warm_first = getattr(reader, "warm_up_first", None)
        (warm_first if callable(warm_first) else reader.warm_up)()
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
    warm_rest = callable(getattr(reader, "warm_up_first", None))
    while True:
        if warm_rest and inbox.empty():
            warm_rest = False
            try:
                reader.warm_up()
            except Exception:
                # Whatever failed is built again on first use, and says so then.
                log.warning("engine warm-up after ready failed", exc_info=True)
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
