"""The operator's window: queue, document picture, fields, summary and actions.

A view over :class:`~desktop_app.ui.controller.DocumentController`: it turns the
controller's signals into widgets and the operator's keys and clicks into controller
calls. Questions to the operator (discard edits? why flag?) go through two replaceable
callables, :attr:`MainWindow.ask` and :attr:`MainWindow.ask_text`, so tests can answer them.
"""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSettings, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.desk.verdicts import STILL_READING
from desktop_app.settings import Settings
from desktop_app.ui.camera import CameraDialog
from desktop_app.ui.controller import DocumentController
from desktop_app.ui.engine_client import EngineState, PageImage
from desktop_app.ui.fields_panel import FieldsPanel
from desktop_app.ui.folder_watch import IMAGE_SUFFIXES
from desktop_app.ui.form_state import DocumentForm
from desktop_app.ui.image_view import DocumentView
from desktop_app.ui.models.queue_model import QueueItem
from desktop_app.ui.portrait_view import PortraitView
from desktop_app.ui.preview import PreviewLoader
from desktop_app.ui.queue_panel import QueuePanel
from desktop_app.ui.reason_dialog import ReasonDialog
from desktop_app.ui.records_view import RecordsView
from desktop_app.ui.review_view import ReviewView
from desktop_app.ui.store_client import StoreClient
from desktop_app.ui.summary_panel import SummaryPanel

log = logging.getLogger(__name__)

ENGINE_TEXT = {
    EngineState.STARTING: "Engine loading…",
    EngineState.READY: "Engine ready",
    EngineState.BUSY: "Engine reading…",
    EngineState.RESTARTING: "Engine restarting…",
    EngineState.FAILED: "Engine not available",
    EngineState.STOPPED: "Engine stopped",
}
FILE_FILTER = "Documents (*.jpg *.jpeg *.png *.tif *.tiff *.bmp *.webp *.gif *.pdf);;All files (*)"

PREFERRED_SIZE = (1480, 900)
"""What the layout wants at first start; a smaller screen gets the window maximised."""

Ask = Callable[[str, str], bool]
AskText = Callable[[str, str], str | None]


FRAME_ALLOWANCE = (16, 40)
"""Room a window manager's frame (borders, title bar) takes around the window."""


def first_geometry(avail: QRect) -> tuple[QRect, bool]:
    """Where the window opens at a first start on a screen with ``avail`` free: (rect,
    maximised). The preferred size, centred, when it fits with its frame; else the whole
    free area, maximised (a 1366 x 768 counter screen)."""
    fw, fh = FRAME_ALLOWANCE
    w, h = PREFERRED_SIZE
    if avail.width() >= w + fw and avail.height() >= h + fh:
        rect = QRect(0, 0, w, h)
        rect.moveCenter(avail.center())
        return rect, False
    return QRect(avail.left(), avail.top(), avail.width() - fw, avail.height() - fh), True


class MainWindow(QMainWindow):
    def __init__(
        self,
        controller: DocumentController,
        store: StoreClient,
        settings: Settings,
        *,
        settings_path: Path | None = None,
        on_settings_saved: Callable[[Settings], None] | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("Passport desk")
        self.setAccessibleName("Passport desk")
        self.controller = controller
        self.store = store
        self.settings = settings
        self.settings_path = settings_path
        self.on_settings_saved = on_settings_saved
        self.ask: Ask = self._ask_dialog
        self.ask_text: AskText = self._ask_text_dialog
        self.camera_dialog: CameraDialog | None = None
        self._close_confirmed = False
        self.setAcceptDrops(True)
        self._previews = PreviewLoader(self)
        self._previews.ready.connect(self._on_preview)
        self._banner_timer = QTimer(self)
        self._banner_timer.setSingleShot(True)

        # -- reading tab --
        self.queue_panel = QueuePanel(controller.queue, self)
        self.view = DocumentView(self)
        self.fields = FieldsPanel(self)
        self.portrait = PortraitView(self)
        self.summary = SummaryPanel(self)
        self.banner = QLabel("", self)
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        # Plain text: a file name such as "R&D scan.png" is shown as written.
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setAccessibleName("Message")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.banner.setFixedHeight(2 * self.banner.fontMetrics().lineSpacing() + 14)
        self._banner_timer.timeout.connect(self.clear_banner)
        self._banner_item: object = None
        """The document on screen when the message came (a warning or an error is about it)."""
        self.stage = QLabel("", self)
        self.stage.setObjectName("stage")
        self.stage.setAccessibleName("Reading progress")
        self.progress = QProgressBar(self)
        # A still bar, shown while reading (the stage line beside it says how far): Qt's
        # busy bar repaints at 60 frames a second while the engine fills every core, and
        # QProgressBar.setValue repaints at once, not at the next turn of the event loop.
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.progress.setMaximumHeight(6)
        self.progress.setTextVisible(False)
        # Shown while reading and hidden between documents without moving anything: a
        # relayout of the whole tab (and its repaint) on every document costs tens of ms.
        keep = self.progress.sizePolicy()
        keep.setRetainSizeWhenHidden(True)
        self.progress.setSizePolicy(keep)
        self.progress.setVisible(False)
        self.progress.setAccessibleName("Reading in progress")
        self.blockers = QLabel("", self)
        self.blockers.setWordWrap(True)
        self.blockers.setObjectName("fieldMeta")
        self.blockers.setAccessibleName("What stops confirming")

        self.ack_box = QCheckBox("", self)
        self.ack_box.setObjectName("ackBox")
        self.ack_box.setAccessibleName("Acknowledge the findings before confirming")
        # Its row is kept while hidden: the Confirm row never jumps when an expired or a
        # specimen document comes, and showing it costs no relayout of the form.
        keep_ack = self.ack_box.sizePolicy()
        keep_ack.setRetainSizeWhenHidden(True)
        self.ack_box.setSizePolicy(keep_ack)
        self.ack_box.setVisible(False)
        self.ack_box.toggled.connect(lambda _on: self._update_actions())
        self._ack_item: int | None = None
        self._reason_drafts: dict[str, str] = {}
        self._focus_pending = False
        """A new document is on screen: focus its first field needing a look when it comes."""
        self.confirm_button = QPushButton("&Confirm", self)
        self.confirm_button.setObjectName("confirmButton")
        self.override_button = QPushButton("Confirm &anyway…", self)
        self.flag_button = QPushButton("Fla&g for review…", self)
        self.flag_button.setObjectName("flagButton")
        self.clear_button = QPushButton("C&lear", self)
        self.next_button = QPushButton("&Next document", self)
        self.page_box = QComboBox(self)
        self.page_box.setAccessibleName("Page")
        self.page_box.setVisible(False)
        self.page_box.currentIndexChanged.connect(self._on_page_chosen)

        self._build_actions()
        self._build_layout()
        self._build_status_bar()
        self._wire()
        from desktop_app.ui.chip_panel import attach_chip_panel  # issue 16: the e-passport chip

        self.chip = attach_chip_panel(self)
        self.setStyleSheet("")  # the application stylesheet applies (set in application.py)
        self._show_form(None)
        self._restore_geometry()

    # -- construction ----------------------------------------------------------------------
    def _action(
        self,
        text: str,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
        slot: Callable[[], object],
        tip: str = "",
    ) -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        a.setToolTip(
            f"{tip or text.replace('&', '').rstrip('…')}"
            + (f" ({a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})" if shortcut else "")
        )
        a.triggered.connect(lambda _checked=False: slot())
        self.addAction(a)
        return a

    def _build_actions(self) -> None:
        self.open_action = self._action(
            "&Open…", QKeySequence.StandardKey.Open, self.open_files, "Open document files"
        )
        self.paste_action = self._action(
            "&Paste image", QKeySequence.StandardKey.Paste, self.paste, "Paste an image from the clipboard"
        )
        self.camera_action = self._action("&Camera…", "Ctrl+Shift+C", self.open_camera)
        self.settings_action = self._action("&Settings…", "Ctrl+,", self.open_settings)
        self.quit_action = self._action("&Quit", QKeySequence.StandardKey.Quit, self.close)
        self.confirm_action = self._action("&Confirm", "Ctrl+Return", self.confirm, "Save the record")
        self.flag_action = self._action(
            "Fla&g for review…", "Ctrl+Shift+F", self.flag, "Send to the review queue"
        )
        self.clear_action = self._action("C&lear", "Ctrl+Shift+L", self.clear, "Drop this document")
        self.next_action = self._action("&Next document", "Ctrl+N", self.next_document)
        self.remove_finished_action = self._action(
            "Remove &finished", "Ctrl+Shift+Del", self.remove_finished, "Take finished documents off the queue"
        )
        self.next_look_action = self._action(
            "Ne&xt field to check", "F8", self.next_field_to_check, "Go to the next field that needs a look"
        )
        self.cancel_action = self._action("Cancel &reading", "Esc", self.cancel_reading)
        self.retry_action = self._action("Read &again", "Ctrl+Shift+R", self.retry_current)
        self.fit_action = self._action("&Fit", "Ctrl+0", self.view.fit, "Fit the page in the window")
        self.zoom_in_action = self._action("Zoom &in", QKeySequence.StandardKey.ZoomIn, self.view.zoom_in)
        self.zoom_out_action = self._action("Zoom &out", QKeySequence.StandardKey.ZoomOut, self.view.zoom_out)
        self.rotate_left_action = self._action("Rotate &left", "Ctrl+L", lambda: self.view.rotate_by(-90))
        self.rotate_right_action = self._action("Rotate ri&ght", "Ctrl+R", lambda: self.view.rotate_by(90))
        self.restart_engine_action = self._action("Restart &engine", None, self._restart_engine)
        self.tab_actions = [
            self._action("&Reading", "Ctrl+1", lambda: self.tabs.setCurrentIndex(0)),
            self._action("Re&view queue", "Ctrl+2", lambda: self.tabs.setCurrentIndex(1)),
            self._action("Re&cords", "Ctrl+3", lambda: self.tabs.setCurrentIndex(2)),
        ]
        mb = self.menuBar()
        m = mb.addMenu("&File")
        for a in (self.open_action, self.paste_action, self.camera_action):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.settings_action)
        m.addSeparator()
        m.addAction(self.quit_action)
        m = mb.addMenu("&Document")
        for a in (self.confirm_action, self.flag_action, self.clear_action, self.next_action):
            m.addAction(a)
        m.addAction(self.remove_finished_action)
        m.addAction(self.next_look_action)
        m.addSeparator()
        m.addAction(self.cancel_action)
        m.addAction(self.retry_action)
        m = mb.addMenu("&View")
        for a in (
            self.fit_action,
            self.zoom_in_action,
            self.zoom_out_action,
            self.rotate_left_action,
            self.rotate_right_action,
        ):
            m.addAction(a)
        m.addSeparator()
        for a in self.tab_actions:
            m.addAction(a)
        m = mb.addMenu("&Engine")
        m.addAction(self.restart_engine_action)

        tb = QToolBar("Main", self)
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for a in (self.open_action, self.paste_action, self.camera_action):
            tb.addAction(a)
        tb.addSeparator()
        for a in (
            self.fit_action,
            self.zoom_in_action,
            self.zoom_out_action,
            self.rotate_left_action,
            self.rotate_right_action,
        ):
            tb.addAction(a)
        tb.addSeparator()
        tb.addWidget(self.page_box)
        self.addToolBar(tb)

    def _build_layout(self) -> None:
        for b, a, name in (
            (self.confirm_button, self.confirm_action, "Confirm and save the record"),
            (self.override_button, None, "Confirm despite failed checks; the record goes to review"),
            (self.flag_button, self.flag_action, "Flag for review with a reason"),
            (self.clear_button, self.clear_action, "Clear this document"),
            (self.next_button, self.next_action, "Next document"),
        ):
            b.setAccessibleName(name)
            b.setToolTip(a.toolTip() if a is not None else name)
        self.confirm_button.clicked.connect(self.confirm)
        self.override_button.clicked.connect(self.confirm_with_override)
        self.flag_button.clicked.connect(self.flag)
        self.clear_button.clicked.connect(self.clear)
        self.next_button.clicked.connect(self.next_document)

        # The right pane: what was read scrolls (summary, fields); the action bar under it
        # (what stops confirming, the acknowledgement, the buttons) never does, so Confirm
        # is on screen whatever the findings say and at any window height.
        form_body = QWidget(self)
        fl = QVBoxLayout(form_body)
        fl.setContentsMargins(6, 6, 6, 6)
        stage_row = QVBoxLayout()
        stage_row.setSpacing(2)
        stage_row.addWidget(self.stage)
        stage_row.addWidget(self.progress)
        fl.addLayout(stage_row)
        fl.addWidget(self.summary)
        fl.addWidget(self.fields)
        fl.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setObjectName("formScroll")
        scroll.setWidget(form_body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        # Never scroll sideways through the form: the panel is as wide as its widest row
        # (plus room for the vertical scroll bar); the picture gives way instead.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(
            form_body.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width() + 4
        )
        scroll.setMinimumHeight(120)
        self.form_scroll = scroll
        # Two lines, always: the field rows above do not move when the text changes.
        line = self.blockers.fontMetrics().lineSpacing()
        self.blockers.setFixedHeight(2 * line + 4)
        self.blockers.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.action_bar = QWidget(self)
        self.action_bar.setObjectName("actionBar")
        al = QVBoxLayout(self.action_bar)
        al.setContentsMargins(6, 2, 6, 6)
        al.setSpacing(4)
        al.addWidget(self.blockers)
        al.addWidget(self.ack_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.override_button)
        buttons.addWidget(self.flag_button)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.next_button)
        al.addLayout(buttons)
        right = QWidget(self)
        right.setObjectName("formPane")
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(0)
        rl.addWidget(scroll, 1)
        rl.addWidget(self.action_bar, 0)
        self.form_pane = right

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setObjectName("readingSplitter")
        # The holder's photo under the queue: in view beside the page, and it takes no width
        # from the form (which must fit a 1366 x 768 screen without scrolling sideways).
        left = QWidget(self)
        left.setObjectName("queuePane")
        ql = QVBoxLayout(left)
        ql.setContentsMargins(0, 0, 0, 0)
        ql.addWidget(self.queue_panel, 1)
        ql.addWidget(self.portrait, 0, Qt.AlignmentFlag.AlignHCenter)
        split.addWidget(left)
        split.addWidget(self.view)
        split.addWidget(right)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 0)
        split.setSizes([300, 560, 640])
        self.reading_splitter = split

        self.review_view = ReviewView(self.store, self.settings, self)
        self.records_view = RecordsView(self.store, self.settings, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.addTab(split, "Reading")
        self.tabs.addTab(self.review_view, "Review queue")
        self.tabs.addTab(self.records_view, "Records")
        self.tabs.currentChanged.connect(self._on_tab)
        central = QWidget(self)
        cl = QVBoxLayout(central)
        cl.setContentsMargins(4, 4, 4, 0)
        cl.setSpacing(4)
        # Above the tabs: a message about a save or the engine is seen whichever tab is open.
        # Its height is fixed and it is always there (empty when there is nothing to say), so
        # a message never moves the rows under the operator's pointer.
        cl.addWidget(self.banner)
        cl.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        # Tab order follows the document: queue, picture, the fields top to bottom, actions.
        QWidget.setTabOrder(self.queue_panel.table, self.view)
        QWidget.setTabOrder(self.view, self.fields.first_edit())
        prev: QWidget = self.fields.last_edit()
        for w in (
            self.confirm_button,
            self.override_button,
            self.flag_button,
            self.clear_button,
            self.next_button,
        ):
            QWidget.setTabOrder(prev, w)
            prev = w

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.engine_label = QLabel(ENGINE_TEXT.get(self.controller.engine.state, "Engine loading…"), self)
        self.engine_label.setObjectName("engineState")
        self.engine_label.setAccessibleName("Engine state")
        self.db_label = QLabel("Database opening…", self)
        self.db_label.setObjectName("databaseState")
        self.db_label.setAccessibleName("Database state")
        self.operator_label = QLabel(self._operator_text(), self)
        self.operator_label.setAccessibleName("Operator")
        sb.addPermanentWidget(self.operator_label)
        sb.addPermanentWidget(self.db_label)
        sb.addPermanentWidget(self.engine_label)

    def _operator_text(self) -> str:
        return f"Operator: {self.settings.operator_name} @ {self.settings.workstation}"

    def _wire(self) -> None:
        c = self.controller
        c.current_changed.connect(self._on_current)
        c.page_changed.connect(self._on_page)
        c.form_changed.connect(self._show_form)
        c.stage_changed.connect(self._on_stage)
        c.notice.connect(self.show_banner)
        c.saving_changed.connect(lambda _b: self._update_actions())
        c.engine_state.connect(self._on_engine_state)
        c.saved.connect(self._on_saved)
        self.fields.value_edited.connect(c.set_value)
        self.fields.field_focused.connect(self.view.select_key)
        self.view.box_selected.connect(self.fields.focus_field)
        self.queue_panel.item_chosen.connect(self.choose_item)
        self.queue_panel.retry_requested.connect(c.retry)
        self.queue_panel.remove_requested.connect(self._remove_item)
        self.queue_panel.remove_finished_requested.connect(self.remove_finished)
        self.review_view.message.connect(self.show_banner)
        self.review_view.decided.connect(c.review_closed)
        self.records_view.message.connect(self.show_banner)
        self.store.opened.connect(self._on_store_opened)
        self.store.open_failed.connect(self._on_store_failed)
        self._on_engine_state(c.engine.state)

    # -- geometry (QSettings only for geometry, per the design) ------------------------------
    def _qsettings(self) -> QSettings:
        from desktop_app.settings import data_dir

        return QSettings(str(data_dir() / "window.ini"), QSettings.Format.IniFormat)

    def _restore_geometry(self) -> None:
        geo = self._qsettings().value("main/geometry")
        if isinstance(geo, QByteArray) and not geo.isEmpty() and self.restoreGeometry(geo):
            self._fit_screen(restored=True)
        else:
            self._fit_screen(restored=False)

    def _fit_screen(self, *, restored: bool) -> None:
        """First start: the preferred size when the screen has room, else maximised. A
        restored size that no longer fits (a smaller screen now) is treated the same way."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            self.resize(*PREFERRED_SIZE)
            return
        avail = screen.availableGeometry()
        if restored:
            g = self.frameGeometry()
            if self.isMaximized() or (g.width() <= avail.width() and g.height() <= avail.height()):
                return
        rect, maximise = first_geometry(avail)
        self.resize(rect.size())
        self.move(rect.topLeft())
        if maximise:
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    def _save_geometry(self) -> None:
        try:
            self._qsettings().setValue("main/geometry", self.saveGeometry())
        except Exception:
            log.debug("window geometry not saved", exc_info=True)

    # -- messages ----------------------------------------------------------------------------
    def show_banner(self, level: str, text: str) -> None:
        self.banner.setText(text)
        self.banner.setToolTip(text)
        self._banner_item = self.controller.current
        self.banner.setProperty("level", level if text else "none")
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        self.statusBar().showMessage(text, 8000)
        # Good news fades; warnings and errors stay until the next message.
        if level in ("ok", "info"):
            self._banner_timer.start(8000)
        else:
            self._banner_timer.stop()

    def clear_banner(self) -> None:
        """The message area empties; it keeps its place and its height."""
        self.banner.setText("")
        self.banner.setToolTip("")
        self.banner.setProperty("level", "none")
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)

    def _ask_dialog(self, title: str, text: str) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _ask_text_dialog(self, title: str, label: str) -> str | None:
        # A reason cancelled unsent is kept as the draft of the next try on this document.
        cur = self.controller.current
        key = f"{cur.item_id if cur is not None else 0}:{title}"
        dlg = ReasonDialog(title, label, self._reason_drafts.get(key, ""), self)
        sent = bool(dlg.exec())
        reason = dlg.reason()
        if sent and reason:
            self._reason_drafts.pop(key, None)
            return reason
        if reason:
            self._reason_drafts[key] = reason
            self.show_banner("info", "Not sent. Your reason is kept for the next try.")
        return None

    # -- controller events -----------------------------------------------------------------
    def _on_current(self, item: QueueItem | None) -> None:
        self.queue_panel.mark_current(item.item_id if item is not None else None)
        # A warning or an error about the previous document does not stay over this one
        # (good news, "Saved as record 6", does).
        if self.banner.property("level") in ("warning", "error") and self._banner_item is not item:
            self.clear_banner()
        # A new document starts at the top of the form (its summary first); focusing its
        # first field needing a look scrolls from there.
        self.form_scroll.verticalScrollBar().setValue(0)
        # The focus never stays in the previous document's field.
        if self._focus_in_fields():
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self._focus_pending = item is not None
        self.page_box.blockSignals(True)
        self.page_box.clear()
        self.page_box.setVisible(False)
        self.page_box.blockSignals(False)
        if item is None:
            self.view.show_placeholder("Open, drop or paste a document (Ctrl+O)")
            self.setWindowTitle("Passport desk")
        else:
            self.setWindowTitle(f"{item.label} - Passport desk")
            if not item.pages and not (item.is_open and self._show_preview(item)):
                self.view.show_placeholder("Waiting for the picture…" if item.is_open else item.status)
        self._update_actions()

    def _show_preview(self, item: QueueItem) -> bool:
        """While the engine starts, show the document's own picture: decoded on a worker
        thread (:mod:`desktop_app.ui.preview`), never on this one; the engine's page
        replaces it."""
        if self.controller.engine.state not in (EngineState.STARTING, EngineState.RESTARTING):
            return False
        if not self._previews.request(item.item_id, item.source):
            return False
        self.view.show_placeholder("Opening the picture…")
        return True

    def _on_preview(self, item_id: object, image: QImage, size: tuple[int, int]) -> None:
        cur = self.controller.current
        if cur is None or cur.item_id != item_id or cur.pages or self.view.has_page:
            return  # another document, or the engine's own page came first
        self.view.set_page(image, size)

    def _on_page(self, page: PageImage | None) -> None:
        if page is None:
            if self.controller.current is not None and not self.view.has_page:
                self.view.show_placeholder("Waiting for the picture…")
            return
        self.view.set_page(page.image, page.size, page.overview)
        self.portrait.set_page(page.image, page.size)
        if page.page_count > 1 and self.page_box.count() != page.page_count:
            self.page_box.blockSignals(True)
            self.page_box.clear()
            for i in range(page.page_count):
                self.page_box.addItem(f"Page {i + 1} of {page.page_count}")
            self.page_box.setVisible(True)
            self.page_box.blockSignals(False)
        if page.page_count > 1:
            self.page_box.blockSignals(True)
            self.page_box.setCurrentIndex(page.page_index)
            self.page_box.blockSignals(False)
        form = self.controller.form
        if form is not None:
            self._draw_boxes(form)

    def _on_page_chosen(self, index: int) -> None:
        if index >= 0:
            self.controller.show_page(index)

    def _draw_boxes(self, form: DocumentForm) -> None:
        self.view.set_boxes({v.key: (v.box, v.display) for v in form.fields() if v.box is not None})

    def _show_form(self, form: DocumentForm | None) -> None:
        self.portrait.set_portrait(form.result.portrait if form is not None else None)
        if form is None:
            self.fields.clear()
            self.summary.clear()
            cur = self.controller.current
            if cur is not None and cur.status in ("reading", "ready"):
                # Reading in progress (or no MRZ on the picture): the operator may type.
                # A failed or cleared item is read-only.
                self.fields.set_enabled_for_input(True)
        else:
            self.fields.show_views(form.fields())
            self.summary.show_summary(form.summary())
            if self.view.has_page:
                self._draw_boxes(form)
            cur = self.controller.current
            if cur is not None and cur.status not in ("reading", "ready"):
                self.fields.set_enabled_for_input(False)  # failed or cleared: read-only
        self._show_no_picture()
        self._show_acknowledgements(form)
        self._update_actions()
        if form is not None and self._focus_pending:
            self._focus_first_look(form)

    def _show_no_picture(self) -> None:
        """A failed file has no picture: say so instead of "Waiting for the picture…"."""
        cur = self.controller.current
        if cur is not None and cur.status == "failed" and not cur.pages:
            self.view.show_placeholder("No picture: the file could not be read")

    def _on_stage(self, text: str) -> None:
        self.stage.setText(text)
        self._show_no_picture()
        item = self.controller.current
        self.progress.setVisible(item is not None and item.status == "reading")

    def _on_engine_state(self, state: str) -> None:
        self.engine_label.setText(ENGINE_TEXT.get(state, state))
        self.engine_label.setStyleSheet(
            "color:#c5221f;font-weight:bold" if state == EngineState.FAILED else ""
        )

    def _on_store_opened(self) -> None:
        self.db_label.setText("Database ready")
        self.db_label.setStyleSheet("")
        self._update_actions()
        if self.tabs.currentIndex() == 1:
            self.review_view.refresh()
        elif self.tabs.currentIndex() == 2:
            self.records_view.search()

    def _on_store_failed(self, message: str) -> None:
        self.db_label.setText("Database not available")
        self.db_label.setStyleSheet("color:#c5221f;font-weight:bold")
        self.db_label.setToolTip(message)
        self.show_banner(
            "error", f"The database could not be opened: {message} Documents can be read, not saved."
        )

    def _on_saved(self, kind: str, record_id: int) -> None:
        # The records and review lists are stale now; refresh the one on screen.
        if self.tabs.currentIndex() == 1:
            self.review_view.refresh()

    def _on_tab(self, index: int) -> None:
        if index == 1:
            self.review_view.refresh()
        elif index == 2:
            self.records_view.search()

    def _acknowledged(self) -> tuple[str, ...]:
        """The findings the operator ticked as checked for the document on screen."""
        form = self.controller.form
        if form is None or not self.ack_box.isChecked():
            return ()
        return tuple(a.code for a in form.acknowledgements())

    def _show_acknowledgements(self, form: DocumentForm | None) -> None:
        acks = form.acknowledgements() if form is not None else ()
        cur = self.controller.current
        item_id = cur.item_id if cur is not None and form is not None else None
        if item_id is None or item_id != self._ack_item:
            self.ack_box.setChecked(False)  # a new document is never acknowledged in advance
        self._ack_item = item_id
        self.ack_box.setVisible(bool(acks))
        if acks:
            self.ack_box.setText("I have chec&ked: " + "; ".join(a.text for a in acks))
        else:
            self.ack_box.setChecked(False)

    def _confirm_refusal(self) -> str | None:
        """The core's answer to "can the document on screen be confirmed now?" (None: yes)."""
        form, cur = self.controller.form, self.controller.current
        if form is None or cur is None:
            return "no document is open"
        return form.confirm_refusal(status=cur.status, has_image=bool(cur.pages), acknowledged=self._acknowledged())

    def _update_actions(self) -> None:
        c = self.controller
        form = c.form
        has_doc = c.current is not None
        saving = c.saving
        blocking = form.blocking() if form is not None else []
        refusal = c.save_refusal() if form is not None else None
        acks = form.acknowledgements() if form is not None else ()
        acked = not acks or self.ack_box.isChecked()
        # The core's "can confirm" decides; the rest of this method only says why not.
        why_not = self._confirm_refusal()
        reading = why_not == STILL_READING
        can_confirm = form is not None and not saving and why_not is None
        self.confirm_button.setEnabled(can_confirm)
        self.confirm_action.setEnabled(form is not None and not saving)  # says why if it cannot
        self.override_button.setVisible(form is not None and bool(blocking))
        self.override_button.setEnabled(form is not None and bool(blocking) and not saving and refusal is None)
        self.flag_button.setEnabled(form is not None and not saving and refusal is None)
        self.flag_action.setEnabled(form is not None and not saving and refusal is None)
        self.clear_button.setEnabled(has_doc and not saving)
        self.clear_action.setEnabled(has_doc and not saving)
        self.next_button.setEnabled(not saving and bool(c.open_items()))
        self.next_action.setEnabled(not saving and bool(c.open_items()))
        self.cancel_action.setEnabled(
            has_doc and c.current is not None and c.current.status in ("reading", "waiting")
        )
        if saving:
            self.blockers.setText("Saving…")
        elif form is None:
            self.blockers.setText("")
        elif refusal is not None:
            self.blockers.setText(f"<b style='color:#c5221f'>Cannot save:</b> {html.escape(refusal)}")
        elif reading:
            self.blockers.setText("Reading the visual zone… Confirm when it finishes.")
        elif blocking:
            names = ", ".join(f"{v.label} ({v.explanation().lower()})" for v in blocking)
            self.blockers.setText(f"<b style='color:#c5221f'>Cannot confirm yet:</b> {html.escape(names)}")
        else:
            look = form.needs_look()
            if look:
                self.blockers.setText(
                    "<b style='color:#b06000'>Please check before confirming:</b> "
                    + html.escape(", ".join(v.label for v in look))
                )
            elif acks and not acked:
                self.blockers.setText(
                    "<b style='color:#a50e0e'>Tick “I have checked” (Alt+K) to confirm.</b>"
                )
            elif form.checks_passed:
                self.blockers.setText("<span style='color:#1e8e3e'>All check digits pass.</span>")
            else:
                self.blockers.setText("")

    # -- focus -----------------------------------------------------------------------------------
    def _focus_in_fields(self) -> bool:
        focused = QApplication.focusWidget()
        return focused is not None and self.fields.isAncestorOf(focused)

    @staticmethod
    def _look_keys(form: DocumentForm) -> list[str]:
        """Fields that need the operator's eye (blocking first in field order, then the rest)."""
        return [v.key for v in form.fields() if v.blocking or v.needs_look]

    def _focus_first_look(self, form: DocumentForm) -> None:
        if self._focus_in_fields():
            self._focus_pending = False  # the operator went to a field already
            return
        keys = self._look_keys(form)
        if keys:
            self._focus_field(keys[0])
            self._focus_pending = False
        elif self.controller.current is not None and self.controller.current.read_done:
            self._focus_pending = False

    def _focus_field(self, key: str) -> None:
        self.fields.focus_field(key)
        self.form_scroll.ensureWidgetVisible(self.fields.edit(key))

    def next_field_to_check(self) -> None:
        """F8: the next field after the focused one that needs a look (wrapping round)."""
        form = self.controller.form
        if form is None:
            return
        keys = self._look_keys(form)
        if not keys:
            self.show_banner("info", "No field needs a look.")
            return
        focused = QApplication.focusWidget()
        here = focused.property("fieldKey") if focused is not None and self.fields.isAncestorOf(focused) else None
        order = [v.key for v in form.fields()]
        start = order.index(here) + 1 if isinstance(here, str) and here in order else 0
        rotated = order[start:] + order[:start]
        self._focus_field(next(k for k in rotated if k in keys))

    # -- operator actions --------------------------------------------------------------------
    def _restart_engine(self) -> None:
        # Looked up at call time: the engine object is replaced when its settings change.
        self.controller.engine.restart()

    def may_leave_current(self) -> bool:
        if not self.controller.has_unsaved_changes():
            return True
        return self.ask(
            "Unsaved changes",
            "You changed fields of this document and did not save them.\nDiscard your changes?",
        )

    def choose_item(self, item_id: int) -> None:
        cur = self.controller.current
        if cur is not None and cur.item_id == item_id:
            return
        if self.may_leave_current():
            self.controller.show_item(item_id)
        elif cur is not None:
            self.queue_panel.mark_current(cur.item_id)

    def open_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Open documents", str(Path.home()), FILE_FILTER)
        if files:
            self.controller.add_files(files)

    def add_paths(self, paths: list[str]) -> int:
        """Queue files and the images inside folders (drops and the command line)."""
        out: list[str] = []
        for p in paths:
            path = Path(p)
            if path.is_dir():
                out += [str(f) for f in sorted(path.iterdir()) if f.suffix.lower() in IMAGE_SUFFIXES]
            else:
                out.append(str(path))
        if out:
            self.controller.add_files(out)
        return len(out)

    def paste(self) -> None:
        md = QGuiApplication.clipboard().mimeData()
        if md is None:
            return
        if md.hasImage():
            image = QImage(md.imageData())
            if image.isNull():
                self.show_banner("warning", "The clipboard holds no readable image.")
                return
            self.add_qimage(image, "clipboard")
        elif md.hasUrls():
            files = [u.toLocalFile() for u in md.urls() if u.isLocalFile()]
            if files:
                self.add_paths(files)
        else:
            self.show_banner("info", "The clipboard holds no image. Copy a picture or a file first.")

    def add_qimage(self, image: QImage, origin: str) -> None:
        buf = QBuffer()
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buf, "PNG")  # type: ignore[call-overload]  # (the stub says bytes; the binding wants str)
        label = f"{origin} {time.strftime('%H:%M:%S')}.png"
        self.controller.add_image_bytes(
            bytes(buf.data().data()), label, "clipboard" if origin == "clipboard" else "camera"
        )

    def open_camera(self) -> None:
        if self.camera_dialog is None:
            self.camera_dialog = CameraDialog(self.settings.camera, self)
            self.camera_dialog.image_captured.connect(
                lambda data, label: self.controller.add_image_bytes(data, label, "camera")
            )
        self.camera_dialog.show()
        self.camera_dialog.raise_()

    def open_settings(self) -> None:
        from desktop_app.ui.settings_dialog import SettingsDialog

        dlg = SettingsDialog(self.settings, self.settings_path, self)
        if dlg.exec() and dlg.saved is not None:
            self.apply_settings(dlg.saved)

    def apply_settings(self, settings: Settings) -> None:
        self.settings = settings
        self.review_view.apply_settings(settings)
        self.records_view.settings = settings
        self.operator_label.setText(self._operator_text())
        self.controller.apply_settings(settings)
        if self.on_settings_saved is not None:
            self.on_settings_saved(settings)

    def _refuse_saving(self) -> bool:
        """Say why the document cannot be saved at all (and return True), if so."""
        refusal = self.controller.save_refusal()
        if refusal is not None:
            self.show_banner("warning", f"Cannot save: {refusal}.")
        return refusal is not None

    def confirm(self) -> None:
        form = self.controller.form
        if form is None or self.controller.saving or self._refuse_saving():
            return
        if self._confirm_refusal() == STILL_READING:
            self.show_banner("info", f"Not yet: {STILL_READING}.")
            return
        if form.blocking():
            self.show_banner(
                "warning", "Some fields are missing or invalid. Correct them, or use “Confirm anyway…”."
            )
            return
        acks = form.acknowledgements()
        if acks and not self.ack_box.isChecked():
            self.show_banner(
                "warning",
                "Check the document, then tick “I have checked” (Alt+K): "
                + "; ".join(a.text for a in acks),
            )
            self.ack_box.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.controller.confirm(self._acknowledged())

    def confirm_with_override(self) -> None:
        form = self.controller.form
        if form is None or not form.blocking() or self._refuse_saving():
            return
        reason = self.ask_text(
            "Confirm anyway", "Why confirm although checks fail? The record goes to review."
        )
        if reason:
            self.controller.flag_for_review(reason, override=True)

    def flag(self) -> None:
        if self.controller.form is None or self._refuse_saving():
            return
        reason = self.ask_text("Flag for review", "Why should a reviewer look at this document?")
        if reason:
            self.controller.flag_for_review(reason)

    def clear(self) -> None:
        if self.may_leave_current():
            self.controller.clear()

    def next_document(self) -> None:
        if self.may_leave_current():
            self.controller.next_document()

    def cancel_reading(self) -> None:
        self.controller.cancel_reading()

    def retry_current(self) -> None:
        cur = self.controller.current
        if cur is not None:
            self.controller.retry(cur.item_id)

    def remove_finished(self) -> None:
        n = self.controller.remove_finished()
        self.show_banner("info", f"{n} finished document(s) taken off the queue." if n else "Nothing finished to remove.")

    def _remove_item(self, item_id: int) -> None:
        cur = self.controller.current
        if cur is not None and cur.item_id == item_id and not self.may_leave_current():
            return
        self.controller.remove(item_id)

    # -- drag and drop -----------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        md = event.mimeData()
        if md.hasUrls() or md.hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        md = event.mimeData()
        if md.hasUrls():
            files = [u.toLocalFile() for u in md.urls() if u.isLocalFile()]
            if files:
                self.add_paths(files)
                event.acceptProposedAction()
                return
        if md.hasImage():
            image = QImage(md.imageData())
            if not image.isNull():
                self.add_qimage(image, "dropped")
                event.acceptProposedAction()

    # -- closing -----------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._close_confirmed:
            if not self.may_leave_current():
                event.ignore()
                return
            open_items = [it for it in self.controller.open_items() if it is not self.controller.current]
            if open_items and not self.ask(
                "Quit", f"{len(open_items)} document(s) in the queue were not confirmed. Quit anyway?"
            ):
                event.ignore()
                return
            if self.controller.saving and not self.ask(
                "Quit", "A record is being saved. Quit anyway? (The save finishes first.)"
            ):
                event.ignore()
                return
        self._close_confirmed = True
        self._save_geometry()
        if self.camera_dialog is not None:
            self.camera_dialog.stop()
        event.accept()
