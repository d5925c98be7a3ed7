"""The layer rules of DESIGN.md are checks that fail, not hopes."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "desktop_app"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _offenders(folder: Path, forbidden: tuple[str, ...], allow: tuple[str, ...] = ()) -> list[str]:
    bad = []
    for py in folder.rglob("*.py"):
        rel = py.relative_to(ROOT).as_posix()
        if any(rel.startswith(a) for a in allow):
            continue
        for name in _imports(py):
            if name.split(".")[0] in forbidden or any(name.startswith(f + ".") or name == f for f in forbidden):
                bad.append(f"{rel} imports {name}")
    return bad


def test_core_has_no_qt_and_no_sqlalchemy() -> None:
    assert _offenders(PKG / "core", ("PySide6", "shiboken6", "sqlalchemy", "alembic", "desktop_app.storage", "desktop_app.ui")) == []


def test_only_ui_imports_pyside6() -> None:
    assert _offenders(PKG, ("PySide6", "shiboken6"), allow=("desktop_app/ui/",)) == []


def test_only_the_paddle_engine_imports_paddle() -> None:
    assert _offenders(PKG, ("paddle", "paddleocr", "paddlex"), allow=("desktop_app/core/ocr/paddle_engine.py",)) == []


def test_only_the_onnx_recogniser_imports_onnxruntime() -> None:
    assert _offenders(PKG, ("onnxruntime",), allow=("desktop_app/core/ocr/onnx_rec.py",)) == []


def test_import_linter_contracts_hold() -> None:
    exe = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_importing_core_does_not_import_paddle_or_qt() -> None:
    code = (
        "import sys, desktop_app.core, desktop_app.cli, desktop_app.core.ocr.onnx_rec;"
        "bad=[m for m in ('paddle','paddleocr','paddlex','onnxruntime','PySide6','sqlalchemy') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_the_shipped_package_holds_no_generator_and_imports_no_tests() -> None:
    """The synthetic document generator is tests/synth, outside the shipped package."""
    assert not (PKG / "synth").exists()
    assert _offenders(PKG, ("tests", "bench")) == []
