"""The settings dialog over the typed settings file, and settings applied to a running session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.settings import Settings, load_settings
from desktop_app.ui.application import Services
from desktop_app.ui.settings_dialog import SettingsDialog


def test_dialog_edits_and_saves_the_settings_file(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "conf" / "settings.json"
    dlg = SettingsDialog(Settings(operator_name="anna", workstation="desk-2"), path)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.operator.text() == "anna" and dlg.expiry.value() == 90
    dlg.operator.setText("  bert ")
    dlg.expiry.setValue(30)
    dlg.keep_images.setChecked(True)
    dlg.camera.setText("rtsp://camera.local/stream")
    dlg.folder.setText(str(tmp_path / "not-there"))
    dlg.accept()
    assert dlg.error.isVisible() and "does not exist" in dlg.error.text()
    assert not path.exists() and dlg.saved is None
    (tmp_path / "scans").mkdir()
    dlg.folder.setText(str(tmp_path / "scans"))
    dlg.accept()
    assert dlg.saved is not None and path.exists()
    loaded = load_settings(path)
    assert loaded == dlg.saved
    assert (loaded.operator_name, loaded.expiry_warning_days, loaded.keep_images_for_review) == (
        "bert",
        30,
        True,
    )
    assert loaded.camera == "rtsp://camera.local/stream" and loaded.watched_folder == str(tmp_path / "scans")


def test_new_settings_apply_to_the_running_session(
    qtbot: QtBot, services: Services, tmp_path: Path, make_doc: Callable[[str], str]
) -> None:
    qtbot.waitUntil(lambda: services.engine.state == "ready", timeout=15000)
    pid = services.engine.child_pid
    folder = tmp_path / "scanner"
    folder.mkdir()
    new = replace(services.settings, operator_name="carla", watched_folder=str(folder), engine_threads=2)
    services.window.apply_settings(new)
    assert "carla" in services.window.operator_label.text()
    assert services.watcher is not None and services.watcher.folder == folder
    # Engine settings changed: a new engine process, and reading carries on with it.
    qtbot.waitUntil(
        lambda: services.engine.state == "ready" and services.engine.child_pid != pid, timeout=15000
    )
    services.controller.add_files([make_doc("after-restart.png")])
    qtbot.waitUntil(lambda: services.controller.queue.items()[0].status == "ready", timeout=15000)
    assert services.controller.settings.operator_name == "carla"


def test_flagged_scans_are_kept_by_default_and_the_dialog_says_what_off_means(qtbot: QtBot) -> None:
    assert Settings().keep_images_for_review is True  # the reviewer sees the document
    assert Settings().allow_self_review is False  # four eyes unless a one-person branch says so
    dlg = SettingsDialog(Settings(), None)
    qtbot.addWidget(dlg)
    assert dlg.keep_images.isChecked() and "dropped" in dlg.keep_images_note.text()
    dlg.keep_images.setChecked(False)
    assert "without seeing the document" in dlg.keep_images_note.text()
    dlg.self_review.setChecked(True)
    assert "audit trail" in dlg.self_review_note.text()
    assert dlg.values().allow_self_review and not dlg.values().keep_images_for_review
