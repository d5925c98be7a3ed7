"""A mismatch only when sure: what keeps a disagreeing visual-zone value from an alarm."""

from __future__ import annotations

from datetime import date

import pytest

from desktop_app.core.types import Field, TextLine
from desktop_app.core.viz import VizField, cross_check, extract_viz_fields, parse_printed_date
from desktop_app.core.viz.fragments import join_fragments
from desktop_app.core.viz.layout import infer_from_layout
from desktop_app.core.viz.script import latin_of, looks_non_latin

BOX = (10, 20, 110, 40)
TODAY = date(2026, 12, 2)


def mrz(value: str) -> Field:
    return Field(value, 0.9, "mrz", "ok", None, None)


def viz(value: str, confidence: float = 0.95, raw: str | None = None, doubt: str | None = None) -> VizField:
    return VizField(value, raw if raw is not None else value, confidence, BOX, doubt)


def merged(key: str, mrz_value: str, seen: VizField, **others: str) -> Field:
    fields = {key: mrz(mrz_value), **{k: mrz(v) for k, v in others.items()}}
    return cross_check(fields, {key: seen})[key]


def test_a_sure_disagreement_is_a_mismatch() -> None:
    out = merged("surname", "ERIKSSON", viz("ANDERSSON"))
    assert out.status == "mismatch"


@pytest.mark.parametrize(
    ("key", "mrz_value", "seen", "others", "why"),
    [
        ("surname", "ERIKSSON", viz("ANDERSSON", confidence=0.7), {}, "low confidence (0.70)"),
        ("surname", "ERIKSSON", viz("ANDERSSON", doubt="printed without a label"), {}, "printed without a label"),
        ("surname", "UZORAK", viz("SPECIMEN"), {}, "specimen marking"),
        ("surname", "UZORAK", viz("PETAR"), {"given_names": "PETAR"}, "another field (given names)"),
        ("surname", "GARCIA LOPEZ", viz("GARCIA"), {}, "only part of the name"),
        ("surname", "TKACHENKO", viz("TKAYEHKO"), {}, "another script"),
        ("given_names", "MARIIANA", viz("MAP'AHA"), {}, "another script"),
        ("given_names", "VZOR", viz("CESKA REPUBLIKA", raw="CESKAREPUBLIKA/CZECHRFOUBLIC"), {}, "state's name"),
        ("given_names", "MARI LIIS", viz("P"), {}, "too short"),
        ("expiry_date", "2009-01-01", viz("1985-12-01"), {"birth_date": "1985-12-01"}, "birth date"),
        ("document_number", "590335801", viz("5903358"), {}, "only part of the number"),
        ("document_number", "012345678", viz("123456781"), {}, "only part of the number"),
        ("issuing_country", "GBR", viz("CDE"), {}, "not a known state code"),
    ],
)
def test_an_unsure_disagreement_is_mrz_only_with_the_reason(
    key: str, mrz_value: str, seen: VizField, others: dict[str, str], why: str
) -> None:
    out = merged(key, mrz_value, seen, **others)
    assert out.status == "ok" and out.source == "mrz" and out.value == mrz_value
    assert out.reason is not None and out.reason.startswith(f"MRZ only: the visual zone reads {seen.value}")
    assert why in out.reason


def test_agreement_still_confirms_a_value_in_doubt() -> None:
    out = merged("surname", "ERIKSSON", viz("ERIKSSON", doubt="printed without a label"))
    assert out.source == "mrz+viz"


def test_an_issue_date_equal_to_the_birth_date_is_in_doubt() -> None:
    fields = {"birth_date": mrz("1985-12-01")}
    out = cross_check(fields, {"issue_date": viz("1985-12-01")})["issue_date"]
    assert out.status == "low_confidence" and "date of birth" in (out.reason or "")
    fine = cross_check(fields, {"issue_date": viz("2004-01-01")})["issue_date"]
    assert fine.status == "ok"


def test_a_viz_only_value_in_doubt_is_low_confidence() -> None:
    out = cross_check({}, {"authority": viz("BELGIQUE", doubt="it is printed far right of its label")})["authority"]
    assert out.status == "low_confidence" and "far right" in (out.reason or "")


@pytest.mark.parametrize(
    ("text", "non_latin"),
    [("TKAYEHKO", True), ("MAP'AHA", True), ("OPTAHAKIBHIIAY", False), ("IVANOVA", False), ("TKACHENKO", False),
     ("ERIKSSON", False), ("БЕЛАРУСЬ", True), ("3A4EM", True), ("AB", False)],
)
def test_non_latin_lines_read_as_latin(text: str, non_latin: bool) -> None:
    assert looks_non_latin(text) is non_latin


def test_the_latin_line_of_a_pair() -> None:
    assert latin_of(["TKAYEHKO", "TKACHENKO"]) == "TKACHENKO"
    assert latin_of(["MAP'AHA"]) is None


def test_the_latin_transliteration_under_the_national_line_is_the_value() -> None:
    lines = [
        TextLine("Surname / Nom", 0.95, (100, 100, 260, 118)),
        TextLine("TKAYEHKO", 0.95, (100, 125, 230, 150)),
        TextLine("TKACHENKO", 0.95, (100, 155, 240, 180)),
        TextLine("Given names / Prénoms", 0.95, (100, 190, 330, 208)),
        TextLine("ANNA", 0.95, (100, 215, 170, 240)),
    ]
    found = extract_viz_fields(lines, page_size=(1000, 700), today=TODAY)
    assert found["surname"].value == "TKACHENKO"
    assert found["surname"].doubt is None


def test_a_value_glued_to_its_label_is_in_doubt_and_the_one_below_wins() -> None:
    lines = [
        TextLine("SURNAMEIZITARBMHURITISIBONGO", 0.9, (100, 100, 400, 118)),
        TextLine("XXXXXX", 0.9, (100, 125, 180, 145)),
    ]
    found = extract_viz_fields(lines, page_size=(1000, 700), today=TODAY)
    assert found["surname"].value == "XXXXXX"


def test_a_validity_range_gives_its_end_as_the_expiry() -> None:
    lines = [
        TextLine("Valid from - until", 0.95, (100, 100, 300, 118)),
        TextLine("01.01.2004 - 01.01.2009", 0.95, (100, 125, 330, 150)),
    ]
    found = extract_viz_fields(lines, page_size=(1000, 700), today=TODAY)
    assert found["expiry_date"].value == "2009-01-01"


def test_pieces_of_one_line_are_joined_and_columns_are_not() -> None:
    lines = [
        TextLine("25MAY /MAY", 0.95, (169, 244, 268, 261)),
        TextLine("24", 1.0, (282, 245, 300, 258)),
        TextLine("TORONTO", 1.0, (500, 244, 600, 261)),
    ]
    joined = join_fragments(lines)
    assert [ln.text for ln in joined] == ["25MAY /MAY 24", "TORONTO"]
    assert joined[0].box == (169, 244, 300, 261)


@pytest.mark.parametrize(("text", "iso"), [("16 APRABR 07", "2007-04-16"), ("12 AUGAOUT 74", "1974-08-12")])
def test_bilingual_months_printed_without_a_slash(text: str, iso: str) -> None:
    assert parse_printed_date(text, kind="birth", today=TODAY) == iso


def test_the_issue_date_is_found_whole_years_before_the_expiry() -> None:
    lines = [
        TextLine("07 DEC 1984", 0.99, (100, 100, 220, 120)),
        TextLine("25 MAY 2014", 0.99, (100, 140, 220, 160)),
        TextLine("03 JAN 2019", 0.99, (400, 140, 520, 160)),
        TextLine("25 MAY 2024", 0.99, (100, 180, 220, 200)),
    ]
    fields = {"birth_date": mrz("1984-12-07"), "expiry_date": mrz("2024-05-25")}
    found = infer_from_layout(lines, {}, fields, today=TODAY)
    assert found["issue_date"].value == "2014-05-25"
    # Found by position among two candidates, and then sure by its value: ten whole years
    # before the expiry date that the MRZ's check digit proves.
    assert found["issue_date"].doubt is None
    assert found["issue_date"].confidence == 0.99


@pytest.mark.parametrize(
    ("text", "month_first", "iso"),
    [
        ("11/01/1994", True, "1994-11-01"),
        ("11/01/1994", False, "1994-01-11"),
        ("10.04.1949", True, "1949-10-04"),
        ("25/12/1990", True, "1990-12-25"),  # printed day first after all: 25 is no month
        ("11011994", True, "1994-11-01"),
        ("04 OCT 1949", True, "1949-10-04"),  # a month name decides by itself
    ],
)
def test_states_that_print_month_first(text: str, month_first: bool, iso: str) -> None:
    assert parse_printed_date(text, kind="birth", today=TODAY, month_first=month_first) == iso


def test_which_states_print_month_first() -> None:
    from desktop_app.core.viz.dates import prints_month_first

    assert prints_month_first("USA") and not prints_month_first("CAN") and not prints_month_first(None)


def test_a_us_card_date_is_read_month_first_by_its_label() -> None:
    lines = [TextLine("DOB", 0.95, (100, 100, 150, 118)), TextLine("11/01/1994", 0.95, (100, 125, 230, 150))]
    us = extract_viz_fields(lines, page_size=(1000, 700), today=TODAY, month_first=True)
    assert us["birth_date"].value == "1994-11-01"


def test_a_two_digit_birth_year_is_found_by_position_as_the_mrz_reads_it() -> None:
    lines = [
        TextLine("12 AUGUST/AGO 74", 0.94, (136, 131, 228, 142)),
        TextLine("ZENITH", 0.92, (222, 150, 262, 162)),
        TextLine("16 APR/ABR 07", 0.91, (135, 170, 205, 182)),
        TextLine("15 APR/ABR 12", 0.91, (136, 192, 205, 202)),
    ]
    fields = {"birth_date": mrz("1974-08-12"), "expiry_date": mrz("2012-04-15")}
    found = infer_from_layout(lines, {}, fields, today=TODAY)
    assert found["birth_date"].value == "1974-08-12"
    assert found["place_of_birth"].value == "ZENITH"
    assert found["issue_date"].value == "2007-04-16"


def test_latin_names_with_apostrophes_and_first_names_like_nationalities_stay_comparable() -> None:
    assert not looks_non_latin("PREFECTURE DE L'HERAULT") and not looks_non_latin("O'NEILL")
    from desktop_app.core.viz.countries import names_a_state

    assert not names_a_state("JEROME, FRANCOIS, GAEL")
    assert names_a_state("CESKAREPUBLIKA/CZECHRFOUBLIC") and names_a_state("UNITED STATES OF AMERICA")


def test_two_whole_dates_side_by_side_stay_two_fields() -> None:
    lines = [TextLine("27052025", 1.0, (467, 206, 560, 226)), TextLine("25062025", 1.0, (575, 206, 684, 226))]
    assert [ln.text for ln in join_fragments(lines)] == ["27052025", "25062025"]

