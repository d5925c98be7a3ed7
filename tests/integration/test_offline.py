"""Building the engine and reading a document opens no network connection."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Runs in a fresh interpreter so that nothing was imported (and nothing phoned home)
# before the guard was in place.
GUARD = r"""
import socket, sys, json
attempts = []
class NoNetwork(OSError):
    pass
def refuse(*a, **k):
    attempts.append(repr(a[:2]))
    raise NoNetwork("network disabled for this test")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
_orig_socket_init = socket.socket.__init__
created = []
def guarded_init(self, family=-1, *a, **k):
    # Creating an internet socket raises for the whole run, so nothing could connect
    # anywhere; urllib3 probes IPv6 support at import by creating (not connecting) one,
    # which is counted apart and must not break anything.
    if family in (socket.AF_INET, socket.AF_INET6):
        created.append(family)
        raise NoNetwork("network disabled for this test")
    _orig_socket_init(self, family, *a, **k)
socket.socket.__init__ = guarded_init

from desktop_app.core.pipeline import DocumentReader, ReaderSettings
reader = DocumentReader(ReaderSettings(read_visual_zone=True))
reader.warm_up()
[result] = reader.read(sys.argv[1])
print(json.dumps({"attempts": attempts, "created": len(created), "status": result.status,
                  "number": result.fields.get("document_number").value if result.fields.get("document_number") else None}))
"""


@pytest.mark.slow
@pytest.mark.ocr
def test_engine_build_and_read_open_no_socket() -> None:
    sample = ROOT / "resources" / "samples" / "sample_td3.jpg"
    truth = json.loads(sample.with_suffix(".json").read_text(encoding="utf-8"))
    proc = subprocess.run([sys.executable, "-c", GUARD, str(sample)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["attempts"] == []
    assert out["status"] == "ok"
    assert out["number"] == truth["document_number"]
