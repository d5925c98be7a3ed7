"""pcscd with vsmartcard's vpcd driver, and the virtual passport served to it."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOCKET = Path("/run/pcscd/pcscd.comm")
VPCD_CONF = Path("/etc/reader.conf.d/vpcd")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _readers_listed() -> bool:
    from desktop_app.core.chip import pcsc
    from desktop_app.core.chip.errors import NoReader

    try:
        return any(n.startswith("Virtual PCD") for n in pcsc.list_readers(2.0))
    except NoReader:
        return False


@contextlib.contextmanager
def running_pcscd() -> Iterator[None]:
    """The system's pcscd when it runs with vpcd; else one started here and stopped after."""
    if shutil.which("pcscd") is None or not VPCD_CONF.exists():
        pytest.skip("pcscd and vsmartcard-vpcd are not installed (scripts/setup.sh installs them)")
    if _readers_listed():
        yield
        return
    proc = subprocess.Popen(["pcscd", "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while not _readers_listed():
            if proc.poll() is not None:
                pytest.skip(f"pcscd did not start: {proc.stderr.read().decode(errors='replace')[:300] if proc.stderr else ''}")
            if time.monotonic() > deadline:
                pytest.fail("pcscd started but lists no virtual reader within 10 s")
            time.sleep(0.1)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for_card(present: bool, timeout_s: float = 10.0) -> None:
    from desktop_app.core.chip import pcsc
    from desktop_app.core.chip.errors import NoCard

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            pcsc.connect("Virtual PCD 00 00", 2.0).close()
            found = True
        except NoCard:
            found = False
        if found == present:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"the virtual passport did not {'appear on' if present else 'leave'} the reader in {timeout_s} s")
        time.sleep(0.05)


@contextlib.contextmanager
def virtual_passport(tmp: Path, mrz: Sequence[str] | None = None, *args: str,
                     wait: bool = True) -> Iterator[subprocess.Popen[bytes]]:
    cmd = [sys.executable, str(ROOT / "scripts" / "virtual_passport.py"), "--pki", str(tmp / "pki"), *args]
    if mrz is not None:
        identity = tmp / "identity.json"
        identity.write_text(json.dumps({"mrz": list(mrz)}), encoding="utf-8")
        cmd += ["--identity", str(identity)]
    proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if wait:
            wait_for_card(True)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        wait_for_card(False)
