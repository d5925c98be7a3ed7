"""What the installer build leaves out (resources/pyinstaller/bundle_filter.py): fast, no build."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bundle_filter", ROOT / "resources" / "pyinstaller" / "bundle_filter.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bf = _load()


def test_drop_unused_keeps_what_the_app_needs() -> None:
    toc = [(dest, f"/src/{i}", "BINARY") for i, dest in enumerate([
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
        "PySide6/Qt/translations/qtbase_de.qm",
        "paddle/libs/libmklml_intel.so",
        "paddle/libs/libopenvino.so.2500",
        "paddle/libs/libopenvino_intel_cpu_plugin.so",
        "resources/models/PP-OCRv4_mobile_rec/inference.pdiparams",
        "resources/pyinstaller/rthook_paddle.py",
        "cv2/qt/fonts/DejaVuSans.ttf",
    ])]
    kept, dropped = bf.drop_unused(toc)
    kept_names = {d for d, _, _ in kept}
    assert kept_names == {
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
        "paddle/libs/libmklml_intel.so",
        "paddle/libs/libopenvino.so.2500",  # libpaddle.so links it
        "resources/models/PP-OCRv4_mobile_rec/inference.pdiparams",
    }
    assert len(dropped) == len(toc) - len(kept_names)


def test_windows_paths_match_too() -> None:
    assert bf.matches("PySide6\\Qt\\translations\\qt_fr.qm", bf.EXCLUDE_PATTERNS)
    assert not bf.matches("PySide6\\Qt\\plugins\\platforms\\qwindows.dll", bf.EXCLUDE_PATTERNS)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF files")
def test_prune_orphans_follows_needed_entries() -> None:
    pyside = Path(pytest.importorskip("PySide6").__file__).parent
    qtcore_ext = next(pyside.glob("QtCore*.so"))
    lib = pyside / "Qt" / "lib"
    needed = bf.elf_needed(str(qtcore_ext))
    assert needed is not None and "libQt6Core.so.6" in needed
    assert bf.elf_needed(str(ROOT / "README.md")) is None
    toc = [
        (f"PySide6/{qtcore_ext.name}", str(qtcore_ext), "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Core.so.6", str(lib / "libQt6Core.so.6"), "BINARY"),
        ("PySide6/Qt/lib/libQt6Network.so.6", str(lib / "libQt6Network.so.6"), "BINARY"),
        ("ujson.cpython-311-x86_64-linux-gnu.so", "/nowhere/ujson.so", "EXTENSION"),  # imported, never NEEDED
    ]
    kept, dropped = bf.prune_orphans(toc)
    assert [d for d, _, _ in dropped] == ["PySide6/Qt/lib/libQt6Network.so.6"]
    assert "ujson.cpython-311-x86_64-linux-gnu.so" in {d for d, _, _ in kept}
