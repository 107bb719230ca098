"""Mask shapes: CVAT's run-length encoding of a bitmap inside an inclusive bounding box.

``points = run_lengths + [x1, y1, x2, y2]``: the box's right and bottom edges are inclusive;
the runs walk the box row by row and alternate background and foreground, starting with
background (a leading 0 when the first pixel is set).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["decode_mask", "encode_mask", "mask_bbox"]


def encode_mask(bitmap: ArrayLike, /, bbox: Sequence[float] | None = None) -> list[float]:
    """The ``points`` of a mask shape for a boolean ``[H, W]`` bitmap.

    ``bbox`` ``[x1, y1, x2, y2]`` (exclusive right/bottom, within the image) limits the
    encoded area; by default it is the tight box of the set pixels. Raises ``ValueError`` for a
    bitmap that is not 2-D boolean or a box outside it.
    """
    array = np.asarray(bitmap)
    if array.ndim != 2 or array.dtype != np.bool_:
        raise ValueError("bitmap must be a 2-D boolean array")
    height, width = array.shape
    if bbox is None:
        ys, xs = np.nonzero(array)
        if xs.size == 0:
            x1, y1, x2, y2 = 0, 0, 1, 1
        else:
            x1, y1, x2, y2 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
    else:
        x1, y1 = math.floor(bbox[0]), math.floor(bbox[1])
        x2, y2 = math.ceil(bbox[2]), math.ceil(bbox[3])
        if not (0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height):
            raise ValueError(f"bbox {list(bbox)} is not inside the {width}x{height} bitmap")
    flat = array[y1:y2, x1:x2].ravel()
    changes = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate(([0], changes, [flat.size]))
    runs = np.diff(bounds).tolist()
    if flat[0]:
        runs.insert(0, 0)
    return [float(r) for r in runs] + [float(x1), float(y1), float(x2 - 1), float(y2 - 1)]


def _integer(value: float) -> int:
    if float(value).is_integer():
        return int(value)
    raise ValueError(f"non-integer value {value!r} in an encoded mask")


def mask_bbox(points: Sequence[float]) -> tuple[int, int, int, int]:
    """``(x1, y1, x2, y2)`` of an encoded mask, right and bottom exclusive."""
    if len(points) < 5:
        raise ValueError("an encoded mask needs run lengths and a bounding box")
    x1, y1, x2, y2 = (_integer(v) for v in points[-4:])
    return x1, y1, x2 + 1, y2 + 1


def decode_mask(points: Sequence[float], /, *, image_width: int, image_height: int) -> NDArray[np.bool_]:
    """The ``[image_height, image_width]`` boolean bitmap of an encoded mask.

    Raises ``ValueError`` when the box is outside the image or the runs do not fill it.
    """
    x1, y1, x2, y2 = mask_bbox(points)
    if not (0 <= x1 < x2 <= image_width and 0 <= y1 < y2 <= image_height):
        raise ValueError(f"the mask's box {[x1, y1, x2 - 1, y2 - 1]} is outside the {image_width}x{image_height} image")
    runs = np.asarray([_integer(v) for v in points[:-4]], dtype=np.int64)
    if (runs < 0).any() or int(runs.sum()) != (x2 - x1) * (y2 - y1):
        raise ValueError("the mask's run lengths do not fill its bounding box")
    values = (np.arange(runs.size) % 2).astype(bool)
    full = np.zeros((image_height, image_width), dtype=bool)
    full[y1:y2, x1:x2] = np.repeat(values, runs).reshape(y2 - y1, x2 - x1)
    return full
