"""The holder's photo: the page layout's photo zone, the contract, input coordinates."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.core.imaging.portrait import LAYOUT_CONFIDENCE, find_portrait
from desktop_app.core.types import Box
from tests.unit.core.test_mrz_locate import _page
from tests.unit.core.test_pipeline import _reader

PHOTO: Box = (80, 120, 420, 560)
"""The photo frame the test page draws (see test_mrz_locate._page)."""


def _iou(a: Box, b: Box) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def test_no_face_on_a_passport_page_gives_the_layouts_photo_zone() -> None:
    page, mrz_box = _page()
    found = find_portrait(page, mrz_box=mrz_box, fmt="TD3")
    assert found is not None and found.method == "layout"
    assert found.confidence == LAYOUT_CONFIDENCE
    x0, y0, x1, y1 = found.box
    assert y1 < mrz_box[1]  # above the MRZ
    assert abs(x0 - mrz_box[0]) < 10  # from its left edge
    assert 1.2 < (y1 - y0) / (x1 - x0) < 1.4  # a portrait's proportions
    # This test page prints its photo higher than ICAO pages do; the zone still finds it.
    assert _iou(found.box, PHOTO) > 0.2


def test_no_face_on_a_card_or_without_a_layout_gives_none() -> None:
    page, mrz_box = _page()
    assert find_portrait(page, mrz_box=mrz_box, fmt="TD1") is None
    assert find_portrait(page) is None
    assert find_portrait(np.zeros((8, 8, 3), np.uint8)) is None


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_the_pipeline_gives_the_portrait_in_input_pixels(turns: int) -> None:
    page, _ = _page()
    h, w = page.shape[:2]
    reader, _ = _reader()
    [upright] = reader.read(page)
    [result] = reader.read(np.ascontiguousarray(np.rot90(page, turns)))
    assert upright.portrait is not None and result.portrait is not None
    # The upright page's box, turned with the page (np.rot90 turns counter-clockwise).
    x0, y0, x1, y1 = upright.portrait.box
    turned = [(y0, w - x1, y1, w - x0), (w - x1, h - y1, w - x0, h - y0), (h - y1, x0, h - y0, x1)][turns - 1]
    assert _iou(result.portrait.box, turned) > 0.9
    assert "portrait" in result.timings_ms
    assert result.to_json()["portrait"] == {"box": list(result.portrait.box), "confidence": LAYOUT_CONFIDENCE}


def test_without_the_visual_zone_there_is_no_portrait() -> None:
    page, _ = _page()
    reader, _ = _reader(read_visual_zone=False)
    [result] = reader.read(page)
    assert result.portrait is None and result.to_json()["portrait"] is None
