"""installer/linux/install.sh (issue 17, finding 3): an archive unpacked by another user
installs root-owned and unwritable by group and others, and the program is not run as root.

Runs the real script as root with PASSPORT_DESK_INSTALL_ROOT pointing into a temp folder,
on a bundle-like tree owned by `nobody` (uid 65534) with loose modes.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "installer" / "linux" / "install.sh"
NOBODY = 65534

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux installer"),
    pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="a system install needs root"),
]


def _bundle(folder: Path, marker: Path) -> Path:
    """What the archive holds, as someone else unpacked it (owner nobody, group/other-writable)."""
    folder.mkdir(parents=True)
    prog = folder / "passport-desk"
    # If the installer ran the program, it would leave the marker (and say who ran it).
    prog.write_text(f"#!/bin/sh\nid -u > {marker}\necho passport-desk test\n")
    internal = folder / "_internal"
    (internal / "lib").mkdir(parents=True)
    (internal / "lib" / "libthing.so").write_bytes(b"\x7fELF fake")
    (internal / "base_library.zip").write_bytes(b"PK fake")
    (internal / "setuid-helper").write_bytes(b"fake")
    (folder / "passport-desk.png").write_bytes(b"png")
    (folder / "passport-desk-48.png").write_bytes(b"png48")
    (folder / "passport-desk.desktop").write_text(
        "[Desktop Entry]\nName=Passport desk\nExec=passport-desk gui %F\nTryExec=passport-desk\n"
    )
    (folder / "install.sh").write_bytes(SCRIPT.read_bytes())
    for p in [folder, *folder.rglob("*")]:
        os.chown(p, NOBODY, NOBODY)
        os.chmod(p, 0o777 if p.is_dir() or p == prog or p.name == "install.sh" else 0o666)
    os.chmod(internal / "setuid-helper", 0o4777)
    return folder


def test_system_install_is_root_owned_and_not_run_as_root(tmp_path: Path) -> None:
    # Never let a script that ignores the variable install into this machine's /opt.
    assert "PASSPORT_DESK_INSTALL_ROOT" in SCRIPT.read_text(), "install.sh cannot install into a test root"
    marker = tmp_path / "ran-as"
    bundle = _bundle(tmp_path / "unpacked", marker)
    dest = tmp_path / "root"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PASSPORT_DESK_INSTALL_ROOT": str(dest)}
    proc = subprocess.run(
        ["sh", str(bundle / "install.sh")], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    prefix = dest / "opt" / "passport-desk"
    installed = [prefix, *prefix.rglob("*")]
    installed += [
        dest / "usr/share/applications/passport-desk.desktop",
        dest / "usr/share/icons/hicolor/256x256/apps/passport-desk.png",
        dest / "usr/share/icons/hicolor/48x48/apps/passport-desk.png",
    ]
    assert len(installed) >= 9
    for p in installed:
        st = p.lstat()
        assert (st.st_uid, st.st_gid) == (0, 0), f"{p} is owned by {st.st_uid}:{st.st_gid}"
        assert not stat.S_IMODE(st.st_mode) & 0o022, f"{p} is writable by group or others"
        assert not stat.S_IMODE(st.st_mode) & 0o6000, f"{p} is set-uid or set-gid"
    assert os.access(prefix / "passport-desk", os.X_OK)
    assert (dest / "usr/local/bin/passport-desk").resolve() == (prefix / "passport-desk").resolve()
    assert f"Exec={prefix}/passport-desk gui" in (dest / "usr/share/applications/passport-desk.desktop").read_text()
    assert not marker.exists(), "the installer ran the installed program as root"

    # A second install over the first (an upgrade) gives the same result.
    proc = subprocess.run(
        ["sh", str(bundle / "install.sh")], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert prefix.stat().st_uid == 0 and not marker.exists()
