"""Operator edits: single-field validation and live re-validation against printed digits."""

from __future__ import annotations

import pytest
from mrz_helpers import TODAY, cd, flag_codes, read, values
from test_mrz_deviations import td3

from desktop_app.core.mrz import MrzData, compose_mrz, revalidate, validate_field
from desktop_app.core.types import MrzReading

CLEAN = td3(optional_data="ZE184226B")


def only_the_operators(r: MrzReading, *keys: str) -> None:
    """Every check holds over the edited lines and nothing is in doubt but that the values
    of ``keys`` are the operator's: so the reading is neither verified nor accepted."""
    assert r.valid
    assert r.verdict.doubts == ("edited by the operator: " + ", ".join(k.replace("_", " ") for k in keys),)
    assert not r.verified and not r.accepted


def test_confirming_an_unverified_repair_passes_the_checks_but_is_the_operators() -> None:
    l2 = CLEAN[1]
    r = read((CLEAN[0], l2[:4] + "O" + l2[5:]))
    assert not r.accepted and r.fields["document_number"].status == "unverified"
    r2 = revalidate(r, {"document_number": values(read(CLEAN))["document_number"]}, today=TODAY)
    f = r2.fields["document_number"]
    assert f.source == "operator" and f.status == "ok" and f.confidence == 1.0
    assert r2.checks["document_number"] == "valid" and r2.lines == CLEAN
    only_the_operators(r2, "document_number")
    assert r2.raw_lines == r.raw_lines


def test_edit_is_checked_against_the_printed_digit() -> None:
    r = read(CLEAN)
    r2 = revalidate(r, {"document_number": "C01X00T48"}, today=TODAY)
    assert r2.lines[1][9] == CLEAN[1][9]  # printed digit kept
    assert cd("C01X00T48") != CLEAN[1][9]
    assert r2.checks["document_number"] == "invalid" and r2.fields["document_number"].status == "invalid"
    assert not r2.accepted and "check_failed" in flag_codes(r2)


def test_dates_names_sex_and_countries_are_written_at_their_positions() -> None:
    r = read(CLEAN)
    r2 = revalidate(
        r,
        {"birth_date": "1981-02-03", "surname": "Muster-Frau", "sex": "X", "nationality": "AUT"},
        today=TODAY,
    )
    assert r2.lines[1][13:19] == "810203" and r2.lines[1][19] == CLEAN[1][19]
    assert r2.lines[1][20] == "<" and r2.lines[1][10:13] == "AUT"
    assert r2.lines[0].startswith("P<D<<MUSTER<FRAU<<ERIKA<")
    assert r2.fields["surname"].value == "Muster-Frau" and r2.fields["surname"].source == "operator"
    assert r2.fields["sex"].value == "X"
    expected = "valid" if cd("810203") == CLEAN[1][19] else "invalid"
    assert r2.checks["birth_date"] == expected
    assert r2.fields["given_names"].source == "mrz"


def test_previous_operator_edits_stay_the_operators() -> None:
    r = read(CLEAN)
    r2 = revalidate(r, {"surname": "Musterfrau"}, today=TODAY)
    r3 = revalidate(r2, {"sex": "M"}, today=TODAY)
    assert r3.fields["surname"].source == "operator" and r3.fields["surname"].value == "Musterfrau"
    assert r3.fields["sex"].source == "operator"


def test_unverified_fields_stay_unverified_until_confirmed() -> None:
    r = read((CLEAN[0].replace("ERIKA", "ER1KA"), CLEAN[1]))
    assert r.fields["given_names"].status == "unverified"
    r2 = revalidate(r, {"sex": "F"}, today=TODAY)
    assert r2.fields["given_names"].status == "unverified" and not r2.accepted
    r3 = revalidate(r, {"given_names": "ERIKA"}, today=TODAY)
    assert r3.fields["given_names"].status == "ok"
    only_the_operators(r3, "given_names")


def test_long_number_edit_moves_the_printed_digit() -> None:
    lines = compose_mrz(
        MrzData("TD1", "I", "NLD", "Jansen", "Piet", "SPECI20142", "NLD", "800101", "M", "300101")
    )
    r = read(lines)
    assert r.accepted
    r2 = revalidate(r, {"document_number": "SPECI20142"}, today=TODAY)
    assert r2.lines == lines
    only_the_operators(r2, "document_number")
    r3 = revalidate(r, {"document_number": "SPECI2014"}, today=TODAY)
    assert r3.lines[0][5:15] == "SPECI2014" + cd("SPECI20142")


def test_invalid_edits_are_reported() -> None:
    r = read(CLEAN)
    r2 = revalidate(r, {"birth_date": "1981-02-30", "issuing_country": "QQQ"}, today=TODAY)
    assert r2.fields["birth_date"].status == "invalid" and r2.fields["issuing_country"].status == "invalid"
    assert not r2.accepted
    r3 = revalidate(r, {"optional_data": "x"}, today=TODAY)  # not a field of TD3: kept, noted
    assert r3.fields["optional_data"].source == "operator" and "not part" in (
        r3.fields["optional_data"].reason or ""
    )
    assert r3.lines == CLEAN
    r4 = revalidate(r, {"surname": "A" * 50}, today=TODAY)  # longer than the field: cut in the MRZ
    assert r4.fields["surname"].value == "A" * 50 and r4.lines[0][5:44] == "A" * 39


def test_revalidate_without_an_mrz() -> None:
    r = read(["garbage"])
    r2 = revalidate(r, {"surname": "Smith", "birth_date": "2099-01-01"}, today=TODAY)
    assert r2.fields["surname"].source == "operator" and r2.fields["birth_date"].status == "invalid"
    assert not r2.accepted


@pytest.mark.parametrize(
    ("key", "value", "status"),
    [
        ("birth_date", "1974-08-12", "ok"),
        ("birth_date", "1974-08-XX", "ok"),
        ("birth_date", "2026-01-01", "invalid"),
        ("birth_date", "12.08.1974", "invalid"),
        ("expiry_date", "2030-02-29", "invalid"),
        ("expiry_date", "2028-02-29", "ok"),
        ("expiry_date", "2030-XX-XX", "invalid"),
        ("issuing_country", "D", "ok"),
        ("nationality", "GBN", "ok"),
        ("nationality", "ABC", "invalid"),
        ("sex", "f", "ok"),
        ("sex", "<", "invalid"),
        ("document_number", "L898902C3", "ok"),
        ("document_number", "L898-902", "invalid"),
        ("document_code", "PD", "ok"),
        ("document_code", "Q", "invalid"),
        ("surname", "O'Neill-Smith", "ok"),
        ("surname", "R2D2", "invalid"),
        ("personal_number", "ZE 184226B", "ok"),
        ("place_of_birth", "Berlin", "ok"),
        ("no_such_field", "x", "invalid"),
    ],
)
def test_validate_field(key: str, value: str, status: str) -> None:
    assert validate_field(key, value, today=TODAY)[0] == status


def test_french_card_expiry_is_kept_as_entered() -> None:
    fr = compose_mrz(
        MrzData("FRID", "ID", "FRA", "Douel", "Anne", "050693202043", "FRA", "800620", "F", "", "932013")
    )
    r = read(fr)
    assert "expiry_date" not in r.fields
    r2 = revalidate(r, {"expiry_date": "2030-06-01"}, today=TODAY)
    f = r2.fields["expiry_date"]
    assert f.value == "2030-06-01" and f.source == "operator" and f.status == "ok"
    assert "not part" in (f.reason or "") and r2.lines == fr
    only_the_operators(r2, "expiry_date")
