"""MRZ <-> visual zone cross-check: agreement, mismatch, VIZ-only fields, truncation, statuses."""

from __future__ import annotations

import math

import pytest

from desktop_app.core.types import FIELD_KEYS, Field, FieldStatus
from desktop_app.core.viz import VizField, cross_check

BOX = (10, 20, 110, 40)


def mrz(value: str, status: FieldStatus = "ok", confidence: float = 0.9, reason: str | None = None) -> Field:
    return Field(value, confidence, "mrz", status, reason, None)


def viz(value: str, confidence: float = 0.8, raw: str | None = None) -> VizField:
    return VizField(value, raw if raw is not None else value, confidence, BOX)


def check(key: str, mrz_field: Field, viz_field: VizField, **extra: Field) -> Field:
    return cross_check({key: mrz_field, **extra}, {key: viz_field})[key]


# --- agreement -------------------------------------------------------------------------------


def test_agreement_raises_confidence_and_takes_the_viz_box() -> None:
    out = check("surname", mrz("ERIKSSON"), viz("ERIKSSON"))
    assert out.value == "ERIKSSON"
    assert out.source == "mrz+viz"
    assert out.status == "ok"
    assert out.confidence == pytest.approx(1 - 0.1 * 0.2)
    assert out.box == BOX
    assert out.reason == "MRZ and visual zone agree"


@pytest.mark.parametrize(
    ("mrz_value", "printed"),
    [
        ("MUELLER", "MÜLLER"),
        ("MULLER", "MÜLLER"),
        ("OERSTED", "ØRSTED"),
        ("NUNEZ", "NÚÑEZ"),
        ("NUNXXEZ", "NÚÑEZ"),  # the rare ICAO form is accepted too
        ("SMITH JONES", "SMITH-JONES"),
        ("ONEILL", "O'NEILL"),
        ("IULIIA", "ЮЛИЯ"),
        ("ASTROEM ERIKSSON", "ÅSTRÖM-ERIKSSON"),
        ("ASTROEM<ERIKSSON", "ÅSTRÖM-ERIKSSON"),  # fillers from the MRZ
    ],
)
def test_names_agree_through_transliteration(mrz_value: str, printed: str) -> None:
    out = check("surname", mrz(mrz_value), viz(printed))
    assert (out.source, out.status) == ("mrz+viz", "ok")
    assert out.value == mrz_value  # the MRZ value is kept


def test_names_differing_only_in_spaces_agree_loosely() -> None:
    out = check("surname", mrz("IBANEZ GOMEZ"), viz("IBANEZGOMEZ"))
    assert (out.source, out.status) == ("mrz+viz", "ok")
    assert "spaces" in (out.reason or "")


def test_dates_sex_codes_and_numbers_agree() -> None:
    fields = {
        "birth_date": mrz("1974-08-12"),
        "expiry_date": mrz("2029-03-02"),
        "sex": mrz("F"),
        "nationality": mrz("SWE"),
        "issuing_country": mrz("D"),
        "document_number": mrz("AA1234567"),
    }
    seen = {
        "birth_date": viz("1974-08-12", raw="12 AUG 1974"),
        "expiry_date": viz("2029-03-02", raw="02.03.2029"),
        "sex": viz("F"),
        "nationality": viz("SWEDISH"),
        "issuing_country": viz("DEU"),
        "document_number": viz("AA 123 4567"),
    }
    out = cross_check(fields, seen)
    for key in fields:
        assert (out[key].source, out[key].status) == ("mrz+viz", "ok"), key
        assert out[key].box == BOX


def test_unspecified_sex() -> None:
    assert check("sex", mrz("<"), viz("X")).source == "mrz+viz"
    assert check("sex", mrz("X"), viz("X")).source == "mrz+viz"


def test_two_digit_printed_year_agrees_whatever_century_was_guessed() -> None:
    out = check("expiry_date", mrz("1974-08-12"), viz("2074-08-12", raw="12 AUG 74"))
    assert (out.source, out.status) == ("mrz+viz", "ok")


def test_partial_printed_date_agrees_as_far_as_printed() -> None:
    out = check("birth_date", mrz("1974-08-12"), viz("1974-08", raw="XX AUG 1974"))
    assert out.source == "mrz+viz" and out.status == "ok"
    assert "only 1974-08" in (out.reason or "")
    assert check("birth_date", mrz("1974-08-12"), viz("1974")).source == "mrz+viz"
    assert check("birth_date", mrz("1975-08-12"), viz("1974")).status == "mismatch"


def test_partial_mrz_dates() -> None:
    assert check("birth_date", mrz("1974-XX-XX"), viz("1974-08-12", raw="12.08.1974")).source == "mrz+viz"
    assert check("birth_date", mrz("1974-08-XX"), viz("1974-08", raw="XX.08.1974")).source == "mrz+viz"
    assert check("birth_date", mrz("1974-XX-XX"), viz("1975-08-12", raw="12.08.1975")).status == "mismatch"


def test_mrz_style_dates_are_compared_too() -> None:
    assert check("birth_date", mrz("740812"), viz("1974-08-12", raw="12.08.1974")).source == "mrz+viz"
    assert check("birth_date", mrz("74<<<<"), viz("1974-08-12", raw="12.08.1974")).source == "mrz+viz"
    assert check("birth_date", mrz("750812"), viz("1974-08-12", raw="12.08.1974")).status == "mismatch"


def test_long_document_number_continues_past_the_mrz_field() -> None:
    out = check("document_number", mrz("D23145890"), viz("D231458907"))
    assert out.source == "mrz+viz"
    assert "first 9" in (out.reason or "")


# --- disagreement ------------------------------------------------------------------------------


def test_mismatch_says_both_values() -> None:
    out = check("surname", mrz("ERIKSSON"), viz("ERIKSON"))
    assert out.status == "mismatch"
    assert out.reason == "MRZ says ERIKSSON, visual zone says ERIKSON"
    assert out.value == "ERIKSSON"
    assert out.source == "mrz"
    assert out.confidence <= 0.5
    assert out.box == BOX  # where the operator can see the printed value


@pytest.mark.parametrize(
    ("key", "mrz_value", "printed"),
    [
        ("birth_date", "1974-08-12", "1974-08-21"),
        ("expiry_date", "2029-03-02", "2029-02-03"),
        ("sex", "M", "F"),
        ("nationality", "SWE", "NORSK"),
        ("issuing_country", "SWE", "NOR"),
        ("document_number", "AA1234567", "AA1234576"),
        ("given_names", "ANNA", "ANNA MARIA"),
    ],
)
def test_mismatches(key: str, mrz_value: str, printed: str) -> None:
    out = check(key, mrz(mrz_value), viz(printed))
    assert out.status == "mismatch"
    assert out.reason == f"MRZ says {mrz_value}, visual zone says {printed}"


def test_mismatch_keeps_the_earlier_reason() -> None:
    out = check("surname", mrz("ERIKSSON", "unverified", reason="names carry no check digit"), viz("ERIKSON"))
    assert out.reason == "names carry no check digit; MRZ says ERIKSSON, visual zone says ERIKSON"


def test_lookalike_document_numbers_are_not_compared() -> None:
    out = check("document_number", mrz("C01X00T47"), viz("CO1XOOT47"))
    assert out.status == "ok" and out.source == "mrz"
    assert "look-alike" in (out.reason or "")


def test_unknown_nationality_word_is_not_a_mismatch() -> None:
    out = check("nationality", mrz("UTO"), viz("UTOPIAN"))
    assert out == mrz("UTO")


def test_missing_or_empty_viz_value_is_not_a_mismatch() -> None:
    field = mrz("ERIKSSON")
    assert cross_check({"surname": field}, {}) == {"surname": field}
    assert cross_check({"surname": field}, {"surname": viz("")}) == {"surname": field}


# --- truncated MRZ names --------------------------------------------------------------------------


def test_truncated_mrz_name_agrees_when_the_name_field_is_full() -> None:
    # TD3: 39 characters: "GARCIA FERNANDEZ DE LA VEGA" (27) + "<<" + "MARIA LUIS" (10)
    surname = mrz("GARCIA FERNANDEZ DE LA VEGA")
    given = mrz("MARIA LUIS")
    out = cross_check(
        {"surname": surname, "given_names": given},
        {"surname": viz("GARCÍA FERNÁNDEZ DE LA VEGA"), "given_names": viz("MARÍA LUISA ALEJANDRA")},
    )
    assert out["surname"].reason == "MRZ and visual zone agree"
    assert out["given_names"].source == "mrz+viz"
    assert out["given_names"].status == "ok"
    assert "truncated" in (out["given_names"].reason or "")
    assert out["given_names"].value == "MARIA LUIS"


def test_truncation_to_initials() -> None:
    surname = mrz("ABCDEFGHIJKLMNOPQRSTUVWXYZAB")  # 28 + 2 + 9 = 39
    given = mrz("JOHN PA B")
    out = cross_check({"surname": surname, "given_names": given}, {"given_names": viz("JOHN PAUL BERNARD")})
    assert out["given_names"].source == "mrz+viz"


def test_a_shorter_mrz_name_is_a_mismatch_when_the_field_is_not_full() -> None:
    out = cross_check(
        {"surname": mrz("SMITH"), "given_names": mrz("JOHN")},
        {"given_names": viz("JOHNNY")},
    )
    assert out["given_names"].status == "mismatch"


def test_french_id_card_surname_field_of_25() -> None:
    out = cross_check(
        {"surname": mrz("DE LA ROCHEFOUCAULD MONTM")}, {"surname": viz("DE LA ROCHEFOUCAULD MONTMORENCY")}
    )
    assert out["surname"].source == "mrz+viz"


# --- statuses ---------------------------------------------------------------------------------


def test_low_confidence_mrz_becomes_ok_when_the_viz_confirms() -> None:
    out = check("surname", mrz("ERIKSSON", "low_confidence", 0.4), viz("ERIKSSON"))
    assert out.status == "ok"
    assert out.confidence == pytest.approx(1 - 0.6 * 0.2)
    loose = check("surname", mrz("IBANEZ GOMEZ", "low_confidence", 0.4), viz("IBANEZGOMEZ"))
    assert loose.status == "ok"


@pytest.mark.parametrize("status", ["invalid", "corrected", "unverified"])
def test_doubtful_mrz_becomes_ok_only_on_an_exact_match(status: FieldStatus) -> None:
    exact = check("surname", mrz("MUELLER", status, 0.5, "repaired"), viz("MÜLLER"))
    assert exact.status == "ok"
    assert exact.reason == "repaired; confirmed by the visual zone"
    loose = check("surname", mrz("IBANEZ GOMEZ", status, 0.5, "repaired"), viz("IBANEZGOMEZ"))
    assert loose.status == status
    assert loose.confidence == 0.5
    assert loose.source == "mrz+viz"
    partial = check("birth_date", mrz("1974-08-12", status, 0.5), viz("1974"))
    assert partial.status == status


def test_an_invalid_country_code_stays_invalid_when_the_page_prints_it_too() -> None:
    # Issue 12: "Invalid" turned green "MRZ = visual" while the findings still called it invalid.
    out = check("issuing_country", mrz("XYZ", "invalid", 0.9, "not an ICAO 9303 country code"), viz("XYZ"))
    assert out.status == "invalid" and out.source == "mrz+viz"


def test_mismatch_status_stays_when_the_viz_agrees() -> None:
    out = check("surname", mrz("ERIKSSON", "mismatch", 0.5, "earlier"), viz("ERIKSSON"))
    assert out.status == "mismatch"


# --- fields only the visual zone has ---------------------------------------------------------------


def test_viz_only_fields() -> None:
    out = cross_check(
        {"surname": mrz("ERIKSSON")},
        {
            "place_of_birth": viz("STOCKHOLM", 0.9),
            "issue_date": viz("2019-03-03", 0.3),
            "authority": viz("POLISMYNDIGHETEN", 0.6),
            "given_names": viz("ANNA", 0.95),  # missing from the MRZ reading
        },
    )
    expected = Field("STOCKHOLM", 0.9, "viz", "ok", "read from the visual zone only", BOX)
    assert out["place_of_birth"] == expected
    assert out["issue_date"].status == "low_confidence"
    assert out["issue_date"].source == "viz"
    assert "0.30" in (out["issue_date"].reason or "")
    assert out["authority"].status == "ok"  # at the threshold
    assert out["given_names"].source == "viz"


def test_threshold_is_a_parameter() -> None:
    out = cross_check({}, {"place_of_birth": viz("STOCKHOLM", 0.7)}, low_confidence=0.8)
    assert out["place_of_birth"].status == "low_confidence"


def test_an_mrz_field_it_could_not_read_is_filled_from_the_viz() -> None:
    out = check("birth_date", mrz("", "invalid", 0.0, "not a valid date"), viz("1976-11-19", 0.9))
    assert out.value == "1976-11-19"
    assert out.source == "viz"
    assert out.reason == "not a valid date; the MRZ gave nothing; read from the visual zone only"
    # but an MRZ that reads "no given names" and is sure of it is compared
    assert check("given_names", mrz(""), viz("ANNA")).status == "mismatch"


def test_output_order_and_unknown_keys() -> None:
    out = cross_check(
        {"expiry_date": mrz("2029-03-02"), "surname": mrz("ERIKSSON"), "document_code": mrz("P")},
        {"authority": viz("POLIS"), "not_a_field": viz("x"), "birth_date": viz("1974-08-12")},
    )
    assert list(out) == [k for k in FIELD_KEYS if k in out]
    assert "not_a_field" not in out


def test_inputs_are_not_changed_and_odd_confidences_are_clamped() -> None:
    fields = {"surname": mrz("ERIKSSON", confidence=math.nan)}
    seen = {"surname": viz("ERIKSSON", confidence=7.0), "issue_date": viz("2019-03-03", confidence=-1)}
    before = (dict(fields), dict(seen))
    out = cross_check(fields, seen)
    assert (fields, seen) == before
    assert 0.0 <= out["surname"].confidence <= 1.0
    assert out["issue_date"].confidence == 0.0
    assert out["issue_date"].status == "low_confidence"


def test_empty() -> None:
    assert cross_check({}, {}) == {}
