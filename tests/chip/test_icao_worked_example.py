"""BAC and secure messaging against ICAO 9303 part 11's worked example (known answers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.core.chip import bac, crypto
from desktop_app.core.chip.apdu import Command
from desktop_app.core.chip.sm import SecureMessaging

EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "chip" / "icao9303_bac_worked_example.json"
HERE_EXAMPLE = Path(__file__).with_name("icao9303_bac_worked_example.json")


@pytest.fixture(scope="module")
def ex() -> dict:
    path = HERE_EXAMPLE if HERE_EXAMPLE.exists() else EXAMPLE
    return json.loads(path.read_text())


def h(s: str) -> bytes:
    return bytes.fromhex(s)


def test_mrz_information_and_keys(ex: dict) -> None:
    key = bac.MrzKey("L898902C", "690806", "940623")
    assert key.information == ex["mrz_information"]
    k_enc, k_mac = bac.keys_from_mrz(key)
    assert k_enc == h(ex["k_enc"])
    assert k_mac == h(ex["k_mac"])


def test_key_from_td3_lines(ex: dict) -> None:
    lines = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
             "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
    key = bac.MrzKey.from_mrz_lines(lines)
    assert key == bac.MrzKey("L898902C3", "740812", "120415")


def test_mutual_authentication(ex: dict) -> None:
    ma = ex["mutual_authentication"]
    k_enc, k_mac = h(ex["k_enc"]), h(ex["k_mac"])
    cryptogram = bac.ifd_cryptogram(k_enc, k_mac, h(ma["rnd_ifd"]), h(ma["rnd_ic"]), h(ma["k_ifd"]))
    assert cryptogram == h(ma["e_ifd"] + ma["m_ifd"])
    keys = bac.session_from_chip(k_enc, k_mac, h(ma["e_ic"] + ma["m_ic"]), h(ma["rnd_ifd"]), h(ma["rnd_ic"]), h(ma["k_ifd"]))
    assert keys.ks_enc == h(ex["session"]["ks_enc"])
    assert keys.ks_mac == h(ex["session"]["ks_mac"])
    assert keys.ssc == h(ex["session"]["ssc"])


def test_secure_messaging_select_ef_com(ex: dict) -> None:
    s = ex["session"]
    sm = SecureMessaging(h(s["ks_enc"]), h(s["ks_mac"]), h(s["ssc"]))
    unprotected = h(ex["secure_messaging_select_ef_com"]["unprotected_apdu"])
    cmd = Command(*unprotected[:4], data=unprotected[5:])
    protected = sm.wrap(cmd)
    assert sm.ssc == h(ex["secure_messaging_select_ef_com"]["ssc_used"])
    assert protected.encode() == h(ex["secure_messaging_select_ef_com"]["protected_apdu"])


def test_retail_mac_changes_with_one_bit(ex: dict) -> None:
    k = h(ex["session"]["ks_mac"])
    assert crypto.retail_mac(k, b"\x00" * 8) != crypto.retail_mac(k, b"\x01" + b"\x00" * 7)
