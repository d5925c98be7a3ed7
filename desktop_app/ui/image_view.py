"""The document picture: fit, zoom, pan, rotate, and the fields' boxes over it.

Scene coordinates are the full page's pixels (the space of ``Field.box``), whatever the
size of the picture we were sent: the pixmap item is scaled up instead of the boxes
being scaled down, so a box never drifts from its text.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

from desktop_app.ui.style import style_for

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.05, 20.0


class _BoxItem(QGraphicsRectItem):
    def __init__(self, key: str, rect: QRectF, color: str) -> None:
        super().__init__(rect)
        self.key = key
        self.color = QColor(color)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setAcceptHoverEvents(True)
        self.setZValue(10)
        self._apply(False)

    def set_color(self, color: str) -> None:
        if QColor(color) != self.color:
            self.color = QColor(color)
            self._apply(self.isSelected())

    def _apply(self, selected: bool) -> None:
        pen = QPen(self.color, 3 if selected else 2)
        pen.setCosmetic(True)  # the same width at every zoom
        self.setPen(pen)
        fill = QColor(self.color)
        fill.setAlpha(70 if selected else 18)
        self.setBrush(QBrush(fill))

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:  # noqa: N802
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self._apply(bool(value))
        return super().itemChange(change, value)


class PageItem(QGraphicsItem):
    """The page picture, in full-page pixels, drawn from the smallest of its pictures
    that still has a pixel for each screen pixel (level of detail).

    Shown whole, the page is drawn from its overview (about the size of the pane), so a
    repaint (a box selected, a stage's boxes drawn) does not smooth-scale a 2600 px picture
    on the GUI thread; zoomed in, from the full picture. Only the exposed part is drawn.
    Pixmaps are made on first use; from a ``Format_RGB32`` image that costs nothing (the
    pixels are shared, see :func:`~desktop_app.ui.engine_client.bgr_to_qimage`)."""

    def __init__(self, image: QImage, size: tuple[int, int], overview: QImage | None = None) -> None:
        super().__init__()
        self._size = size
        images = [image] + ([overview] if overview is not None and not overview.isNull() else [])
        # Smallest first: the first that is detailed enough is drawn.
        self._images = sorted(images, key=lambda im: im.width())
        self._pixmaps: dict[int, QPixmap] = {}
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.setZValue(0)
        self.drawn_widths: list[int] = []
        """Width of the picture each paint used (for tests of the level of detail)."""

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(0, 0, self._size[0], self._size[1])

    def image_widths(self) -> list[int]:
        return [im.width() for im in self._images]

    def _choose(self, lod: float) -> int:
        needed = lod * self._size[0]
        for i, im in enumerate(self._images):
            if im.width() >= needed * 0.95:
                return i
        return len(self._images) - 1

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        i = self._choose(lod)
        pm = self._pixmaps.get(i)
        if pm is None:
            pm = self._pixmaps[i] = QPixmap.fromImage(self._images[i])
        if pm.isNull() or self._size[0] <= 0 or self._size[1] <= 0:
            return
        self.drawn_widths.append(pm.width())
        target = option.exposedRect.intersected(self.boundingRect())
        if target.isEmpty():
            return
        fx, fy = pm.width() / self._size[0], pm.height() / self._size[1]
        source = QRectF(target.x() * fx, target.y() * fy, target.width() * fx, target.height() * fy)
        painter.drawPixmap(target, pm, source)


class DocumentView(QGraphicsView):
    """Shows one page. ``box_selected(key)`` when the operator clicks a field's box."""

    box_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentView")
        self.setAccessibleName("Document image")
        self.setAccessibleDescription("The scanned document with a box around every field read")
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setBackgroundBrush(QColor("#3c4043"))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._pixmap_item: PageItem | None = None
        self._boxes: dict[str, _BoxItem] = {}
        self._placeholder: QGraphicsSimpleTextItem | None = None
        self._rotation = 0
        self._fit = True
        self._page_size: tuple[int, int] | None = None
        self._syncing = False
        self._scene.selectionChanged.connect(self._on_selection)
        self.show_placeholder("Open, drop or paste a document (Ctrl+O)")

    # -- content -------------------------------------------------------------------------
    def show_placeholder(self, text: str) -> None:
        self.clear()
        item = self._scene.addSimpleText(text)
        f = item.font()
        f.setPointSize(13)
        item.setFont(f)
        item.setBrush(QColor("#e8eaed"))
        self._placeholder = item
        self._scene.setSceneRect(item.boundingRect().adjusted(-40, -40, 40, 40))
        # Text at its own size, centred: fitting would blow it up to fill the view.
        self.resetTransform()
        self._rotation = 0
        self._fit = False
        self.centerOn(item)

    def clear(self) -> None:
        # Forget the boxes before the scene deletes them: clearing a selected item emits
        # selectionChanged, and our handler must not touch deleted items.
        self._syncing = True
        try:
            self._boxes = {}
            self._scene.clear()
        finally:
            self._syncing = False
        self._pixmap_item = None
        self._placeholder = None
        self._page_size = None

    def set_page(self, image: QImage, size: tuple[int, int], overview: QImage | None = None) -> None:
        """Show ``image`` as a page of ``size`` (width, height) pixels; boxes are kept in
        that space. ``overview``, a smaller copy, is drawn while the page is shown whole.
        Keeps the rotation the operator chose."""
        self.clear()
        item = PageItem(image, size, overview)
        self._scene.addItem(item)
        self._pixmap_item = item
        self._page_size = size
        self._scene.setSceneRect(QRectF(0, 0, size[0], size[1]))
        self._fit = True
        self.fit()

    @property
    def has_page(self) -> bool:
        return self._pixmap_item is not None

    @property
    def page_item(self) -> PageItem | None:
        return self._pixmap_item

    @property
    def rotation(self) -> int:
        return self._rotation

    @property
    def zoom(self) -> float:
        return float(self.transform().mapRect(QRectF(0, 0, 1, 1)).width())

    def set_boxes(self, boxes: Mapping[str, tuple[tuple[int, int, int, int], str]]) -> None:
        """``{key: (box, display_state)}``. Existing boxes are updated in place (this runs on
        every keystroke) and the selection is kept, without echoing ``box_selected``."""
        if self._pixmap_item is None:
            return
        self._syncing = True
        try:
            for key in [k for k in self._boxes if k not in boxes]:
                self._scene.removeItem(self._boxes.pop(key))
            for key, ((x0, y0, x1, y1), display) in boxes.items():
                rect = QRectF(x0, y0, max(1, x1 - x0), max(1, y1 - y0))
                color = style_for(display).color
                item = self._boxes.get(key)
                if item is None:
                    item = _BoxItem(key, rect, color)
                    item.setToolTip(key.replace("_", " "))
                    self._scene.addItem(item)
                    self._boxes[key] = item
                else:
                    item.setRect(rect)
                    item.set_color(color)
        finally:
            self._syncing = False

    def box_keys(self) -> list[str]:
        return list(self._boxes)

    def box_rect(self, key: str) -> QRectF | None:
        item = self._boxes.get(key)
        return item.rect() if item is not None else None

    def selected_key(self) -> str | None:
        for key, item in self._boxes.items():
            if item.isSelected():
                return key
        return None

    def select_key(self, key: str | None, *, center: bool = True) -> None:
        """Highlight ``key``'s box (from the fields panel) without echoing ``box_selected``."""
        self._syncing = True
        try:
            self._scene.clearSelection()
            item = self._boxes.get(key) if key else None
            if item is not None:
                item.setSelected(True)
                if center:
                    self.ensureVisible(item, 60, 60)
        finally:
            self._syncing = False

    def _on_selection(self) -> None:
        if self._syncing:
            return
        key = self.selected_key()
        if key is not None:
            self.box_selected.emit(key)

    # -- navigation -------------------------------------------------------------------------
    def fit(self) -> None:
        self._fit = True
        rect = self._scene.sceneRect()
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)

    def zoom_by(self, factor: float) -> None:
        current = self.zoom
        target = max(MIN_ZOOM, min(MAX_ZOOM, current * factor))
        if current > 0:
            self._fit = False
            self.scale(target / current, target / current)

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def actual_size(self) -> None:
        self.zoom_by(1.0 / max(self.zoom, 1e-6))

    def rotate_by(self, degrees: int) -> None:
        self._rotation = (self._rotation + degrees) % 360
        self.rotate(degrees)
        if self._fit:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        # Wheel zooms (the operator looks at details all day); Shift+wheel scrolls.
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier or not self.has_page:
            super().wheelEvent(event)
            return
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(ZOOM_STEP**steps)
        event.accept()

    def resizeEvent(self, event: object) -> None:  # noqa: N802  # type: ignore[override]
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self._fit:
            self.fit()
