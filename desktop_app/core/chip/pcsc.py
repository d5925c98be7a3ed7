"""The PC/SC transport (pyscard: WinSCard on Windows, pcscd on Linux).

Every PC/SC failure becomes one of :mod:`.errors` with a plain message, and every transmit
has a time limit: the call runs on a daemon thread, and a chip that does not answer in time
ends the read (the transport is then closed; a hung driver call cannot block the caller).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, Final, TypeVar

from desktop_app.core.chip.errors import CardRemoved, ChipError, ChipTimeout, NoCard, NoReader

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT_S: Final = 5.0
_T = TypeVar("_T")

NO_SERVICE = ("No card reader service is running (PC/SC). Connect a contactless reader, "
              "or start the smart card service (pcscd), and try again.")
NO_READERS = "No card reader is connected. Connect a contactless (PC/SC) reader and try again."
NO_CARD = "No document is on the reader. Place the passport's photo page on the reader and try again."
REMOVED = "The document was taken off the reader during the read. Put it back and read again."


def _timed(call: Callable[[], _T], timeout_s: float, what: str) -> _T:
    box: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)

    def run() -> None:
        try:
            box.put((True, call()))
        except BaseException as exc:  # handed to the caller's thread as it is
            box.put((False, exc))

    threading.Thread(target=run, name=f"pcsc-{what}", daemon=True).start()
    try:
        ok, value = box.get(timeout=timeout_s)
    except queue.Empty:
        raise ChipTimeout(f"The reader or the document did not answer within {timeout_s:g} s ({what}).") from None
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


def list_readers(timeout_s: float = DEFAULT_TIMEOUT_S) -> list[str]:
    """Names of the PC/SC readers; :class:`NoReader` when the service itself is missing."""
    try:
        from smartcard.System import readers
    except ImportError as exc:
        raise NoReader("This installation has no PC/SC support (pyscard is missing).") from exc
    try:
        return [str(r) for r in _timed(readers, timeout_s, "list readers")]
    except ChipTimeout as exc:
        raise NoReader(NO_SERVICE) from exc
    except Exception as exc:  # EstablishContextException, ListReadersException
        log.info("PC/SC readers unavailable: %r", exc)
        raise NoReader(NO_SERVICE) from exc


class PcscTransport:
    """One connected card on one reader."""

    def __init__(self, connection: Any, name: str, timeout_s: float) -> None:
        self._conn = connection
        self._name = name
        self._timeout_s = timeout_s
        self._atr = bytes(connection.getATR())
        self._closed = False

    @property
    def reader_name(self) -> str:
        return self._name

    @property
    def atr(self) -> bytes:
        return self._atr

    def transmit(self, apdu: bytes) -> bytes:
        if self._closed:
            raise CardRemoved(REMOVED)
        try:
            data, sw1, sw2 = _timed(lambda: self._conn.transmit(list(apdu)), self._timeout_s, "transmit")
        except ChipTimeout:
            self._closed = True
            raise
        except Exception as exc:  # CardConnectionException: removed, reset, reader gone
            log.info("PC/SC transmit failed: %r", exc)
            self._closed = True
            raise CardRemoved(REMOVED) from exc
        return bytes(data) + bytes((sw1, sw2))

    def close(self) -> None:
        self._closed = True
        try:
            _timed(self._conn.disconnect, self._timeout_s, "disconnect")
        except (ChipError, Exception) as exc:  # closing a gone card is not an error
            log.debug("PC/SC disconnect: %r", exc)
        _release(self._conn)


def _release(conn: Any) -> None:
    """Free the connection's PC/SC context now, not in a destructor that may run after the
    service is gone (pyscard then raises from ``__del__``)."""
    release = getattr(conn, "release", None)
    if release is None:
        return
    try:
        _timed(release, 2.0, "release")
    except (ChipError, Exception) as exc:
        log.debug("PC/SC release: %r", exc)


def connect(reader: str | None = None, timeout_s: float = DEFAULT_TIMEOUT_S) -> PcscTransport:
    """Connect to the card on ``reader`` (exact name or a part of it) or, with none given,
    on the first reader that holds a card."""
    from smartcard.System import readers

    names = list_readers(timeout_s)
    if not names:
        raise NoReader(NO_READERS)
    if reader:
        chosen = [n for n in names if n == reader] or [n for n in names if reader.lower() in n.lower()]
        if not chosen:
            raise NoReader(f"The card reader “{reader}” is not connected (connected: {', '.join(names)}).")
    else:
        chosen = names
    all_readers = {str(r): r for r in _timed(readers, timeout_s, "list readers")}
    for name in chosen:
        if name not in all_readers:
            continue
        conn = all_readers[name].createConnection()
        try:
            _timed(conn.connect, timeout_s, "connect")
        except ChipTimeout:
            continue
        except Exception as exc:  # NoCardException, CardConnectionException
            log.debug("no card on %s: %r", name, exc)
            _release(conn)
            continue
        return PcscTransport(conn, name, timeout_s)
    raise NoCard(NO_CARD)
