"""numpy's OpenBLAS thread limit: found, applied, and applied by building a reader."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.core.blas import blas_threads, limit_blas_threads
from desktop_app.core.pipeline import DocumentReader, ReaderSettings


def test_the_limit_is_applied_and_products_still_compute() -> None:
    before = blas_threads()
    assert before is not None, "numpy's OpenBLAS should be found in this environment"
    try:
        assert limit_blas_threads(1)
        assert blas_threads() == 1
        a = np.arange(12.0).reshape(3, 4)
        assert np.allclose(a @ a.T, np.einsum("ij,kj->ik", a, a))
    finally:
        limit_blas_threads(before)
    assert blas_threads() == before


def test_building_a_reader_limits_blas_unless_told_not_to() -> None:
    before = blas_threads()
    assert before is not None
    try:
        limit_blas_threads(2)
        two = blas_threads()
        if two != 2:
            pytest.skip("OpenBLAS here runs one thread at most: a limit of one cannot be seen")
        DocumentReader(ReaderSettings(blas_threads=None))
        assert blas_threads() == 2
        DocumentReader(ReaderSettings())
        assert blas_threads() == 1
    finally:
        limit_blas_threads(before)
