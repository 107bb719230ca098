"""Masks in the API's run-length form: ``points = run_lengths + [x1, y1, x2, y2]``.

``(x1, y1, x2, y2)`` is the box the runs cover, with inclusive right and bottom edges; the
runs walk it row by row and alternate background and foreground, starting with background.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["decode_mask", "encode_mask"]


def encode_mask(bitmap: ArrayLike, /, bbox: Sequence[float] | None = None) -> list[float]:
    """Encode a boolean ``(H, W)`` image mask for a ``mask`` shape's ``points``.

    ``bbox`` ``[x1, y1, x2, y2]`` (exclusive right/bottom, rounded outwards) limits the encoded
    area; without it, the area is the box of the set pixels. Raises ``ValueError`` for a
    bitmap that is not 2-D boolean or a box outside it.
    """
    bits = np.asarray(bitmap)
    if bits.ndim != 2 or bits.dtype != np.bool_:
        raise ValueError(f"bitmap must be a 2-D boolean array, got {bits.dtype} of shape {bits.shape}")
    height, width = bits.shape
    if bbox is None:
        ys, xs = np.nonzero(bits)
        if xs.size == 0:
            x1, y1, x2, y2 = 0, 0, 1, 1
        else:
            x1, y1, x2, y2 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
    else:
        x1, y1 = max(0, math.floor(bbox[0])), max(0, math.floor(bbox[1]))
        x2, y2 = min(width, math.ceil(bbox[2])), min(height, math.ceil(bbox[3]))
        if not (0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height):
            raise ValueError(f"bbox {list(bbox)} is not inside the {width}x{height} bitmap")
    flat = bits[y1:y2, x1:x2].ravel()
    # Indices where the value changes, plus both ends: their differences are the run lengths.
    changes = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    edges = np.concatenate(([0], changes, [flat.size]))
    runs = np.diff(edges).tolist()
    if flat[0]:
        runs.insert(0, 0)
    return [float(r) for r in runs] + [float(x1), float(y1), float(x2 - 1), float(y2 - 1)]


def decode_mask(points: Sequence[Any], /, *, image_width: int, image_height: int) -> NDArray[np.bool_]:
    """The ``(image_height, image_width)`` boolean mask of a ``mask`` shape's ``points``."""
    if len(points) < 5:
        raise ValueError("a mask needs run lengths and a box")
    values = [float(p) for p in points]
    if not all(v.is_integer() and v >= 0 for v in values):
        raise ValueError("mask values must be non-negative integers")
    *runs, x1, y1, x2, y2 = (int(v) for v in values)
    if not (0 <= x1 <= x2 < image_width and 0 <= y1 <= y2 < image_height):
        raise ValueError(f"mask box {[x1, y1, x2, y2]} is not inside the {image_width}x{image_height} image")
    area = (x2 - x1 + 1) * (y2 - y1 + 1)
    if sum(runs) != area:
        raise ValueError(f"mask runs cover {sum(runs)} pixels, its box {area}")
    flags = np.repeat(np.arange(len(runs)) % 2 == 1, runs)
    full = np.zeros((image_height, image_width), dtype=bool)
    full[y1:y2 + 1, x1:x2 + 1] = flags.reshape(y2 - y1 + 1, x2 - x1 + 1)
    return full
