"""What the form shows: the rule that nothing unproven is ever shown as verified."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from conftest import MRZ_LINES

from desktop_app.core.mrz import read_mrz
from desktop_app.core.types import DocumentResult, Field
from desktop_app.ui.form_state import DocumentForm

TODAY = date(2026, 6, 1)


def specimen(lines: tuple[str, ...] = MRZ_LINES) -> DocumentResult:
    reading = read_mrz(list(lines), today=TODAY)
    return DocumentResult(
        status="ok",
        format=reading.format,
        document_code=reading.document_code,
        mrz=reading,
        fields=dict(reading.fields),
        flags=reading.flags,
    )


def test_only_checked_mrz_fields_are_verified() -> None:
    r = specimen()
    fields = dict(r.fields)
    fields["place_of_birth"] = Field("ZENITH", 0.99, "viz", "ok")  # "ok", but no check digit
    fields["surname"] = replace(fields["surname"], status="mismatch", reason="the visual zone reads ERIKSON")
    form = DocumentForm(replace(r, fields=fields), today=TODAY)
    assert form.checks_passed
    assert form.field("document_number").display == "verified"
    assert form.field("place_of_birth").display == "viz" and not form.field("place_of_birth").verified
    sur = form.field("surname")
    assert sur.display == "mismatch" and "ERIKSON" in sur.explanation()
    assert form.field("authority").display == "empty"


def test_fields_without_a_check_digit_are_never_verified() -> None:
    r = specimen()
    form = DocumentForm(r, today=TODAY)
    assert form.checks_passed
    for key in ("surname", "given_names", "sex", "nationality", "issuing_country", "document_code"):
        assert not form.field(key).verified, key
        assert form.field(key).display in ("read", "agreed", "unverified"), key
    for key in ("document_number", "birth_date", "expiry_date"):
        assert form.field(key).verified, key
    agreeing = dict(r.fields)
    agreeing["surname"] = replace(agreeing["surname"], source="mrz+viz")
    assert DocumentForm(replace(r, fields=agreeing), today=TODAY).field("surname").display == "agreed"


def test_nothing_is_verified_when_the_document_checks_fail() -> None:
    r = specimen()
    assert r.mrz is not None
    failed = replace(r, mrz=replace(r.mrz, valid=False))
    form = DocumentForm(failed, today=TODAY)
    assert not any(v.verified for v in form.fields())
    assert form.field("surname").display == "unconfirmed"
    nomrz = DocumentForm(DocumentResult(status="no_mrz"), today=TODAY)
    assert not any(v.verified for v in nomrz.fields())
    assert {v.key for v in nomrz.blocking()} >= {"surname", "document_number", "birth_date"}


def test_edits_revalidate_against_the_printed_check_digit() -> None:
    form = DocumentForm(specimen(), today=TODAY)
    v = form.set_value("document_number", "L898902C4")  # a typo: the printed digit refutes it
    assert v.display == "invalid" and v.source == "operator"
    assert not form.checks_passed
    assert form.field("birth_date").display == "unconfirmed"  # the document no longer checks out
    assert [b.key for b in form.blocking()] == ["document_number"]
    v = form.set_value("document_number", "L898902C3")  # back to what was read
    assert v.display == "verified" and not form.dirty
    v = form.set_value("given_names", "ANNA")
    assert v.display == "edited" and not v.verified and form.final_values()["given_names"] == "ANNA"


def test_summary_in_plain_words() -> None:
    form = DocumentForm(specimen(), today=TODAY, expiry_warning_days=90)
    s = form.summary()
    assert s.format_text == "Passport (TD3)"
    assert s.country_text.startswith("Utopia") and s.country_text.endswith("(UTO)")
    assert s.expiry_level == "ok" and "2034-04-15" in s.expiry_text
    assert s.age_text == "51 years"
    assert any("specimen" in f for f in s.flags)
    form.set_value("expiry_date", "2026-07-01")
    s = form.summary()
    assert s.expiry_level == "warning" and "30 days" in s.expiry_text
    form.set_value("expiry_date", "2020-01-01")
    assert form.summary().expiry_level == "expired"
