"""The camera dialog fed from a video file: preview, automatic and manual capture, and a
camera that goes away."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from conftest import document_image
from pytestqt.qtbot import QtBot

from desktop_app.ui.application import Services
from desktop_app.ui.camera import CameraDialog, check_frame


def write_video(path: Path, frames: list[np.ndarray], fps: float = 30.0) -> str:
    h, w = frames[0].shape[:2]
    out = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (w, h))
    assert out.isOpened()
    for f in frames:
        out.write(f)
    out.release()
    return str(path)


def passport_video(tmp_path: Path) -> str:
    doc = cv2.resize(document_image(), (960, 680), interpolation=cv2.INTER_AREA)
    blank = np.full_like(doc, 200)
    blurred = cv2.GaussianBlur(doc, (0, 0), 4)
    # nothing, a blurred document (must not be captured), then the document held still
    return write_video(tmp_path / "camera.avi", [blank] * 3 + [blurred] * 4 + [doc] * 10)


def test_frame_check_tells_sharp_from_blurred() -> None:
    doc = document_image()
    found, sharp, box = check_frame(doc)
    assert found and box is not None and sharp > 200
    found_b, sharp_b, _ = check_frame(cv2.GaussianBlur(doc, (0, 0), 4))
    assert not found_b or sharp_b < 50
    assert check_frame(np.full_like(doc, 200))[0] is False


def test_auto_capture_then_the_camera_goes_away(qtbot: QtBot, tmp_path: Path) -> None:
    dlg = CameraDialog(passport_video(tmp_path), streak_needed=3)
    qtbot.addWidget(dlg)
    dlg.show()
    with qtbot.waitSignal(dlg.image_captured, timeout=10000) as captured:
        dlg.start()
    data, label = captured.args
    frame = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert frame.shape[:2] == (680, 960) and check_frame(frame)[0]
    assert label.startswith("camera ") and label.endswith(".jpg")
    assert dlg.preview.pixmap() is not None and not dlg.preview.pixmap().isNull()
    # The file ends: that is a camera that disappeared, shown as a message, not a crash.
    qtbot.waitUntil(lambda: "stopped sending pictures" in dlg.status.text(), timeout=10000)
    qtbot.waitUntil(lambda: not dlg.running, timeout=5000)
    assert dlg.captures == 1  # the document never left the picture: one capture only
    qtbot.waitUntil(lambda: dlg.start_button.text() == "Start", timeout=5000)


def test_manual_capture(qtbot: QtBot, tmp_path: Path) -> None:
    frames = [np.full((240, 320, 3), 90 + i, np.uint8) for i in range(60)]
    dlg = CameraDialog(write_video(tmp_path / "plain.avi", frames, fps=20), streak_needed=3)
    qtbot.addWidget(dlg)
    dlg.auto.setChecked(False)
    dlg.start()
    qtbot.waitUntil(
        lambda: dlg.preview.pixmap() is not None and not dlg.preview.pixmap().isNull(), timeout=10000
    )
    with qtbot.waitSignal(dlg.image_captured, timeout=10000):
        dlg.capture()
    dlg.stop()
    assert not dlg.running


def test_a_camera_that_cannot_be_opened_says_so(qtbot: QtBot, tmp_path: Path) -> None:
    dlg = CameraDialog(str(tmp_path / "no-such-camera.avi"))
    qtbot.addWidget(dlg)
    dlg.start()
    qtbot.waitUntil(lambda: "could not be opened" in dlg.status.text(), timeout=10000)
    qtbot.waitUntil(lambda: not dlg.running, timeout=5000)


def test_captures_join_the_queue(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    w = services.window
    w.open_camera()
    dlg = w.camera_dialog
    assert dlg is not None
    dlg._streak_needed = 3
    dlg.device.setCurrentText(passport_video(tmp_path))
    dlg.start()
    c = services.controller
    qtbot.waitUntil(lambda: len(c.queue.items()) == 1, timeout=10000)
    item = c.queue.items()[0]
    assert item.origin == "camera" and isinstance(item.source, bytes)
    qtbot.waitUntil(lambda: item.status == "ready", timeout=15000)
    dlg.close()
    assert not dlg.running
