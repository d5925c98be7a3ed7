"""Checks the frozen Passport desk the way an operator's machine would run it.

    .venv/bin/python installer/check_bundle.py (--archive X.tar.gz | --folder DIR) [--out DIR]

Every run of the frozen program happens
- with networking disabled: in a new network namespace (``unshare -n``: only a loopback
  interface, down), checked by listing the namespace's interfaces;
- with no Python environment: PATH without the virtual environment, PYTHONPATH and
  PYTHONHOME unset (a fresh environment), a temporary working directory and HOME, and,
  in a private mount namespace, the virtual environment, the system's Python libraries
  and every ``python3*`` program hidden, so not even a hard-coded path could reach them;
- from a copy unpacked from the archive when one is given, i.e. from a folder other than
  the one it was built in.

The checks: ``self-test`` (prints "engine ready in X s"), ``scan --json`` on a document
generated beforehand with ``python -m tests.synth`` (from the venv, outside), and the
window under Xvfb (the engine child process must report ready, the record store must be
created, and a screenshot is saved). A JSON summary is printed and written to
``OUT/summary.json``; the screenshot is ``OUT/window.png``. Exit status 0 when all pass.

Root uses ``unshare -n -m``; anyone else ``unshare -r -n -m`` (a user namespace).
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import re
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROGRAM = "passport-desk"
MRZ_KEYS = ("document_code", "issuing_country", "surname", "given_names", "document_number",
            "nationality", "birth_date", "sex", "expiry_date")
CLEAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class CheckFailed(AssertionError):
    pass


# -- the isolated environment -------------------------------------------------------------
def _python_paths() -> tuple[list[str], list[str]]:
    """(folders, files) to hide: the venv, the system's Python libraries, python programs."""
    folders: set[str] = set()
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
        if prefix and prefix not in ("/", "/usr", "/usr/local"):
            folders.add(os.path.realpath(prefix))  # a venv or a separate Python install
    for pattern in ("/usr/lib/python3*", "/usr/local/lib/python3*", "/usr/lib64/python3*"):
        folders.update(p for p in glob.glob(pattern) if os.path.isdir(p))
    files: set[str] = set()
    for d in CLEAN_PATH.split(":"):
        for p in glob.glob(os.path.join(d, "python*")):
            if os.path.isfile(p):
                files.add(os.path.realpath(p))
    return sorted(folders), sorted(files)


@dataclass
class Sandbox:
    """A temporary HOME/cwd and the command prefix that isolates the frozen program."""

    base: Path
    program: Path
    home: Path = field(init=False)
    cwd: Path = field(init=False)

    def __post_init__(self) -> None:
        self.home = self.base / "home"
        self.cwd = self.base / "cwd"
        for d in (self.home, self.cwd, self.base / "tmp"):
            d.mkdir(parents=True, exist_ok=True)

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            "HOME": str(self.home),
            "PATH": CLEAN_PATH,
            "LANG": "C.UTF-8",
            "TMPDIR": str(self.base / "tmp"),
            "USER": os.environ.get("USER", "operator"),
            # No keyring service in a bare session: the key file is used (as on a kiosk).
            "PASSPORT_DESK_NO_KEYRING": "1",
        }
        env.update(extra)
        return env

    def wrap(self, command: list[str]) -> list[str]:
        """``command`` run in new network and mount namespaces with Python hidden."""
        folders, files = _python_paths()
        mounts = [f"mount -t tmpfs -o size=64k,mode=0755 none {shlex.quote(d)}" for d in folders]
        mounts += [f"mount --bind /dev/null {shlex.quote(f)}" for f in files]
        script = " && ".join([*mounts, 'exec "$@"']) if mounts else 'exec "$@"'
        unshare = ["unshare", "-n", "-m"] if os.geteuid() == 0 else ["unshare", "-r", "-n", "-m"]
        return [*unshare, "/bin/sh", "-c", script, "sandbox", *command]

    def run(self, args: list[str], *, timeout: float, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.wrap([str(self.program), *args]), cwd=self.cwd, env=self.env(**extra_env),
                              capture_output=True, text=True, timeout=timeout)


def check_isolation(sb: Sandbox) -> dict[str, object]:
    """The namespace has no network interface but a loopback, and no usable Python."""
    # /proc/net/dev is the reader's own namespace (sysfs would still show the host's).
    probe = ("tail -n +3 /proc/net/dev | cut -d: -f1; echo ---; "
             "for p in python3 python; do command -v $p >/dev/null && $p -c 'print(1)' 2>/dev/null && echo PYTHON-RUNS; done; "
             "echo PATH=$PATH; env | grep -c '^PYTHON' || true")
    proc = subprocess.run(sb.wrap(["/bin/sh", "-c", probe]), cwd=sb.cwd, env=sb.env(), capture_output=True,
                          text=True, timeout=60)
    if proc.returncode != 0:
        raise CheckFailed(f"could not create the isolated namespace (unshare): {proc.stderr.strip()}")
    nets, _, rest = proc.stdout.partition("---")
    interfaces = nets.split()
    if interfaces != ["lo"]:
        raise CheckFailed(f"network namespace has interfaces {interfaces}, expected only lo")
    if "PYTHON-RUNS" in rest:
        raise CheckFailed("a Python interpreter still runs inside the sandbox")
    if ".venv" in rest:
        raise CheckFailed("the venv is on PATH inside the sandbox")
    return {"interfaces": interfaces, "python_hidden": True, "path": CLEAN_PATH}


# -- check 1: self-test -------------------------------------------------------------------
def check_self_test(sb: Sandbox) -> dict[str, object]:
    t0 = time.perf_counter()
    proc = sb.run(["self-test"], timeout=300)
    wall = time.perf_counter() - t0
    out = proc.stdout + proc.stderr
    m = re.search(r"self-test: passed: engine ready in ([0-9.]+) s, sample read in ([0-9.]+) s", proc.stdout)
    if proc.returncode != 0 or not m:
        raise CheckFailed(f"self-test failed (exit {proc.returncode}):\n{out[-4000:]}")
    return {"engine_ready_s": float(m.group(1)), "sample_read_s": float(m.group(2)),
            "wall_s": round(wall, 2), "line": m.group(0)}


# -- check 2: scan --json on a generated document -----------------------------------------
def generate_document(folder: Path, python: str | None = None) -> tuple[Path, dict[str, object]]:
    """The project's synthetic document, made with the venv's Python (outside the sandbox)."""
    python = python or sys.executable
    folder.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([python, "-m", "tests.synth", str(folder), "--n", "1", "--condition", "scanner",
                           "--seed", "3"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    images = sorted(folder.glob("*.jpg"))
    if proc.returncode != 0 or len(images) != 1:
        raise CheckFailed(f"tests.synth failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
    truth = json.loads(images[0].with_suffix(".json").read_text(encoding="utf-8"))
    return images[0], truth


def check_scan(sb: Sandbox, image: Path, truth: dict[str, object]) -> dict[str, object]:
    local = sb.cwd / image.name
    shutil.copyfile(image, local)
    t0 = time.perf_counter()
    proc = sb.run(["scan", "--json", image.name], timeout=300)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise CheckFailed(f"scan exited {proc.returncode}:\n{(proc.stdout + proc.stderr)[-4000:]}")
    try:
        results = json.loads(proc.stdout)
    except ValueError as exc:
        raise CheckFailed(f"scan --json printed no JSON ({exc}):\n{proc.stdout[:2000]}") from exc
    if not isinstance(results, list) or len(results) != 1:
        raise CheckFailed(f"expected one result, got {results!r:.500}")
    r = results[0]
    problems = []
    if r.get("status") != "ok":
        problems.append(f"status {r.get('status')}: {r.get('error')}")
    mrz = r.get("mrz") or {}
    if mrz.get("lines") != truth.get("mrz_lines"):
        problems.append(f"MRZ lines {mrz.get('lines')} != {truth.get('mrz_lines')}")
    if not mrz.get("valid"):
        problems.append("MRZ check digits not all valid")
    fields = r.get("fields") or {}
    for key in MRZ_KEYS:
        got = (fields.get(key) or {}).get("value")
        if got != truth.get(key):
            problems.append(f"{key}: expected {truth.get(key)!r}, got {got!r}")
    if problems:
        raise CheckFailed("scan --json read the generated document wrongly:\n  " + "\n  ".join(problems))
    return {"file": image.name, "status": r["status"], "accepted": r.get("accepted"),
            "document_number": fields["document_number"]["value"], "wall_s": round(wall, 2),
            "timings_ms": {k: round(v) for k, v in (r.get("timings_ms") or {}).items()}}


# -- check 3: the window under Xvfb -------------------------------------------------------
def read_xwd(path: Path):  # type: ignore[no-untyped-def]
    """An RGB numpy array from an XWD file (Xvfb -fbdir writes the screen as one)."""
    import numpy as np

    data = path.read_bytes()
    h = struct.unpack(">25I", data[:100])
    header_size, width, height = h[0], h[4], h[5]
    byte_order, bpp, bytes_per_line, ncolors = h[7], h[11], h[12], h[19]
    masks = h[14:17]
    if bpp != 32:
        raise CheckFailed(f"unexpected framebuffer format ({bpp} bits per pixel)")
    offset = header_size + 12 * ncolors
    rows = np.frombuffer(data, dtype="<u4" if byte_order == 0 else ">u4", count=height * bytes_per_line // 4,
                         offset=offset).reshape(height, bytes_per_line // 4)[:, :width]
    channels = []
    for mask in masks:
        shift = (mask & -mask).bit_length() - 1
        channels.append(((rows & mask) >> shift).astype(np.uint8))
    return np.dstack(channels)


def _free_display() -> int:
    for n in range(91, 200):
        if not os.path.exists(f"/tmp/.X{n}-lock") and not os.path.exists(f"/tmp/.X11-unix/X{n}"):
            return n
    raise CheckFailed("no free X display number")


def check_window(sb: Sandbox, image: Path, out_png: Path, *, timeout: float = 180) -> dict[str, object]:
    import numpy as np
    from PIL import Image

    if not shutil.which("Xvfb"):
        raise CheckFailed("Xvfb is not installed (apt-get install xvfb)")
    shutil.copyfile(image, sb.cwd / image.name)
    fbdir = sb.base / "fb"
    fbdir.mkdir(exist_ok=True)
    display = _free_display()
    log_file = sb.home / ".local" / "share" / "passport-desk" / "logs" / "passport-desk.log"
    database = log_file.parents[1] / "passport-desk.sqlite3"
    # Xvfb and the program in one namespace; the shell waits for the X socket first.
    script = (
        f"Xvfb :{display} -screen 0 1920x1080x24 -nolisten tcp -fbdir {shlex.quote(str(fbdir))} "
        f">{shlex.quote(str(sb.base / 'xvfb.log'))} 2>&1 & "
        f"i=0; while [ ! -S /tmp/.X11-unix/X{display} ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; "
        f'exec "$@"'
    )
    cmd = sb.wrap(["/bin/sh", "-c", script, "gui-check", str(sb.program), "gui", image.name])
    stdout = open(sb.base / "gui.out", "w")  # noqa: SIM115
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=sb.cwd, env=sb.env(DISPLAY=f":{display}", QT_QPA_PLATFORM="xcb"),
                            stdout=stdout, stderr=subprocess.STDOUT, start_new_session=True)
    shown_ms = ready_ms = None
    ready_at = None
    last = None
    stable_since = None
    frame = None
    try:
        while True:
            elapsed = time.perf_counter() - t0
            if proc.poll() is not None:
                raise CheckFailed(f"the GUI exited with {proc.returncode}:\n{_tail(sb.base / 'gui.out')}\n"
                                  f"log:\n{_tail(log_file)}")
            if elapsed > timeout:
                raise CheckFailed(f"the window and engine were not ready after {timeout:.0f} s:\n"
                                  f"{_tail(sb.base / 'gui.out')}\nlog:\n{_tail(log_file)}")
            text = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
            if shown_ms is None and (m := re.search(r"window shown (\d+) ms after start", text)):
                shown_ms = int(m.group(1))
            if ready_ms is None and (m := re.search(r"engine ready in (\d+) ms", text)):
                ready_ms, ready_at = int(m.group(1)), time.perf_counter()
            if re.search(r"engine child \d+ exited|EngineFailed|CRITICAL|Traceback", text):
                raise CheckFailed(f"the GUI log reports a failure:\n{_tail(log_file)}")
            screen = fbdir / "Xvfb_screen0"
            if ready_at is not None and screen.exists():
                frame = read_xwd(screen)
                # A blinking text cursor changes a few pixels: "still" is under 0.1 % changed.
                same = last is not None and np.count_nonzero((frame != last).any(axis=2)) < frame.shape[0] * frame.shape[1] / 1000
                stable_since = (stable_since or time.perf_counter()) if same else None
                last = frame
                # The queued document is read after the engine is ready: wait until the
                # screen has stopped changing for 2 s (at least 4 s after ready, 60 s at most).
                now = time.perf_counter()
                if (stable_since and now - stable_since >= 2 and now - ready_at >= 4) or now - ready_at > 60:
                    break
            time.sleep(0.5)
        Image.fromarray(frame).save(out_png)
        if not database.exists():
            raise CheckFailed(f"the record store was not created ({database}):\n{_tail(log_file)}")
        colours = len(np.unique(frame.reshape(-1, 3)[::97], axis=0))
        if colours < 16:
            raise CheckFailed(f"the screenshot is nearly blank ({colours} colours): {out_png}")
        return {"window_shown_ms": shown_ms, "engine_ready_ms": ready_ms, "screenshot": str(out_png),
                "colours_sampled": colours, "database_created": True}
    finally:
        _stop_group(proc)
        stdout.close()
        if log_file.exists():
            shutil.copyfile(log_file, out_png.with_name("gui.log"))


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """End the program, its engine child and Xvfb: the process group started for them."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(15)


def _tail(path: Path, n: int = 3000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-n:]
    except OSError:
        return f"({path} missing)"


# -- driver -------------------------------------------------------------------------------
def unpack(archive: Path, dest: Path) -> Path:
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="tar")
    found = [p for p in dest.rglob(PROGRAM) if p.is_file() and os.access(p, os.X_OK)]
    if len(found) != 1:
        raise CheckFailed(f"expected one {PROGRAM} program in {archive}, found {found}")
    return found[0]


def run_all(program: Path, out: Path, work: Path, only: set[str] | None = None) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    summary: dict[str, object] = {"program": str(program)}
    image, truth = generate_document(work / "synth")
    checks = {
        "isolation": check_isolation,
        "self_test": check_self_test,
        "scan": lambda sb: check_scan(sb, image, truth),
        "window": lambda sb: check_window(sb, image, out / "window.png"),
    }
    failures = []
    for name, fn in checks.items():
        if only and name not in only:
            continue
        sb = Sandbox(work / name, program)  # each check starts from an empty HOME
        try:
            summary[name] = fn(sb)
        except (CheckFailed, subprocess.TimeoutExpired) as exc:
            summary[name] = {"failed": str(exc)[-4000:]}
            failures.append(name)
    summary["failed"] = failures
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--archive", type=Path, help="the .tar.gz to unpack and check")
    g.add_argument("--folder", type=Path, help="a one-folder build (holding the passport-desk program)")
    p.add_argument("--out", type=Path, default=ROOT / "dist" / "checks", help="where summary.json and window.png go")
    p.add_argument("--only", help="comma-separated subset of isolation,self_test,scan,window")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="passport-desk-check-") as tmp:
        work = Path(tmp)
        program = unpack(args.archive, work / "unpacked") if args.archive else args.folder / PROGRAM
        only = set(args.only.split(",")) if args.only else None
        summary = run_all(program, args.out, work, only)
    print(json.dumps(summary, indent=2))
    return 1 if summary["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
