"""The outlines of a mask as polygons, for ``conv_mask_to_poly``, with scikit-image.

``skimage.measure.find_contours`` (marching squares) traces where the mask crosses
``level`` between pixel centres, and ``approximate_polygon`` (Douglas-Peucker) simplifies
each outline, as the reference torchvision function does. Unlike it, the mask is padded
with background first, so that regions touching the image's edge get closed outlines
(clipped back into the image) instead of open lines.

Coordinates are those of pixel indices: pixel ``(x, y)``'s centre is at ``(x, y)``, so the
outline of a boolean mask runs half a pixel outside its outer pixel centres, and a polygon
filled by pixel centres (PIL's rule) gives the mask back. Polygons cannot have holes: the
outlines of holes are left out (a ring gives its outer outline).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["mask_to_polygons"]


def _is_hole(contour: NDArray[np.float64]) -> bool:
    """Whether a closed ``(row, column)`` outline goes around a hole: counter-clockwise on
    screen (the shoelace sign, with the y axis pointing down)."""
    ys, xs = contour[:, 0], contour[:, 1]
    return bool(np.dot(xs, np.roll(ys, -1)) < np.dot(ys, np.roll(xs, -1)))


def _tidy(points: NDArray[np.float64]) -> NDArray[np.float64]:
    """Drop repeated and collinear vertices of a closed outline (clipping makes some)."""
    points = points[(points != np.roll(points, 1, axis=0)).any(axis=1)]
    while len(points) >= 3:
        before, after = np.roll(points, 1, axis=0), np.roll(points, -1, axis=0)
        cross = ((points[:, 0] - before[:, 0]) * (after[:, 1] - points[:, 1])
                 - (points[:, 1] - before[:, 1]) * (after[:, 0] - points[:, 0]))
        if (cross != 0).all():
            break
        points = points[cross != 0]
    return points


def mask_to_polygons(mask: ArrayLike, *, level: float = 0.5, tolerance: float = 2.5) -> list[list[float]]:
    """Polygons ``[x1, y1, x2, y2, ...]`` around each region where ``mask >= level``.

    ``mask`` is a 2-D array: booleans, or a model's probabilities. ``tolerance`` is the
    largest distance, in pixels, between an outline and its simplified polygon (0 keeps every
    turn; collinear points are always dropped). Outlines are listed in scikit-image's order;
    one with fewer than three distinct points is skipped. Raises ``ValueError`` for a mask
    that is not 2-D or a ``level`` that is not positive.
    """
    import skimage.measure  # imported here: only this needs it

    measure: Any = skimage.measure  # its functions have no annotations

    values = np.asarray(mask)
    if values.ndim != 2:
        raise ValueError(f"the mask must be 2-D, got shape {values.shape}")
    if not level > 0:
        raise ValueError(f"level must be positive (the padding is 0), got {level}")
    height, width = values.shape
    padded = np.pad(values.astype(np.float32), 1)
    # Values equal to the level count as inside: trace just below it.
    contours = measure.find_contours(padded, level=math.nextafter(level, -math.inf))
    polygons: list[list[float]] = []
    for contour in contours:
        contour = contour - 1.0
        if len(contour) < 4 or _is_hole(contour):  # closed outlines repeat their first point
            continue
        simple = measure.approximate_polygon(contour, tolerance=tolerance)
        if len(simple) < 4:  # simplified away (a small region): keep its outline as traced
            simple = contour
        points = simple[:-1].copy()
        points[:, 0] = np.clip(points[:, 0], 0, height - 1)
        points[:, 1] = np.clip(points[:, 1], 0, width - 1)
        points = _tidy(points)
        if len(points) < 3:  # a region one pixel thick along the edge: nothing left of it
            continue
        polygons.append([float(v) for v in points[:, ::-1].ravel()])
    return polygons
