"""Work-arounds for defects of the pinned Qt binding, applied once on ``import desktop_app.ui``.

PySide6 6.12.0: ``SignalInstance.emit()`` returns ``True`` without taking a reference to
it, so every emit from Python drops one reference to ``True``. Its count is only a few
thousand, so an application emitting signals (a camera preview emits 60 a second) dies
within minutes with "Fatal Python error: bool_dealloc". We detect the defect by measuring
it, and only then wrap ``emit`` to give the reference back; a fixed binding is left alone.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from typing import Any, Final

from PySide6.QtCore import QObject, Signal, SignalInstance

log = logging.getLogger(__name__)

_PROBE_EMITS: Final = 64
_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()


def emit_loses_bool_references() -> int:
    """How many references to ``True`` one emit loses (0 on a sound binding)."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBE_EMITS):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    if lost > 0:
        for _ in range(lost):  # give back what the probe itself took
            _incref(True)
    return round(lost / _PROBE_EMITS)


_original_emit = SignalInstance.emit
_state = {"patched": False}


def _emit(self: SignalInstance, *args: Any) -> Any:
    result = _original_emit(self, *args)
    _incref(result)
    return result


def patch_signal_emit() -> bool:
    """Install the work-around if (and only if) this binding has the defect."""
    if _state["patched"]:
        return True
    lost = emit_loses_bool_references()
    if lost == 1:
        SignalInstance.emit = _emit  # type: ignore[method-assign]
        _state["patched"] = True
        log.info("PySide6 Signal.emit reference defect detected; work-around installed")
    elif lost:
        log.warning("Signal.emit loses %d references per call; no work-around for that", lost)
    return _state["patched"]
