"""The helpers of the segmentation and YOLO formats: label maps, painting by pixel centres,
reading maps back, and the public names of each module."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from inklab.formats import LabelSpec, Shape
from inklab.formats.colormaps import LabelMap, voc_colormap
from inklab.formats.segmaps import fill_polygon, regions, shape_bitmap
from inklab.vocabulary import LabelType, ShapeType

MODULES = ("yolo_text", "yolo", "ultralytics", "ultralytics_detection", "ultralytics_segmentation",
           "ultralytics_pose", "ultralytics_obb", "ultralytics_classification", "imagenet", "colormaps", "segmaps",
           "voc_masks", "pascal_voc", "segmentation_mask", "camvid", "cityscapes")


@pytest.mark.parametrize("name", MODULES)
def test_modules_export_what_all_lists(name: str) -> None:
    module = importlib.import_module(f"inklab.formats.{name}")
    assert module.__all__ and all(hasattr(module, item) for item in module.__all__)


def test_voc_palette_has_the_published_colors() -> None:
    colors = voc_colormap(21)
    assert colors[:4] == [(0, 0, 0), (128, 0, 0), (0, 128, 0), (128, 128, 0)]
    assert colors[15] == (192, 128, 128) and colors[20] == (0, 64, 128)  # person, tvmonitor


def test_label_maps_keep_unique_colors_and_put_the_background_first() -> None:
    labels = (LabelSpec("cat", color="#ff0000"), LabelSpec("dog", color="#FF0000"), LabelSpec("sky"),
              LabelSpec("Background", color="#123456"), LabelSpec("scene", LabelType.TAG),
              LabelSpec("person", LabelType.SKELETON))
    label_map = LabelMap.for_labels(labels)
    assert label_map.names == ("Background", "cat", "dog", "sky")
    assert label_map.colors[:2] == ((0x12, 0x34, 0x56), (255, 0, 0))
    assert len(set(label_map.colors)) == 4 and label_map.colors[2] == (128, 0, 0)  # the duplicate gets a fresh one
    assert LabelMap.for_labels(labels, tags=True).names[-1] == "scene"
    assert label_map.color_index((255, 0, 0)) == 1 and label_map.index("sky") == 3


def _inside(points: list[float], x: float, y: float) -> bool:
    """Even-odd rule, the reference for the scan-line fill."""
    inside = False
    n = len(points) // 2
    for i in range(n):
        x1, y1, x2, y2 = points[2 * i], points[2 * i + 1], points[2 * ((i + 1) % n)], points[2 * ((i + 1) % n) + 1]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


@pytest.mark.parametrize("points", [
    [1.2, 0.7, 13.9, 2.1, 11.0, 9.8, 6.3, 4.4, 2.0, 10.5],   # a concave pentagon
    [0.0, 0.0, 16.0, 0.0, 16.0, 12.0, 0.0, 12.0],            # the whole image
    [-4.0, 3.0, 8.0, -2.0, 20.0, 6.0, 5.0, 15.0],            # partly outside
])
def test_fill_polygon_takes_the_pixels_whose_centres_are_inside(points: list[float]) -> None:
    width, height = 16, 12
    found = fill_polygon(points, width, height)
    assert found is not None
    bitmap, left, top = found
    full = np.zeros((height, width), dtype=bool)
    full[top:top + bitmap.shape[0], left:left + bitmap.shape[1]] = bitmap
    expected = np.array([[_inside(points, x + 0.5, y + 0.5) for x in range(width)] for y in range(height)])
    assert full.tolist() == expected.tolist()


def test_ellipses_and_rotated_boxes_are_drawn_by_their_own_outlines() -> None:
    ellipse = shape_bitmap(Shape(ShapeType.ELLIPSE, "e", (8.0, 6.0, 12.0, 4.0)), 16, 12)
    assert ellipse is not None
    bitmap, left, top = ellipse
    assert (left, top, bitmap.shape, int(bitmap.sum())) == (4, 4, (4, 8), 6 + 8 + 8 + 6)
    turned = shape_bitmap(Shape(ShapeType.RECTANGLE, "r", (4.0, 5.0, 12.0, 7.0), rotation=90.0), 16, 12)
    assert turned is not None and turned[0].shape == (8, 2) and turned[0].all() and turned[1:] == (7, 2)


def test_regions_split_a_map_by_value() -> None:
    values = np.array([[0, 3, 3], [5, 0, 3], [5, 5, 0]])
    found = {value: (bitmap.astype(int).tolist(), left, top) for value, bitmap, left, top in regions(values)}
    assert found == {3: ([[1, 1], [0, 1]], 1, 0), 5: ([[1, 0], [1, 1]], 0, 1)}
