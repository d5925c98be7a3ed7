"""Issue 17 finding 16: hash-pinned lock files, runtime apart from dev, installed with
``--require-hashes`` and no unpinned pip upgrade."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ("requirements-build.lock", "requirements.lock", "requirements-dev.lock")
DEV_TOOLS = {
    "pytest",
    "pytest-qt",
    "pytest-timeout",
    "hypothesis",
    "ruff",
    "mypy",
    "import-linter",
    "pyinstaller",
    "pip-audit",
}


def _entries(name: str) -> dict[str, tuple[str, list[str]]]:
    text = (ROOT / name).read_text(encoding="utf-8").replace("\\\n", " ")
    out: dict[str, tuple[str, list[str]]] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pin, *opts = line.split()
        assert re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+!_-]+", pin), f"{name}: not an exact pin: {pin}"
        hashes = [o for o in opts if o.startswith("--hash=sha256:")]
        assert hashes and len(hashes) == len(opts), f"{name}: {pin} has no sha256 hash (or other options)"
        assert all(re.fullmatch(r"--hash=sha256:[0-9a-f]{64}", h) for h in hashes), pin
        n = canonicalize_name(pin.split("==")[0])
        assert n not in out, f"{name}: {n} twice"
        out[n] = (pin.split("==")[1], hashes)
    return out


def test_every_lock_entry_is_an_exact_pin_with_a_hash() -> None:
    seen: dict[str, str] = {}
    for name in LOCKS:
        for pkg in _entries(name):
            assert pkg not in seen, f"{pkg} is in both {seen[pkg]} and {name}"
            seen[pkg] = name
    assert {"pip", "setuptools"} <= {p for p, f in seen.items() if f == "requirements-build.lock"}


def test_runtime_and_dev_dependencies_are_apart() -> None:
    runtime, dev = _entries("requirements.lock"), _entries("requirements-dev.lock")
    assert not DEV_TOOLS & set(runtime), DEV_TOOLS & set(runtime)
    assert set(dev) >= DEV_TOOLS
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for spec in [*project["dependencies"], *project["optional-dependencies"]["postgres"]]:
        assert canonicalize_name(Requirement(spec).name) in runtime, spec


def test_setup_installs_with_hashes_and_never_upgrades_pip_unpinned() -> None:
    script = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    installs = [
        ln for ln in script.splitlines() if re.search(r"pip install", ln) and not ln.lstrip().startswith("#")
    ]
    assert installs
    assert "--upgrade pip" not in script and "-U pip" not in script
    for ln in installs:
        assert "--require-hashes" in ln or ("--no-deps" in ln and "-e ." in ln), ln
        assert "--no-build-isolation" in ln or "requirements-build.lock" in ln, ln
    for name in LOCKS:
        assert name in script, name
