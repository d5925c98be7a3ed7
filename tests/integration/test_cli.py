"""The command-line contract, through a real subprocess, as integrators call it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "samples" / "sample_td3.jpg"
ICAO_TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "desktop_app", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=600)


def test_version_and_usage_error() -> None:
    v = run("--version")
    assert v.returncode == 0 and v.stdout.startswith("passport-desk ")
    bad = run("scan")
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert run("no-such-command").returncode == 2


def test_mrz_json_icao_td3_specimen() -> None:
    proc = run("mrz", "--json", stdin="\n  " + ICAO_TD3.replace("\n", "  \n\n"))
    assert proc.returncode == 0, proc.stderr
    obj: dict[str, Any] = json.loads(proc.stdout)
    assert "file" not in obj
    assert obj["status"] == "ok"
    assert obj["document"] == {"format": "TD3", "code": "P"}
    f = {k: v["value"] for k, v in obj["fields"].items()}
    assert f["surname"] == "ERIKSSON"
    assert f["given_names"] == "ANNA MARIA"
    assert f["document_number"] == "L898902C3"
    assert f["birth_date"] == "1974-08-12"
    assert f["expiry_date"] == "2012-04-15"
    assert f["sex"] == "F"
    assert f["issuing_country"] == "UTO" and f["nationality"] == "UTO"
    assert obj["mrz"]["valid"] is True
    assert set(obj["mrz"]["checks"].values()) == {"valid"}
    assert obj["mrz"]["lines"] == ICAO_TD3.split()
    for fld in obj["fields"].values():
        assert set(fld) == {"value", "confidence", "source", "status", "reason", "box"}
        assert fld["source"] == "mrz"
    # Plain text carries no recogniser evidence: the 8s and the 0 of L898902C3 could be S, U ...
    assert obj["verified"] is False and obj["accepted"] is False
    assert "could also be 'S'" in obj["fields"]["document_number"]["reason"]


def test_mrz_json_garbage_is_no_mrz_not_a_crash() -> None:
    proc = run("mrz", "--json", stdin="hello world\n")
    assert proc.returncode == 0
    obj = json.loads(proc.stdout)
    assert obj["status"] == "no_mrz"
    assert obj["accepted"] is False


@pytest.mark.slow
@pytest.mark.ocr
def test_scan_sample_and_bad_files_in_one_run(tmp_path: Path) -> None:
    truth = json.loads(SAMPLE.with_suffix(".json").read_text(encoding="utf-8"))
    text_as_jpg = tmp_path / "not an image.jpg"
    text_as_jpg.write_text("this is text")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.jpg"
    proc = run("scan", str(text_as_jpg), str(SAMPLE), str(empty), str(missing), str(tmp_path), "--json")
    assert proc.returncode == 1  # some inputs failed
    assert "Traceback" not in proc.stdout
    arr = json.loads(proc.stdout)
    assert [o["file"] for o in arr] == [str(text_as_jpg), str(SAMPLE), str(empty), str(missing), str(tmp_path)]
    assert [o["status"] for o in arr] == ["error", "ok", "error", "error", "error"]
    for o in arr:
        if o["status"] == "error":
            assert o["error"] and o["fields"] == {} and o["accepted"] is False
    ok = arr[1]
    assert ok["mrz"]["lines"] == truth["mrz_lines"]
    assert ok["document"]["format"] == truth["format"]
    names = truth["meta"]["mrz_names"]
    for key in ("surname", "given_names", "document_number", "birth_date", "expiry_date", "sex", "nationality"):
        assert ok["fields"][key]["value"] == names.get(key, truth[key]), key
        box = ok["fields"][key]["box"]
        assert box is not None and box[0] < box[2] and box[1] < box[3]
    assert ok["timings_ms"]["total"] > 0


@pytest.mark.slow
@pytest.mark.ocr
def test_self_test_passes() -> None:
    proc = run("self-test")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "passed" in proc.stdout


DOUBT_STATUSES = {"unverified", "mismatch", "low_confidence", "invalid"}
DOUBT_FLAGS = {"no_mrz", "engine_error", "check_failed", "repaired_unverified", "low_confidence", "invalid_field",
               "invalid_date", "unknown_country", "date_inconsistent", "format_mismatch"}
POLICY_FLAGS = {"expired", "minor", "specimen", "partial_date", "name_truncated", "unexpected_format",
                "unexpected_country"}


def _td3(number: str, expiry: str = "300101", nationality: str = "D") -> str:
    from desktop_app.core.mrz import MrzData, compose_mrz

    return "\n".join(compose_mrz(MrzData("TD3", "P", "D", "Mustermann", "Erika", number, nationality, "800101",
                                         "F", expiry, ""))) + "\n"


def _bad_check(text: str) -> str:
    """The document number's check digit (line 2, column 10) one off."""
    l1, l2 = text.split()
    return f"{l1}\n{l2[:9]}{(int(l2[9]) + 1) % 10}{l2[10:]}\n"


@pytest.mark.parametrize(
    ("name", "text", "verified", "accepted"),
    [
        # No character of the number has a same-value look-alike, nothing to prove: trusted.
        ("clean", _td3("AB2345793"), True, True),
        ("expired", _td3("AB2345793", expiry="200101"), True, False),
        ("specimen state", _td3("AB2345793", nationality="UTO"), True, False),
        # The case: 1 read as L; every check digit still holds.
        ("same-value misread", _td3("C19389564").replace("C19389564", "CL9389564"), False, False),
        ("a failing check digit", _bad_check(_td3("AB2345793")), False, False),
        ("a guessed repair", _td3("AB2345793").replace("AB2345793", "AB23457O3"), False, False),
    ],
)
def test_mrz_json_verified_follows_the_rule(name: str, text: str, verified: bool, accepted: bool) -> None:
    proc = run("mrz", "--json", "--today", "2025-06-01", stdin=text)
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    keys = list(obj)
    assert keys.index("verified") + 1 == keys.index("accepted"), keys
    assert (obj["verified"], obj["accepted"]) == (verified, accepted), (name, obj["flags"])
    # The rule, recomputed from the contract's own fields: every check digit valid, no field
    # in doubt, no finding that doubts the read; accepted = verified and no policy finding.
    codes = {f["code"] for f in obj["flags"]}
    trusted = (
        obj["mrz"]["valid"]
        and not any(f["status"] in DOUBT_STATUSES for f in obj["fields"].values())
        and not codes & DOUBT_FLAGS
    )
    assert obj["verified"] is trusted, name
    assert obj["accepted"] is (trusted and not codes & POLICY_FLAGS), name
    if name == "same-value misread":
        number = obj["fields"]["document_number"]
        assert number["value"] == "CL9389564" and number["status"] == "unverified" and obj["mrz"]["valid"]
        assert "'L' at line 2, column 2 could also be '1'" in number["reason"]
