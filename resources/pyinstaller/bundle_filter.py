"""What the one-folder build leaves out, and the helpers build_installer.spec uses for it.

Kept apart from the spec so that it can be read, and tested, on its own. Paths are the
destination paths inside the bundle (``_internal/``), with forward slashes.

Two steps:

1. ``drop_unused``: every entry whose destination matches one of :data:`EXCLUDE_PATTERNS`
   goes (Qt plug-ins and translations the application never loads, OpenVINO's CPU plug-in,
   which Paddle only loads for its OpenVINO back end, OpenCV's own Qt fonts...).
2. ``prune_orphans`` (Linux): PyInstaller collected the shared libraries that the dropped
   files needed (GTK, cairo, pango... for Qt's GTK theme plug-in; EGLFS for the eglfs
   platform). A library in a "dependency" folder (the top level, Qt's ``lib``) that no
   kept file needs, directly or through another kept library, goes too (as do the
   vendored ``*.libs`` libraries only those files needed: OpenCV's Qt5 xcb stack). Needs are read
   from each ELF file's ``DT_NEEDED`` entries; a library that is opened at run time by
   name (``dlopen``, ``ctypes``) is never in such a folder here, or is listed in ``keep``.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import struct
from collections.abc import Iterable, Sequence

# Destination patterns (fnmatch, forward slashes) of files the application does not use.
EXCLUDE_PATTERNS: tuple[str, ...] = (
    # Qt: translations (the interface is English and installs no QTranslator).
    "PySide6/Qt/translations/*",
    # Qt platform plug-ins for embedded/remote displays; xcb, wayland, offscreen and
    # minimal stay (Windows: qwindows, qminimal, qoffscreen stay).
    "PySide6/Qt/plugins/platforms/*qeglfs*",
    "PySide6/Qt/plugins/platforms/*qlinuxfb*",
    "PySide6/Qt/plugins/platforms/*qminimalegl*",
    "PySide6/Qt/plugins/platforms/*qvkkhrdisplay*",
    "PySide6/Qt/plugins/platforms/*qvnc*",
    "PySide6/Qt/plugins/platforms/*qdirect2d*",
    "PySide6/Qt/plugins/egldeviceintegrations/*",
    # evdev/tuio input for kiosk set-ups without a window system.
    "PySide6/Qt/plugins/generic/*",
    # QtNetwork's plug-ins: the application opens no network connection from Qt.
    "PySide6/Qt/plugins/networkinformation/*",
    "PySide6/Qt/plugins/tls/*",
    # The GTK3 theme plug-in drags GTK's whole stack (cairo, pango, atk, gdk-pixbuf...);
    # the application sets its own style (Fusion + style sheet).
    "PySide6/Qt/plugins/platformthemes/*qgtk3*",
    # Wayland compositor-side and exotic shells (the client and xdg-shell stay).
    "PySide6/Qt/plugins/wayland-graphics-integration-client/*vulkan-server*",
    "PySide6/Qt/plugins/wayland-shell-integration/*ivi-shell*",
    "PySide6/Qt/plugins/wayland-shell-integration/*fullscreen-shell*",
    # OpenVINO's CPU inference plug-in (62 MB): Paddle links libopenvino itself, but only
    # loads this plug-in for run_mode="openvino"; the engine runs oneDNN (mkldnn).
    "paddle/libs/*openvino_intel_cpu_plugin*",
    # Paddle's CTC/RNN-T *loss* libraries: training only.
    "paddle/libs/*warpctc*",
    "paddle/libs/*warprnnt*",
    # OpenCV's highgui Qt fonts and plug-ins: the application never opens an OpenCV
    # window (and pops QT_QPA_PLATFORM_PLUGIN_PATH, which cv2 points there).
    "cv2/qt/*",
    # Packaging helpers and sources that are not needed at run time.
    "resources/pyinstaller/*",
    "resources/icons/make_icon.py",
    "paddlex/hpip_links*.html",
    "*/__pycache__/*",
)

# Folders in which PyInstaller puts the shared libraries it collected as dependencies,
# besides the wheels' own vendored-library folders (``*.libs``, auditwheel's: loaded only
# as DT_NEEDED of their package's extension modules).
PRUNABLE_DIRS: tuple[str, ...] = ("", "PySide6/Qt/lib")

# Never pruned: loaded by the bootloader or by name at run time.
KEEP_ALWAYS: tuple[str, ...] = ("libpython*", "*__mypyc*", "libstdc++*", "libgcc_s*")


def _norm(dest: str) -> str:
    return dest.replace(os.sep, "/").replace("\\", "/")


def matches(dest: str, patterns: Iterable[str]) -> bool:
    d = _norm(dest)
    return any(fnmatch.fnmatchcase(d, p) for p in patterns)


def drop_unused(toc: Sequence[tuple[str, str, str]], patterns: Iterable[str] = EXCLUDE_PATTERNS):
    """(kept, dropped) entries of a PyInstaller TOC (dest, src, typecode)."""
    patterns = tuple(patterns)
    kept, dropped = [], []
    for entry in toc:
        (dropped if matches(entry[0], patterns) else kept).append(entry)
    return kept, dropped


def elf_needed(path: str) -> list[str] | None:
    """The DT_NEEDED names of a 64-bit little-endian ELF file; None when it is not one."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if len(head) < 64 or head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
                return None
            shoff = struct.unpack_from("<Q", head, 0x28)[0]
            shentsize, shnum = struct.unpack_from("<HH", head, 0x3A)
            if not shoff or not shnum:
                return None
            f.seek(shoff)
            raw = f.read(shentsize * shnum)
            sections = [struct.unpack_from("<IIQQQQIIQQ", raw, i * shentsize) for i in range(shnum)]
            needed: list[str] = []
            for sh in sections:
                if sh[1] != 6:  # SHT_DYNAMIC
                    continue
                strtab = sections[sh[6]]
                f.seek(strtab[4])
                strings = f.read(strtab[5])
                f.seek(sh[4])
                dyn = f.read(sh[5])
                for off in range(0, len(dyn) - 15, 16):
                    tag, val = struct.unpack_from("<qQ", dyn, off)
                    if tag == 0:
                        break
                    if tag == 1:  # DT_NEEDED
                        end = strings.index(b"\0", val)
                        needed.append(strings[val:end].decode())
            return needed
    except (OSError, struct.error, ValueError, IndexError):
        return None


def prune_orphans(
    toc: Sequence[tuple[str, str, str]],
    prunable_dirs: Iterable[str] = PRUNABLE_DIRS,
    keep: Iterable[str] = KEEP_ALWAYS,
):
    """(kept, dropped): drop libraries in ``prunable_dirs`` that no kept file needs."""
    prunable_dirs = {d.strip("/") for d in prunable_dirs}
    keep = tuple(keep)

    def prunable(dest: str) -> bool:
        d = _norm(dest)
        folder, _, name = d.rpartition("/")
        if (folder not in prunable_dirs and not (folder.endswith(".libs") and "/" not in folder)) or ".so" not in name or ".cpython-" in name or ".abi3." in name:
            return False  # not a shared library, or a Python extension module (imported, never NEEDED)
        return not any(fnmatch.fnmatchcase(name, k) for k in keep)

    by_name: dict[str, list[tuple[str, str, str]]] = {}
    for entry in toc:
        if prunable(entry[0]):
            by_name.setdefault(_norm(entry[0]).rpartition("/")[2], []).append(entry)
    reached: set[str] = set()
    todo = [e for e in toc if not prunable(e[0])]
    todo += [e for name, es in by_name.items() if any(fnmatch.fnmatchcase(name, k) for k in keep) for e in es]
    seen: set[str] = set()
    while todo:
        entry = todo.pop()
        src = entry[1]
        if src in seen:
            continue
        seen.add(src)
        if entry[2] == "SYMLINK":  # (dest, link target relative to dest's folder, "SYMLINK")
            target = os.path.normpath(os.path.join(os.path.dirname(_norm(entry[0])), _norm(src)))
            names = [_norm(target).rpartition("/")[2]]
        else:
            names = elf_needed(src) or []
        for lib in names:
            if lib in by_name and lib not in reached:
                reached.add(lib)
                todo.extend(by_name[lib])
    kept, dropped = [], []
    for entry in toc:
        name = _norm(entry[0]).rpartition("/")[2]
        (dropped if prunable(entry[0]) and name not in reached else kept).append(entry)
    return kept, dropped


def summary(dropped: Sequence[tuple[str, str, str]]) -> str:
    total = 0
    for _dest, src, _kind in dropped:
        with contextlib.suppress(OSError):
            total += os.path.getsize(src)
    return f"{len(dropped)} files, {total / 1e6:.1f} MB"


# Libraries whose symbol tables are stripped (27 MB). Only these: PyInstaller's strip=True
# strips everything, and that breaks the wheels' vendored libraries that auditwheel edited
# with patchelf ("ELF load command address/offset not page-aligned" from numpy's OpenBLAS).
STRIP_NAMES: tuple[str, ...] = ("libpython3*.so*", "libdnnl.so*")


def strip_some(toc: Sequence[tuple[str, str, str]], workdir: str, names: Iterable[str] = STRIP_NAMES):
    """(toc, saved bytes): entries named in ``names`` replaced by stripped copies in ``workdir``."""
    import shutil
    import subprocess

    names = tuple(names)
    strip = shutil.which("strip")
    if strip is None:
        return list(toc), 0
    os.makedirs(workdir, exist_ok=True)
    out, saved = [], 0
    for dest, src, kind in toc:
        name = _norm(dest).rpartition("/")[2]
        if kind != "SYMLINK" and any(fnmatch.fnmatchcase(name, n) for n in names) and elf_needed(src) is not None:
            target = os.path.join(workdir, name)
            subprocess.run([strip, "--strip-unneeded", "-o", target, src], check=True)
            saved += os.path.getsize(src) - os.path.getsize(target)
            out.append((dest, target, kind))
        else:
            out.append((dest, src, kind))
    return out, saved
