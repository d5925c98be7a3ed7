"""PACE-ECDH-GM against ICAO 9303 part 11's worked example (appendix G.1, known answers):
the reader's side runs the whole exchange against the example's chip answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.core.chip import MrzKey, ec, pace
from desktop_app.core.chip.errors import AccessDenied

EX = json.loads(Path(__file__).with_name("icao9303_pace_gm_worked_example.json").read_text())
KEY = MrzKey(EX["mrz"]["document_number"], EX["mrz"]["birth_date"], EX["mrz"]["expiry_date"])
INFO = pace.PaceInfo(pace.PACE_ECDH_GM + ".2", 2, 13)


def h(s: str) -> bytes:
    return bytes.fromhex(s)


def test_card_access_and_password_key() -> None:
    [info] = pace.parse_card_access(h(EX["card_access"]))
    assert info.parameter_id == 13 and info.version == 2 and info.supported
    assert KEY.information == EX["mrz_information"]
    assert pace.password_key(KEY, INFO) == h(EX["k_pi"])


def test_mapping_and_key_agreement_steps() -> None:
    curve = ec.BRAINPOOL_P256R1
    z = h(EX["encrypted_nonce_response"])[4:]
    assert pace.decrypt_nonce(h(EX["k_pi"]), z, INFO) == h(EX["nonce"])
    assert pace.encrypt_nonce(h(EX["k_pi"]), h(EX["nonce"]), INFO) == z
    t_map = int(EX["terminal_mapping_private_key"], 16)
    chip_map = curve.decode(h(EX["mapping_response"])[4:])
    shared = curve.multiply(t_map, chip_map)
    assert curve.encode(shared) == h(EX["shared_point_h"])
    g_mapped = pace.mapped_generator(curve, h(EX["nonce"]), shared)
    assert curve.encode(g_mapped) == h(EX["mapped_generator"])
    t_eph = int(EX["terminal_ephemeral_private_key"], 16)
    assert curve.encode(curve.multiply(t_eph, g_mapped)) == h(EX["key_agreement_command"])[4:]
    chip_eph = curve.decode(h(EX["key_agreement_response"])[4:])
    secret = curve.multiply(t_eph, chip_eph)[0].to_bytes(32, "big")
    assert secret == h(EX["shared_secret"])
    assert pace.session_key(secret, 1, INFO) == h(EX["ks_enc"])
    assert pace.session_key(secret, 2, INFO) == h(EX["ks_mac"])
    assert pace.token(h(EX["ks_mac"]), h(EX["key_agreement_response"])[4:], INFO) == h(EX["token_command"])[4:]


def _scripted_chip(token_response: str):  # type: ignore[no-untyped-def]
    """The example's chip answers, checking each command the reader sends."""
    script = [
        (b"", EX["encrypted_nonce_response"]),
        (h(EX["mapping_command"])[2:], EX["mapping_response"]),
        (h(EX["key_agreement_command"])[2:], EX["key_agreement_response"]),
        (h(EX["token_command"])[2:], token_response),
    ]
    sent: list[tuple[bytes, bool]] = []

    def step(data: bytes, last: bool) -> bytes:
        expected, answer = script[len(sent)]
        sent.append((data, last))
        assert data == expected
        return h(answer)[2:]

    return step, sent


def test_the_whole_exchange(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = iter([int(EX["terminal_mapping_private_key"], 16), int(EX["terminal_ephemeral_private_key"], 16)])
    monkeypatch.setattr(pace, "random_scalar", lambda curve, random: next(keys))
    step, sent = _scripted_chip(EX["token_response"])
    sm = pace.run(step, KEY, INFO, bytes)
    assert [last for _d, last in sent] == [False, False, False, True]
    assert (sm.ks_enc, sm.ks_mac, sm.ssc, sm.cipher) == (h(EX["ks_enc"]), h(EX["ks_mac"]), bytes(16), "aes")


def test_a_wrong_chip_token_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = iter([int(EX["terminal_mapping_private_key"], 16), int(EX["terminal_ephemeral_private_key"], 16)])
    monkeypatch.setattr(pace, "random_scalar", lambda curve, random: next(keys))
    step, _sent = _scripted_chip("7C0A86083ABB9674BCE93C09")
    with pytest.raises(AccessDenied):
        pace.run(step, KEY, INFO, bytes)
