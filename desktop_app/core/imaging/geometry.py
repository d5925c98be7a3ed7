"""Small geometry helpers shared by the imaging stages (affine maps and boxes)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from desktop_app.core.types import Box

Affine = npt.NDArray[Any]
"""A 2 x 3 affine matrix mapping (x, y, 1) to (x', y'), or a 3 x 3 projective one."""


def to3(m: Affine) -> npt.NDArray[Any]:
    if m.shape == (3, 3):
        return m
    out = np.eye(3)
    out[:2] = m
    return out


def compose(*maps: Affine) -> Affine:
    """``compose(a, b)`` applies ``b`` first, then ``a``. Maps are 2 x 3 affine or 3 x 3
    projective; the result is 2 x 3 when every map is affine, else 3 x 3."""
    out = np.eye(3)
    for m in maps:
        out = out @ to3(m)
    return out[:2] if all(m.shape == (2, 3) for m in maps) else out


def invert(m: Affine) -> Affine:
    inv = np.linalg.inv(to3(m))
    return inv[:2] if m.shape == (2, 3) else inv


def apply(m: Affine, points: Iterable[tuple[float, float]]) -> npt.NDArray[Any]:
    """Map points through a 2 x 3 affine or a 3 x 3 projective matrix."""
    pts = np.asarray(list(points), dtype=np.float64).reshape(-1, 2)
    if m.shape == (2, 3):
        return pts @ m[:, :2].T + m[:, 2]
    hom = np.hstack([pts, np.ones((len(pts), 1))]) @ m.T
    return hom[:, :2] / hom[:, 2:3]


def bounding_box(points: npt.NDArray[Any], width: int, height: int) -> Box:
    """Integer box around ``points``, clipped to a ``width`` x ``height`` image."""
    x0 = int(np.floor(points[:, 0].min()))
    y0 = int(np.floor(points[:, 1].min()))
    x1 = int(np.ceil(points[:, 0].max()))
    y1 = int(np.ceil(points[:, 1].max()))
    return (max(0, x0), max(0, y0), min(width, x1), min(height, y1))


def rotation90(k: int, width: int, height: int) -> Affine:
    """The affine map of ``np.rot90(image, k)`` (counter-clockwise quarter turns) on pixel
    coordinates of a ``width`` x ``height`` image."""
    k %= 4
    if k == 0:
        return np.array([[1.0, 0, 0], [0, 1.0, 0]])
    if k == 1:  # (x, y) -> (y, W-1-x)
        return np.array([[0, 1.0, 0], [-1.0, 0, width - 1.0]])
    if k == 2:  # (x, y) -> (W-1-x, H-1-y)
        return np.array([[-1.0, 0, width - 1.0], [0, -1.0, height - 1.0]])
    return np.array([[0, -1.0, height - 1.0], [1.0, 0, 0]])  # (x, y) -> (H-1-y, x)
