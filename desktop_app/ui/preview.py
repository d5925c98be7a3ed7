"""The document's own picture while the engine starts, decoded off the GUI thread.

The engine sends every page it reads, but while it is still loading its models (the first
seconds after launch) a document dropped on the window would wait for it without a
picture. So the window decodes a preview itself: the file's header is read on the GUI
thread (to know the page size), the pixels on a short-lived worker thread with OpenCV,
which decodes JPEGs at a reduced scale when asked and lets go of the GIL while it works
(QImageReader on the GUI thread held the window for the whole decode of a large page).
"""

from __future__ import annotations

import logging
import threading
from typing import Final

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, Qt, Signal
from PySide6.QtGui import QImage, QImageIOHandler, QImageReader

from desktop_app.ui.engine_client import bgr_to_qimage

log = logging.getLogger(__name__)

PREVIEW_MAX_SIDE: Final = 1400
"""The longest side of the picture shown before the engine's own page arrives."""


def page_size(source: str | bytes) -> tuple[int, int] | None:
    """(width, height) from the image file's header (upright, EXIF turns applied), or None
    when Qt cannot read it (a PDF, a damaged file: the engine will say)."""
    reader = QImageReader()
    buf: QBuffer | None = None
    if isinstance(source, bytes):
        buf = QBuffer()
        buf.setData(QByteArray(source))
        buf.open(QIODevice.OpenModeFlag.ReadOnly)
        reader.setDevice(buf)
    else:
        reader.setFileName(source)
    reader.setAutoTransform(True)
    size = reader.size()
    if not size.isValid() or size.isEmpty():
        return None
    w, h = size.width(), size.height()
    if reader.transformation() & QImageIOHandler.Transformation.TransformationRotate90:
        w, h = h, w  # an EXIF quarter turn: the upright page is the other way round
    return w, h


def decode_preview(
    source: str | bytes, size: tuple[int, int], max_side: int = PREVIEW_MAX_SIDE
) -> QImage | None:
    """The picture at most ``max_side`` px on its long side, or None. Safe on any thread."""
    import cv2

    # OpenCV decodes a JPEG at 1/2, 1/4 or 1/8 scale for a fraction of the cost.
    modes = {
        8: cv2.IMREAD_REDUCED_COLOR_8,
        4: cv2.IMREAD_REDUCED_COLOR_4,
        2: cv2.IMREAD_REDUCED_COLOR_2,
        1: cv2.IMREAD_COLOR,
    }
    mode = next(m for r, m in modes.items() if max(size) / r >= max_side or r == 1)
    try:
        # Bytes through imdecode for files too: cv2.imread cannot open non-ASCII paths on Windows.
        data = np.frombuffer(source, np.uint8) if isinstance(source, bytes) else np.fromfile(source, np.uint8)
        image = cv2.imdecode(data, mode)
    except (OSError, cv2.error):
        return None
    if image is None or not image.size:
        return None
    h, w = image.shape[:2]
    f = max_side / max(h, w)
    if f < 1:
        image = cv2.resize(image, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)
    return bgr_to_qimage(image)


class PreviewLoader(QObject):
    """``request(key, source)`` decodes on a worker thread; ``ready(key, image, size)``
    arrives on the GUI thread (only for pictures that could be decoded)."""

    ready = Signal(object, object, object)
    """(key, QImage, (width, height) of the full page)"""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._relay = _Relay()
        self._relay.done.connect(self.ready, Qt.ConnectionType.QueuedConnection)

    def request(self, key: object, source: str | bytes) -> bool:
        """False when the file's header cannot be read (nothing will arrive)."""
        size = page_size(source)
        if size is None:
            return False
        relay = self._relay

        def work() -> None:
            try:
                image = decode_preview(source, size)
            except Exception:
                log.debug("no preview", exc_info=True)
                return
            if image is not None:
                relay.done.emit(key, image, size)

        threading.Thread(target=work, name="preview", daemon=True).start()
        return True


class _Relay(QObject):
    done = Signal(object, object, object)
