"""The e-passport chip at the desk (issue 16): read it after the MRZ, show what it proves.

After the MRZ is read, :class:`ChipReader` looks for a PC/SC reader on its own background
thread; with none there the panel stays hidden. With one, it reads the chip at once if the
document is already on the reader, or says "Place the passport on the reader" and waits.
:class:`ChipPanel` shows the chip's portrait, whether passive authentication holds and, per
field, "Chip: signed" or the mismatch with both values. A confirmed record keeps the chip
read (storage encrypts it; the audit trail logs it).

The window needs one call, :func:`attach_chip_panel`; nothing else in it knows the chip.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.chip import (
    ChipRead,
    MrzKey,
    TrustStore,
    TrustStoreError,
    compare,
    load_trust_store,
    read_chip,
)
from desktop_app.core.chip.errors import ChipError, NoCard
from desktop_app.core.chip.result import Comparison
from desktop_app.core.chip.transport import CardTransport
from desktop_app.core.types import MRZ_FIELD_KEYS
from desktop_app.settings import Settings
from desktop_app.ui.background import TaskRunner

log = logging.getLogger(__name__)

Connect = Callable[[str | None, float], CardTransport]
PORTRAIT_SIZE = (96, 128)
OK, BAD, DOUBT, MUTED = "#1e8e3e", "#c5221f", "#b06000", "#5f6368"
MSG_WAITING = "Place the passport's photo page on the reader…"
MSG_READING = "Reading the chip…"


def _pcsc_connect(reader: str | None, timeout_s: float) -> CardTransport:
    from desktop_app.core.chip import pcsc

    return pcsc.connect(reader, timeout_s)


@dataclass(frozen=True)
class ChipOutcome:
    """One finished chip read, as it crosses from the worker to the GUI thread."""

    request_id: int
    read: ChipRead
    portrait: QImage | None


class ChipReader(QObject):
    """Chip reads off the GUI thread; a newer request makes older ones stale (dropped)."""

    waiting = Signal(int, str)
    finished = Signal(object)

    def __init__(self, settings: Callable[[], Settings], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.connect_card: Connect = _pcsc_connect
        self.wait_s = 60.0
        self.poll_s = 0.25
        self._runner: TaskRunner | None = None
        self._cancel = threading.Event()
        self._ids = itertools.count(1)
        self.current_id = 0

    def start(self, key: MrzKey) -> int:
        self._cancel.set()  # a read still waiting for its document gives up
        cancel = threading.Event()
        self._cancel = cancel
        rid = next(self._ids)
        self.current_id = rid
        s = self.settings()
        reader, trust_path = s.chip_reader or None, s.chip_trust_store
        if self._runner is None:
            self._runner = TaskRunner("chip", self)
        self._runner.submit(lambda: self._run(rid, key, reader, trust_path, cancel), self._done, self._failed)
        return rid

    def cancel(self) -> None:
        self._cancel.set()
        self.current_id = next(self._ids)

    def shutdown(self) -> None:
        self.cancel()
        if self._runner is not None:
            self._runner.stop(5.0)
            self._runner = None

    # -- on the worker thread ---------------------------------------------------------------
    def _run(self, rid: int, key: MrzKey, reader: str | None, trust_path: str,
             cancel: threading.Event) -> ChipOutcome:
        trust: TrustStore | None = None
        trust_problem = None
        if trust_path:
            try:
                trust = load_trust_store(trust_path)
            except (TrustStoreError, OSError) as exc:
                trust_problem = f"the trust store could not be read ({exc})"
        deadline = time.monotonic() + self.wait_s
        told = False
        while True:
            if cancel.is_set():
                return ChipOutcome(rid, ChipRead("error", "cancelled"), None)
            try:
                transport = self.connect_card(reader, 5.0)
                break
            except NoCard as exc:
                if time.monotonic() > deadline:
                    return ChipOutcome(rid, ChipRead("no_card", str(exc)), None)
                if not told:
                    self.waiting.emit(rid, MSG_WAITING)
                    told = True
                cancel.wait(self.poll_s)
            except ChipError as exc:
                return ChipOutcome(rid, ChipRead(exc.status, str(exc)), None)
        self.waiting.emit(rid, MSG_READING)
        try:
            result = read_chip(transport, key, trust)
        finally:
            close = getattr(transport, "close", None)
            if callable(close):
                close()
        if trust_problem and result.passive.status == "untrusted":
            result = replace(result, passive=replace(result.passive, reason=trust_problem))
        return ChipOutcome(rid, result, _qimage(result))

    # -- back on the GUI thread -------------------------------------------------------------
    def _done(self, outcome: object) -> None:
        if isinstance(outcome, ChipOutcome) and outcome.request_id == self.current_id:
            self.finished.emit(outcome)

    def _failed(self, exc: BaseException) -> None:  # a bug, not a chip fault: say so plainly
        log.error("chip read failed", exc_info=exc)
        self.finished.emit(ChipOutcome(self.current_id, ChipRead("error", f"The chip could not be read: {exc}"), None))


def _qimage(result: ChipRead) -> QImage | None:
    if result.portrait is None:
        return None
    rgb = result.portrait.image[:, :, ::-1].copy()
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class ChipPanel(QWidget):
    """The chip's portrait, its verdict and a mark for each field."""

    def __init__(self, settings: Callable[[], Settings], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chipPanel")
        self.setAccessibleName("Passport chip")
        self.reader = ChipReader(settings, self)
        self.reader.waiting.connect(self._on_waiting)
        self.reader.finished.connect(self._on_finished)
        self.result: ChipRead | None = None
        self._key: MrzKey | None = None
        self._printed: dict[str, str] = {}
        self._labels: dict[str, str] = {}

        self.title = QLabel("<b>Chip</b>", self)
        self.status = QLabel("", self)
        self.status.setObjectName("chipStatus")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Chip status")
        self.portrait = QLabel(self)
        self.portrait.setObjectName("chipPortrait")
        self.portrait.setFixedSize(*PORTRAIT_SIZE)
        self.portrait.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.portrait.setStyleSheet("border: 1px solid #dadce0;")
        self.portrait.setAccessibleName("Chip portrait")
        self.again = QPushButton("Read chip again", self)
        self.again.setAccessibleName("Read the chip again")
        self.again.clicked.connect(self.read_again)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(1)
        self.marks: dict[str, QLabel] = {}

        top = QHBoxLayout()
        top.addWidget(self.portrait, 0, Qt.AlignmentFlag.AlignTop)
        side = QVBoxLayout()
        side.addWidget(self.title)
        side.addWidget(self.status)
        side.addLayout(self.grid)
        side.addStretch(1)
        top.addLayout(side, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 4, 0, 4)
        outer.addLayout(top)
        outer.addWidget(self.again, 0, Qt.AlignmentFlag.AlignLeft)
        self.setVisible(False)

    # -- inputs ------------------------------------------------------------------------------
    def on_form(self, form: Any) -> None:
        """The window's form changed (a new read, a later stage, an edit)."""
        lines = getattr(getattr(getattr(form, "result", None), "mrz", None), "lines", None)
        try:
            key = MrzKey.from_mrz_lines(lines) if lines else None
        except ValueError:
            key = None
        if form is not None:
            self._printed = {k: form.field(k).value for k in MRZ_FIELD_KEYS}
            self._labels = {k: form.field(k).label for k in MRZ_FIELD_KEYS}
        if key != self._key:
            self._key = key
            self.result = None
            if key is None:
                self.reader.cancel()
                self.setVisible(False)
            else:
                self.reader.start(key)
        self._render()

    def read_again(self) -> None:
        if self._key is not None:
            self.result = None
            self.reader.start(self._key)
            self._render()

    def comparison(self) -> dict[str, Comparison]:
        if self.result is None or self.result.status != "ok":
            return {}
        from desktop_app.core.types import Field

        printed = {k: Field(v, 1.0, "mrz") for k, v in self._printed.items() if v}
        return dict(compare(self.result.fields, printed))

    def _on_waiting(self, rid: int, message: str) -> None:
        if rid == self.reader.current_id:
            self.setVisible(True)
            self._set_status(message, MUTED)

    def _on_finished(self, outcome: object) -> None:
        if not isinstance(outcome, ChipOutcome):
            return
        self.result = outcome.read
        if outcome.portrait is not None:
            self.portrait.setPixmap(QPixmap.fromImage(outcome.portrait).scaled(
                *PORTRAIT_SIZE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        self._render()

    # -- output ------------------------------------------------------------------------------
    def _set_status(self, text: str, colour: str) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};")

    def _render(self) -> None:
        r = self.result
        if self._key is None:
            return
        if r is None:
            self.portrait.clear()
            self.portrait.setText("chip")
            self._fill_grid({})
            return
        if r.status == "no_reader":  # no reader at this desk: the chip is not part of its work
            self.setVisible(False)
            return
        self.setVisible(True)
        if r.status != "ok":
            self.portrait.clear()
            self.portrait.setText("no chip read")
            self._set_status(r.error or "The chip could not be read.", BAD if r.status == "access_denied" else DOUBT)
            self._fill_grid({})
            return
        pa = r.passive
        if pa.status == "valid":
            self._set_status(f"Signed by the issuing state ({pa.csca}).", OK)
        elif pa.status == "invalid":
            self._set_status(f"Not genuine: {pa.reason}.", BAD)
        else:
            self._set_status(f"Read, but not proven: {pa.reason}.", DOUBT)
        self._fill_grid(self.comparison())

    def _fill_grid(self, comparison: dict[str, Comparison]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()
        self.marks = {}
        r = self.result
        if r is None or r.status != "ok":
            return
        signed = r.passive.status == "valid" and r.passive.data_groups.get("DG1") == "valid"
        for row, key in enumerate(k for k in MRZ_FIELD_KEYS if k in r.fields):
            chip_value = r.fields[key].value
            name = QLabel(self._labels.get(key, key), self)
            name.setObjectName("fieldMeta")
            if comparison.get(key) == "differs":
                text = f"Mismatch: chip “{chip_value}”, print “{self._printed.get(key, '')}”"
                colour = BAD
            elif signed:
                text, colour = "Chip: signed", OK
            else:
                text, colour = "Chip: not proven", DOUBT
            mark = QLabel(text, self)
            mark.setObjectName(f"chip_{key}")
            mark.setWordWrap(True)
            mark.setStyleSheet(f"color: {colour};")
            mark.setToolTip(f"On the chip: {chip_value}")
            self.grid.addWidget(name, row, 0)
            self.grid.addWidget(mark, row, 1)
            self.marks[key] = mark

    def mark(self, key: str) -> str:
        return self.marks[key].text() if key in self.marks else ""

    # -- lifetime ----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802  (Qt override)
        if event.type() == QEvent.Type.Close and watched is self.window():
            # Stop the chip thread with the window; a cancelled close restarts it on demand.
            self.reader.shutdown()
        return False


def attach_chip_panel(window: Any) -> ChipPanel:
    """Put the chip panel under the window's summary and wire it to the controller (the
    read), the store (a confirmed record keeps its chip read) and the window's lifetime."""
    panel = ChipPanel(lambda: window.settings, window)
    layout = window.summary.parentWidget().layout()
    layout.insertWidget(layout.indexOf(window.summary) + 1, panel)
    window.controller.form_changed.connect(panel.on_form)

    def on_saved(kind: str, record_id: int) -> None:
        r = panel.result
        if kind != "confirmed" or r is None or r.status != "ok":
            return
        obj = r.to_json(panel.comparison())
        s = window.settings

        def save(store: Any) -> None:
            from desktop_app.storage.chip_records import save_chip_read

            save_chip_read(store, record_id, obj, operator=s.operator_name, workstation=s.workstation)

        window.store.call(save, None, lambda msg: window.show_banner("error", f"The chip read was not saved: {msg}"))

    window.controller.saved.connect(on_saved)
    window.installEventFilter(panel)
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(panel.reader.shutdown)
    return panel
