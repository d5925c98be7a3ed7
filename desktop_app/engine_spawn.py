"""Starting the OCR engine child: a clean environment, no core dumps, its pipes.

The child is this interpreter (or the frozen program) run as
``--engine-child REQUESTS EVENTS`` with only the two pipe handles inherited, so it never
sees the GUI's environment (the database key, the database URL) or its memory: a
decoder exploit in the child finds no secret there. Its first message is a
:class:`~desktop_app.engine_process.Bootstrap` (settings with the database URL and key
paths blanked, the reader factory, the log level, ``sys.path``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from collections.abc import Mapping
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Final

from desktop_app.engine_process import (
    DEFAULT_READER_FACTORY,
    EVENTS,
    Bootstrap,
    child_main,
    recv_message,
    send_message,
)

if TYPE_CHECKING:
    from desktop_app.settings import Settings


# -- the child's environment ------------------------------------------------------------
CHILD_ENV_NAMES: Final = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "LANG",
        "LANGUAGE",
        "TZ",
        "TMPDIR",
        "TEMP",
        "TMP",
        "SYSTEMROOT",
        "SYSTEMDRIVE",
        "WINDIR",
        "USERPROFILE",
        "LOCALAPPDATA",
        "APPDATA",
        "XDG_CACHE_HOME",
        "XDG_RUNTIME_DIR",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
        "HF_HUB_OFFLINE",
        "PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK",
        "PADDLE_PDX_MODEL_SOURCE",
        "PADDLE_PDX_CACHE_HOME",
        "PADDLEX_HOME",
    }
)
"""Variables the OCR child gets; everything else (the database key and URL, tokens, Qt's
variables) stays in the GUI."""
CHILD_ENV_PREFIXES: list[str] = ["LC_", "FLAGS_", "GLOG_", "KMP_"]
"""Name prefixes that pass too (locale, Paddle and OpenMP tuning). Tests add their fake
reader's knobs here."""
SECRET_MARKERS: Final = ("KEY", "SECRET", "TOKEN", "PASSWORD", "PASSWD", "DATABASE", "CREDENTIAL", "PGPASS")
"""A name holding any of these never passes, whatever the allow-list says."""
CHILD_SETTINGS_BLANKED: Final = ("database_url", "audit_signing_key", "audit_checkpoint_dir", "operator_name")
"""Settings the child has no use for, sent blank."""


def child_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The allow-listed part of ``environ`` (default: this process's)."""
    env = os.environ if environ is None else environ
    out: dict[str, str] = {}
    for name, value in env.items():
        upper = name.upper()
        if any(m in upper for m in SECRET_MARKERS):
            continue
        if upper in CHILD_ENV_NAMES or any(upper.startswith(p) for p in CHILD_ENV_PREFIXES):
            out[name] = value
    return out


def disable_core_dumps(*, hard: bool = False) -> None:
    """``RLIMIT_CORE`` 0: a crash must not write the process memory (keys, faces) to disk."""
    try:
        import resource
    except ImportError:  # Windows: no core files to begin with
        return
    _soft, cur_hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0 if hard else cur_hard))


# -- spawning the child -----------------------------------------------------------------
class EngineProcess:
    """A started engine child: the process, its two pipes, and the process-like methods
    the GUI's IPC thread uses (``is_alive``, ``kill``, ``join``, ``exitcode``, ``sentinel``)."""

    def __init__(self, popen: subprocess.Popen[bytes], requests: Connection, events: Connection) -> None:
        self._popen = popen
        self.requests = requests
        self.events = events
        self.pid: int = popen.pid
        self.sentinel: int | None = None
        if sys.platform == "win32":
            self.sentinel = int(popen._handle)  # type: ignore[attr-defined]
        elif hasattr(os, "pidfd_open"):
            try:
                self.sentinel = os.pidfd_open(popen.pid)
            except OSError:
                self.sentinel = None

    @property
    def exitcode(self) -> int | None:
        return self._popen.poll()

    def is_alive(self) -> bool:
        return self._popen.poll() is None

    def kill(self) -> None:
        if self.is_alive():
            self._popen.kill()

    def join(self, timeout: float | None = None) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._popen.wait(timeout)

    def close(self) -> None:
        if self.sentinel is not None and sys.platform != "win32":
            os.close(self.sentinel)
        self.sentinel = None

    def send(self, msg: object) -> None:
        send_message(self.requests, msg)

    def receive(self) -> Any:
        return recv_message(self.events, EVENTS)


def child_command(handles: tuple[int, int]) -> list[str]:
    """How to start the child: this interpreter (or the frozen program) in child mode."""
    tail = ["--engine-child", str(handles[0]), str(handles[1])]
    if getattr(sys, "frozen", False):
        return [sys.executable, *tail]
    return [sys.executable, "-m", "desktop_app.engine_spawn", *tail]


def spawn_engine(
    settings: Settings, factory_path: str = DEFAULT_READER_FACTORY, log_level: int = logging.WARNING
) -> EngineProcess:
    """Start the OCR child with a clean environment and no core dumps, and send it its
    :class:`Bootstrap`. The child answers :class:`EngineReady` or :class:`EngineFailed`."""
    import multiprocessing
    from dataclasses import asdict

    disable_core_dumps()  # this process too: cheap, and children inherit it
    req_recv, req_send = multiprocessing.Pipe(duplex=False)
    evt_recv, evt_send = multiprocessing.Pipe(duplex=False)
    handles = (req_recv.fileno(), evt_send.fileno())
    extra: dict[str, Any] = {}
    if sys.platform == "win32":
        for h in handles:
            os.set_handle_inheritable(h, True)
        info = subprocess.STARTUPINFO()
        info.lpAttributeList = {"handle_list": list(handles)}
        extra["startupinfo"] = info
    else:
        extra["pass_fds"] = handles
    try:
        popen = subprocess.Popen(
            child_command(handles), env=child_environment(), stdin=subprocess.DEVNULL, **extra
        )
    finally:
        # Our copies of the child's ends: EOF then tells each side the other is gone.
        req_recv.close()
        evt_send.close()
    child = EngineProcess(popen, req_send, evt_recv)
    plain = {k: v for k, v in asdict(settings).items() if k not in CHILD_SETTINGS_BLANKED}
    child.send(
        Bootstrap(plain, factory_path, int(log_level), tuple(p for p in sys.path if isinstance(p, str)))
    )
    return child


def child_entry(argv: list[str]) -> int:
    """``--engine-child REQUESTS EVENTS``: the child's start, before any document is seen."""
    from dataclasses import fields

    disable_core_dumps(hard=True)
    read_handle, write_handle = int(argv[0]), int(argv[1])
    if sys.platform == "win32":
        from multiprocessing.connection import PipeConnection  # type: ignore[attr-defined]

        requests: Connection = PipeConnection(read_handle, writable=False)
        events: Connection = PipeConnection(write_handle, readable=False)
    else:
        requests = Connection(read_handle, writable=False)
        events = Connection(write_handle, readable=False)
    boot = recv_message(requests, (Bootstrap,))
    for entry in boot.sys_path:
        if isinstance(entry, str) and entry not in sys.path:
            sys.path.append(entry)
    from desktop_app.settings import Settings

    known = {f.name for f in fields(Settings)}
    settings = Settings(**{k: v for k, v in boot.settings.items() if k in known})
    child_main(requests, events, settings, boot.factory_path, boot.log_level)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] != ["--engine-child"] or len(sys.argv) != 4:
        sys.exit("usage: python -m desktop_app.engine_spawn --engine-child REQUESTS EVENTS")
    sys.exit(child_entry(sys.argv[2:]))
