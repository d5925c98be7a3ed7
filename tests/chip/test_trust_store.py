"""Trust stores the bank installs: a CSCA folder (PEM or DER), one certificate, a master list."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from desktop_app.core.chip import MrzKey, TrustStoreError, load_trust_store, read_chip

from .conftest import MRZ


def test_master_list_gives_its_cscas(vp, tmp_path: Path, make_card) -> None:
    pki = vp.make_pki(tmp_path / "pki")
    store = load_trust_store(tmp_path / "pki" / "masterlist.ml")
    assert [c.subject for c in store.certificates] == [pki.csca.subject]
    assert store.certificates[0].fingerprint(pki.csca.signature_hash_algorithm) == pki.csca.fingerprint(
        pki.csca.signature_hash_algorithm)


def test_pki_is_reused_when_it_exists(vp, tmp_path: Path) -> None:
    first = vp.make_pki(tmp_path / "pki")
    again = vp.make_pki(tmp_path / "pki")
    assert first.csca == again.csca and first.ds == again.ds


def test_folder_with_der_pem_and_master_list(vp, pki, tmp_path: Path, make_card) -> None:
    folder = tmp_path / "cscas"
    folder.mkdir()
    other = vp.make_pki(csca_name="Other CSCA")
    (folder / "other.der").write_bytes(other.csca.public_bytes(serialization.Encoding.DER))
    (folder / "ours.pem").write_bytes(pki.csca.public_bytes(serialization.Encoding.PEM))
    (folder / "readme.txt").write_text("not a certificate")
    (folder / "broken.pem").write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    store = load_trust_store(folder)
    assert len(store.certificates) == 2
    result = read_chip(make_card(), MrzKey.from_mrz_lines(MRZ), store)
    assert result.passive.status == "valid"


def test_missing_or_broken_file_is_a_plain_error(tmp_path: Path) -> None:
    with pytest.raises(TrustStoreError, match="does not exist"):
        load_trust_store(tmp_path / "nope")
    bad = tmp_path / "bad.ml"
    bad.write_bytes(b"\x30\x03\x02\x01\x00")
    with pytest.raises(TrustStoreError):
        load_trust_store(bad)
