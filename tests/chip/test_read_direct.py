"""The whole read over the direct transport: right key, wrong key, tampering, trust, faults."""

from __future__ import annotations

import pytest

from desktop_app.core.chip import MrzKey, TrustStore, read_chip
from desktop_app.core.chip.result import compare

from .conftest import MRZ, OTHER_MRZ

KEY = MrzKey.from_mrz_lines(MRZ)


def test_right_key_reads_dg1_dg2_and_passive_authentication_is_valid(make_card, trust, portrait_jpeg) -> None:
    result = read_chip(make_card(), KEY, trust)
    assert result.status == "ok", result.error
    assert result.access == "BAC"
    assert result.data_groups == ("COM", "DG1", "DG2", "SOD")
    assert result.mrz_lines == MRZ
    assert result.fields["surname"].value == "ERIKSSON"
    assert result.fields["document_number"].source == "chip"
    assert result.portrait is not None and result.portrait.data == portrait_jpeg
    assert (result.portrait.width, result.portrait.height) == (330, 440)
    assert result.passive.status == "valid"
    assert dict(result.passive.data_groups) == {"DG1": "valid", "DG2": "valid"}
    assert result.passive.csca == "CN=Utopia Test CSCA,C=UT"
    assert result.genuine


def test_short_reads_without_extended_length(make_card, trust) -> None:
    transport = make_card(extended=False)
    result = read_chip(transport, KEY, trust)
    assert result.genuine
    assert all(len(a) < 262 for a in transport.sent)  # no extended APDU went out


def test_extended_length_reads_are_fewer(make_card, trust) -> None:
    short, ext = make_card(extended=False), make_card()
    read_chip(short, KEY, trust)
    read_chip(ext, KEY, trust)
    assert len(ext.sent) * 3 < len(short.sent)


def test_dg2_is_about_20_kb(make_card) -> None:
    card = make_card().card
    assert len(card.files[0x0102]) >= 20_000


def test_wrong_key_is_access_denied_with_a_plain_message(make_card, trust) -> None:
    result = read_chip(make_card(), MrzKey.from_mrz_lines(OTHER_MRZ), trust)
    assert result.status == "access_denied"
    assert "refused the access key" in (result.error or "")
    assert result.passive.status == "not_checked"
    assert result.fields == {}


@pytest.mark.parametrize("group", ["DG1", "DG2"])
def test_tampered_group_is_invalid_and_read_not_genuine(make_card, trust, group) -> None:
    result = read_chip(make_card(group), KEY, trust)
    assert result.status == "ok"
    assert result.passive.status == "invalid"
    assert result.passive.data_groups[group] == "invalid"
    other = "DG2" if group == "DG1" else "DG1"
    assert result.passive.data_groups[other] == "valid"
    assert group in (result.passive.reason or "")
    assert not result.genuine


def test_tampered_sod_signature_is_invalid(make_card, trust) -> None:
    result = read_chip(make_card("SOD"), KEY, trust)
    assert result.passive.status == "invalid"
    assert "signature" in (result.passive.reason or "")
    assert not result.genuine


def test_unknown_csca_is_untrusted(make_card, vp) -> None:
    stranger = vp.make_pki(csca_name="Utopia Test CSCA")  # same name, other key
    result = read_chip(make_card(), KEY, TrustStore((stranger.csca,), "other"))
    assert result.passive.status == "untrusted"
    assert result.passive.csca is None
    assert not result.genuine


def test_no_trust_store_is_untrusted_and_says_so(make_card) -> None:
    result = read_chip(make_card(), KEY, None)
    assert result.passive.status == "untrusted"
    assert "trust store" in (result.passive.reason or "")
    assert dict(result.passive.data_groups) == {"DG1": "valid", "DG2": "valid"}


@pytest.mark.parametrize("after", [1, 3, 5, 8, 12])
def test_card_removed_mid_read_is_a_plain_error(make_card, trust, after) -> None:
    result = read_chip(make_card(remove_after=after), KEY, trust)
    assert result.status == "error"
    assert "taken off the reader" in (result.error or "")


@pytest.mark.parametrize("at", [3, 5, 7, 10])
def test_flipped_byte_in_an_answer_is_a_plain_error(make_card, trust, at) -> None:
    def flip(n: int, answer: bytes) -> bytes:
        if n != at or len(answer) < 3:
            return answer
        return bytes((answer[0] ^ 0x01,)) + answer[1:]

    result = read_chip(make_card(mangle=flip), KEY, trust)
    assert result.status in ("error", "access_denied")
    assert result.error and "chip" in result.error.lower()


@pytest.mark.parametrize("answer", [b"", b"\x90", b"\x00" * 300 + b"\x90\x00", b"\x6f\x00", b"\xff" * 12])
def test_nonsense_answers_are_plain_errors(make_card, trust, answer) -> None:
    result = read_chip(make_card(mangle=lambda n, a: answer if n >= 3 else a), KEY, trust)
    assert result.status in ("error", "access_denied")
    assert result.error


def test_nonsense_from_the_first_answer(make_card, trust) -> None:
    result = read_chip(make_card(mangle=lambda n, a: b"\x6a\x82"), KEY, trust)
    assert result.status == "error"
    assert "ICAO" in (result.error or "")


def test_compare_marks_a_difference(make_card, trust) -> None:
    from dataclasses import replace

    chip = read_chip(make_card(), KEY, trust)
    printed = dict(chip.fields)
    printed["surname"] = replace(printed["surname"], value="ERIKSON", source="mrz")
    result = compare(chip.fields, printed)
    assert result["surname"] == "differs"
    assert result["document_number"] == "same"


def test_json_contract(make_card, trust) -> None:
    obj = read_chip(make_card(), KEY, trust).to_json({"surname": "same"})
    assert set(obj) >= {"status", "error", "reader", "access", "data_groups", "mrz", "fields", "portrait",
                        "passive_authentication", "comparison", "timings_ms"}
    assert obj["portrait"]["format"] == "jpeg" and len(obj["portrait"]["sha256"]) == 64
    assert obj["passive_authentication"]["data_groups"] == {"DG1": "valid", "DG2": "valid"}
    assert obj["fields"]["surname"]["source"] == "chip"
