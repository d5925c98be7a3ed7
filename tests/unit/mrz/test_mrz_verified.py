"""``verified`` apart from ``accepted``: each clause of the rule, and the same-value
look-alikes no check digit can tell apart (``C19389564`` read ``CL9389564``)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from mrz_helpers import TODAY, cd, confident, flag_codes, read, values
from test_mrz_deviations import td3

from desktop_app.core.mrz import MrzData, compose_mrz
from desktop_app.core.mrz.align import align_line
from desktop_app.core.mrz.checksum import char_value
from desktop_app.core.mrz.layouts import TD3, kind_map
from desktop_app.core.mrz.lookalikes import SAME_VALUE
from desktop_app.core.mrz.normalize import normalize_line
from desktop_app.core.mrz.same_value import RATIO

ISSUE = td3(document_number="C19389564")
"""The issue's document: its number has a 1, an 8 and a 6, each with a same-value twin."""
MISREAD = (ISSUE[0], ISSUE[1].replace("C19389564", "CL9389564"))
L_AT = (1, 1)


def evidence(lines: tuple[str, ...], at: tuple[int, int], p: float, alts: dict[str, float]) -> dict[str, object]:
    """Confident everywhere (0.99, nothing else considered) except ``at``: ``p`` and ``alts``."""
    confs = confident(lines)
    alternatives: list[list[dict[str, float]]] = [[{} for _ in line] for line in lines]
    confs[at[0]][at[1]] = p
    alternatives[at[0]][at[1]] = alts
    return {"confidences": confs, "alternatives": alternatives}


def test_the_table_pairs_look_alikes_of_the_same_check_value() -> None:
    assert SAME_VALUE["1"] == {"L"} and SAME_VALUE["L"] == {"1"}
    assert SAME_VALUE["8"] == {"S"} and SAME_VALUE["6"] == {"G"}
    assert SAME_VALUE["0"] == {"<", "K", "U"} and SAME_VALUE["<"] == {"0", "K", "U"}
    for ch, twins in SAME_VALUE.items():
        assert all(char_value(t) % 10 == char_value(ch) % 10 for t in twins), ch
    assert "I" not in SAME_VALUE["1"]  # 1 and I look alike but weigh 1 and 18: a check digit sees it


def test_a_clean_confident_read_is_verified_and_accepted() -> None:
    r = read(ISSUE)
    assert r.valid and r.verified and r.accepted and r.verdict.doubts == () and r.verdict.asks == ()
    assert r.fields["document_number"].status == "ok"


def test_an_invalid_check_digit_is_not_verified() -> None:
    r = read(ISSUE)
    assert r.verified
    failed = replace(r, valid=False, checks={**r.checks, "document_number": "invalid"})
    assert not failed.verified and not failed.accepted
    assert failed.verdict.doubts == ("the check digits do not all hold",)
    # Through the engine: a wrong check digit is either refuted or repaired by a guess.
    l2 = ISSUE[1]
    wrong = str((int(l2[9]) + 1) % 10)
    r = read((ISSUE[0], l2[:9] + wrong + l2[10:]))
    assert not r.verified and not r.accepted
    assert r.checks["document_number"] == "invalid" or r.fields["document_number"].status == "unverified"


def test_a_repair_no_check_digit_proves_is_not_verified() -> None:
    l2 = ISSUE[1]
    r = read((ISSUE[0], l2[:4] + "O" + l2[5:]))  # a legal O for the 3: only a search fits it
    assert r.valid and r.fields["document_number"].status == "unverified"
    assert "a check digit failed; this is one guess" in (r.fields["document_number"].reason or "")
    assert not r.verified and not r.accepted


def test_a_repair_the_check_digit_proves_stays_verified() -> None:
    l2 = ISSUE[1]
    assert l2[14] == "0"
    r = read((ISSUE[0], l2[:14] + "O" + l2[15:]))  # a letter in a date: certain misread, confirmed
    assert r.fields["birth_date"].status == "corrected" and r.verified and r.accepted


def test_a_low_confidence_field_is_not_verified() -> None:
    confs = confident(ISSUE)
    confs[0][7] = 0.3  # a letter of the surname
    r = read(ISSUE, confidences=confs)
    assert r.fields["surname"].status == "low_confidence"
    assert not r.verified and not r.accepted


def test_an_invalid_field_is_not_verified() -> None:
    r = read(td3(issuing_country="ZZZ"))
    assert r.fields["issuing_country"].status == "invalid" and r.valid
    assert not r.verified and not r.accepted


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        (td3(expiry_date="120415"), "expired"),
        (td3(birth_date="100101"), "minor"),
        (td3(nationality="UTO"), "specimen"),
        (td3(birth_date="8001<<"), "partial_date"),
        (td3(surname="Wolfeschlegelsteinhausenbergerdorff", given_names="Hubert Blaine"), "name_truncated"),
    ],
)
def test_policy_asks_for_a_person_but_the_read_is_verified(lines: tuple[str, ...], code: str) -> None:
    r = read(lines)
    assert code in flag_codes(r)
    assert r.verified and not r.accepted
    assert r.verdict.doubts == () and r.verdict.asks


def test_the_issues_misread_without_evidence_is_not_verified() -> None:
    assert MISREAD[1][9] == cd("CL9389564") == cd("C19389564")  # no check digit can see it
    r = read(MISREAD, plain=True)
    assert r.valid
    f = r.fields["document_number"]
    assert f.value == "CL9389564" and f.status == "unverified" and f.confidence <= 0.5
    assert "'L' at line 2, column 2 could also be '1'" in (f.reason or "")
    assert "same check value, and the recogniser gave no evidence" in (f.reason or "")
    assert not r.verified and not r.accepted
    assert "needs a look: document number" in [fl.message for fl in r.flags]


def test_plain_text_of_the_true_number_is_not_verified_either() -> None:
    r = read(ISSUE, plain=True)
    reason = r.fields["document_number"].reason or ""
    for ch, twin in (("1", "'L'"), ("8", "'S'"), ("6", "'G'")):
        assert f"'{ch}' at line 2" in reason and twin in reason, ch
    assert not r.verified


def test_plain_text_is_verified_when_no_checked_character_has_a_twin() -> None:
    # No 0 1 6 8 K U L S G in the number, the number fills its field (no filler after it),
    # and the empty personal number's check digit is '<': a K there would fail it.
    lines = td3(document_number="AB2345793")
    assert lines[1][42] == "<"
    r = read(lines, plain=True)
    assert r.verified and r.accepted, r.verdict.doubts


def test_the_filler_after_a_short_number_could_be_k() -> None:
    lines = td3(document_number="AB23457")
    r = read(lines, plain=True)
    assert "'<' at line 2, column 8 could also be" in (r.fields["document_number"].reason or "")
    assert not r.verified
    assert read(lines).verified  # a confident read of the filler settles it


def test_an_empty_field_without_its_own_check_could_hide_a_k() -> None:
    lines = compose_mrz(MrzData("TD1", "I", "D", "Muster", "Erika", "AB2345793", "D", "800101", "F", "300101"))
    r = read(lines, plain=True)
    # Only the composite covers the optional data: one K there would pass it.
    assert r.fields["optional_data"].status == "unverified" and not r.verified
    assert r.fields["document_number"].status == "ok"
    assert read(lines).verified


def test_confidence_alone_bounds_the_look_alike() -> None:
    lo = RATIO / (RATIO + 1)
    for p, verified in ((0.99, True), (lo + 0.002, True), (lo - 0.002, False), (0.9, False)):
        confs = confident(MISREAD)
        confs[1][1] = p
        assert read(MISREAD, confidences=confs).verified is verified, p


def test_alternatives_that_clearly_prefer_the_character_verify_it() -> None:
    r = read(MISREAD, **evidence(MISREAD, L_AT, 0.96, {"1": 0.02, "I": 0.01}))
    assert r.verified and r.accepted and r.fields["document_number"].status == "ok"


def test_alternatives_that_are_close_leave_it_unverified() -> None:
    r = read(MISREAD, **evidence(MISREAD, L_AT, 0.70, {"1": 0.28}))
    f = r.fields["document_number"]
    assert f.status == "unverified" and not r.verified and not r.accepted
    assert "could also be '1'" in (f.reason or "") and "'L' 0.70, '1' 0.28" in (f.reason or "")


def test_a_same_value_alternative_outside_the_table_counts_too() -> None:
    # 'A' weighs like '0' (10), but the two do not look alike: the recogniser says it may be.
    lines = td3(document_number="AB23457A9")
    at = (1, 7)
    assert lines[1][at[1]] == "A"
    r = read(lines, **evidence(lines, at, 0.6, {"0": 0.35}))
    assert "could also be '0'" in (r.fields["document_number"].reason or "") and not r.verified
    assert read(lines, **evidence(lines, at, 0.6, {"4": 0.35})).fields["document_number"].status != "unverified"


def test_a_k_read_for_a_zero_in_a_long_number_is_not_verified() -> None:
    # Its twin '<' would change the long-number rule (visible), but '0' would not.
    lines = td3(document_number="VG40FC653GPMY")
    bad = (lines[0], lines[1][:3] + "K" + lines[1][4:])
    r = read(bad, plain=True)
    assert r.valid and values(r)["document_number"] == "VG4KFC653GPMY"
    assert "could also be '0'" in (r.fields["document_number"].reason or "") and not r.verified


def test_dates_and_check_digits_are_not_judged() -> None:
    # Digits only there: no two weigh the same, so a confident or plain read changes nothing.
    r = read(ISSUE, plain=True)
    for key in ("birth_date", "expiry_date"):
        assert r.fields[key].status == "ok", key


def test_evidence_follows_normalisation_and_alignment() -> None:
    raw = "c1«"  # lower case and a filler glyph are normalised, alternatives with them
    nl = normalize_line(raw, [0.9, 0.8, 0.7], [{"C": 0.5, "g": 0.05}, {"l": 0.1, "|": 0.2}, {"k": 0.03}])
    assert nl.text == "C1<"
    assert nl.alternatives == ({"G": 0.05}, {"L": 0.1}, {"K": 0.03})
    assert normalize_line(raw, None, [{}]).alternatives == ()  # wrong length: ignored
    line = ISSUE[1][:30] + ISSUE[1][31:]  # one filler dropped
    alts = tuple({"X": 0.01} for _ in line)
    kinds = kind_map(TD3)[1]
    [best, *_] = align_line(line, tuple(0.9 for _ in line), TD3, 1, kinds, alts)
    assert best.text == ISSUE[1]
    inserted = [i for i, a in enumerate(best.alternatives) if a is None]
    assert len(best.alternatives) == len(best.text) and len(inserted) == 1
    assert best.confidences[inserted[0]] is None  # an inserted character has no evidence at all


def test_operator_edits_are_the_operators() -> None:
    from desktop_app.core.mrz import revalidate

    r = read(MISREAD, plain=True)
    assert not r.verified
    r2 = revalidate(r, {"document_number": "C19389564"}, today=TODAY)
    assert r2.valid and r2.fields["document_number"].source == "operator"
    assert r2.fields["document_number"].status == "ok"
    assert r2.verdict.doubts == ("edited by the operator: document number",) and not r2.accepted
    # An untouched field keeps the reading's same-value doubt through an edit elsewhere.
    r3 = revalidate(r, {"sex": "F"}, today=TODAY)
    assert r3.fields["document_number"].status == "unverified"
    assert "could also be '1'" in (r3.fields["document_number"].reason or "")
    assert r3.verdict.doubts == ("not proven: document number", "edited by the operator: sex")
    assert r3.verdict.in_doubt == ("document_number",)


def test_same_value_doubts_never_change_which_reading_is_chosen() -> None:
    # The rule judges the reading chosen; it adds no penalty, so plain and confident text
    # give the same lines and values.
    for lines in (ISSUE, MISREAD, td3(document_number="AB23457")):
        assert read(lines, plain=True).lines == read(lines).lines
        assert values(read(lines, plain=True)) == values(read(lines))



def test_a_long_numbers_marker_read_as_zero_is_not_verified() -> None:
    # AB2345973 has check digit 0, so '<' (a long number follows) read as '0' (a short
    # number with its check digit) passes every check: '<' and '0' weigh the same.
    assert cd("AB2345973") == "0"
    lines = td3(document_number="AB234597323", optional_data="ZZ")
    assert lines[1][9] == "<"
    bad = (lines[0], lines[1][:9] + "0" + lines[1][10:])
    r = read(bad, plain=True)
    f = r.fields["document_number"]
    assert r.valid and f.value == "AB2345973" and f.status == "unverified"
    assert "'0' at line 2, column 10 could also be '<'" in (f.reason or "") and not r.verified
    assert read(lines).verified and values(read(lines))["document_number"] == "AB234597323"


def test_a_zero_check_digit_is_not_doubted_when_a_marker_would_fail() -> None:
    lines = td3(document_number="AB2345973")  # check digit 0; '<' there would fail the checks
    assert lines[1][9] == "0"
    r = read(lines, plain=True)
    assert r.verified and r.accepted, r.verdict.doubts


def test_a_french_cards_code_repair_is_never_proved_by_the_composite() -> None:
    # 'D' read '0' is repaired as 'O'; a filler of the given names read 'L' makes the
    # composite hold over the wrong 'IO'. The code has no check digit of its own.
    bad = ("I0FRALU<<<<<<<<<<<<<<<<<<<<<<<043784", "3701061818874NOL<KA<<<<<<<<6303312<3")
    r = read(bad)
    assert r.valid and values(r)["document_code"] == "IO"
    assert r.fields["document_code"].status == "unverified" and not r.verified and not r.accepted
