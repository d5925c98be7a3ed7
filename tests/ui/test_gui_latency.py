"""Issue 13, the window never stalls: what was moved off the GUI thread or cut, as behaviour.

No timing is asserted (the machine is shared); each test checks *where* or *whether* the
costly work happens: page pictures converted and scaled on the engine's IPC thread with
GIL-free OpenCV, the page drawn whole from its overview, the portrait not cut again on a
keystroke, the engine child below the window's CPU priority, no SQLAlchemy or Paddle in
the window process at start-up, and a progress bar that moves nothing when it hides.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import document_image
from fake_reader import FACTORY
from pytestqt.qtbot import QtBot

from desktop_app.core.types import Portrait
from desktop_app.settings import Settings
from desktop_app.ui import engine_client
from desktop_app.ui.application import Services
from desktop_app.ui.engine_client import (
    ENGINE_NICENESS,
    OVERVIEW_MAX_SIDE,
    EngineClient,
    EngineState,
    PageImage,
    bgr_to_qimage,
    overview_of,
)
from desktop_app.ui.image_view import DocumentView
from desktop_app.ui.portrait_view import PortraitView

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def client(qtbot: QtBot) -> Iterator[EngineClient]:
    c = EngineClient(Settings(engine_threads=1), factory_path=FACTORY)
    c.start()
    yield c
    c.shutdown()


def test_page_pictures_are_converted_and_scaled_off_the_gui_thread(
    qtbot: QtBot, client: EngineClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: dict[str, set[int]] = {"convert": set(), "overview": set()}
    real_convert, real_overview = engine_client.bgr_to_qimage, engine_client.overview_of

    def convert(a: np.ndarray) -> object:
        threads["convert"].add(threading.get_ident())
        return real_convert(a)

    def overview(a: np.ndarray) -> object:
        threads["overview"].add(threading.get_ident())
        return real_overview(a)

    monkeypatch.setattr(engine_client, "bgr_to_qimage", convert)
    monkeypatch.setattr(engine_client, "overview_of", overview)
    path = tmp_path / "big page.png"
    cv2.imwrite(str(path), document_image(2400, 1700))
    pages: list[PageImage] = []
    client.page_loaded.connect(lambda _rid, p: pages.append(p))
    rid = client.submit(str(path))
    with qtbot.waitSignal(client.finished, timeout=20000, check_params_cb=lambda r, _res: r == rid):
        pass
    [page] = pages
    gui = threading.get_ident()
    assert threads["convert"] and gui not in threads["convert"]
    assert threads["overview"] and gui not in threads["overview"]
    # Qt's native 32-bit layout: QPixmap.fromImage on the GUI thread converts nothing.
    assert page.image.format() == page.image.Format.Format_RGB32
    assert (page.image.width(), page.image.height()) == (2400, 1700) and page.size == (2400, 1700)
    assert page.overview is not None and page.overview.width() == OVERVIEW_MAX_SIDE
    assert page.overview.format() == page.image.Format.Format_RGB32


def test_a_converted_picture_keeps_its_pixels_after_the_array_is_gone() -> None:
    def make() -> tuple[object, object]:
        bgr = np.zeros((30, 40, 3), np.uint8)
        bgr[..., 0], bgr[..., 1], bgr[..., 2] = 10, 20, 30  # B, G, R
        gray = np.full((30, 40), 99, np.uint8)
        return bgr_to_qimage(bgr), bgr_to_qimage(gray)

    color, gray = make()
    gc.collect()
    _junk = [np.full((30, 40, 4), 7, np.uint8) for _ in range(50)]
    assert color.pixel(5, 5) & 0xFFFFFF == 0x1E140A  # type: ignore[attr-defined]
    assert gray.pixel(3, 3) & 0xFFFFFF == 0x636363  # type: ignore[attr-defined]


def test_a_small_page_has_no_overview_and_a_large_one_is_scaled_down() -> None:
    assert overview_of(np.zeros((850, 1200, 3), np.uint8)) is None
    small = overview_of(np.zeros((2000, 3000, 3), np.uint8))
    assert small is not None and (small.width(), small.height()) == (OVERVIEW_MAX_SIDE, 933)


def _picture(w: int, h: int) -> np.ndarray:
    return np.random.default_rng(1).integers(0, 255, (h, w, 3), dtype=np.uint8)


def test_the_whole_page_is_drawn_from_its_overview_and_zoomed_from_the_full_picture(qtbot: QtBot) -> None:
    view = DocumentView()
    qtbot.addWidget(view)
    view.resize(900, 650)
    view.show()
    qtbot.waitExposed(view)
    full = _picture(2600, 1840)
    view.set_page(bgr_to_qimage(full), (2600, 1840), overview_of(full))
    item = view.page_item
    assert item is not None and item.image_widths() == [OVERVIEW_MAX_SIDE, 2600]
    view.grab()
    assert item.drawn_widths and set(item.drawn_widths) == {OVERVIEW_MAX_SIDE}
    item.drawn_widths.clear()
    view.actual_size()  # one picture pixel per screen pixel: the overview has too few
    view.grab()
    assert item.drawn_widths and set(item.drawn_widths) == {2600}


def test_a_page_without_an_overview_is_drawn_from_its_picture(qtbot: QtBot) -> None:
    view = DocumentView()
    qtbot.addWidget(view)
    view.resize(900, 650)
    view.show()
    view.set_page(bgr_to_qimage(_picture(1200, 850)), (2400, 1700))  # a picture smaller than the page
    item = view.page_item
    assert item is not None
    view.grab()
    assert set(item.drawn_widths) == {1200}
    assert view.scene().sceneRect().width() == 2400  # the boxes' space is the full page


def test_a_keystroke_does_not_cut_the_portrait_again(qtbot: QtBot) -> None:
    view = PortraitView()
    qtbot.addWidget(view)
    view.set_page(bgr_to_qimage(_picture(800, 600)), (800, 600))
    view.set_portrait(Portrait((50, 100, 250, 360), 0.9, "face"))
    assert view.redraws == 1
    for _ in range(5):  # the form is shown again after every keystroke, with an equal portrait
        view.set_portrait(Portrait((50, 100, 250, 360), 0.9, "face"))
    assert view.redraws == 1
    view.set_portrait(Portrait((60, 100, 250, 360), 0.9, "face"))
    assert view.redraws == 2
    assert view.crop() is not None


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="POSIX priorities")
def test_the_engine_child_runs_below_the_window_priority(qtbot: QtBot, client: EngineClient) -> None:
    qtbot.waitUntil(lambda: client.state == EngineState.READY, timeout=20000)
    pid = client.child_pid
    assert pid
    own = os.getpriority(os.PRIO_PROCESS, 0)
    # The thread that reads (and starts Paddle's threads, which inherit it), once ready.
    qtbot.waitUntil(lambda: _nice(pid) == min(19, own + ENGINE_NICENESS), timeout=5000)
    assert engine_client.lower_priority(None) is False


def _nice(tid: int) -> int | None:
    try:
        return os.getpriority(os.PRIO_PROCESS, tid)
    except OSError:
        return None


def test_the_window_process_imports_neither_storage_nor_paddle_at_start() -> None:
    code = (
        "import sys; import desktop_app.ui.application; "
        "print(','.join(m for m in ('sqlalchemy', 'alembic', 'desktop_app.storage', 'paddle', 'paddleocr') "
        "if m in sys.modules))"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_the_progress_bar_hides_without_moving_anything(qtbot: QtBot, services: Services) -> None:
    w = services.window
    qtbot.waitExposed(w)
    w.progress.setVisible(True)
    qtbot.wait(20)
    before = (w.fields.mapTo(w, w.fields.rect().topLeft()), w.blockers.mapTo(w, w.blockers.rect().topLeft()))
    w.progress.setVisible(False)
    qtbot.wait(20)
    after = (w.fields.mapTo(w, w.fields.rect().topLeft()), w.blockers.mapTo(w, w.blockers.rect().topLeft()))
    assert before == after


def test_the_window_is_built_while_the_engine_still_loads(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, settings: Settings, store_opener: Callable[[], object]
) -> None:
    from desktop_app.ui.application import AppConfig

    monkeypatch.setenv("FAKE_READER_WARMUP_S", "3")
    svc = Services(AppConfig(settings=settings, open_store=store_opener, reader_factory=FACTORY))  # type: ignore[arg-type]
    try:
        # The child was started first, and the window does not wait for it.
        assert svc.engine.is_running
        svc.window.show()
        qtbot.waitExposed(svc.window)
        assert svc.engine.state in (EngineState.STARTING, EngineState.RESTARTING)
        assert svc.window.engine_label.text() == "Engine loading…"
        qtbot.waitUntil(lambda: svc.engine.state == EngineState.READY, timeout=20000)
    finally:
        svc.window._close_confirmed = True
        svc.window.close()
        svc.shutdown()


def test_the_progress_bar_neither_animates_nor_repaints_on_each_stage(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w, c = services.window, services.controller
    seen: list[tuple[int, int, int]] = []
    c.stage_changed.connect(
        lambda _text: seen.append((w.progress.minimum(), w.progress.maximum(), w.progress.value()))
    )
    w.add_paths([make_doc("passport.png")])
    qtbot.waitUntil(lambda: c.current is not None and c.current.status == "ready", timeout=20000)
    assert seen
    # A range of 0..0 is Qt's busy animation; a value that changes repaints at once.
    assert set(seen) == {(0, 1, 1)}
    assert not w.progress.isVisible()


def test_the_engine_is_ready_before_the_rest_of_its_warm_up(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_doc: Callable[[str], str]
) -> None:
    """A reader that warms up in two steps (the production one does) reports ready after
    the first; the rest runs afterwards, while the engine is idle, and reading works."""
    from fake_reader import STAGED_FACTORY

    mark = tmp_path / "rest warmed"
    monkeypatch.setenv("FAKE_READER_REST_S", "1.5")
    monkeypatch.setenv("FAKE_READER_REST_MARK", str(mark))
    c = EngineClient(Settings(engine_threads=1), factory_path=STAGED_FACTORY)
    c.start()
    try:
        qtbot.waitUntil(lambda: c.state == EngineState.READY, timeout=20000)
        assert not mark.exists()  # ready came first
        qtbot.waitUntil(mark.exists, timeout=20000)  # then the rest, unasked
        rid = c.submit(make_doc("passport.png"))
        with qtbot.waitSignal(c.finished, timeout=20000, check_params_cb=lambda r, _res: r == rid):
            pass
    finally:
        c.shutdown()


def test_the_production_reader_warms_the_mrz_recogniser_first() -> None:
    from desktop_app.engine_process import MrzFirstReader

    calls: list[str] = []

    class Engine:
        def recognize(self, crops: list[np.ndarray], *, alphabet: str | None = None) -> list[object]:
            calls.append(f"recognize {alphabet}")
            return []

    class Reader:
        engine = Engine()

        def warm_up(self) -> None:
            calls.append("warm_up")

        def read(self, source: object, **kw: object) -> list[object]:
            calls.append("read")
            return []

    r = MrzFirstReader(Reader())
    r.warm_up_first()
    assert calls == ["recognize ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"]
    r.warm_up()
    r.read("x.png", name="x")
    assert calls[1:] == ["warm_up", "read"]


def test_a_kept_scan_is_decoded_for_the_reviewer_with_its_overview(qtbot: QtBot) -> None:
    from desktop_app.ui.review_view import decode_scan

    ok, jpeg = cv2.imencode(".jpg", _picture(3000, 2000))
    assert ok
    decoded = decode_scan(jpeg.tobytes())
    assert decoded is not None
    image, overview = decoded
    assert (image.width(), image.height()) == (3000, 2000)
    assert image.format() == image.Format.Format_RGB32  # shared, not converted, by QPixmap
    assert overview is not None and overview.width() == OVERVIEW_MAX_SIDE
    assert decode_scan(b"not an image at all") is None


def test_the_preview_while_the_engine_starts_is_decoded_off_the_gui_thread(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from desktop_app.ui import preview

    threads: list[int] = []
    real = preview.decode_preview

    def decode(
        source: str | bytes, size: tuple[int, int], max_side: int = preview.PREVIEW_MAX_SIDE
    ) -> object:
        threads.append(threading.get_ident())
        return real(source, size, max_side)

    monkeypatch.setattr(preview, "decode_preview", decode)
    path = tmp_path / "large scan.jpg"
    cv2.imwrite(str(path), document_image(3600, 2550))
    loader = preview.PreviewLoader()
    got: list[tuple[object, object, object]] = []
    loader.ready.connect(lambda key, image, size: got.append((key, image, size)))
    assert loader.request(7, str(path))
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    [(key, image, size)] = got
    assert threads and threads[0] != threading.get_ident()
    assert key == 7 and size == (3600, 2550)
    assert max(image.width(), image.height()) <= preview.PREVIEW_MAX_SIDE  # type: ignore[attr-defined]
    assert not loader.request(8, str(tmp_path / "missing.png"))  # nothing to read: says so at once


def test_a_field_status_word_is_plain_text_in_its_state_colour(qtbot: QtBot) -> None:
    import fake_reader

    from desktop_app.core.desk.form import DocumentForm
    from desktop_app.ui.fields_panel import FieldsPanel
    from desktop_app.ui.style import style_for

    panel = FieldsPanel()
    qtbot.addWidget(panel)
    result = fake_reader.make_reader(Settings()).read(_picture(1200, 850), name="badcheck.png")[0]
    panel.show_views(DocumentForm(result).fields())
    word = panel._rows["document_number"].word
    view = panel.view("document_number")
    assert view is not None
    st = style_for(view.display)
    assert word.text() == st.word and word.textFormat() == word.textFormat().PlainText
    assert word.palette().color(word.foregroundRole()).name() == st.color
    img = word.grab().toImage()  # drawn in that colour
    colours = {img.pixelColor(x, y).name() for x in range(img.width()) for y in range(img.height())}
    assert any(_near(c, st.color) for c in colours)


def _near(a: str, b: str) -> bool:
    ca, cb = (int(a[i : i + 2], 16) for i in (1, 3, 5)), (int(b[i : i + 2], 16) for i in (1, 3, 5))
    return all(abs(x - y) <= 40 for x, y in zip(ca, cb, strict=True))


def test_the_acknowledgement_box_comes_and_goes_without_resizing_the_form(
    qtbot: QtBot, services: Services
) -> None:
    """Showing it used to shrink the form's scroll area (a relayout and a repaint of the
    whole form, on the document that needs it)."""
    w = services.window
    qtbot.waitExposed(w)
    from PySide6.QtWidgets import QScrollArea

    scroll = w.findChild(QScrollArea, "formScroll")
    assert scroll is not None

    def where() -> tuple[object, object]:
        return (scroll.geometry(), w.confirm_button.mapTo(w, w.confirm_button.rect().topLeft()))

    before = where()
    w.ack_box.setVisible(True)
    qtbot.wait(20)
    assert where() == before
    w.ack_box.setVisible(False)
    qtbot.wait(20)
    assert where() == before
