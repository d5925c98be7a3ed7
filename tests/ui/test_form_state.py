"""What the form shows: the rule that nothing unproven is ever shown as verified."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from conftest import MRZ_LINES

from desktop_app.core.desk.form import DocumentForm
from desktop_app.core.mrz import MrzData, compose_mrz, read_mrz
from desktop_app.core.types import DocumentResult, Field, Flag

TODAY = date(2026, 6, 1)


def specimen(lines: tuple[str, ...] = MRZ_LINES, *, plain: bool = False) -> DocumentResult:
    """The lines as a confident recogniser reads them (0.99 a character), or as bare text."""
    confs = None if plain else [[0.99] * len(x) for x in lines]
    reading = read_mrz(list(lines), confidences=confs, today=TODAY)
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


CLEAN = compose_mrz(MrzData("TD3", "P", "D", "Mustermann", "Erika", "C19389564", "D", "800101", "F", "300101", ""))
MISREAD = (CLEAN[0], CLEAN[1].replace("C19389564", "CL9389564"))


def test_summary_says_verified_and_accepted_apart() -> None:
    s = DocumentForm(specimen(CLEAN), today=TODAY).summary()
    assert (s.verified, s.verified_text) == (True, "Verified")
    assert (s.accepted, s.decision_text) == (True, "Accepted: no look needed")
    s = DocumentForm(specimen(), today=TODAY).summary()  # the ICAO specimen: read right, policy asks
    assert s.verified and s.verified_text == "Verified"
    assert not s.accepted and s.decision_text.startswith("Needs review: ") and "specimen" in s.decision_text


def test_summary_names_the_look_alike_the_check_digits_cannot_see() -> None:
    form = DocumentForm(specimen(MISREAD, plain=True), today=TODAY)
    s = form.summary()
    assert not s.verified and not s.accepted
    assert s.verified_text.startswith("Not verified: not proven: document number ('L' at line 2, column 2 could")
    assert "could also be '1'" in s.verified_text and len(s.verified_text) < 200  # the field holds the rest
    assert s.decision_text == "Needs review: the read is not verified"
    assert form.field("document_number").display == "unverified"  # the field says so too


def test_operator_edits_make_the_form_the_operators() -> None:
    form = DocumentForm(specimen(MISREAD, plain=True), today=TODAY)
    form.set_value("document_number", "C19389564")
    assert form.checks_passed  # the printed check digit agrees with the typed number
    s = form.summary()
    assert not s.verified and s.verified_text == "Not verified: edited by the operator: document number"
    assert not s.accepted
    form.set_value("document_number", "CL9389564")  # back to the read: the machine's doubt is back
    assert "could also be '1'" in form.summary().verified_text
    clean = DocumentForm(specimen(CLEAN), today=TODAY)
    clean.set_value("place_of_birth", "BERLIN")  # a visual-zone field typed: the operator's too
    assert clean.summary().verified_text == "Not verified: edited by the operator: place of birth"


def test_summary_keeps_the_image_findings_out_of_verified() -> None:
    r = specimen(CLEAN)
    blurred = replace(r, flags=(*r.flags, Flag("blurred", "The machine readable zone is blurred.")))
    s = DocumentForm(blurred, today=TODAY).summary()
    assert s.verified and s.accepted and "The machine readable zone is blurred." in s.flags


def test_a_revalidation_failure_is_not_verified(monkeypatch: pytest.MonkeyPatch) -> None:
    import desktop_app.core.desk.form as fs

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(fs, "revalidate", broken)
    form = DocumentForm(specimen(CLEAN), today=TODAY)
    form.set_value("sex", "M")
    s = form.summary()
    assert not s.verified and "could not be re-checked" in s.verified_text
    assert not any(v.verified for v in form.fields())


def test_summary_groups_many_doubtful_fields_in_one_short_line() -> None:
    td1 = compose_mrz(MrzData("TD1", "I", "D", "Muster", "Erika", "L01X8S6G1", "D", "800101", "F", "300101", "K10SS", "0LU8"))
    s = DocumentForm(specimen(td1, plain=True), today=TODAY).summary()
    assert s.verified_text == "Not verified: not proven: document number, personal number, optional data"


def test_summary_panel_shows_verified_apart_from_accepted(qtbot: object) -> None:
    from desktop_app.ui.summary_panel import SummaryPanel

    panel = SummaryPanel()
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    panel.show_summary(DocumentForm(specimen(), today=TODAY).summary())  # the specimen: verified, policy asks
    assert panel.verified.text() == "Verified" and panel.verified.property("level") == "ok"
    assert panel.decision.text().startswith("Needs review: ") and panel.decision.property("level") == "warning"
    panel.show_summary(DocumentForm(specimen(MISREAD, plain=True), today=TODAY).summary())
    assert panel.verified.text().startswith("Not verified: ") and panel.verified.property("level") == "warning"
    panel.clear()
    assert panel.verified.text() == "-" and panel.decision.text() == "-"


def test_an_unedited_form_says_what_the_result_says() -> None:
    for r in (specimen(), specimen(CLEAN), specimen(MISREAD, plain=True), DocumentResult(status="no_mrz")):
        assert DocumentForm(r, today=TODAY).verdict() == r.verdict
