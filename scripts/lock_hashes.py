"""Refresh the sha256 hashes in the lock files from this machine's package sources.

    .venv/bin/python scripts/lock_hashes.py [LOCK ...]    (default: the three lock files)

Every pin stays as it is (change a version by editing its ``name==version`` line); its
hashes become those of the file that ``pip download --no-deps`` picks here, from the same
indexes and find-links that ``pip install`` uses (pip's own configuration). The hashes are
therefore those of this platform's wheels (Linux x86_64, CPython 3.11); on another
platform run this there. Header comment lines are kept.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
except ImportError:  # a fresh venv with only pip and setuptools (the Windows steps in the README)
    from pip._vendor.packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename

ROOT = Path(__file__).resolve().parents[1]
LOCKS = ("requirements-build.lock", "requirements.lock", "requirements-dev.lock")


def _pins(path: Path) -> tuple[list[str], list[str]]:
    """(header comment lines, ``name==version`` pins) of a lock file."""
    header: list[str] = []
    pins: list[str] = []
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        if line.startswith("#") and not pins:
            header.append(line)
        elif line.strip() and not line.lstrip().startswith("#"):
            pins.append(line.split()[0])
    return header, pins


def _hashes(pins: list[str], folder: Path) -> dict[tuple[str, str], list[str]]:
    req = folder / "all.txt"
    req.write_text("\n".join(pins) + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(folder), "-r", str(req)],
        check=True,
    )
    out: dict[tuple[str, str], list[str]] = {}
    for f in sorted(folder.iterdir()):
        if f.suffix == ".whl":
            name, version, *_ = parse_wheel_filename(f.name)
        elif f.name.endswith((".tar.gz", ".zip")):
            name, version = parse_sdist_filename(f.name)
        else:
            continue
        digest = hashlib.sha256(f.read_bytes()).hexdigest()
        out.setdefault((canonicalize_name(name), str(version)), []).append(digest)
    return out


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [ROOT / name for name in LOCKS]
    files = {p: _pins(p) for p in paths}
    every = sorted({pin for _, pins in files.values() for pin in pins})
    with tempfile.TemporaryDirectory(prefix="lock-hashes-") as tmp:
        hashes = _hashes(every, Path(tmp))
    for path, (header, pins) in files.items():
        lines = [*header]
        for pin in pins:
            name, _, version = pin.partition("==")
            found = hashes.get((canonicalize_name(name), version))
            if not found:
                print(f"lock_hashes: no file downloaded for {pin}", file=sys.stderr)
                return 1
            lines.append(pin + " \\\n" + " \\\n".join(f"    --hash=sha256:{h}" for h in found))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{path.name}: {len(pins)} pins")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
