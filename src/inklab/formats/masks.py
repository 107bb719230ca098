"""Masks: CVAT's run lengths, COCO's RLE, polygons and bitmaps.

CVAT (the API, and the model of this package) stores a mask as run lengths over the pixels
of its bounding box, row by row, starting with a run of zeros, followed by the inclusive box
``x1, y1, x2, y2``. COCO stores run lengths over the whole image, column by column, either
as a list of counts or compressed into a string (the ``pycocotools`` encoding, implemented
here with numpy so that the core needs no compiled extension).

All bitmaps are ``numpy`` boolean arrays of shape ``(height, width)``.

The numbers of a mask come from files and clients, so each decoder checks them before it makes
a bitmap: the run lengths must cover the box (or image) exactly, and no bitmap may have more
pixels than :func:`inklab.formats.pixels.check_pixels` allows. :func:`check_mask` says whether
a mask lies inside its image; :func:`mask_in_image` decodes only the part that does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from inklab.formats.pixels import check_pixels

__all__ = [
    "bbox_of",
    "check_mask",
    "coco_rle_decode",
    "coco_rle_encode",
    "decode_mask",
    "encode_mask",
    "mask_area",
    "mask_in_image",
    "mask_to_image",
    "polygon_area",
    "polygon_to_bitmap",
    "runs_of",
]


def runs_of(flat: np.ndarray) -> list[int]:
    """Run lengths of a flat boolean array, starting with a run of ``False`` (maybe empty)."""
    flat = np.asarray(flat, dtype=bool)
    if flat.size == 0:
        return []
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate(([0], change, [flat.size]))
    runs = np.diff(bounds).tolist()
    return [0, *runs] if flat[0] else runs


def _counts(runs: Sequence[Any], size: int) -> list[int]:
    """Run lengths as integers, checked to cover exactly ``size`` pixels (no bitmap made yet)."""
    counts = [int(run) for run in runs]
    if any(run < 0 for run in counts):
        raise ValueError("run lengths cannot be negative")
    covered = sum(counts)
    if covered != size:
        raise ValueError(f"the run lengths cover {covered} pixels, expected {size}")
    return counts


def _fill(runs: Sequence[Any], size: int) -> np.ndarray:
    counts = _counts(runs, size)
    flat = np.zeros(size, dtype=bool)
    position = 0
    value = False
    for run in counts:
        if value:
            flat[position:position + run] = True
        position += run
        value = not value
    return flat


def _box(points: Sequence[float]) -> tuple[int, int, int, int]:
    if len(points) < 5:
        raise ValueError("a mask needs run lengths and a box [x1, y1, x2, y2]")
    x1, y1, x2, y2 = (int(v) for v in points[-4:])
    if x2 < x1 or y2 < y1:
        raise ValueError(f"a mask box needs x2 >= x1 and y2 >= y1, got {[x1, y1, x2, y2]}")
    return x1, y1, x2, y2


def decode_mask(points: Sequence[float]) -> tuple[np.ndarray, int, int]:
    """CVAT mask points → ``(bitmap of the box, left, top)``.

    Raises ValueError for a box whose run lengths do not cover it, or that is over the pixel limit.
    """
    x1, y1, x2, y2 = _box(points)
    width, height = x2 - x1 + 1, y2 - y1 + 1
    check_pixels(width, height)
    flat = _fill(points[:-4], width * height)
    return flat.reshape(height, width), x1, y1


def check_mask(points: Sequence[float], width: int, height: int) -> None:
    """Raise ValueError unless ``points`` is a CVAT mask inside a ``width`` × ``height`` image:
    whole non-negative run lengths that cover its box exactly, the box within the image."""
    if not all(float(v).is_integer() for v in points):
        raise ValueError("a mask's run lengths and box are whole numbers")
    x1, y1, x2, y2 = _box(points)
    if x1 < 0 or y1 < 0 or x2 >= width or y2 >= height:
        raise ValueError(f"the mask's box [{x1}, {y1}, {x2}, {y2}] is not inside the {width}x{height} image")
    _counts(points[:-4], (x2 - x1 + 1) * (y2 - y1 + 1))


def _paint(out: np.ndarray, rows: tuple[int, int], cols: tuple[int, int], origin: tuple[int, int]) -> None:
    """Set the image pixels ``rows`` × ``cols`` (half-open) that fall in ``out`` (placed at ``origin``)."""
    left, top = origin
    r0, r1 = max(rows[0], top), min(rows[1], top + out.shape[0])
    c0, c1 = max(cols[0], left), min(cols[1], left + out.shape[1])
    if r1 > r0 and c1 > c0:
        out[r0 - top:r1 - top, c0 - left:c1 - left] = True


def mask_in_image(points: Sequence[float], width: int, height: int) -> tuple[np.ndarray, int, int] | None:
    """The part of a CVAT mask inside a ``width`` × ``height`` image, as ``(bitmap, left, top)``;
    None when none of its box is inside. Only that part is ever allocated: a box far larger than
    the image costs no more than the image."""
    x1, y1, x2, y2 = _box(points)
    box_width = x2 - x1 + 1
    counts = _counts(points[:-4], box_width * (y2 - y1 + 1))
    left, top = max(x1, 0), max(y1, 0)
    right, bottom = min(x2 + 1, width), min(y2 + 1, height)
    if right <= left or bottom <= top:
        return None
    if (left, top, right, bottom) == (x1, y1, x2 + 1, y2 + 1):
        return _fill(counts, box_width * (bottom - top)).reshape(bottom - top, box_width), left, top
    out = np.zeros((bottom - top, right - left), dtype=bool)
    position = 0
    for index, run in enumerate(counts):
        if index % 2 and run:
            # pixels position .. position + run - 1 of the box, row by row: a first partial
            # row, whole rows, a last partial row
            first, last = divmod(position, box_width), divmod(position + run - 1, box_width)
            if first[0] == last[0]:
                _paint(out, (y1 + first[0], y1 + first[0] + 1), (x1 + first[1], x1 + last[1] + 1), (left, top))
            else:
                _paint(out, (y1 + first[0], y1 + first[0] + 1), (x1 + first[1], x1 + box_width), (left, top))
                _paint(out, (y1 + first[0] + 1, y1 + last[0]), (x1, x1 + box_width), (left, top))
                _paint(out, (y1 + last[0], y1 + last[0] + 1), (x1, x1 + last[1] + 1), (left, top))
        position += run
    return out, left, top


def encode_mask(bitmap: np.ndarray, left: int = 0, top: int = 0) -> tuple[float, ...]:
    """A bitmap (placed at ``left, top``) → CVAT mask points, cropped to the set pixels.

    Raises ValueError for an empty bitmap (CVAT has no empty masks).
    """
    bitmap = np.asarray(bitmap, dtype=bool)
    rows = np.flatnonzero(bitmap.any(axis=1))
    cols = np.flatnonzero(bitmap.any(axis=0))
    if rows.size == 0:
        raise ValueError("The mask is empty.")
    r0, r1, c0, c1 = int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])
    crop = bitmap[r0:r1 + 1, c0:c1 + 1]
    runs = runs_of(crop.ravel())
    return (*(float(r) for r in runs), float(left + c0), float(top + r0), float(left + c1), float(top + r1))


def mask_to_image(points: Sequence[float], width: int, height: int) -> np.ndarray:
    """CVAT mask points → a full-image bitmap (parts outside the image are cut off)."""
    check_pixels(width, height)
    full = np.zeros((height, width), dtype=bool)
    inside = mask_in_image(points, width, height)
    if inside is not None:
        bitmap, left, top = inside
        full[top:top + bitmap.shape[0], left:left + bitmap.shape[1]] = bitmap
    return full


def mask_area(points: Sequence[float]) -> int:
    """Number of set pixels of a CVAT mask."""
    return int(sum(points[1:-4:2]))


def bbox_of(points: Sequence[float]) -> tuple[float, float, float, float]:
    """``(x, y, width, height)`` around a flat list of coordinates."""
    xs, ys = points[0::2], points[1::2]
    x0, y0 = min(xs), min(ys)
    return x0, y0, max(xs) - x0, max(ys) - y0


def polygon_area(points: Sequence[float]) -> float:
    """Area of a simple polygon (shoelace formula)."""
    xs = np.asarray(points[0::2], dtype=float)
    ys = np.asarray(points[1::2], dtype=float)
    return float(abs(np.dot(xs, np.roll(ys, -1)) - np.dot(ys, np.roll(xs, -1))) / 2.0)


def polygon_to_bitmap(polygons: Sequence[Sequence[float]], width: int, height: int) -> np.ndarray:
    """Rasterize polygons (pixel centres inside or on the outline) into one bitmap."""
    image = Image.new("1", (width, height), 0)
    draw = ImageDraw.Draw(image)
    for points in polygons:
        if len(points) >= 6:
            draw.polygon([(float(points[i]), float(points[i + 1])) for i in range(0, len(points) - 1, 2)],
                         fill=1, outline=1)
    return np.array(image, dtype=bool)


# -- COCO RLE ---------------------------------------------------------------------------------

def _compress(counts: Sequence[int]) -> str:
    out = []
    for i, count in enumerate(counts):
        x = int(count)
        if i > 2:
            x -= int(counts[i - 2])
        more = True
        while more:
            c = x & 0x1F
            x >>= 5
            more = (x != -1) if (c & 0x10) else (x != 0)
            if more:
                c |= 0x20
            out.append(chr(c + 48))
    return "".join(out)


def _decompress(text: str) -> list[int]:
    counts: list[int] = []
    data = text.encode("ascii")
    p = 0
    while p < len(data):
        x = 0
        k = 0
        more = True
        while more:
            if p >= len(data):
                raise ValueError("The compressed RLE string ends in the middle of a number.")
            c = data[p] - 48
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def coco_rle_encode(bitmap: np.ndarray) -> dict[str, Any]:
    """A full-image bitmap → COCO compressed RLE ``{"size": [h, w], "counts": str}``."""
    bitmap = np.asarray(bitmap, dtype=bool)
    height, width = bitmap.shape
    return {"size": [height, width], "counts": _compress(runs_of(bitmap.ravel(order="F")))}


def coco_rle_decode(rle: Mapping[str, Any], image_size: tuple[int, int] | None = None) -> np.ndarray:
    """COCO RLE (compressed string or list of counts) → a ``(h, w)`` bitmap.

    ``image_size`` is the ``(width, height)`` of the image the mask belongs to, when known: an RLE
    of another ``size`` is refused (ValueError) before anything is decoded, as is one over the
    pixel limit; an RLE without ``size`` takes the image's.
    """
    if not isinstance(rle, Mapping):
        raise ValueError("an RLE is an object with 'size' and 'counts'")
    declared = rle.get("size")
    if declared is None and image_size is not None:
        declared = [image_size[1], image_size[0]]
    if (not isinstance(declared, (list, tuple)) or len(declared) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer()
                       for v in declared)):
        raise ValueError(f"'size' must be [height, width], got {declared!r}")
    height, width = (int(v) for v in declared)
    if image_size is not None and (width, height) != tuple(image_size):
        raise ValueError(f"its size is {width}x{height} (width x height), not the image's "
                         f"{image_size[0]}x{image_size[1]}")
    check_pixels(width, height)
    counts = rle["counts"]
    if isinstance(counts, (bytes, str)):
        counts = _decompress(counts.decode() if isinstance(counts, bytes) else counts)
    elif not isinstance(counts, list) or not all(isinstance(c, int) and not isinstance(c, bool) for c in counts):
        raise ValueError("'counts' must be a string or a list of integers")
    flat = _fill(counts, height * width)
    return flat.reshape((width, height)).T
