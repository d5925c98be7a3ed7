"""The watched folder: a scan joins the queue only once it is completely written."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.settings import Settings
from desktop_app.ui.application import AppConfig, Services
from desktop_app.ui.folder_watch import FolderWatcher


def test_a_file_is_reported_once_its_size_is_stable(tmp_path: Path) -> None:
    w = FolderWatcher(tmp_path, interval_s=0.05, include_existing=False)
    (tmp_path / "old.jpg").write_bytes(b"x" * 10)
    w._seen.add(str(tmp_path / "old.jpg"))  # what run() does for files present at start
    scan = tmp_path / "scan.jpg"
    with scan.open("wb") as f:
        f.write(b"a" * 1000)
        f.flush()
        assert w.poll_once() == []  # first sight: size noted
        f.write(b"b" * 1000)
        f.flush()
        assert w.poll_once() == []  # still growing
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "upload.jpg.part").write_bytes(b"z")
    (tmp_path / "empty.png").write_bytes(b"")
    assert w.poll_once() == [str(scan)]  # unchanged across two polls: complete
    assert w.poll_once() == []  # reported once only
    assert w.poll_once() == []


def test_an_unreadable_folder_is_a_message(qtbot: QtBot, tmp_path: Path) -> None:
    w = FolderWatcher(tmp_path / "missing", interval_s=0.05)
    with qtbot.waitSignal(w.problem, timeout=2000) as blocker:
        w.poll_once()
    assert "cannot be read" in blocker.args[0]


@pytest.fixture
def watched(
    qtbot: QtBot, tmp_path: Path, settings: Settings, store_opener: Callable[[], object]
) -> Iterator[tuple[Services, Path]]:
    from dataclasses import replace

    from fake_reader import FACTORY

    folder = tmp_path / "scanner"
    folder.mkdir()
    (folder / "yesterday.png").write_bytes(b"old scan")  # present at start: not queued
    svc = Services(
        AppConfig(
            settings=replace(settings, watched_folder=str(folder)),
            open_store=store_opener,  # type: ignore[arg-type]
            reader_factory=FACTORY,
        )
    )
    assert svc.watcher is not None
    svc.watcher.interval_s = 0.05
    qtbot.addWidget(svc.window)
    yield svc, folder
    svc.window._close_confirmed = True
    svc.window.close()
    svc.shutdown()


def test_scans_written_to_the_watched_folder_join_the_queue(
    qtbot: QtBot, watched: tuple[Services, Path], make_doc: Callable[[str], str]
) -> None:
    svc, folder = watched
    source = Path(make_doc("src.png")).read_bytes()
    target = folder / "scan-0001.png"
    with target.open("wb") as f:  # the scanner writes in two pieces
        f.write(source[: len(source) // 2])
        f.flush()
        qtbot.waitUntil(lambda: str(target) in svc.watcher._pending, timeout=5000)  # type: ignore[union-attr]
        assert svc.controller.queue.items() == []
        f.write(source[len(source) // 2 :])
    qtbot.waitUntil(lambda: len(svc.controller.queue.items()) == 1, timeout=5000)
    item = svc.controller.queue.items()[0]
    assert item.label == "scan-0001.png" and item.origin == "folder"
    qtbot.waitUntil(lambda: item.status == "ready", timeout=15000)
    assert item.results[0].fields["surname"].value == "ERIKSSON"
    assert [it.label for it in svc.controller.queue.items()] == ["scan-0001.png"]
