"""Real-world deviations parse; dates, countries, names and flags behave as documented."""

from __future__ import annotations

import datetime

import pytest
from mrz_helpers import TODAY, cd, flag_codes, read, values

from desktop_app.core.mrz import MrzData, compose_mrz, country_name


def td3(**kw: str) -> tuple[str, ...]:
    base = dict(
        format="TD3", document_code="P", issuing_country="D", surname="Mustermann", given_names="Erika",
        document_number="C01X00T47", nationality="D", birth_date="800101", sex="F", expiry_date="300101",
        optional_data="",
    )  # fmt: skip
    base.update(kw)
    return compose_mrz(MrzData(**base))  # type: ignore[arg-type]


def test_clean_real_document_is_accepted() -> None:
    r = read(td3())
    assert r.accepted and r.valid and r.flags == ()
    assert r.checks["personal_number"] == "absent"
    assert values(r)["issuing_country"] == "D" and country_name("D") == "Germany"


def test_empty_personal_number_with_zero_check_digit() -> None:
    lines = td3()
    assert lines[1][42] == "<" and cd("<" * 14) == "0"
    r = read((lines[0], lines[1][:42] + "0" + lines[1][43:]))
    assert r.checks["personal_number"] == "valid" and r.accepted


@pytest.mark.parametrize(
    ("printed", "iso"), [("8001<<", "1980-01-XX"), ("80<<<<", "1980-XX-XX"), ("8001XX", "1980-01-XX")]
)
def test_unknown_birth_day_or_month(printed: str, iso: str) -> None:
    r = read(td3(birth_date=printed))
    assert r.checks["birth_date"] == "valid"
    assert r.fields["birth_date"].value == iso
    assert "partial_date" in flag_codes(r) and not r.accepted
    if "X" in printed:
        assert "format_deviation" in flag_codes(r)


def test_birth_century_never_in_future() -> None:
    today = datetime.date(2025, 6, 1)
    assert read(td3(birth_date="250601"), today=today).fields["birth_date"].value == "2025-06-01"
    assert read(td3(birth_date="250602"), today=today).fields["birth_date"].value == "1925-06-02"
    r = read(td3(birth_date="100101"))
    assert r.fields["birth_date"].value == "2010-01-01" and "minor" in flag_codes(r) and not r.accepted


def test_expiry_window_minus_80_plus_20_years() -> None:
    assert read(td3(expiry_date="450601")).fields["expiry_date"].value == "2045-06-01"
    r = read(td3(expiry_date="460101"))
    assert r.fields["expiry_date"].value == "1946-01-01" and "expired" in flag_codes(r)
    r = read(td3(expiry_date="120415"))
    assert r.fields["expiry_date"].value == "2012-04-15" and "expired" in flag_codes(r) and not r.accepted


def test_expires_soon_informs_but_does_not_block() -> None:
    soon = (TODAY + datetime.timedelta(days=30)).strftime("%y%m%d")
    r = read(td3(expiry_date=soon))
    assert "expires_soon" in flag_codes(r) and r.accepted
    r = read(td3(expiry_date=soon), expiry_warning_days=10)
    assert "expires_soon" not in flag_codes(r)


def test_invalid_date_is_invalid_not_a_crash() -> None:
    r = read(td3(birth_date="801332"))
    assert r.fields["birth_date"].status == "invalid" and "invalid_date" in flag_codes(r) and not r.accepted


def test_unknown_country_and_specimen() -> None:
    r = read(td3(issuing_country="ZZZ"))
    assert r.fields["issuing_country"].status == "invalid"
    assert "unknown_country" in flag_codes(r) and not r.accepted
    r = read(td3(nationality="UTO"))
    assert "specimen" in flag_codes(r) and not r.accepted
    for code in ("GBD", "GBN", "GBO", "GBP", "GBS", "UNO", "UNA", "UNK", "XXA", "XXB", "XXC", "XXX", "EUE"):
        assert country_name(code), code
    assert country_name("UTO") == "Utopia (ICAO specimen)"
    assert country_name("D<<") == "Germany" and country_name("QQQ") is None


def test_names_split_and_truncation() -> None:
    r = read(td3(surname="van der Berg", given_names="Anna-Lena Marie"))
    assert values(r)["surname"] == "VAN DER BERG" and values(r)["given_names"] == "ANNA LENA MARIE"
    assert r.accepted
    r = read(td3(surname="Wolfeschlegelsteinhausenbergerdorff", given_names="Hubert Blaine"))
    assert r.lines[0][-1] != "<"
    assert "name_truncated" in flag_codes(r) and not r.accepted
    r = read(td3(surname="Madonna", given_names=""))
    assert values(r)["surname"] == "MADONNA" and values(r)["given_names"] == ""


def test_non_icao_letters_are_read_and_reported() -> None:
    lines = td3(surname="Muller")
    r = read((lines[0].replace("MULLER", "MÜLLER"), lines[1]))
    assert values(r)["surname"] == "MULLER"
    assert "format_deviation" in flag_codes(r)


def test_document_code_variants() -> None:
    for code in ("PD", "PO", "PS", "PT"):
        r = read(td3(document_code=code))
        assert r.document_code == code and r.accepted
    lines = compose_mrz(MrzData("TD1", "AC", "D", "Pilot", "Max", "T220001", "D", "800101", "M", "300101"))
    assert read(lines).document_code == "AC"
    lines = compose_mrz(
        MrzData("TD2", "IR", "FRA", "Martin", "Paul", "12AB34567", "DZA", "800101", "M", "300101")
    )
    r = read(lines)
    assert r.format == "TD2" and r.document_code == "IR" and r.accepted


def test_td2_with_idfra_prefix_is_still_told_apart_from_frid() -> None:
    lines = compose_mrz(
        MrzData("TD2", "ID", "FRA", "Martin", "Paul", "12AB34567", "FRA", "800101", "M", "300101")
    )
    assert lines[0].startswith("IDFRA")
    r = read(lines)
    assert r.format == "TD2" and r.accepted and values(r)["document_number"] == "12AB34567"


def test_td1_long_number_dutch_style_and_td3_long_number() -> None:
    lines = compose_mrz(
        MrzData(
            "TD1", "I", "NLD", "Jansen", "Piet", "SPECI20142", "NLD", "800101", "M", "300101", "999999990"
        )
    )
    r = read(lines)
    assert values(r)["document_number"] == "SPECI20142" and values(r)["optional_data"] == "999999990"
    assert r.accepted
    lines = td3(document_number="C01X00T4712", optional_data="123")
    r = read(lines)
    assert values(r)["document_number"] == "C01X00T4712" and values(r)["personal_number"] == "123"
    assert r.checks["document_number"] == "valid" and r.checks["personal_number"] == "valid" and r.accepted
