"""Camera intake: live preview, manual capture, and automatic capture of a sharp MRZ.

Frames are read by ``cv2.VideoCapture`` on a QThread (a read blocks until the camera has
a frame) and handed to the dialog as QImage. Each frame is checked with the cheap OpenCV
MRZ finder; when an MRZ is found and sharp on several consecutive frames the full frame is
captured, so the operator only has to hold the document still. After an automatic capture
the MRZ must leave the picture before the next one, or one passport would be captured
over and over. A camera that stops sending frames ends the thread with a message.
"""

from __future__ import annotations

import html
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np
from PySide6.QtCore import QSize, Qt, QThread, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.imaging.mrz_locate import find_mrz
from desktop_app.core.imaging.quality import BLUR_VARIANCE
from desktop_app.ui.engine_client import bgr_to_qimage

log = logging.getLogger(__name__)

PREVIEW_MAX_SIDE: Final = 960
MISSES_BEFORE_GONE: Final = 15
"""Consecutive failed reads after which the camera counts as disconnected."""


@dataclass(frozen=True)
class FrameCheck:
    mrz_found: bool
    sharpness: float
    streak: int
    needed: int
    armed: bool
    box: tuple[int, int, int, int] | None
    frame_size: tuple[int, int]


def open_capture(device: str) -> cv2.VideoCapture:
    """An index ("0") opens a local camera; anything else is a file path or stream URL."""
    d = device.strip()
    return cv2.VideoCapture(int(d)) if d.isdigit() else cv2.VideoCapture(d)


def check_frame(frame: np.ndarray) -> tuple[bool, float, tuple[int, int, int, int] | None]:
    """(MRZ found, sharpness of its lines, its box). Sharpness is the pipeline's own
    measure (variance of the Laplacian of the resampled MRZ line crops)."""
    candidates = find_mrz(frame, max_candidates=1)
    if not candidates:
        return False, 0.0, None
    cand = candidates[0]
    sharp = float(np.median([cv2.Laplacian(ln.image, cv2.CV_64F).var() for ln in cand.lines]))
    return True, sharp, cand.box


class CameraThread(QThread):
    frame_ready = Signal(QImage)
    checked = Signal(object)
    """:class:`FrameCheck` for every analysed frame."""
    captured = Signal(bytes, bool)
    """(JPEG bytes of the full frame, captured automatically?)"""
    failed = Signal(str)

    def __init__(
        self,
        device: str,
        *,
        auto_capture: bool = True,
        streak_needed: int = 5,
        sharp_threshold: float = BLUR_VARIANCE * 1.5,
        max_fps: float = 30.0,
    ) -> None:
        super().__init__()
        self.setObjectName("camera")
        self.device = device
        self.streak_needed = max(1, streak_needed)
        self.sharp_threshold = sharp_threshold
        self.max_fps = max_fps
        self._auto = threading.Event()
        if auto_capture:
            self._auto.set()
        self._capture_now = threading.Event()
        self._stop = threading.Event()

    def set_auto(self, on: bool) -> None:
        (self._auto.set if on else self._auto.clear)()

    def request_capture(self) -> None:
        self._capture_now.set()

    def stop(self) -> None:
        self._stop.set()
        self.wait(5000)

    @staticmethod
    def _encode(frame: np.ndarray) -> bytes:
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 95])
        return buf.tobytes() if ok else b""

    def run(self) -> None:
        cap = open_capture(self.device)
        try:
            if not cap.isOpened():
                self.failed.emit(
                    f"The camera “{self.device}” could not be opened. Check the cable or the address."
                )
                return
            # A video file (used for tests and demos) plays at its own speed, not as fast as it decodes.
            is_file = os.path.exists(self.device.strip())
            fps = cap.get(cv2.CAP_PROP_FPS) or self.max_fps
            period = 1.0 / min(self.max_fps, fps if fps > 0 else self.max_fps)
            misses, streak, armed = 0, 0, True
            while not self._stop.is_set():
                t0 = time.monotonic()
                ok, frame = cap.read()
                if not ok or frame is None:
                    misses += 1
                    if misses >= MISSES_BEFORE_GONE or is_file:
                        self.failed.emit(
                            "The camera stopped sending pictures (was it unplugged?). "
                            "Choose it again to reconnect."
                        )
                        return
                    self._stop.wait(0.05)
                    continue
                misses = 0
                found, sharp, box = check_frame(frame)
                good = found and sharp >= self.sharp_threshold
                streak = streak + 1 if good else 0
                if not found:
                    armed = True  # the document left the picture: ready for the next one
                h, w = frame.shape[:2]
                self.checked.emit(FrameCheck(found, sharp, streak, self.streak_needed, armed, box, (w, h)))
                if self._capture_now.is_set():
                    self._capture_now.clear()
                    self.captured.emit(self._encode(frame), False)
                elif self._auto.is_set() and armed and streak >= self.streak_needed:
                    armed, streak = False, 0
                    self.captured.emit(self._encode(frame), True)
                side = max(h, w)
                preview = (
                    frame
                    if side <= PREVIEW_MAX_SIDE
                    else cv2.resize(
                        frame,
                        (round(w * PREVIEW_MAX_SIDE / side), round(h * PREVIEW_MAX_SIDE / side)),
                        interpolation=cv2.INTER_AREA,
                    )
                )
                self.frame_ready.emit(bgr_to_qimage(preview))
                if is_file:
                    self._stop.wait(max(0.0, period - (time.monotonic() - t0)))
        except Exception:
            log.exception("camera thread failed")
            self.failed.emit("The camera failed unexpectedly; details are in the log.")
        finally:
            cap.release()


class CameraDialog(QDialog):
    """Choose a camera, watch the preview, capture by hand or let it capture by itself."""

    image_captured = Signal(bytes, str)
    """(JPEG bytes, label for the queue)"""

    def __init__(self, device: str = "", parent: QWidget | None = None, *, streak_needed: int = 5) -> None:
        super().__init__(parent)
        self.setWindowTitle("Camera")
        self.setObjectName("cameraDialog")
        self.setAccessibleName("Camera")
        self._thread: CameraThread | None = None
        self._streak_needed = streak_needed
        self.captures = 0

        self.device = QComboBox(self)
        self.device.setEditable(True)
        self.device.setAccessibleName("Camera device (number or address)")
        self.device.setToolTip("A camera number (0, 1, ...) or a stream address (rtsp://..., http://...)")
        for d in dict.fromkeys([device, "0", "1", "2"]):
            if d:
                self.device.addItem(d)
        self.device.setCurrentText(device or "0")
        self.device.setMinimumWidth(260)
        self.start_button = QPushButton("Start", self)
        self.start_button.setAccessibleName("Start or stop the camera")
        self.start_button.clicked.connect(self.toggle)
        top = QHBoxLayout()
        lbl = QLabel("&Camera:", self)
        lbl.setBuddy(self.device)
        top.addWidget(lbl)
        top.addWidget(self.device, 1)
        top.addWidget(self.start_button)

        self.preview = QLabel("No picture", self)
        self.preview.setObjectName("cameraPreview")
        self.preview.setAccessibleName("Camera preview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(QSize(480, 320))
        self.preview.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.preview.setStyleSheet("background:#202124; color:#e8eaed;")

        self.status = QLabel("Choose a camera and press Start.", self)
        self.status.setObjectName("banner")
        self.status.setProperty("level", "info")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Camera status")

        self.auto = QCheckBox("Capture &automatically when the MRZ is sharp", self)
        self.auto.setChecked(True)
        self.auto.toggled.connect(self._on_auto)
        self.capture_button = QPushButton("Capture (Space)", self)
        self.capture_button.setAccessibleName("Capture the current picture")
        self.capture_button.setEnabled(False)
        self.capture_button.clicked.connect(self.capture)
        space = QShortcut(QKeySequence(Qt.Key.Key_Space), self)
        space.activated.connect(self.capture)
        close = QPushButton("Close", self)
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.auto, 1)
        bottom.addWidget(self.capture_button)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.status)
        layout.addLayout(bottom)
        self.resize(760, 600)

    # -- control ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def toggle(self) -> None:
        if self._thread is not None:
            self.stop()
        else:
            self.start()

    def start(self) -> None:
        self.stop()
        device = self.device.currentText().strip()
        if not device:
            self._say("Enter a camera number or address.", "warning")
            return
        t = CameraThread(device, auto_capture=self.auto.isChecked(), streak_needed=self._streak_needed)
        t.frame_ready.connect(self._on_frame)
        t.checked.connect(self._on_check)
        t.captured.connect(self._on_captured)
        t.failed.connect(self._on_failed)
        t.finished.connect(self._on_thread_finished)
        self._thread = t
        self.start_button.setText("Stop")
        self.capture_button.setEnabled(True)
        self._say(f"Opening camera {device}…", "info")
        t.start()

    def stop(self) -> None:
        t, self._thread = self._thread, None
        if t is not None:
            t.stop()
            t.deleteLater()
        self.start_button.setText("Start")
        self.capture_button.setEnabled(False)

    def capture(self) -> None:
        if self._thread is not None:
            self._thread.request_capture()

    def _on_auto(self, on: bool) -> None:
        if self._thread is not None:
            self._thread.set_auto(on)

    # -- thread events -----------------------------------------------------------------------
    def _say(self, text: str, level: str) -> None:
        self.status.setText(html.escape(text))
        self.status.setProperty("level", level)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def _on_frame(self, image: QImage) -> None:
        pm = QPixmap.fromImage(image).scaled(
            self.preview.size(),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self.preview.setPixmap(pm)

    def _on_check(self, c: FrameCheck) -> None:
        if not c.mrz_found:
            self._say("Hold the document's data page in front of the camera.", "info")
        elif not c.armed:
            self._say("Captured. Take the document away to capture the next one.", "ok")
        elif c.streak == 0:
            self._say("MRZ found but blurred: hold still or move a little further away.", "warning")
        else:
            self._say(f"MRZ found - hold still ({c.streak}/{c.needed})", "ok")

    def _on_captured(self, data: bytes, automatic: bool) -> None:
        if not data:
            self._say("The picture could not be encoded.", "error")
            return
        self.captures += 1
        label = f"camera {time.strftime('%H:%M:%S')}.jpg"
        self.image_captured.emit(data, label)
        self._say(f"Captured{' automatically' if automatic else ''} and added to the queue.", "ok")

    def _on_failed(self, message: str) -> None:
        self._say(message, "error")

    def _on_thread_finished(self) -> None:
        t = self.sender()
        if t is self._thread:
            # The camera went away on its own: leave the message, offer Start again.
            self._thread = None
            t.deleteLater()
            self.start_button.setText("Start")
            self.capture_button.setEnabled(False)

    def closeEvent(self, event: object) -> None:  # noqa: N802  # type: ignore[override]
        self.stop()
        super().closeEvent(event)  # type: ignore[arg-type]

    def done(self, result: int) -> None:
        self.stop()
        super().done(result)
