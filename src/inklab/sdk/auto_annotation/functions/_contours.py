"""The outline of a binary mask as a polygon, for ``conv_mask_to_poly``.

Each 8-connected component's outer boundary is traced (Moore neighbourhood) and simplified
(Douglas-Peucker); components smaller than 3 boundary points are skipped.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["mask_to_polygons"]

# Clockwise neighbours, starting west, as (dy, dx).
_NEIGHBOURS = [(0, -1), (-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1)]


def _trace(bits: NDArray[np.bool_], start: tuple[int, int]) -> list[tuple[int, int]]:
    height, width = bits.shape
    boundary = [start]
    current, direction = start, 0
    for _ in range(4 * bits.size):
        for turn in range(8):
            d = (direction + turn) % 8
            y, x = current[0] + _NEIGHBOURS[d][0], current[1] + _NEIGHBOURS[d][1]
            if 0 <= y < height and 0 <= x < width and bits[y, x]:
                current, direction = (y, x), (d + 6) % 8  # look back-left first next time
                break
        else:
            return boundary  # an isolated pixel
        if current == start:
            return boundary
        boundary.append(current)
    return boundary


def _simplify(points: NDArray[np.float64], tolerance: float) -> NDArray[np.float64]:
    if len(points) < 3:
        return points
    start, end = points[0], points[-1]
    line = end - start
    norm = np.hypot(*line)
    offsets = points - start
    distances = (np.abs(line[0] * offsets[:, 1] - line[1] * offsets[:, 0]) / norm if norm
                 else np.hypot(offsets[:, 0], offsets[:, 1]))
    index = int(np.argmax(distances))
    if distances[index] <= tolerance:
        return np.array([start, end])
    left = _simplify(points[: index + 1], tolerance)
    right = _simplify(points[index:], tolerance)
    return np.vstack([left[:-1], right])


def _components(bits: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """A starting pixel (the top-left one) of each 8-connected component."""
    seen = np.zeros_like(bits)
    starts = []
    height, width = bits.shape
    for y, x in zip(*np.nonzero(bits), strict=True):
        if seen[y, x]:
            continue
        starts.append((int(y), int(x)))
        stack = [(int(y), int(x))]
        seen[y, x] = True
        while stack:
            cy, cx = stack.pop()
            for dy, dx in _NEIGHBOURS:
                ny, nx = cy + dy, cx + dx
                if 0 <= ny < height and 0 <= nx < width and bits[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    stack.append((ny, nx))
    return starts


def mask_to_polygons(bits: NDArray[np.bool_], *, tolerance: float = 1.0) -> list[list[float]]:
    """Polygons ``[x1, y1, x2, y2, ...]`` outlining each component of ``bits`` (pixel centres)."""
    polygons = []
    for start in _components(np.asarray(bits, dtype=bool)):
        boundary = np.array(_trace(bits, start), dtype=np.float64)
        if len(boundary) < 3:
            continue
        closed = np.vstack([boundary, boundary[:1]])
        simple = _simplify(closed, tolerance)[:-1]
        if len(simple) < 3:
            simple = boundary
        polygons.append(simple[:, ::-1].ravel().tolist())  # (y, x) -> x, y
    return polygons
