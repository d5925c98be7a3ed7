"""Writing an export file safely: inside the chosen folder, owner-only, never through a link.

* The target must resolve (symlinks in the folder part followed) to a place inside
  ``allowed_dir``; ``..`` or a symlinked folder pointing elsewhere is refused.
* The file is written to a new temporary file (``O_EXCL``, ``O_NOFOLLOW``, mode 0600)
  in the same folder, synced, then linked into place without replacing anything (an
  existing file or symlink at the target is refused unless ``overwrite``).
* CSV cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``...) are
  prefixed with ``'``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import secrets
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import ExportPathError

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def resolve_export_path(out: str | Path, allowed_dir: str | Path | None) -> Path:
    """The absolute path to write, checked against ``allowed_dir``.

    With no ``allowed_dir`` the chosen folder is the folder ``out`` names (relative to
    the working directory): only the link and overwrite rules then apply.
    """
    out_path = Path(out).expanduser()
    if out_path.name in ("", ".", ".."):
        raise ExportPathError(f"The export path {out} does not name a file.")
    if allowed_dir is None:
        base_given = (out_path if out_path.is_absolute() else Path.cwd() / out_path).parent
    else:
        base_given = Path(allowed_dir).expanduser()
    try:
        base = base_given.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError) as e:
        raise ExportPathError(f"The export folder {base_given} does not exist.") from e
    except (OSError, RuntimeError) as e:  # loops (RuntimeError in Python 3.11's resolve) and the like
        raise ExportPathError(f"The export folder {base_given} cannot be used.") from e
    if not base.is_dir():
        raise ExportPathError(f"The export folder {base_given} is not a folder.")
    target = (
        out_path if out_path.is_absolute() else (base / out_path if allowed_dir else Path.cwd() / out_path)
    )
    try:
        parent = target.parent.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError) as e:
        raise ExportPathError(f"The folder of {out} does not exist.") from e
    except (OSError, RuntimeError) as e:  # a symbolic link loop: RuntimeError in Python 3.11
        raise ExportPathError(f"The folder of {out} cannot be used.") from e
    if not parent.is_relative_to(base):
        raise ExportPathError(f"The export path {out} is outside the export folder {base}; refused.")
    return parent / target.name


def write_private_file(path: Path, data: bytes, *, overwrite: bool = False) -> None:
    """Write ``data`` to ``path`` (already resolved) owner-only, atomically, never through a link."""
    if path.is_symlink():
        raise ExportPathError(f"{path} is a symbolic link; refused.")
    if path.exists() and not overwrite:
        raise ExportPathError(f"{path} already exists; choose another name.")
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except OSError as e:
        raise ExportPathError(f"The export file cannot be created in {path.parent} ({e.strerror}).") from e
    try:
        try:
            if os.name == "posix":
                os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
        finally:
            os.close(fd)
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if anything appeared at path meanwhile
            except FileExistsError as e:
                raise ExportPathError(f"{path} already exists; choose another name.") from e
            except OSError:
                if path.exists() or path.is_symlink():
                    raise ExportPathError(f"{path} already exists; choose another name.") from None
                os.rename(tmp, path)  # file systems without hard links
    except OSError as e:
        raise ExportPathError(f"The export file {path} could not be written ({e.strerror}).") from e
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_cell(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")  # the BOM lets Excel read accents right
