"""Similarity of two objects of one family, from 0 (unrelated) to 1 (the same).

* **boxes** (unrotated rectangles): IoU of the boxes, computed in closed form, vectorised;
* **regions** (polygons, masks, ellipses, rotated rectangles): IoU of their pixels. Each region
  is drawn once on a bitmap of its own bounding box (whole pixels, PIL's fill rule); a pair
  counts the pixels both cover where the boxes overlap. Boxes that do not meet are 0 at once.
* **points** and **skeletons**: Object Keypoint Similarity, ``mean(exp(-d² / (2·s·(2σ)²)))`` over
  the points (COCO's formula with ``k = 2σ``), ``s`` the area of the image (``image_size``) or of
  the box around both objects' points (``group_bbox_size``; the image when that box is empty).
  Points of a ``points`` shape pair up by a least-distance assignment; a point without a partner,
  or a skeleton element visible in only one object, contributes 0. Elements hidden in both are
  skipped.
* **polylines**: both lines are resampled to the same number of points evenly spaced along their
  length; with ``d`` the mean distance of corresponding points and ``t`` the tolerance
  (``line_thickness`` × √(image area), or × √(area of the box around both lines)),
  similarity is ``max(0, 1 - d / (2t))``, the better of the two directions of the checked line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw
from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

from inklab.formats.geometry import ellipse_polygon, rectangle_corners
from inklab.formats.masks import decode_mask
from inklab.quality.model import Annotation, PointSizeBase

__all__ = [
    "LINE_SAMPLES",
    "Region",
    "box_iou_matrix",
    "line_similarity",
    "oks",
    "region_iou",
    "region_of",
    "skeleton_oks",
]

#: points a polyline is resampled to before two lines are compared
LINE_SAMPLES = 64


def box_iou_matrix(gt: np.ndarray, ds: np.ndarray) -> np.ndarray:
    """IoU of every ``gt`` box with every ``ds`` box (rows ``[x1, y1, x2, y2]``)."""
    if len(gt) == 0 or len(ds) == 0:
        return np.zeros((len(gt), len(ds)))
    x1 = np.maximum(gt[:, None, 0], ds[None, :, 0])
    y1 = np.maximum(gt[:, None, 1], ds[None, :, 1])
    x2 = np.minimum(gt[:, None, 2], ds[None, :, 2])
    y2 = np.minimum(gt[:, None, 3], ds[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_gt = (gt[:, 2] - gt[:, 0]) * (gt[:, 3] - gt[:, 1])
    area_ds = (ds[:, 2] - ds[:, 0]) * (ds[:, 3] - ds[:, 1])
    union = area_gt[:, None] + area_ds[None, :] - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, inter / union, 0.0)


class Region:
    """An object's pixels: a boolean bitmap whose top-left pixel is at ``(left, top)``."""

    __slots__ = ("area", "bitmap", "left", "top")

    def __init__(self, bitmap: np.ndarray, left: int, top: int) -> None:
        self.bitmap = bitmap.astype(bool, copy=False)
        self.left, self.top = left, top
        self.area = int(self.bitmap.sum())

    @property
    def right(self) -> int:
        return self.left + int(self.bitmap.shape[1])

    @property
    def bottom(self) -> int:
        return self.top + int(self.bitmap.shape[0])

    def window(self, left: int, top: int, right: int, bottom: int) -> np.ndarray:
        """The part of the bitmap inside ``[left, right) × [top, bottom)`` (inside the bitmap)."""
        return self.bitmap[top - self.top:bottom - self.top, left - self.left:right - self.left]


def _polygon_region(flat: Sequence[float]) -> Region:
    xs, ys = flat[0::2], flat[1::2]
    left, top = math.floor(min(xs)), math.floor(min(ys))
    width, height = math.ceil(max(xs)) - left + 1, math.ceil(max(ys)) - top + 1
    image = Image.new("1", (max(width, 1), max(height, 1)), 0)
    ImageDraw.Draw(image).polygon([(x - left, y - top) for x, y in zip(xs, ys, strict=True)], fill=1, outline=1)
    return Region(np.array(image, dtype=bool), left, top)


def region_of(annotation: Annotation) -> Region:
    """The pixels of a polygon, mask, ellipse or rectangle."""
    if annotation.type == "mask":
        bitmap, left, top = decode_mask(annotation.points)
        return Region(bitmap, left, top)
    if annotation.type == "ellipse":
        return _polygon_region(ellipse_polygon(annotation.points, annotation.rotation))
    if annotation.type == "rectangle":
        return _polygon_region(rectangle_corners(annotation.points, annotation.rotation))
    return _polygon_region(annotation.points)


def _overlap(a: Region, b: Region) -> int:
    left, top = max(a.left, b.left), max(a.top, b.top)
    right, bottom = min(a.right, b.right), min(a.bottom, b.bottom)
    if right <= left or bottom <= top:
        return 0
    return int(np.count_nonzero(a.window(left, top, right, bottom) & b.window(left, top, right, bottom)))


def region_iou(a: Region, b: Region) -> float:
    inter = _overlap(a, b)
    union = a.area + b.area - inter
    return inter / union if union > 0 else 0.0


def _pairs(points: Sequence[float]) -> np.ndarray:
    return np.asarray(points, dtype=float).reshape(-1, 2)


def _scale(gt: np.ndarray, ds: np.ndarray, base: PointSizeBase, image_size: tuple[int, int] | None) -> float:
    image_area = float(image_size[0] * image_size[1]) if image_size else 0.0
    if base == PointSizeBase.IMAGE_SIZE and image_area > 0:
        return image_area
    both = np.concatenate([gt, ds]) if len(gt) and len(ds) else (gt if len(gt) else ds)
    if len(both):
        span = both.max(axis=0) - both.min(axis=0)
        area = float(span[0] * span[1])
        if area > 0:
            return area
    return image_area if image_area > 0 else 1.0


def _keypoint_similarity(distances: np.ndarray, scale: float, sigma: float) -> np.ndarray:
    return np.exp(-(distances ** 2) / (2 * scale * (2 * sigma) ** 2))


def oks(gt: Annotation, ds: Annotation, sigma: float, base: PointSizeBase = PointSizeBase.GROUP_BBOX_SIZE,
        image_size: tuple[int, int] | None = None) -> float:
    """OKS of two ``points`` shapes (any numbers of points)."""
    a, b = _pairs(gt.points), _pairs(ds.points)
    if len(a) == 0 or len(b) == 0:
        return 0.0
    scale = _scale(a, b, base, image_size)
    distances = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)
    rows, cols = linear_sum_assignment(distances)
    return float(_keypoint_similarity(distances[rows, cols], scale, sigma).sum() / max(len(a), len(b)))


def skeleton_oks(gt: Annotation, ds: Annotation, sigma: float,
                 base: PointSizeBase = PointSizeBase.GROUP_BBOX_SIZE,
                 image_size: tuple[int, int] | None = None) -> float:
    """OKS of two skeletons, their elements paired by label."""
    theirs = {e.label: e for e in ds.elements}
    visible = [e.points[:2] for e in (*gt.elements, *ds.elements) if not e.outside and len(e.points) >= 2]
    points = _pairs([v for p in visible for v in p]) if visible else np.zeros((0, 2))
    scale = _scale(points, np.zeros((0, 2)), base, image_size)
    total, count = 0.0, 0
    for element in gt.elements:
        other = theirs.get(element.label)
        mine_visible = not element.outside and len(element.points) >= 2
        other_visible = other is not None and not other.outside and len(other.points) >= 2
        if not mine_visible and not other_visible:
            continue
        count += 1
        if mine_visible and other_visible:
            distance = np.linalg.norm(_pairs(element.points[:2])[0] - _pairs(other.points[:2])[0])  # type: ignore[union-attr]
            total += float(_keypoint_similarity(np.asarray([distance]), scale, sigma)[0])
    gt_labels = {e.label for e in gt.elements}
    count += sum(1 for e in ds.elements if e.label not in gt_labels and not e.outside)
    return total / count if count else 1.0


def _resample(points: np.ndarray, samples: int) -> np.ndarray:
    if len(points) == 1:
        return np.repeat(points, samples, axis=0)
    steps = np.linalg.norm(np.diff(points, axis=0), axis=1)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    if along[-1] == 0:
        return np.repeat(points[:1], samples, axis=0)
    targets = np.linspace(0.0, along[-1], samples)
    return np.stack([np.interp(targets, along, points[:, 0]), np.interp(targets, along, points[:, 1])], axis=1)


def line_similarity(gt: Annotation, ds: Annotation, thickness: float,
                    image_size: tuple[int, int] | None = None) -> tuple[float, float]:
    """``(similarity as drawn, similarity with the checked line reversed)`` of two polylines."""
    a, b = _pairs(gt.points), _pairs(ds.points)
    if len(a) == 0 or len(b) == 0:
        return 0.0, 0.0
    if image_size:
        size = math.sqrt(image_size[0] * image_size[1])
    else:
        both = np.concatenate([a, b])
        span = both.max(axis=0) - both.min(axis=0)
        size = math.sqrt(max(float(span[0] * span[1]), 1.0))
    tolerance = max(thickness * size, 1e-9)
    ra, rb = _resample(a, LINE_SAMPLES), _resample(b, LINE_SAMPLES)

    def similarity(other: np.ndarray) -> float:
        distance = float(np.linalg.norm(ra - other, axis=1).mean())
        return max(0.0, 1.0 - distance / (2 * tolerance))

    return similarity(rb), similarity(rb[::-1])
