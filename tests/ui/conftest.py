"""GUI test fixtures: offscreen Qt, isolated settings and database, and a leak check that
fails any test leaving a QThread running or an engine process alive."""

from __future__ import annotations

import contextlib
import os
import sys
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

# Before anything imports Qt. OpenCV's wheel also points Qt at its own plugins: drop that.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import cv2

os.environ.pop("QT_QPA_PLATFORM_PLUGIN_PATH", None)

import numpy as np
import pytest
from PySide6.QtCore import QThread

from desktop_app import engine_spawn
from desktop_app.settings import Settings

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    # The engine child imports the fake reader by name; spawn copies sys.path to it.
    sys.path.insert(0, str(HERE))

from fake_reader import FACTORY  # noqa: E402

TEST_KEY = bytes(range(32))
MRZ_LINES = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F3404159ZE184226B<<<<<16",
)


# -- leak check ----------------------------------------------------------------------------
_started: list[weakref.ref[QThread]] = []
_original_start = QThread.start


def _tracking_start(self: QThread, *args: object) -> None:
    _started.append(weakref.ref(self))
    _original_start(self, *args)


QThread.start = _tracking_start  # type: ignore[method-assign]


def _child_pids() -> list[int]:
    """Live child processes of this process (Linux /proc), except multiprocessing's
    resource tracker, which is shared by the whole session on purpose."""
    me = os.getpid()
    out: list[int] = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, ppid = fields[0], int(fields[1])
        if ppid == me and state != "Z" and b"resource_tracker" not in cmd:
            out.append(int(entry))
    return out


@pytest.fixture(autouse=True)
def no_leaks(qapp: object, qtbot: object) -> Iterator[None]:
    before = set(_child_pids())
    _started.clear()
    yield
    running = lambda: [t for t in (r() for r in _started) if t is not None and t.isRunning()]  # noqa: E731
    children = lambda: [p for p in _child_pids() if p not in before]  # noqa: E731
    # A thread that was told to stop may need a moment to return from its loop.
    with contextlib.suppress(AssertionError):
        qtbot.waitUntil(lambda: not running() and not children(), timeout=5000)  # type: ignore[attr-defined]
    leaked_threads = [t.objectName() or type(t).__name__ for t in running()]
    leaked_children = children()
    for pid in leaked_children:  # don't let one leak poison the following tests
        with contextlib.suppress(OSError):
            os.kill(pid, 9)
    assert not leaked_threads, f"QThreads still running after the test: {leaked_threads}"
    assert not leaked_children, f"child processes still alive after the test: {leaked_children}"


# -- isolation -------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _isolated_storage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSPORT_DESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PASSPORT_DESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("PASSPORT_DESK_KEY", raising=False)
    monkeypatch.setenv("FAKE_READER_WARMUP_S", "0.05")
    # The engine child gets an allow-listed environment; let the fake reader's knobs through.
    monkeypatch.setattr(
        engine_spawn, "CHILD_ENV_PREFIXES", [*engine_spawn.CHILD_ENV_PREFIXES, "FAKE_READER_"]
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        operator_name="tester",
        workstation="desk-1",
        database_url=f"sqlite:///{tmp_path / 'records.sqlite3'}",
        engine_threads=1,
        engine_timeout_s=30.0,
        keep_images_for_review=True,
    )


@pytest.fixture
def store_opener(settings: Settings) -> Callable[[], object]:
    from desktop_app.storage import StoreSettings, open_store

    def opener() -> object:
        return open_store(
            settings.database_url, key=TEST_KEY, settings=StoreSettings(keep_review_images=True)
        )

    return opener


def document_image(width: int = 1200, height: int = 850, lines: tuple[str, ...] = MRZ_LINES) -> np.ndarray:
    """A plain page with an OCR-ish MRZ at the bottom (enough for the OpenCV MRZ finder)."""
    img = np.full((height, width, 3), 236, np.uint8)
    cv2.rectangle(img, (60, 140), (330, 480), (190, 180, 170), -1)
    cv2.putText(img, "UTOPIA  PASSPORT", (400, 90), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (70, 60, 60), 3)
    for i, line in enumerate(lines):
        cv2.putText(img, line, (40, height - 130 + 55 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.95, (20, 20, 20), 2)
    return img


@pytest.fixture
def make_doc(tmp_path: Path) -> Callable[[str], str]:
    """``make_doc("name.png")`` writes a document image and returns its path."""

    def make(name: str) -> str:
        path = tmp_path / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), document_image())
        return str(path)

    return make


@pytest.fixture
def services(qtbot: object, settings: Settings, store_opener: Callable[[], object]) -> Iterator[object]:
    """The real application wiring (window, controller, engine process, store) with the
    fake reader in the engine process."""
    from desktop_app.ui.application import AppConfig, Services

    svc = Services(AppConfig(settings=settings, open_store=store_opener, reader_factory=FACTORY))  # type: ignore[arg-type]
    window = svc.window
    window.ask = lambda title, text: True
    window.ask_text = lambda title, label: "checked by hand"
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.show()
    qtbot.waitUntil(lambda: svc.store.is_open, timeout=15000)  # type: ignore[attr-defined]
    yield svc
    window._close_confirmed = True
    window.close()
    svc.shutdown()
