"""How many threads numpy's own BLAS (OpenBLAS) may use in the reading process.

The reader's numpy work is small (the glyph classifier's 44x576 matrix product, CTC
decoding); the models bring their own thread pools (Paddle's oneDNN, onnxruntime). On a
2-core counter PC a multi-threaded OpenBLAS then waits for a second core that the models
or the GUI hold: measured under load (load average 4.8, 2 cores), the glyph product took
0.15 ms at the median with either setting, but 15.5 ms at the 90th percentile with two
BLAS threads against 0.17 ms with one.

numpy reads ``OPENBLAS_NUM_THREADS`` only when it is first imported, so the limit is set
through OpenBLAS's own entry point in the library numpy loaded. Where that library cannot
be found (another BLAS, another layout), nothing changes and the reader works as before.
"""

from __future__ import annotations

import ctypes
import logging
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

_SETTERS = ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_", "openblas_set_num_threads")
_GETTERS = ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_", "openblas_get_num_threads")


@cache
def _openblas() -> ctypes.CDLL | None:
    import numpy

    root = Path(numpy.__file__).resolve().parent
    for folder in (root.parent / "numpy.libs", root / ".libs", root.parent / "numpy" / ".dylibs"):
        for lib in sorted(folder.glob("lib*openblas*")) if folder.is_dir() else ():
            try:
                handle = ctypes.CDLL(str(lib))
            except OSError:
                continue
            if any(hasattr(handle, s) for s in _SETTERS):
                return handle
    return None


def blas_threads() -> int | None:
    """OpenBLAS's current thread count, or None when numpy's OpenBLAS was not found."""
    lib = _openblas()
    if lib is None:
        return None
    for name in _GETTERS:
        fn = getattr(lib, name, None)
        if fn is not None:
            fn.restype = ctypes.c_int
            return int(fn())
    return None


def limit_blas_threads(n: int) -> bool:
    """Let numpy's OpenBLAS use at most ``n`` threads; False when it could not be found."""
    lib = _openblas()
    if lib is None:
        log.debug("numpy's OpenBLAS not found; its thread count is left as it is")
        return False
    for name in _SETTERS:
        fn = getattr(lib, name, None)
        if fn is not None:
            fn(ctypes.c_int(max(1, n)))
            return True
    return False
