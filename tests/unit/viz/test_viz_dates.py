"""Printed dates: every form, every language, OCR noise, partial dates, two-digit years."""

from __future__ import annotations

from datetime import date

import pytest

from desktop_app.core.viz import parse_printed_date
from desktop_app.core.viz.dates import MONTHS, resolve_two_digit_year

TODAY = date(2025, 6, 1)


def parse(text: str, kind: str = "birth") -> str | None:
    return parse_printed_date(text, kind=kind, today=TODAY)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "12 AUG 1974",
        "12 AUG 74",
        "12 AOUT/AUG 74",
        "12 AOÛT 1974",
        "12 AOÛT/AUG 1974",
        "12.08.1974",
        "12/08/1974",
        "12-08-1974",
        "1974-08-12",
        "12 08 1974",
        "12AUG1974",
        "12 Aug 1974",
        "12 August 1974",
        "12 AGO 1974",  # es / it / pt
        "12 AGOSTO 1974",
        "12 AUGUSTUS 1974",  # nl
        "AUG 12 1974",
        "1974 AUG 12",
        "12.8.1974",
        " 12 . 08 . 1974 ",
    ],
)
def test_every_printed_form(text: str) -> None:
    assert parse(text) == "1974-08-12"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("12 JAN/JAN 1974", "1974-01-12"),
        ("12 JANV 1974", "1974-01-12"),
        ("12 ENE 1974", "1974-01-12"),
        ("12 GEN 1974", "1974-01-12"),
        ("12 FEVR/FEB 1974", "1974-02-12"),
        ("12 FÉV 1974", "1974-02-12"),
        ("12 FÉVR 1974", "1974-02-12"),
        ("12 MÄR 1974", "1974-03-12"),
        ("12 MAE 1974", "1974-03-12"),
        ("12 MRT 1974", "1974-03-12"),
        ("12 MARS 1974", "1974-03-12"),
        ("12 ABR 1974", "1974-04-12"),
        ("12 AVR 1974", "1974-04-12"),
        ("12 MAY 1974", "1974-05-12"),
        ("12 MAI 1974", "1974-05-12"),
        ("12 MAG 1974", "1974-05-12"),
        ("12 MEI 1974", "1974-05-12"),
        ("12 JUIN 1974", "1974-06-12"),
        ("12 GIU 1974", "1974-06-12"),
        ("12 JUIL 1974", "1974-07-12"),
        ("12 LUG 1974", "1974-07-12"),
        ("12 SEPT 1974", "1974-09-12"),
        ("12 SET 1974", "1974-09-12"),
        ("12 OCT 1974", "1974-10-12"),
        ("12 OTT 1974", "1974-10-12"),
        ("12 OUT 1974", "1974-10-12"),
        ("12 OKT 1974", "1974-10-12"),
        ("12 NOV 1974", "1974-11-12"),
        ("12 DIC 1974", "1974-12-12"),
        ("12 DEZ 1974", "1974-12-12"),
        ("12 DÉC 1974", "1974-12-12"),
        ("12 DEC/DEC 1974", "1974-12-12"),
        ("12 DIC/DEC 1974", "1974-12-12"),
    ],
)
def test_month_names_in_every_language(text: str, iso: str) -> None:
    assert parse(text) == iso


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("l2.O8.I974", "1974-08-12"),  # l, O, I for digits
        ("12.O8.1974", "1974-08-12"),
        ("I2 AUG I974", "1974-08-12"),
        ("12 AUG I974", "1974-08-12"),
        ("12 AUGI974", "1974-08-12"),  # a glued look-alike
        ("12 N0V 2030", "2030-11-12"),  # zero for O inside the month
        ("12 AUC 1974", "1974-08-12"),  # one letter off, unambiguous
        ("12 OCT0BER 1974", "1974-10-12"),
        ("1. 12 AUG 1974", "1974-08-12"),  # a field index before
        ("(4) 12 AUG 1974 M", "1974-08-12"),  # noise around
        ("Date of birth 12 AUG 1974", "1974-08-12"),
        ("12 SEPT/SEP 2000", "2000-09-12"),
    ],
)
def test_ocr_noise(text: str, iso: str) -> None:
    assert parse(text) == iso


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("XX AUG 1974", "1974-08"),
        ("AUG 1974", "1974-08"),
        ("00.08.1974", "1974-08"),
        ("XX.08.1974", "1974-08"),
        ("08 1974", "1974-08"),
        ("1974-08", "1974-08"),
        ("XX XX 1974", "1974"),
        ("00.00.1974", "1974"),
        ("1974", "1974"),
    ],
)
def test_partial_dates(text: str, iso: str) -> None:
    assert parse(text) == iso


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "ERIKSSON",
        "M",
        "AA1234567",
        "C01X00T47",
        "31.02.1974",  # no such day: not degraded to "1974-02" either
        "32 AUG 1974",
        "13.13.1974",
        "12 08",  # no year
        "12 JUM 1974",  # JUN or JUL?
        "1 2 3 4 5 6 7 8 9",
        "0000",
        "12 AUG 0974",
        "\x00\x01<<<",
    ],
)
def test_not_a_date(text: str) -> None:
    assert parse(text) is None


def test_month_first_when_the_day_cannot_be_a_month() -> None:
    assert parse("08/25/1974") == "1974-08-25"


def test_eight_digits() -> None:
    assert parse("12081974") == "1974-08-12"
    assert parse("19740812") == "1974-08-12"


def test_two_digit_year_birth_is_never_in_the_future() -> None:
    assert parse("12 AUG 74", "birth") == "1974-08-12"
    assert parse("12 AUG 24", "birth") == "2024-08-12"
    assert parse("01 JUN 25", "birth") == "2025-06-01"  # today
    assert parse("02 JUN 25", "birth") == "1925-06-02"  # tomorrow is not possible
    assert parse("12 AUG 00", "birth") == "2000-08-12"


def test_two_digit_year_issue_is_never_in_the_future() -> None:
    assert parse("12 AUG 19", "issue") == "2019-08-12"
    assert parse("12 AUG 30", "issue") == "1930-08-12"


def test_two_digit_year_expiry_is_nearest_to_today() -> None:
    assert parse("12 AUG 30", "expiry") == "2030-08-12"
    assert parse("12 AUG 19", "expiry") == "2019-08-12"  # expired six years ago
    assert parse("12 AUG 74", "expiry") == "2074-08-12"  # 49 years ahead beats 51 back
    assert parse("12 AUG 76", "expiry") == "1976-08-12"


def test_two_digit_year_any_is_nearest_to_today() -> None:
    assert parse("12 AUG 30", "any") == "2030-08-12"
    assert parse("12 AUG 80", "any") == "1980-08-12"


def test_two_digit_year_ties_and_centuries() -> None:
    today = date(2050, 1, 1)
    assert resolve_two_digit_year(0, kind="expiry", today=today) == 2100
    assert resolve_two_digit_year(0, kind="any", today=today) == 2000
    assert resolve_two_digit_year(99, 12, 31, kind="birth", today=date(2000, 1, 1)) == 1999


def test_default_today_is_used() -> None:
    assert parse_printed_date("12 AUG 1974") == "1974-08-12"


def test_month_table_has_no_clash() -> None:
    assert MONTHS["MAR"] == 3 and MONTHS["MAI"] == 5 and MONTHS["SET"] == 9 and MONTHS["OUT"] == 10
