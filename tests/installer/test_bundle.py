"""The frozen Passport desk, as an operator gets it: built, packed, unpacked, and run with
networking disabled and no Python environment (see installer/check_bundle.py).

The build is `scripts/build_installer.sh`, which reuses a build of the very same sources
from its cache (keyed by a hash of the sources, the spec, requirements.lock and the Python
version), so a re-run of one commit costs the checks only (~40 s); a fresh build costs
about 3-4 minutes on 2 cores. Figures go to dist/checks/ci-summary.json.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 1500

pytestmark = [
    pytest.mark.slow,
    pytest.mark.installer,
    pytest.mark.timeout(BUILD_TIMEOUT_S + 300),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle is built and checked on Linux"),
]


def _load_checker() -> Any:
    spec = importlib.util.spec_from_file_location("check_bundle", ROOT / "installer" / "check_bundle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_bundle"] = module
    spec.loader.exec_module(module)
    return module


check_bundle = _load_checker()
SUMMARY: dict[str, Any] = {}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(the unpacked program, a work folder): built (or reused), packed, then unpacked."""
    for tool in ("unshare", "Xvfb", "tar"):
        assert shutil.which(tool), f"{tool} is needed to check the bundle (scripts/setup.sh installs xvfb)"
    proc = subprocess.run(["scripts/build_installer.sh", "--no-setup"], cwd=ROOT, capture_output=True, text=True,
                          timeout=BUILD_TIMEOUT_S, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert proc.returncode == 0, f"build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    info = json.loads((ROOT / "dist" / "build-info.json").read_text(encoding="utf-8"))
    SUMMARY["build"] = info
    work = tmp_path_factory.mktemp("bundle")
    # What operators get is the archive: check a copy unpacked from it, away from the build.
    program = check_bundle.unpack(ROOT / "dist" / info["archive"], work / "unpacked")
    yield program, work
    out = ROOT / "dist" / "checks"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ci-summary.json").write_text(json.dumps(SUMMARY, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def document(bundle: tuple[Path, Path]) -> tuple[Path, dict[str, Any]]:
    """The generated passport, made with the venv's Python (outside the sandbox)."""
    _, work = bundle
    return check_bundle.generate_document(work / "synth")  # type: ignore[no-any-return]


def _sandbox(bundle: tuple[Path, Path], name: str) -> Any:
    program, work = bundle
    return check_bundle.Sandbox(work / name, program)


def test_bundle_contents(bundle: tuple[Path, Path]) -> None:
    program, _ = bundle
    internal = program.parent / "_internal"
    for rel in ("resources/models/PP-OCRv4_mobile_det/inference.pdiparams",
                "resources/models/PP-OCRv4_mobile_rec/inference.yml",
                "resources/models/PP-OCRv6_small_rec/PP-OCRv6_rec_small.onnx",
                "resources/models/PP-OCRv6_small_rec/ppocrv6_dict.txt",
                "onnxruntime/capi/libonnxruntime_providers_shared.so",
                "onnxruntime/LICENSE",
                "resources/fonts/OCRB.otf", "resources/samples/sample_td3.jpg",
                "resources/icons/passport-desk.png",
                "desktop_app/storage/migrations/env.py",
                "paddle/libs/libmklml_intel.so",
                "PySide6/Qt/plugins/platforms/libqxcb.so"):
        assert (internal / rel).is_file(), rel
    assert list(internal.glob("paddlex-*.dist-info/METADATA")), "paddlex metadata missing"
    assert list(internal.glob("onnxruntime/capi/onnxruntime_pybind11_state*")), "onnxruntime's module missing"
    # Left out on purpose (resources/pyinstaller/bundle_filter.py).
    assert not (internal / "PySide6" / "Qt" / "translations").exists()
    assert not list((internal / "paddle" / "libs").glob("*openvino_intel_cpu_plugin*"))
    assert not (internal / "PySide6" / "Qt" / "plugins" / "platformthemes" / "libqgtk3.so").exists()
    top = program.parent.parent
    for extra in ("passport-desk.desktop", "passport-desk.png", "install.sh"):
        assert (program.parent / extra).is_file() or (top / extra).is_file(), extra


def test_sandbox_has_no_network_and_no_python(bundle: tuple[Path, Path]) -> None:
    SUMMARY["isolation"] = check_bundle.check_isolation(_sandbox(bundle, "isolation"))


def test_self_test(bundle: tuple[Path, Path]) -> None:
    result = check_bundle.check_self_test(_sandbox(bundle, "self_test"))
    SUMMARY["self_test"] = result
    assert result["engine_ready_s"] > 0


def test_scan_json_on_generated_document(bundle: tuple[Path, Path], document: tuple[Path, dict[str, Any]]) -> None:
    image, truth = document
    result = check_bundle.check_scan(_sandbox(bundle, "scan"), image, truth)
    SUMMARY["scan"] = result
    assert result["document_number"] == truth["document_number"]


def test_window_under_xvfb(bundle: tuple[Path, Path], document: tuple[Path, dict[str, Any]]) -> None:
    image, _ = document
    out = ROOT / "dist" / "checks"
    out.mkdir(parents=True, exist_ok=True)
    result = check_bundle.check_window(_sandbox(bundle, "window"), image, out / "window.png")
    SUMMARY["window"] = result
    assert (out / "window.png").stat().st_size > 10_000
