"""Masks: CVAT's run lengths, COCO's RLE, polygons and bitmaps.

CVAT (the API, and the model of this package) stores a mask as run lengths over the pixels
of its bounding box, row by row, starting with a run of zeros, followed by the inclusive box
``x1, y1, x2, y2``. COCO stores run lengths over the whole image, column by column, either
as a list of counts or compressed into a string (the ``pycocotools`` encoding, implemented
here with numpy so that the core needs no compiled extension).

All bitmaps are ``numpy`` boolean arrays of shape ``(height, width)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

__all__ = [
    "bbox_of",
    "coco_rle_decode",
    "coco_rle_encode",
    "decode_mask",
    "encode_mask",
    "mask_area",
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


def _fill(runs: Sequence[float], size: int) -> np.ndarray:
    flat = np.zeros(size, dtype=bool)
    position = 0
    value = False
    for run in runs:
        run = int(run)
        if value:
            flat[position:position + run] = True
        position += run
        value = not value
    if position != size:
        raise ValueError(f"The run lengths cover {position} pixels, expected {size}.")
    return flat


def decode_mask(points: Sequence[float]) -> tuple[np.ndarray, int, int]:
    """CVAT mask points → ``(bitmap of the box, left, top)``."""
    if len(points) < 5:
        raise ValueError("A mask needs run lengths and a box [x1, y1, x2, y2].")
    x1, y1, x2, y2 = (int(v) for v in points[-4:])
    width, height = x2 - x1 + 1, y2 - y1 + 1
    if width <= 0 or height <= 0:
        raise ValueError(f"A mask box needs x2 >= x1 and y2 >= y1, got {x1, y1, x2, y2}.")
    flat = _fill(points[:-4], width * height)
    return flat.reshape(height, width), x1, y1


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
    box, left, top = decode_mask(points)
    full = np.zeros((height, width), dtype=bool)
    x0, y0 = max(left, 0), max(top, 0)
    x1, y1 = min(left + box.shape[1], width), min(top + box.shape[0], height)
    if x1 > x0 and y1 > y0:
        full[y0:y1, x0:x1] = box[y0 - top:y1 - top, x0 - left:x1 - left]
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


def coco_rle_decode(rle: Mapping[str, Any]) -> np.ndarray:
    """COCO RLE (compressed string or list of counts) → a ``(h, w)`` bitmap."""
    height, width = (int(v) for v in rle["size"])
    counts = rle["counts"]
    if isinstance(counts, (bytes, str)):
        counts = _decompress(counts.decode() if isinstance(counts, bytes) else counts)
    flat = _fill(counts, height * width)
    return flat.reshape((width, height)).T
