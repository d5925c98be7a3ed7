"""Running the command line as integrators do, with its time and peak memory measured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TEST_KEY_HEX = "8f3a1c5e7b9d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c1e3a5c7e9b2d4f6a8c0e1d"


@dataclass(frozen=True)
class CliRun:
    returncode: int
    stdout: bytes
    stderr: str
    seconds: float
    peak_rss_mb: float
    """Peak resident memory of the command's own process (wait4), in MB."""

    def json(self) -> Any:
        # Strict UTF-8: standard output must be valid UTF-8 whatever the file names.
        return json.loads(self.stdout.decode("utf-8"))


def cli_env(**extra: str) -> dict[str, str]:
    """The current (test-isolated) environment, with a strict UTF-8 standard output as on a
    desktop whose locale is en_US.UTF-8 (Python then refuses to write invalid text)."""
    env = dict(os.environ)
    env.update({"PYTHONIOENCODING": "utf-8:strict", "PYTHONDONTWRITEBYTECODE": "1"})
    env.update(extra)
    return env


def run_cli(args: list[str | os.PathLike[str] | bytes], *, timeout: float = 120.0,
            env: dict[str, str] | None = None, stdin: bytes | None = None) -> CliRun:
    """``python -m desktop_app ARGS``; killed (and the test failed) past ``timeout``."""
    argv: list[str | bytes] = [sys.executable, "-m", "desktop_app"]
    argv += [a if isinstance(a, bytes) else os.fspath(a) for a in args]
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env or cli_env(), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out: dict[str, bytes] = {}

    def drain(name: str) -> None:
        stream = getattr(proc, name)
        out[name] = stream.read()
        stream.close()

    # Pipes are drained by threads and the pid is reaped here with wait4 (which gives the
    # child's own resource usage); Popen.communicate would race us for the exit status.
    readers = [threading.Thread(target=drain, args=(n,), daemon=True) for n in ("stdout", "stderr")]
    for r in readers:
        r.start()
    killer = threading.Timer(timeout, proc.kill)
    killer.start()
    try:
        assert proc.stdin is not None
        try:
            if stdin:
                proc.stdin.write(stdin)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        _pid, status, usage = os.wait4(proc.pid, 0)
    finally:
        killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    for r in readers:
        r.join(30)
    seconds = time.perf_counter() - t0
    assert seconds < timeout, f"the command was killed after {timeout} s: {args}"
    return CliRun(proc.returncode, out.get("stdout", b""), out.get("stderr", b"").decode("utf-8", "replace"),
                  seconds, usage.ru_maxrss / 1024.0)


def assert_no_traceback(run: CliRun) -> None:
    assert b"Traceback" not in run.stdout, "a traceback on standard output"
    assert "Traceback" not in run.stderr, f"a traceback on standard error:\n{run.stderr[-3000:]}"
