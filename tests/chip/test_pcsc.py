"""Through the real PC/SC stack: pcscd, the vpcd virtual reader, the virtual passport."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop_app.core.chip import MrzKey, load_trust_store, pcsc, read_chip
from desktop_app.core.chip.errors import NoCard, NoReader

from .conftest import MRZ, OTHER_MRZ
from .pcsc_fixtures import ROOT, _env, running_pcscd, virtual_passport


@pytest.fixture(scope="module")
def pcscd():  # type: ignore[no-untyped-def]
    with running_pcscd():
        yield


@pytest.fixture
def mrz_file(tmp_path: Path) -> Path:
    p = tmp_path / "mrz.txt"
    p.write_text("\n".join(MRZ) + "\n", encoding="utf-8")
    return p


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> tuple[int, dict]:
    proc = subprocess.run([sys.executable, "-m", "desktop_app", "chip", "--json", *args],
                          capture_output=True, env=env or _env(), cwd=ROOT, timeout=timeout)
    out = proc.stdout.decode()
    return proc.returncode, json.loads(out) if out.strip() else {}


def test_right_key_reads_dg1_dg2_valid(pcscd, tmp_path, mrz_file) -> None:
    with virtual_passport(tmp_path):
        rc, obj = cli("--mrz-file", str(mrz_file), "--trust", str(tmp_path / "pki" / "csca.pem"))
    assert rc == 0, obj
    assert obj["status"] == "ok" and obj["access"] == "BAC"
    assert obj["reader"].startswith("Virtual PCD")
    assert obj["data_groups"] == ["COM", "DG1", "DG2", "SOD"]
    assert obj["mrz"]["lines"] == list(MRZ)
    assert obj["passive_authentication"]["status"] == "valid"
    assert obj["passive_authentication"]["data_groups"] == {"DG1": "valid", "DG2": "valid"}
    assert obj["fields"]["surname"] == {**obj["fields"]["surname"], "value": "ERIKSSON", "source": "chip"}
    assert obj["portrait"]["format"] == "jpeg"


def test_full_read_of_dg1_and_20_kb_dg2_within_3_s(pcscd, tmp_path) -> None:
    with virtual_passport(tmp_path):
        trust = load_trust_store(tmp_path / "pki")
        t0 = time.perf_counter()
        transport = pcsc.connect("Virtual PCD 00 00")
        result = read_chip(transport, MrzKey.from_mrz_lines(MRZ), trust)
        transport.close()
        elapsed = time.perf_counter() - t0
    assert result.genuine, result.error
    assert result.portrait is not None and len(result.portrait.data) >= 20_000
    assert elapsed <= 3.0
    print(f"full read over vpcd: {elapsed * 1000:.0f} ms")


def test_short_length_only_card(pcscd, tmp_path) -> None:
    with virtual_passport(tmp_path, None, "--short-only"):
        transport = pcsc.connect()
        result = read_chip(transport, MrzKey.from_mrz_lines(MRZ), load_trust_store(tmp_path / "pki"))
        transport.close()
    assert result.genuine, result.error


def test_wrong_key_is_access_denied(pcscd, tmp_path, mrz_file) -> None:
    with virtual_passport(tmp_path, OTHER_MRZ):
        rc, obj = cli("--mrz-file", str(mrz_file))
    assert rc == 1
    assert obj["status"] == "access_denied"
    assert "refused the access key" in obj["error"]


@pytest.mark.parametrize("group", ["DG1", "DG2"])
def test_tampered_group_is_invalid(pcscd, tmp_path, mrz_file, group) -> None:
    with virtual_passport(tmp_path, None, "--tamper", group):
        rc, obj = cli("--mrz-file", str(mrz_file), "--trust", str(tmp_path / "pki"))
    assert rc == 0  # the chip was read; what it holds is not genuine
    pa = obj["passive_authentication"]
    assert pa["status"] == "invalid"
    assert pa["data_groups"][group] == "invalid"
    assert group in pa["reason"]


def test_tampered_sod_is_invalid(pcscd, tmp_path, mrz_file) -> None:
    with virtual_passport(tmp_path, None, "--tamper", "SOD"):
        _rc, obj = cli("--mrz-file", str(mrz_file), "--trust", str(tmp_path / "pki"))
    assert obj["passive_authentication"]["status"] == "invalid"


def test_unknown_csca_is_untrusted(pcscd, tmp_path, mrz_file) -> None:
    other = tmp_path / "other"
    other.mkdir()
    subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, 'scripts'); import virtual_passport as v; "
                    f"v.make_pki(__import__('pathlib').Path({str(other / 'pki')!r}))"], cwd=ROOT, env=_env(), check=True)
    with virtual_passport(tmp_path):
        rc, obj = cli("--mrz-file", str(mrz_file), "--trust", str(other / "pki" / "csca.pem"))
    assert rc == 0
    assert obj["passive_authentication"]["status"] == "untrusted"
    assert "not a trusted CSCA" in obj["passive_authentication"]["reason"]


def test_card_removed_mid_read_is_a_plain_error(pcscd, tmp_path, mrz_file) -> None:
    with virtual_passport(tmp_path, None, "--remove-after", "8"):
        t0 = time.monotonic()
        rc, obj = cli("--mrz-file", str(mrz_file), "--timeout", "3")
        assert time.monotonic() - t0 < 30
    assert rc == 1
    assert obj["status"] == "error"
    assert "taken off the reader" in obj["error"] or "did not answer" in obj["error"]


def test_no_card_on_the_reader(pcscd, mrz_file) -> None:
    with pytest.raises(NoCard, match="No document is on the reader"):
        pcsc.connect("Virtual PCD 00 00", 2.0)
    rc, obj = cli("--mrz-file", str(mrz_file), "--reader", "Virtual PCD 00 00")
    assert rc == 1 and obj["status"] == "no_card"


def test_unknown_reader_name_is_no_reader(pcscd, mrz_file) -> None:
    with pytest.raises(NoReader, match="not connected"):
        pcsc.connect("Acme 3000")
    rc, obj = cli("--mrz-file", str(mrz_file), "--reader", "Acme 3000")
    assert rc == 1 and obj["status"] == "no_reader"


def test_no_pcsc_service_is_no_reader(mrz_file, tmp_path) -> None:
    env = {**_env(), "PCSCLITE_CSOCK_NAME": str(tmp_path / "no-such-pcscd.comm")}
    rc, obj = cli("--mrz-file", str(mrz_file), env=env)
    assert rc == 1
    assert obj["status"] == "no_reader"
    assert obj["error"].startswith("No card reader")


def test_usage_errors_exit_2(tmp_path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("hello\n")
    assert cli("--mrz-file", str(bad))[0] == 2
    assert cli()[0] == 2


def test_unreadable_trust_store_is_a_plain_error(pcscd, mrz_file, tmp_path) -> None:
    rc, obj = cli("--mrz-file", str(mrz_file), "--trust", str(tmp_path / "missing"))
    assert rc == 1 and obj["status"] == "error" and "trust store" in obj["error"]


def test_environment_is_not_leaked(mrz_file) -> None:
    assert "PCSCLITE_CSOCK_NAME" not in os.environ


@pytest.mark.parametrize("cipher", ["aes128", "3des"])
def test_pace_through_pcsc(pcscd, tmp_path, mrz_file, cipher) -> None:
    with virtual_passport(tmp_path, None, "--pace", cipher, "--pace-parameters", "13"):
        rc, obj = cli("--mrz-file", str(mrz_file), "--trust", str(tmp_path / "pki" / "masterlist.ml"))
    assert rc == 0, obj
    assert obj["access"] == "PACE"
    assert obj["passive_authentication"]["status"] == "valid"


@pytest.mark.slow
@pytest.mark.ocr
def test_image_is_read_optically_then_compared_with_the_chip(pcscd, tmp_path) -> None:
    from desktop_app.core.resources import samples_dir

    sample = samples_dir() / "sample_td3.jpg"
    lines = json.loads(sample.with_suffix(".json").read_text(encoding="utf-8"))["mrz_lines"]
    with virtual_passport(tmp_path, lines):
        rc, obj = cli("--image", str(sample), "--trust", str(tmp_path / "pki"), timeout=240)
    assert rc == 0, obj
    assert obj["passive_authentication"]["status"] == "valid"
    assert obj["comparison"]["document_number"] == "same"
    assert obj["comparison"]["surname"] == "same"
    assert "optical" in obj["timings_ms"]
