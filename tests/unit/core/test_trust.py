"""The document-level verdict (core.trust through DocumentResult): what the visual zone,
image quality, expectations and the operator do to ``verified`` and ``accepted``."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import replace

from desktop_app.core.mrz import MrzData, compose_mrz, read_mrz
from desktop_app.core.trust import DOUBT_FLAGS, POLICY_FLAGS, judge
from desktop_app.core.types import DocumentResult, Field, Flag

TODAY = datetime.date(2025, 6, 1)
LINES = compose_mrz(MrzData("TD3", "P", "D", "Mustermann", "Erika", "C19389564", "D", "800101", "F", "300101", ""))


def result(lines: tuple[str, ...] = LINES, *, plain: bool = False) -> DocumentResult:
    confs = None if plain else [[0.99] * len(x) for x in lines]
    reading = read_mrz(lines, confidences=confs, today=TODAY)
    return DocumentResult(
        status="ok", format=reading.format, document_code=reading.document_code, mrz=reading,
        fields=dict(reading.fields), flags=reading.flags,
    )  # fmt: skip


def test_a_clean_read_is_verified_and_accepted_and_says_so_in_the_json() -> None:
    r = result()
    assert r.verified and r.accepted
    obj = r.to_json()
    keys = list(obj)
    assert obj["verified"] is True and obj["accepted"] is True
    assert keys.index("verified") + 1 == keys.index("accepted")  # side by side in the contract


def test_image_quality_flags_alone_keep_it_verified_and_accepted() -> None:
    r = result()
    flags = (
        Flag("blurred", "The machine readable zone is blurred."),
        Flag("low_resolution", "The resolution is too low for a reliable reading."),
        Flag("glare", "Glare over the machine readable zone."),
    )
    q = replace(r, flags=(*r.flags, *flags))
    assert q.verified and q.accepted and q.to_json()["verified"] is True


def test_a_visual_zone_mismatch_or_doubt_is_not_verified() -> None:
    r = result()
    words = {"mismatch": "MRZ and visual zone disagree", "low_confidence": "low OCR confidence",
             "invalid": "invalid", "unverified": "not proven"}
    for status, said in words.items():
        fields = dict(r.fields)
        fields["surname"] = replace(fields["surname"], status=status, reason="the visual zone reads MUSTERMAN")
        d = replace(r, fields=fields)
        assert not d.verified and not d.accepted, status
        assert d.verdict.doubts == (f"{said}: surname",) and d.verdict.in_doubt == ("surname",), status
    fields = {**r.fields, "authority": Field("BERLIN", 0.4, "viz", "low_confidence", "read with low confidence")}
    assert not replace(r, fields=fields).verified  # field by field: a visual-zone field too


def test_the_visual_zone_never_turns_an_unproven_machine_read_into_a_verified_one() -> None:
    bad = (LINES[0], LINES[1].replace("C19389564", "CL9389564"))
    r = result(bad, plain=True)
    assert not r.mrz.verified  # type: ignore[union-attr]
    fields = dict(r.fields)
    fields["document_number"] = replace(
        fields["document_number"], status="ok", source="mrz+viz", reason="confirmed by the visual zone"
    )
    confirmed = replace(r, fields=fields, flags=tuple(f for f in r.flags if f.code != "repaired_unverified"))
    assert not confirmed.verified and not confirmed.accepted
    assert confirmed.verdict.doubts == ("not proven: document number",)  # the MRZ reading's doubt


def test_expectations_and_age_ask_for_a_person_but_the_read_is_verified() -> None:
    r = result()
    for flag in (Flag("unexpected_format", "A TD3 document was not expected here."),
                 Flag("unexpected_country", "Documents issued by D were not expected here.")):
        d = replace(r, flags=(*r.flags, flag))
        assert d.verified and not d.accepted and d.verdict.asks == (flag.message,)
    expired = result(compose_mrz(MrzData("TD3", "P", "D", "Muster", "Erika", "AB2345793", "D", "800101", "F", "200101", "")))
    assert expired.verified and not expired.accepted and expired.to_json()["verified"] is True


def test_operator_values_are_not_the_machine_read() -> None:
    r = result()
    fields = {**r.fields, "place_of_birth": Field("BERLIN", 1.0, "operator", "ok")}
    d = replace(r, fields=fields)
    assert not d.verified and not d.accepted
    assert d.verdict.doubts == ("edited by the operator: place of birth",)


def test_nothing_read_is_never_verified() -> None:
    for d in (DocumentResult(status="no_mrz"), DocumentResult(status="error", error="cannot decode")):
        assert not d.verified and not d.accepted and d.verdict.doubts
        assert d.to_json()["verified"] is False and d.to_json()["accepted"] is False
    assert DocumentResult(status="error", error="cannot decode").verdict.doubts == ("cannot decode",)


def test_accepted_implies_verified_whatever_the_flags() -> None:
    r = result()
    assert not DOUBT_FLAGS & POLICY_FLAGS
    codes = [*sorted(DOUBT_FLAGS | POLICY_FLAGS), "blurred", "needs_review", "expires_soon", "corrected"]
    for a, b in itertools.combinations(codes, 2):
        flags = (Flag(a, a), Flag(b, b))
        v = judge(checks_valid=True, fields=r.fields, flags=flags)
        assert v.accepted <= v.verified
        assert v.verified == (not ({a, b} & DOUBT_FLAGS)), (a, b)
        assert v.accepted == (not ({a, b} & (DOUBT_FLAGS | POLICY_FLAGS))), (a, b)
