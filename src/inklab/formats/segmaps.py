"""Class and instance maps: shapes painted into per-pixel index images, and masks read back.

Painting follows CVAT's pixel model (pixel ``(x, y)`` covers ``[x, x+1) × [y, y+1)``): a
pixel belongs to a polygon, box or ellipse when its centre is inside. Shapes are painted in
``z_order`` (then file order), so where shapes overlap the upper one wins. Shapes of one
group with the same label are one instance. Shapes of the map's background label paint
background (holes), as in CVAT.

Reading turns a map back into masks: one per instance (its label the most common class of
its pixels) or, for class maps alone, one per class.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

from inklab.formats.colormaps import LabelMap
from inklab.formats.errors import MalformedFile, UnsupportedData
from inklab.formats.files import InputTree
from inklab.formats.geometry import rectangle_corners
from inklab.formats.masks import encode_mask, mask_in_image
from inklab.formats.model import Attribute, Frame, Shape
from inklab.formats.pngfile import encode_png
from inklab.vocabulary import ObjectSource, ShapeType

__all__ = ["PAINTED", "Painting", "fill_polygon", "index_png", "masks_of", "paint", "read_map", "regions",
           "shape_bitmap"]

#: the shape types that can be painted
PAINTED = frozenset({ShapeType.RECTANGLE, ShapeType.POLYGON, ShapeType.ELLIPSE, ShapeType.MASK})


def fill_polygon(points: Sequence[float], width: int, height: int) -> tuple[np.ndarray, int, int] | None:
    """The pixels (inside the image) whose centres are inside the polygon, as ``(bitmap of
    the polygon's box, left, top)``; None when there are none."""
    vertices = np.asarray(points, dtype=float)
    if vertices.size < 6:
        return None
    vertices = vertices[: vertices.size // 2 * 2].reshape(-1, 2)
    xs, ys = vertices[:, 0], vertices[:, 1]
    top, bottom = max(int(ys.min()), 0), min(int(np.ceil(ys.max())), height)  # int() floors: ys.min() >= 0 here
    left, right = max(int(np.floor(xs.min())), 0), min(int(np.ceil(xs.max())), width)
    if bottom <= top or right <= left:
        return None
    following = np.concatenate((vertices[1:], vertices[:1]))
    x0, y0, x1, y1 = xs, ys, following[:, 0], following[:, 1]
    sloped = y0 != y1  # horizontal edges cross no row centre
    x0, y0, x1, y1 = x0[sloped], y0[sloped], x1[sloped], y1[sloped]
    centres = np.arange(top + 0.5, bottom, 1.0)[:, None]
    crossing = (y0 <= centres) != (y1 <= centres)
    at = np.where(crossing, x0 + (centres - y0) * (x1 - x0) / (y1 - y0), np.inf)
    # crossings pair up along a row (even-odd rule): pixel centres in [start, stop) are inside;
    # rows with fewer spans have inf there, which no centre reaches
    spans = int(crossing.sum(axis=1).max(initial=0))  # the most crossings on one row
    columns = np.arange(left + 0.5, right, 1.0)[None, :]
    if spans <= 2:  # convex shapes, the common case: one span per row, no sort needed
        if spans < 2:
            return None
        start = at.min(axis=1, keepdims=True)
        stop = np.where(crossing, at, -np.inf).max(axis=1, keepdims=True)
        bitmap = (columns >= start) & (columns < stop)
    else:
        at.sort(axis=1)
        bitmap = np.zeros((bottom - top, right - left), dtype=bool)
        for k in range(0, spans - 1, 2):
            bitmap |= (columns >= at[:, k:k + 1]) & (columns < at[:, k + 1:k + 2])
    if not bitmap.any():
        return None
    return bitmap, left, top


def _ellipse(shape: Shape, width: int, height: int) -> tuple[np.ndarray, int, int] | None:
    cx, cy, right, top = shape.points
    rx, ry = abs(right - cx), abs(cy - top)
    if rx <= 0 or ry <= 0:
        return None
    reach = max(rx, ry)
    x0, x1 = max(int(np.floor(cx - reach)), 0), min(int(np.ceil(cx + reach)), width)
    y0, y1 = max(int(np.floor(cy - reach)), 0), min(int(np.ceil(cy + reach)), height)
    if x1 <= x0 or y1 <= y0:
        return None
    xs = np.arange(x0, x1, dtype=float)[None, :] + 0.5 - cx
    ys = np.arange(y0, y1, dtype=float)[:, None] + 0.5 - cy
    angle = np.radians(shape.rotation)
    u = xs * np.cos(angle) + ys * np.sin(angle)   # into the ellipse's own axes
    v = -xs * np.sin(angle) + ys * np.cos(angle)
    bitmap = (u / rx) ** 2 + (v / ry) ** 2 <= 1.0
    rows, cols = np.flatnonzero(bitmap.any(axis=1)), np.flatnonzero(bitmap.any(axis=0))
    if rows.size == 0:
        return None
    crop = bitmap[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    return crop, x0 + int(cols[0]), y0 + int(rows[0])


def shape_bitmap(shape: Shape, width: int, height: int) -> tuple[np.ndarray, int, int] | None:
    """The pixels of a box, polygon, ellipse or mask inside the image: ``(bitmap, left, top)``."""
    if shape.type == ShapeType.RECTANGLE:
        return fill_polygon(rectangle_corners(shape.points, shape.rotation), width, height)
    if shape.type == ShapeType.POLYGON:
        return fill_polygon(shape.points, width, height)
    if shape.type == ShapeType.ELLIPSE:
        return _ellipse(shape, width, height)
    if shape.type == ShapeType.MASK:
        inside = mask_in_image(shape.points, width, height)
        return inside if inside is not None and inside[0].any() else None
    return None


@dataclass
class Painting:
    """The class map, the instance map (0: no instance) and each instance's shape (the maps
    are unsigned integers: 8 or 16 bits for classes, 16 for instances)."""

    classes: np.ndarray
    instances: np.ndarray
    shapes: list[Shape]


def paint(frame: Frame, label_map: LabelMap, types: frozenset[ShapeType] = PAINTED) -> Painting:
    """Paint a frame's shapes of ``types`` whose labels are in ``label_map``."""
    if not (frame.width and frame.height):
        raise UnsupportedData(f"Frame '{frame.name}': its image size is unknown, so its masks cannot be drawn.")
    chosen = [s for s in frame.shapes if s.type in types and label_map.index(s.label) is not None]
    if len(chosen) >= 1 << 16:
        raise UnsupportedData(f"Frame '{frame.name}': {len(chosen)} shapes to draw; masks hold at most 65,535.")
    classes = np.zeros((frame.height, frame.width), dtype=np.uint8 if len(label_map) <= 256 else np.uint16)
    instances = np.zeros((frame.height, frame.width), dtype=np.uint16)
    groups: dict[tuple[int, str], int] = {}
    numbers: list[int] = []
    shapes: list[Shape] = []
    for shape in chosen:
        key = (shape.group, shape.label)
        if shape.group and key in groups:
            numbers.append(groups[key])
            continue
        shapes.append(shape)
        numbers.append(len(shapes))
        if shape.group:
            groups[key] = len(shapes)
    for position in sorted(range(len(chosen)), key=lambda i: chosen[i].z_order):
        shape = chosen[position]
        found = shape_bitmap(shape, frame.width, frame.height)
        if found is None:
            continue
        bitmap, left, top = found
        index = label_map.index(shape.label) or 0
        area = (slice(top, top + bitmap.shape[0]), slice(left, left + bitmap.shape[1]))
        classes[area][bitmap] = index
        instances[area][bitmap] = numbers[position] if index else 0
    return Painting(classes, instances, shapes)


#: up to this many values, a map is compared with each; beyond, its pixels are sorted once
_COMPARE_LIMIT = 32


def regions(values: np.ndarray, skip: Sequence[int] = (0,)) -> Iterator[tuple[int, np.ndarray, int, int]]:
    """``(value, bitmap of its box, left, top)`` for each value of a map, in increasing order."""
    present = np.flatnonzero(np.bincount(values.ravel())) if values.size else np.array([], dtype=int)
    wanted = [int(v) for v in present if int(v) not in skip]
    if len(wanted) <= _COMPARE_LIMIT:
        for value in wanted:
            rows = np.flatnonzero((values == value).any(axis=1))
            top, bottom = int(rows[0]), int(rows[-1]) + 1
            band = values[top:bottom] == value
            cols = np.flatnonzero(band.any(axis=0))
            left, right = int(cols[0]), int(cols[-1]) + 1
            yield value, band[:, left:right], left, top
        return
    flat = values.ravel()
    order = np.argsort(flat, kind="stable")
    ordered = flat[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], ordered.size]
    width = values.shape[1]
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        value = int(ordered[start])
        if value in skip:
            continue
        ys, xs = np.divmod(order[start:end], width)
        top, left = int(ys.min()), int(xs.min())
        bitmap = np.zeros((int(ys.max()) - top + 1, int(xs.max()) - left + 1), dtype=bool)
        bitmap[ys - top, xs - left] = True
        yield value, bitmap, left, top


def index_png(values: np.ndarray, palette: bytes | list[int] | None = None) -> bytes:
    """A map as PNG: paletted (8 bit) with ``palette``, else 8-bit or 16-bit grayscale."""
    if palette is not None or values.max(initial=0) < 256:
        return encode_png(values.astype(np.uint8, copy=False), palette)
    return encode_png(values.astype(np.uint16, copy=False))


def read_map(source: InputTree, name: str, label_map: LabelMap | None = None) -> np.ndarray:
    """A PNG map as indexes: paletted and grayscale images give their values, color images
    their colors' class indexes in ``label_map`` (a color it lacks is an error)."""
    try:
        with source.open(name) as stream, Image.open(stream) as image:
            image.load()
            mode = image.mode
            array = np.array(image)
    except (UnidentifiedImageError, OSError) as exc:
        raise MalformedFile(name, None, f"not a readable PNG image ({exc})") from exc
    if mode in ("P", "L", "I", "I;16", "I;16B", "1"):
        return array.astype(np.int32)
    if mode not in ("RGB", "RGBA"):
        raise MalformedFile(name, None, f"expected a paletted, grayscale or RGB image, got mode {mode}")
    if label_map is None:
        raise MalformedFile(name, None, "a color mask needs a label map file to tell its colors' labels")
    rgb = array[..., :3].astype(np.int32)
    packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    result = np.zeros(packed.shape, dtype=np.int32)
    for value in np.unique(packed).tolist():
        color = ((value >> 16) & 255, (value >> 8) & 255, value & 255)
        index = label_map.color_index(color)
        if index is None:
            ys, xs = np.nonzero(packed == value)
            raise MalformedFile(name, f"pixel ({int(xs[0])}, {int(ys[0])})",
                                f"the color {color} is not in the label map")
        result[packed == value] = index
    return result


def masks_of(classes: np.ndarray | None, instances: np.ndarray | None, label_map: LabelMap, file: str, *,
             encoded: bool = False, void: int | None = 255) -> list[Shape]:
    """Masks from maps: one per instance when there is an instance map (labelled by the most
    common class of its pixels), else one per class. With ``encoded`` (Cityscapes) the
    instance map alone says the class: ``class * 1000 + instance``, or just the class for
    regions of several objects, which become masks with the attribute ``is_crowd``.
    Instance value ``void`` (VOC's object borders) is no object."""
    shapes = []
    source = instances if instances is not None else classes
    assert source is not None
    skip = (0,) if instances is None or void is None else (0, void)
    for value, bitmap, left, top in regions(source, skip=skip):
        crowd = False
        if instances is None:
            index = value
        elif encoded:
            index, crowd = (value // 1000, False) if value >= 1000 else (value, True)
        elif classes is not None:
            area = classes[top:top + bitmap.shape[0], left:left + bitmap.shape[1]][bitmap]
            index = int(np.bincount(area).argmax())
        else:
            index = value
        if index == 0:
            continue
        if index >= len(label_map):
            ys, xs = np.nonzero(bitmap)
            raise MalformedFile(file, f"pixel ({left + int(xs[0])}, {top + int(ys[0])})",
                                f"class {index} is not in the label map ({len(label_map)} classes, "
                                "the background included)")
        attrs = (Attribute("is_crowd", "true"),) if crowd else ()
        shapes.append(Shape(ShapeType.MASK, label_map.names[index], encode_mask(bitmap, left, top),
                            attributes=attrs, source=ObjectSource.FILE))
    return shapes
