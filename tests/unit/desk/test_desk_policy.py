"""Document policy in the core: the layout table says which fields each check digit covers,
proves and which fields are required; one module gives "can confirm", verified, accepted."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from desktop_app.core.desk import verdicts
from desktop_app.core.desk.form import DocumentForm, check_digit_keys
from desktop_app.core.desk.policy import required_keys
from desktop_app.core.mrz import MrzData, compose_mrz, read_mrz
from desktop_app.core.mrz.layouts import LAYOUTS, REQUIRED, proved_fields, required_fields
from desktop_app.core.types import DocumentResult, Flag

TODAY = date(2026, 6, 1)
BASE = {"document_number", "birth_date", "expiry_date"}

# An independent statement of ICAO 9303 (parts 4-7) and the French card: the fields a check
# digit proves, so that the desk may show them as verified.
EXPECTED_PROVED = {
    "TD1": BASE | {"optional_data"},
    "TD2": BASE | {"optional_data"},
    "TD3": BASE | {"personal_number"},
    "MRVA": BASE,
    "MRVB": BASE,
    "FRID": {"document_number", "birth_date"},
}


@pytest.mark.parametrize("fmt", sorted(LAYOUTS))
def test_the_layout_table_says_what_each_check_digit_proves(fmt: str) -> None:
    assert proved_fields(fmt) == EXPECTED_PROVED[fmt] == check_digit_keys(fmt)
    never = {"name", "surname", "given_names", "sex", "document_code", "issuing_country", "nationality"}
    assert not proved_fields(fmt) & never


def test_the_layout_table_says_what_each_check_digit_covers() -> None:
    td3 = LAYOUTS["TD3"]
    assert td3.covered_fields("document_number") == ("document_number",)
    assert set(td3.covered_fields("composite")) >= {"document_number", "birth_date", "expiry_date", "personal_number"}
    assert "nationality" not in td3.covered_fields("composite") and "sex" not in td3.covered_fields("composite")
    assert "name" in LAYOUTS["FRID"].covered_fields("composite") or "surname" in LAYOUTS["FRID"].covered_fields("composite")
    assert td3.own_check("personal_number") == "personal_number"
    assert LAYOUTS["TD1"].own_check("personal_number") is None  # optional data 2: no digit of its own
    assert td3.own_check("surname") is None and td3.own_check("composite") is None


def test_required_fields_come_from_the_layout_table() -> None:
    assert required_fields("TD3") == REQUIRED == required_keys("TD3") == required_fields(None)
    assert "expiry_date" not in required_fields("FRID") and "nationality" not in required_fields("FRID")
    assert required_keys("FRID") == required_fields("FRID")


def _specimen() -> DocumentResult:
    lines = compose_mrz(
        MrzData("TD3", "P", "NLD", "Eriksson", "Anna Maria", "L898902C3", "NLD", "740812", "F", "320415", "ZE184226B")
    )
    reading = read_mrz(list(lines), confidences=[[0.99] * len(x) for x in lines], today=TODAY)
    return DocumentResult(status="ok", format=reading.format, mrz=reading, fields=dict(reading.fields), flags=reading.flags)


def test_can_confirm_asks_evidence_blocking_fields_and_acknowledgements() -> None:
    form = DocumentForm(_specimen(), today=TODAY)
    assert form.confirm_refusal(status="ready", has_image=True, acknowledged=()) is None
    assert "no picture" in (form.confirm_refusal(status="ready", has_image=False, acknowledged=()) or "")
    form.set_value("birth_date", "1974-13-40")  # invalid: blocks
    refusal = form.confirm_refusal(status="ready", has_image=True, acknowledged=())
    assert refusal is not None and "Date of birth" in refusal
    expired = replace(_specimen(), flags=(Flag("expired", "The document expired."),))
    form = DocumentForm(expired, today=TODAY)
    assert "acknowledge" in (form.confirm_refusal(status="ready", has_image=True, acknowledged=()) or "")
    assert form.confirm_refusal(status="ready", has_image=True, acknowledged=("expired",)) is None


def test_result_and_form_verdicts_come_from_one_place() -> None:
    r = _specimen()
    assert verdicts.result_verdict(r) == r.verdict and r.verdict.verified and r.verdict.accepted
    form = DocumentForm(r, today=TODAY)
    assert form.verdict() == r.verdict
    form.set_value("surname", "ERIKSON")
    v = form.verdict()
    assert not v.verified and not v.accepted and any("edited by the operator" in d for d in v.doubts)


def test_needs_review_when_the_page_undoes_what_the_mrz_alone_would_accept() -> None:
    r = _specimen()
    assert r.mrz is not None and r.mrz.accepted
    assert verdicts.needs_review_flag(r.mrz, r) is None
    fields = dict(r.fields)
    fields["surname"] = replace(fields["surname"], source="mrz+viz", status="mismatch", reason="viz reads ERIKSON")
    flag = verdicts.needs_review_flag(r.mrz, replace(r, fields=fields))
    assert flag is not None and flag.code == "needs_review"
    assert verdicts.needs_review_flag(None, r) is None


def test_confirm_is_refused_while_the_visual_zone_is_read_but_not_when_ready() -> None:
    from desktop_app.core.desk.verdicts import STILL_READING, confirm_refusal

    kw = {"has_image": True, "mrz_read": True, "fmt": "TD3", "values": {}, "blocking": (), "needed": (), "acknowledged": ()}
    assert confirm_refusal(status="reading", **kw) == STILL_READING  # type: ignore[arg-type]
    assert confirm_refusal(status="ready", **kw) is None  # type: ignore[arg-type]
