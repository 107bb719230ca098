"""Boxes and bitmaps of shapes (plain numpy/Pillow; the transforms turn them into tensors)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import PIL.Image
import PIL.ImageDraw
from numpy.typing import NDArray

from inklab.sdk import models
from inklab.sdk.masks import decode_mask, mask_bbox
from inklab.vocabulary import ShapeType

__all__ = ["outline", "rasterize", "shape_box"]

Box = tuple[float, float, float, float]


def _rotate(points: Sequence[tuple[float, float]], degrees: float, cx: float, cy: float) -> list[tuple[float, float]]:
    if not degrees:
        return list(points)
    theta = math.radians(degrees)
    c, s = math.cos(theta), math.sin(theta)
    return [(cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c) for x, y in points]


def _ellipse_axes(points: Sequence[float]) -> tuple[float, float, float, float]:
    cx, cy, x2, y2 = points[:4]
    return cx, cy, abs(x2 - cx), abs(cy - y2)


def _extent(xs: Sequence[float], ys: Sequence[float]) -> Box:
    return float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys))


def outline(shape: models.LabeledShape, segments: int = 64) -> list[tuple[float, float]]:
    """The polygon a rectangle, ellipse or polygon covers (rotation applied)."""
    p = shape.points
    if shape.type == ShapeType.RECTANGLE:
        x1, y1, x2, y2 = p[:4]
        return _rotate([(x1, y1), (x2, y1), (x2, y2), (x1, y2)], shape.rotation, (x1 + x2) / 2, (y1 + y2) / 2)
    if shape.type == ShapeType.ELLIPSE:
        cx, cy, rx, ry = _ellipse_axes(p)
        ring = [(cx + rx * math.cos(2 * math.pi * i / segments), cy + ry * math.sin(2 * math.pi * i / segments))
                for i in range(segments)]
        return _rotate(ring, shape.rotation, cx, cy)
    return list(zip(p[0::2], p[1::2], strict=False))


def shape_box(shape: models.LabeledShape) -> Box:
    """``(x_min, y_min, x_max, y_max)`` of a shape, rotation included.

    Masks: their encoded box (right/bottom exclusive). Skeletons: their points that are not
    outside (all points when every one is). Raises ``ValueError`` for a shape without points.
    """
    kind = shape.type
    if kind == ShapeType.MASK:
        return tuple(float(v) for v in mask_bbox(shape.points))  # type: ignore[return-value]
    if kind == ShapeType.ELLIPSE:
        cx, cy, rx, ry = _ellipse_axes(shape.points)
        theta = math.radians(shape.rotation)
        hx = math.hypot(rx * math.cos(theta), ry * math.sin(theta))
        hy = math.hypot(rx * math.sin(theta), ry * math.cos(theta))
        return cx - hx, cy - hy, cx + hx, cy + hy
    if kind == ShapeType.SKELETON:
        elements = [e for e in shape.elements if not e.outside] or list(shape.elements)
        xs = [x for e in elements for x in e.points[0::2]]
        ys = [y for e in elements for y in e.points[1::2]]
    elif kind == ShapeType.RECTANGLE:
        corners = outline(shape)
        xs, ys = [x for x, _ in corners], [y for _, y in corners]
    else:
        xs, ys = list(shape.points[0::2]), list(shape.points[1::2])
    if not xs or not ys:
        raise ValueError(f"A {kind} shape on frame {shape.frame} has no points.")
    return _extent(xs, ys)


def rasterize(shape: models.LabeledShape, size: tuple[int, int]) -> NDArray[np.bool_]:
    """The ``[height, width]`` boolean bitmap a mask, polygon, ellipse or rectangle covers."""
    width, height = size
    if shape.type == ShapeType.MASK:
        return decode_mask(shape.points, image_width=width, image_height=height)
    canvas = PIL.Image.new("1", (width, height))
    points = outline(shape)
    if len(points) >= 2:
        PIL.ImageDraw.Draw(canvas).polygon(points, fill=1, outline=1)
    return np.array(canvas, dtype=bool)
