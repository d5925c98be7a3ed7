"""PACE-ECDH-GM with the MRZ password, AES and 3DES, P-256 and brainpoolP256r1."""

from __future__ import annotations

import secrets

import pytest
from cryptography.hazmat.primitives.asymmetric import ec as cec

from desktop_app.core.chip import MrzKey, pace, read_chip
from desktop_app.core.chip import ec as curves
from desktop_app.core.chip.apdu import parse_command

from .conftest import MRZ, OTHER_MRZ

KEY = MrzKey.from_mrz_lines(MRZ)


@pytest.mark.parametrize(("curve", "reference"), [(curves.P256, cec.SECP256R1()),
                                                   (curves.BRAINPOOL_P256R1, cec.BrainpoolP256R1())])
def test_curve_arithmetic_agrees_with_cryptography(curve: curves.Curve, reference: cec.EllipticCurve) -> None:
    assert curve.contains(curve.g)
    for k in (1, 2, 3, curve.n - 1, secrets.randbelow(curve.n - 2) + 2):
        pub = cec.derive_private_key(k, reference).public_key().public_numbers()
        assert curve.multiply(k, curve.g) == (pub.x, pub.y)
    a, b = secrets.randbelow(curve.n), secrets.randbelow(curve.n)
    assert curve.add(curve.multiply(a, curve.g), curve.multiply(b, curve.g)) == curve.multiply(a + b, curve.g)
    assert curve.add(curve.g, curve.multiply(curve.n - 1, curve.g)) is None
    assert curve.decode(curve.encode(curve.g)) == curve.g
    with pytest.raises(ValueError):
        curve.decode(b"\x04" + bytes(2 * curve.size))


def test_card_access_round_trip() -> None:
    infos = [pace.PaceInfo(pace.PACE_ECDH_GM + ".2", 2, 12), pace.PaceInfo("0.4.0.127.0.7.2.2.4.1.2", 2, 0)]
    parsed = pace.parse_card_access(pace.card_access(infos))
    assert sorted(parsed, key=str) == sorted(infos, key=str)  # a SET OF comes back in DER order
    assert [i.supported for i in sorted(parsed, key=str)] == [False, True]  # DH-GM is not spoken here


@pytest.mark.parametrize("cipher", ["aes128", "aes192", "aes256", "3des"])
@pytest.mark.parametrize("parameters", [12, 13])
def test_pace_reads_and_passive_authentication_holds(make_card, trust, cipher, parameters) -> None:
    transport = make_card(pace=cipher, pace_parameters=parameters)
    result = read_chip(transport, KEY, trust)
    assert result.status == "ok", result.error
    assert result.access == "PACE"
    assert result.genuine
    commands = [parse_command(a) for a in transport.sent]
    assert not any(c.ins == 0x82 for c in commands)  # no BAC EXTERNAL AUTHENTICATE
    assert sum(c.ins == 0x86 for c in commands) == 4


def test_pace_wrong_key_is_access_denied(make_card, trust) -> None:
    result = read_chip(make_card(pace="aes128"), MrzKey.from_mrz_lines(OTHER_MRZ), trust)
    assert result.status == "access_denied"
    assert "does not match this document" in (result.error or "")


def test_bac_when_pace_is_switched_off(make_card, trust) -> None:
    result = read_chip(make_card(pace="aes128"), KEY, trust, use_pace=False)
    assert result.access == "BAC" and result.genuine


def test_pace_broken_off_falls_back_to_bac(make_card, trust) -> None:
    def refuse_mse(n: int, answer: bytes) -> bytes:
        return b"\x6a\x80" if n == 4 else answer  # 1-3 read EF.CardAccess, 4 is MSE:Set AT

    transport = make_card(pace="aes128", mangle=refuse_mse)
    result = read_chip(transport, KEY, trust)
    assert result.status == "ok", result.error
    assert result.access == "BAC"


# Answers 5-8 are the four GENERAL AUTHENTICATE steps, 9 the first under secure messaging.
@pytest.mark.parametrize(("at", "status", "access"), [
    (5, "access_denied", None),  # a changed nonce: the tokens cannot match
    (6, "ok", "BAC"),  # a mapping key off the curve: PACE breaks off, BAC reads the chip
    (7, "ok", "BAC"),  # an ephemeral key off the curve: the same
    (8, "access_denied", None),  # the chip's token does not check out
    (9, "ok", "BAC"),  # a bad MAC on the first protected answer
])
def test_nonsense_during_pace(make_card, trust, at, status, access) -> None:
    def flip(n: int, answer: bytes) -> bytes:
        if n != at:
            return answer
        return answer[:4] + bytes((answer[4] ^ 0x01,)) + answer[5:]

    result = read_chip(make_card(pace="aes128", mangle=flip), KEY, trust)
    assert result.status == status, result.error
    assert result.access == access
    if status != "ok":
        assert result.error
    else:
        assert result.genuine
