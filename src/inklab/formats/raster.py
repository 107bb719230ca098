"""Shapes as pixels, for formats that store instance or class maps (KITTI, ICDAR
segmentation, Open Images, LabelMe masks): rasterizing shapes, painting them in drawing
order, and PNG/BMP files as numpy arrays with located errors.

Drawing order is CVAT's: by ``z_order``, then in the order the shapes come; a later shape
covers an earlier one where they overlap, so each painted instance keeps only the pixels
that are visible.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image, UnidentifiedImageError

from inklab.formats import masks
from inklab.formats.errors import MalformedFile
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.geometry import ellipse_polygon, rectangle_corners
from inklab.formats.model import Shape
from inklab.vocabulary import ShapeType

__all__ = ["AREA_TYPES", "paint", "polygon_pixels", "read_image_array", "shape_bitmap", "write_image_array"]

#: shape types that cover an area and can become pixels
AREA_TYPES = frozenset({ShapeType.RECTANGLE, ShapeType.POLYGON, ShapeType.ELLIPSE, ShapeType.MASK})


def shape_bitmap(shape: Shape, width: int, height: int) -> np.ndarray:
    """The pixels a shape covers in a ``(height, width)`` image (boolean)."""
    if shape.type == ShapeType.MASK:
        return masks.mask_to_image(shape.points, width, height)
    if shape.type == ShapeType.RECTANGLE:
        outline = rectangle_corners(shape.points, shape.rotation)
    elif shape.type == ShapeType.ELLIPSE:
        outline = ellipse_polygon(shape.points, shape.rotation)
    elif shape.type == ShapeType.POLYGON:
        outline = shape.points
    else:
        raise ValueError(f"A {shape.type.value} covers no area.")
    return polygon_pixels(outline, width, height)


def polygon_pixels(outline: Sequence[float], width: int, height: int) -> np.ndarray:
    """The pixels whose centres lie inside a polygon (even-odd rule), so the pixels' extent stays
    within half a pixel of the polygon's on each side. Work is limited to the polygon's box."""
    result = np.zeros((height, width), dtype=bool)
    xs = np.asarray(outline[0::2], dtype=float)
    ys = np.asarray(outline[1::2], dtype=float)
    if xs.size < 3:
        return result
    left, right = max(int(np.floor(xs.min())), 0), min(int(np.ceil(xs.max())), width)
    top, bottom = max(int(np.floor(ys.min())), 0), min(int(np.ceil(ys.max())), height)
    if right <= left or bottom <= top:
        return result
    cx, cy = np.meshgrid(np.arange(left, right) + 0.5, np.arange(top, bottom) + 0.5)
    inside = np.zeros(cx.shape, dtype=bool)
    for i in range(xs.size):
        xa, ya, xb, yb = xs[i - 1], ys[i - 1], xs[i], ys[i]
        if ya == yb:
            continue
        crosses = (ya > cy) != (yb > cy)
        inside ^= crosses & (cx < xa + (xb - xa) * (cy - ya) / (yb - ya))
    result[top:bottom, left:right] = inside
    return result


def paint(shapes: Sequence[Shape], width: int, height: int) -> np.ndarray:
    """An ``int32`` map where each pixel holds ``i + 1`` for the visible ``shapes[i]`` (0: none)."""
    canvas = np.zeros((height, width), dtype=np.int32)
    order = sorted(range(len(shapes)), key=lambda i: shapes[i].z_order)  # stable: file order within a level
    for i in order:
        canvas[shape_bitmap(shapes[i], width, height)] = i + 1
    return canvas


def write_image_array(out: OutputTree, name: str, array: np.ndarray, fmt: str = "PNG") -> None:
    """Write an array as an image: ``uint8`` (H, W) grey or indexed, ``uint16`` (H, W)
    16-bit grey (KITTI instance maps), or ``uint8`` (H, W, 3) colour."""
    if array.dtype == np.uint16:
        image = Image.fromarray(array.astype(np.uint16), "I;16")
    else:
        image = Image.fromarray(array.astype(np.uint8))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    out.write_bytes(name, buffer.getvalue())


def read_image_array(source: InputTree, name: str) -> np.ndarray:
    """An image file as an array: (H, W) for grey, 16-bit or palette images (palette indexes),
    (H, W, 3) for colour ones. Unreadable files are :class:`MalformedFile`."""
    try:
        with source.open(name) as fh, Image.open(fh) as image:
            image.load()
            if image.mode in ("RGB", "RGBA", "CMYK", "YCbCr", "LA"):
                return np.asarray(image.convert("RGB"))
            if image.mode == "1":
                return np.asarray(image.convert("L"))
            if image.mode in ("I;16", "I;16B", "I;16L", "I"):
                return np.asarray(image).astype(np.int64)
            return np.asarray(image)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise MalformedFile(name, None, f"not a readable image ({exc})") from exc
