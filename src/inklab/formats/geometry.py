"""Shape conversions that formats share: outlines of ellipses and rotated boxes, bounding
boxes, and polygons traced around masks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from inklab.formats.masks import decode_mask
from inklab.formats.model import Shape
from inklab.vocabulary import ShapeType

__all__ = ["ELLIPSE_VERTICES", "bitmap_to_polygons", "ellipse_polygon", "mask_polygons", "rectangle_corners",
           "shape_bbox", "shape_outline"]

#: vertices of the polygon an ellipse becomes in formats without ellipses
ELLIPSE_VERTICES = 32


def _rotate(points: list[tuple[float, float]], cx: float, cy: float, degrees: float) -> list[tuple[float, float]]:
    if not degrees:
        return points
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    return [(cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c) for x, y in points]


def rectangle_corners(points: Sequence[float], rotation: float = 0.0) -> tuple[float, ...]:
    """The four corners (clockwise from top-left) of a possibly rotated rectangle."""
    x1, y1, x2, y2 = points
    corners = _rotate([(x1, y1), (x2, y1), (x2, y2), (x1, y2)], (x1 + x2) / 2, (y1 + y2) / 2, rotation)
    return tuple(v for p in corners for v in p)


def ellipse_polygon(points: Sequence[float], rotation: float = 0.0,
                    vertices: int = ELLIPSE_VERTICES) -> tuple[float, ...]:
    """A polygon approximating the ellipse ``(cx, cy, cx + rx, cy - ry)``."""
    cx, cy, right, top = points
    rx, ry = abs(right - cx), abs(cy - top)
    outline = [(cx + rx * math.cos(2 * math.pi * i / vertices), cy + ry * math.sin(2 * math.pi * i / vertices))
               for i in range(vertices)]
    return tuple(v for p in _rotate(outline, cx, cy, rotation) for v in p)


def shape_outline(shape: Shape) -> tuple[float, ...]:
    """The points that outline a shape, for bounding boxes (skeletons: their visible points)."""
    if shape.type == ShapeType.RECTANGLE:
        return rectangle_corners(shape.points, shape.rotation)
    if shape.type == ShapeType.ELLIPSE:
        return ellipse_polygon(shape.points, shape.rotation)
    if shape.type == ShapeType.MASK:
        x1, y1, x2, y2 = shape.points[-4:]
        return (x1, y1, x2 + 1, y2 + 1)
    if shape.type == ShapeType.SKELETON:
        pts = [v for e in shape.elements if not e.outside for v in e.points]
        return tuple(pts or [v for e in shape.elements for v in e.points])
    return shape.points


def shape_bbox(shape: Shape) -> tuple[float, float, float, float]:
    """``(x, y, width, height)`` around a shape."""
    outline = shape_outline(shape)
    if not outline:
        return 0.0, 0.0, 0.0, 0.0
    xs, ys = outline[0::2], outline[1::2]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


# -- polygons around masks --------------------------------------------------------------------

_RIGHT_TURN = {(1, 0): (0, 1), (0, 1): (-1, 0), (-1, 0): (0, -1), (0, -1): (1, 0)}


def bitmap_to_polygons(bitmap: np.ndarray, left: int = 0, top: int = 0) -> list[tuple[float, ...]]:
    """Outer outlines of the regions of a bitmap, as polygons along pixel edges.

    Each 4-connected region gives one polygon (holes are not represented); vertices are
    pixel corners, offset by ``left, top``; collinear vertices are removed.
    """
    bitmap = np.asarray(bitmap, dtype=bool)
    padded = np.pad(bitmap, 1)
    edges: dict[tuple[int, int], list[tuple[int, int]]] = {}
    # Directed edges with the region on their right (clockwise in image coordinates).
    ys, xs = np.nonzero(padded[1:-1, 1:-1])
    for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
        py, px = y + 1, x + 1
        if not padded[py - 1, px]:
            edges.setdefault((x, y), []).append((x + 1, y))
        if not padded[py, px + 1]:
            edges.setdefault((x + 1, y), []).append((x + 1, y + 1))
        if not padded[py + 1, px]:
            edges.setdefault((x + 1, y + 1), []).append((x, y + 1))
        if not padded[py, px - 1]:
            edges.setdefault((x, y + 1), []).append((x, y))
    polygons = []
    while edges:
        start = next(iter(edges))
        loop = [start]
        current = start
        direction: tuple[int, int] | None = None
        while True:
            options = edges.get(current)
            if not options:
                break
            if len(options) > 1 and direction is not None:
                # Where two regions touch at a corner, turn right to keep them apart.
                wanted = _RIGHT_TURN[direction]
                pick = next((o for o in options if (o[0] - current[0], o[1] - current[1]) == wanted), options[0])
            else:
                pick = options[0]
            options.remove(pick)
            if not options:
                del edges[current]
            direction = (pick[0] - current[0], pick[1] - current[1])
            current = pick
            if current == start:
                break
            loop.append(current)
        simplified = _simplify(loop)
        if len(simplified) >= 3 and _signed_area(simplified) > 0:
            polygons.append(tuple(float(v) for x, y in simplified for v in (x + left, y + top)))
    return polygons


def _simplify(loop: list[tuple[int, int]]) -> list[tuple[int, int]]:
    result = []
    n = len(loop)
    for i in range(n):
        ax, ay = loop[i - 1]
        bx, by = loop[i]
        cx, cy = loop[(i + 1) % n]
        if (bx - ax) * (cy - by) - (by - ay) * (cx - bx) != 0:
            result.append(loop[i])
    return result


def _signed_area(loop: list[tuple[int, int]]) -> float:
    total = 0
    for i in range(len(loop)):
        x1, y1 = loop[i - 1]
        x2, y2 = loop[i]
        total += x1 * y2 - x2 * y1
    return total / 2


def mask_polygons(points: Sequence[float]) -> list[tuple[float, ...]]:
    """Polygons outlining a CVAT mask (``conv_mask_to_poly``)."""
    bitmap, left, top = decode_mask(points)
    return bitmap_to_polygons(bitmap, left, top)
