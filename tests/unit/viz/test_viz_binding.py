"""Values bound to their labels by layout (issue 14, second pass): the classes of misses the
development set showed, each on OCR line fixtures shaped like the real readings."""

from __future__ import annotations

from datetime import date

from desktop_app.core.types import TextLine
from desktop_app.core.viz import extract_viz_fields
from desktop_app.core.viz.fragments import join_fragments

TODAY = date(2025, 6, 1)


def test_a_years_digits_boxed_tighter_than_the_month_still_join_into_the_date() -> None:
    # The detector boxes "14" 12 px tall against 19 px for "25MAY/MAY"; the gap (15 px) is
    # more than 1.2 of the small height but not of the tall one.
    lines = [TextLine("25MAY/MAY", 0.99, (262, 673, 370, 692)), TextLine("14", 0.97, (385, 677, 405, 689))]
    assert [ln.text for ln in join_fragments(lines)] == ["25MAY/MAY 14"]


def test_a_year_boxed_half_as_tall_joins_too() -> None:
    lines = [TextLine("25MAY /MAY", 0.95, (456, 477, 576, 499)), TextLine("14", 1.0, (597, 480, 614, 492))]
    assert [ln.text for ln in join_fragments(lines)] == ["25MAY /MAY 14"]


def test_the_wider_gap_joins_only_pieces_that_make_a_date() -> None:
    lines = [TextLine("25MAY/MAY", 0.99, (262, 673, 370, 692)), TextLine("AB", 0.97, (385, 677, 405, 689))]
    assert len(join_fragments(lines)) == 2
    whole = [TextLine("25.05.2014", 0.99, (262, 673, 370, 692)), TextLine("14", 0.97, (385, 677, 405, 689))]
    assert len(join_fragments(whole)) == 2
