"""The holder's printed photo, cut from the page, shown beside the fields.

The operator compares it with the face at the counter, so it is shown large (the crop is
scaled to fit ``DISPLAY_SIZE``, never below it when the page holds enough pixels) and
says how it was found: a face where the layout puts the portrait, or only the layout's
photo zone (an estimate, in which case the caption says so).
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_app.core.types import Portrait

DISPLAY_SIZE: Final = QSize(168, 216)
"""A passport photo's 35:45 proportions, as wide as the queue column can spare on a
1366 x 768 counter screen (about 47 x 61 mm on a 24-inch monitor)."""


class PortraitView(QWidget):
    """Shows the portrait crop of the current page; hidden when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("portraitView")
        self.setAccessibleName("Holder's photo")
        self.picture = QLabel(self)
        self.picture.setObjectName("portraitPicture")
        self.picture.setFixedSize(DISPLAY_SIZE)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption = QLabel(self)
        self.caption.setObjectName("portraitCaption")
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.caption)
        self.setFixedWidth(DISPLAY_SIZE.width())
        self._image: QImage | None = None
        self._size: tuple[int, int] | None = None
        self._portrait: Portrait | None = None
        self.redraws = 0
        """How many times the photo was cut and scaled (it is not redone for a keystroke)."""
        self.setVisible(False)

    def set_page(self, image: QImage | None, size: tuple[int, int] | None) -> None:
        """The page picture and the full page size the result's boxes refer to."""
        if image is self._image and size == self._size:
            return
        self._image, self._size = image, size
        self._redraw()

    def set_portrait(self, portrait: Portrait | None) -> None:
        # The form changes on every keystroke: cut and scale the photo only when it moved.
        if portrait == self._portrait:
            return
        self._portrait = portrait
        self._redraw()

    def crop(self) -> QImage | None:
        """The portrait cut from the page picture (scaled to it), or None."""
        if self._image is None or self._image.isNull() or self._portrait is None or not self._size:
            return None
        fx = self._image.width() / max(1, self._size[0])
        fy = self._image.height() / max(1, self._size[1])
        x0, y0, x1, y1 = self._portrait.box
        rect = QRect(round(x0 * fx), round(y0 * fy), max(1, round((x1 - x0) * fx)), max(1, round((y1 - y0) * fy)))
        rect = rect.intersected(self._image.rect())
        return None if rect.isEmpty() else self._image.copy(rect)

    def _redraw(self) -> None:
        crop = self.crop()
        if crop is None or self._portrait is None:
            self.picture.clear()
            self.setVisible(False)
            return
        self.redraws += 1
        pixmap = QPixmap.fromImage(crop).scaled(
            DISPLAY_SIZE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        self.picture.setPixmap(pixmap)
        if self._portrait.method == "face":
            text = "Holder's photo"
        else:
            text = "Photo zone (estimated from the page layout; no face was found there)"
        self.caption.setText(text if self._portrait.method == "face" else "Photo zone (estimated)")
        self.picture.setToolTip(f"{text}, confidence {self._portrait.confidence:.2f}")
        self.caption.setToolTip(text)
        self.setVisible(True)
