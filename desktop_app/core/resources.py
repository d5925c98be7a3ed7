"""Where bundled resources live, in a source checkout and in a PyInstaller build."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path


def resources_dir() -> Path:
    """The `resources/` folder: next to the package in a checkout, under _MEIPASS when frozen."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def models_dir() -> Path:
    return resources_dir() / "models"


def samples_dir() -> Path:
    return resources_dir() / "samples"


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify_manifest(folder: Path, manifest_name: str = "MANIFEST.sha256") -> list[str]:
    """Check every file listed in ``folder/manifest_name`` (``sha256  relative/path`` lines).

    Returns a list of problems (empty when every file is present and intact).
    """
    manifest = folder / manifest_name
    if not manifest.is_file():
        return [f"manifest missing: {manifest}"]
    problems: list[str] = []
    for raw in manifest.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        digest, _, rel = line.partition("  ")
        target = folder / rel
        if not target.is_file():
            problems.append(f"missing: {rel}")
        elif sha256_file(target) != digest:
            problems.append(f"checksum mismatch: {rel}")
    return problems
