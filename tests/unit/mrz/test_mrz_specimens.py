"""Specimens of every format read back with every field, span and check asserted."""

from __future__ import annotations

from mrz_helpers import cd, flag_codes, read, values
from test_mrz_compose import DE_ID, FR_ID, MRVA, MRVB, TD1, TD2, TD3

from desktop_app.core.types import CharSpan

ALL_VALID = {"document_number": "valid", "birth_date": "valid", "expiry_date": "valid"}


def test_icao_td3_specimen() -> None:
    r = read(TD3)
    assert r.format == "TD3" and r.document_code == "P"
    assert values(r) == {
        "document_code": "P",
        "issuing_country": "UTO",
        "surname": "ERIKSSON",
        "given_names": "ANNA MARIA",
        "nationality": "UTO",
        "document_number": "L898902C3",
        "birth_date": "1974-08-12",
        "expiry_date": "2012-04-15",  # century 20xx although it is in the past
        "sex": "F",
        "personal_number": "ZE184226B",
    }
    assert dict(r.checks) == {**ALL_VALID, "personal_number": "valid", "composite": "valid"}
    assert r.valid and r.lines == TD3
    assert all(f.status == "ok" and f.source == "mrz" for f in r.fields.values())
    assert {"expired", "specimen"} <= flag_codes(r)
    assert not r.accepted  # expired, and a specimen
    assert r.spans["document_number"] == CharSpan(1, 0, 9)
    assert r.spans["surname"] == CharSpan(0, 5, 13)
    assert r.spans["given_names"] == CharSpan(0, 15, 25)
    assert r.spans["birth_date"] == CharSpan(1, 13, 19)
    assert r.spans["personal_number"] == CharSpan(1, 28, 37)
    assert set(r.spans) == set(r.fields)


def test_icao_td1_specimen() -> None:
    r = read(TD1)
    assert r.format == "TD1"
    assert values(r) == {
        "document_code": "I",
        "issuing_country": "UTO",
        "surname": "ERIKSSON",
        "given_names": "ANNA MARIA",
        "nationality": "UTO",
        "document_number": "D23145890",
        "birth_date": "1974-08-12",
        "expiry_date": "2012-04-15",
        "sex": "F",
        "optional_data": "",
        "personal_number": "",
    }
    assert dict(r.checks) == {**ALL_VALID, "personal_number": "absent", "composite": "valid"}
    assert r.spans["surname"] == CharSpan(2, 0, 8)
    assert r.spans["document_number"] == CharSpan(0, 5, 14)


def test_icao_td2_specimen() -> None:
    r = read(TD2)
    assert r.format == "TD2"
    v = values(r)
    assert (
        v["document_number"] == "D23145890"
        and v["surname"] == "ERIKSSON"
        and v["given_names"] == "ANNA MARIA"
    )
    assert v["birth_date"] == "1974-08-12" and v["expiry_date"] == "2012-04-15" and v["sex"] == "F"
    assert v["nationality"] == "UTO" and v["issuing_country"] == "UTO" and v["optional_data"] == ""
    assert dict(r.checks) == {**ALL_VALID, "personal_number": "absent", "composite": "valid"}


def test_icao_mrv_a_specimen() -> None:
    r = read(MRVA)
    assert r.format == "MRVA" and r.document_code == "V"
    assert values(r) == {
        "document_code": "V",
        "issuing_country": "UTO",
        "surname": "ERIKSSON",
        "given_names": "ANNA MARIA",
        "nationality": "XXX",
        "document_number": "L8988901C",
        "birth_date": "1940-09-07",
        "expiry_date": "1996-12-10",
        "sex": "F",
        "optional_data": "6ZE184226B",
    }
    assert dict(r.checks) == {**ALL_VALID, "personal_number": "absent", "composite": "absent"}
    assert cd("L8988901C") == "4" and cd("400907") == "8" and cd("961210") == "9"


def test_icao_mrv_b_specimen() -> None:
    r = read(MRVB)
    assert r.format == "MRVB"
    v = values(r)
    assert v["document_number"] == "L8988901C" and v["nationality"] == "XXX" and v["optional_data"] == ""
    assert dict(r.checks) == {**ALL_VALID, "personal_number": "absent", "composite": "absent"}


def test_german_id_card_with_d_fillers_and_no_sex() -> None:
    r = read(DE_ID)
    assert r.format == "TD1" and r.document_code == "ID"
    v = values(r)
    assert v["issuing_country"] == "D" and v["nationality"] == "D"
    assert v["surname"] == "MUSTERMANN" and v["given_names"] == "ERIKA"
    assert v["document_number"] == "T22000129" and v["sex"] == "X"
    assert v["birth_date"] == "1964-08-12" and v["expiry_date"] == "2020-10-31"
    assert r.checks["composite"] == "valid" and r.valid
    assert "unknown_country" not in flag_codes(r)
    assert flag_codes(r) == {"expired"}


def test_french_id_card_own_layout() -> None:
    r = read(FR_ID)
    assert r.format == "FRID" and r.document_code == "ID"
    assert values(r) == {
        "document_code": "ID",
        "issuing_country": "FRA",
        "surname": "DOUEL",
        "given_names": "CHRISTIANE NI",
        "nationality": "FRA",
        "document_number": "050693202043",
        "birth_date": "1929-06-20",
        "sex": "F",
        "optional_data": "932013",
    }
    assert dict(r.checks) == {
        "document_number": "valid",
        "birth_date": "valid",
        "expiry_date": "absent",
        "personal_number": "absent",
        "composite": "valid",
    }
    assert "name_truncated" in flag_codes(r)  # NICOLE cut to NI: fills the 14-character field
    assert r.spans["given_names"] == CharSpan(1, 13, 27)


def test_long_document_number_td1() -> None:
    r = read(("I<UTOD23145890<7349<<<<<<<<<<<", TD1[1], TD1[2]))
    assert r.fields["document_number"].value == "D23145890734"
    assert r.checks["document_number"] == "valid" and r.checks["composite"] == "valid"
    assert r.fields["optional_data"].value == ""
    assert r.fields["document_number"].status == "ok"


def test_portuguese_style_long_number_with_optional_data_after_it() -> None:
    # Portuguese citizen card pattern: 9 + 3 characters, continued in the optional data.
    from desktop_app.core.mrz import MrzData, compose_mrz

    lines = compose_mrz(
        MrzData("TD1", "I", "PRT", "Silva", "Joao", "123456784ZZ4", "PRT", "800101", "M", "300101", "X9")
    )
    assert lines[0] == "I<PRT123456784<ZZ4" + cd("123456784ZZ4") + "<X9" + "<" * 8
    r = read(lines)
    assert r.fields["document_number"].value == "123456784ZZ4"
    assert r.fields["optional_data"].value == "X9"
    assert r.accepted and r.valid
