"""Fields found by position when labels are unreadable: capped confidence, never verified."""

from __future__ import annotations

from datetime import date

from desktop_app.core.types import Field, TextLine
from desktop_app.core.viz import cross_check
from desktop_app.core.viz.layout import LAYOUT_CONFIDENCE, infer_from_layout

MRZ = {
    "birth_date": Field("1974-08-12", 0.99, "mrz"),
    "expiry_date": Field("2030-04-15", 0.99, "mrz"),
    "surname": Field("ERIKSSON", 0.99, "mrz"),
}
# Labels lost to blur ("10.Go", "H3edg"), values read: the layout of an ICAO data page.
LINES = [
    TextLine("ERIKSSON", 0.95, (400, 280, 560, 320)),
    TextLine("12 AUG 1974", 0.98, (400, 430, 560, 470)),
    TextLine("10.Go", 0.6, (400, 472, 450, 488)),
    TextLine("ZENITH", 0.97, (402, 490, 560, 525)),
    TextLine("15 APR 2020", 0.99, (398, 538, 546, 571)),
    TextLine("PASSPORT OFFICE", 0.96, (680, 550, 900, 585)),
    TextLine("15 APR 2030", 0.99, (396, 590, 560, 623)),
]


def test_dates_place_and_authority_by_position() -> None:
    got = infer_from_layout(LINES, {}, MRZ, today=date(2026, 11, 23))
    assert got["birth_date"].value == "1974-08-12"
    assert got["expiry_date"].value == "2030-04-15"
    assert got["issue_date"].value == "2020-04-15"
    assert got["place_of_birth"].value == "ZENITH"
    assert got["authority"].value == "PASSPORT OFFICE"
    for key in ("place_of_birth", "authority"):
        assert got[key].confidence <= LAYOUT_CONFIDENCE
        assert "position" in got[key].raw
    # The issue date runs ten whole years to the MRZ's expiry date: a check on its value.
    assert got["issue_date"].confidence == 0.99
    assert "whole years before the MRZ's expiry" in got["issue_date"].raw


def test_positional_fields_are_never_shown_as_verified() -> None:
    lines = [*LINES[:4], TextLine("02 MAY 2020", 0.99, (398, 538, 546, 571)), *LINES[5:]]
    viz = infer_from_layout(lines, {}, MRZ, today=date(2026, 11, 23))
    merged = cross_check(MRZ, viz)
    assert merged["issue_date"].value == "2020-05-02"
    for key in ("issue_date", "place_of_birth", "authority"):
        assert merged[key].status == "low_confidence"
        assert merged[key].source == "viz"
    assert merged["birth_date"].source == "mrz+viz"


def test_an_issue_date_whole_years_before_the_proven_expiry_is_sure() -> None:
    merged = cross_check(MRZ, infer_from_layout(LINES, {}, MRZ, today=date(2026, 11, 23)))
    assert (merged["issue_date"].value, merged["issue_date"].status) == ("2020-04-15", "ok")
    # A day either side of the expiry's day counts too ("ten years less a day").
    lines = [*LINES[:4], TextLine("16 APR 2020", 0.99, (398, 538, 546, 571)), *LINES[5:]]
    assert cross_check(MRZ, infer_from_layout(lines, {}, MRZ, today=date(2026, 11, 23)))["issue_date"].status == "ok"
    lines = [*LINES[:4], TextLine("14 APR 2020", 0.99, (398, 538, 546, 571)), *LINES[5:]]
    assert cross_check(MRZ, infer_from_layout(lines, {}, MRZ, today=date(2026, 11, 23)))["issue_date"].status == "ok"


def test_an_expiry_date_the_mrz_does_not_prove_leaves_the_issue_date_in_doubt() -> None:
    for status in ("invalid", "unverified", "low_confidence"):
        mrz = {**MRZ, "expiry_date": Field("2030-04-15", 0.99, "mrz", status)}  # type: ignore[arg-type]
        merged = cross_check(mrz, infer_from_layout(LINES, {}, mrz, today=date(2026, 11, 23)))
        assert merged["issue_date"].status == "low_confidence", status


def test_two_candidate_issue_dates_give_the_one_whole_years_before_the_expiry() -> None:
    lines = [*LINES, TextLine("01 JAN 2021", 0.99, (700, 700, 850, 730))]
    got = infer_from_layout(lines, {}, MRZ, today=date(2026, 11, 23))
    assert got["issue_date"].value == "2020-04-15"


def test_two_candidate_issue_dates_neither_whole_years_before_give_none() -> None:
    lines = [*LINES[:4], TextLine("20 APR 2020", 0.99, (398, 538, 546, 571)), *LINES[5:],
             TextLine("01 JAN 2021", 0.99, (700, 700, 850, 730))]
    got = infer_from_layout(lines, {}, MRZ, today=date(2026, 11, 23))
    assert "issue_date" not in got
    assert "authority" not in got


def test_found_fields_are_kept() -> None:
    from desktop_app.core.viz import VizField

    found = {"place_of_birth": VizField("STOCKHOLM", "Place of birth STOCKHOLM", 0.9, (0, 0, 10, 10))}
    got = infer_from_layout(LINES, found, MRZ, today=date(2026, 11, 23))
    assert got["place_of_birth"].value == "STOCKHOLM"


def test_umlauts_lost_by_the_ocr_are_not_a_mismatch() -> None:
    from desktop_app.core.viz import VizField

    mrz = {"surname": Field("MUELLER LUEDENSCHEIDT", 0.9, "mrz"), "given_names": Field("SOPHIE", 0.9, "mrz")}
    lost = {"surname": VizField("MULLER-LUDENSCHEIDT", "MULLER-LUDENSCHEIDT", 0.9, (0, 0, 9, 9))}
    merged = cross_check(mrz, lost)
    assert merged["surname"].status == "ok"
    assert "umlauts" in (merged["surname"].reason or "")
    other = {"surname": VizField("MILLER", "MILLER", 0.9, (0, 0, 9, 9))}
    assert cross_check(mrz, other)["surname"].status == "mismatch"


def test_lost_umlauts_and_lost_spaces_together_are_not_a_mismatch() -> None:
    from desktop_app.core.viz import VizField

    mrz = {"given_names": Field("SOPHIE BAERBEL", 0.9, "mrz"), "surname": Field("MUELLER", 0.9, "mrz")}
    seen = {"given_names": VizField("SOPHIEBARBEL", "SOPHIEBARBEL", 0.9, (0, 0, 9, 9))}
    assert cross_check(mrz, seen)["given_names"].status == "ok"
