"""The holder's photo beside the fields: cut from the page at the result's box."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage

from desktop_app.core.types import Portrait
from desktop_app.ui.portrait_view import DISPLAY_SIZE, PortraitView


def _page() -> QImage:
    image = QImage(400, 300, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    for x in range(40, 140):
        for y in range(50, 180):
            image.setPixelColor(x, y, QColor("red"))
    return image


def test_the_crop_is_the_box_scaled_to_the_picture(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = PortraitView()
    qtbot.addWidget(view)
    # The picture is half the size of the page the boxes refer to.
    view.set_page(_page(), (800, 600))
    view.set_portrait(Portrait((80, 100, 280, 360), 0.9, "face"))
    crop = view.crop()
    assert crop is not None and (crop.width(), crop.height()) == (100, 130)
    assert crop.pixelColor(50, 65) == QColor("red")
    assert not view.isHidden()
    assert view.picture.pixmap().height() == DISPLAY_SIZE.height()
    assert view.caption.text() == "Holder's photo"


def test_a_layout_estimate_says_so_and_no_portrait_hides_the_view(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = PortraitView()
    qtbot.addWidget(view)
    view.set_page(_page(), (400, 300))
    view.set_portrait(Portrait((40, 50, 140, 180), 0.3, "layout"))
    assert "estimated" in view.caption.text()
    view.set_portrait(None)
    assert view.isHidden()
    view.set_portrait(Portrait((500, 500, 600, 600), 0.9, "face"))  # off the picture
    assert view.isHidden() and view.crop() is None
