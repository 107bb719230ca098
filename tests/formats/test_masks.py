"""Mask encodings against pycocotools, polygon tracing, geometry helpers."""

from __future__ import annotations

import io
import tracemalloc

import numpy as np
import pytest
from PIL import Image
from pycocotools import mask as mask_utils

from inklab.formats.geometry import bitmap_to_polygons, ellipse_polygon, mask_polygons, rectangle_corners
from inklab.formats.masks import (
    check_mask,
    coco_rle_decode,
    coco_rle_encode,
    decode_mask,
    encode_mask,
    mask_area,
    mask_to_image,
    polygon_to_bitmap,
)
from inklab.formats.pixels import check_pixels, max_pixels, set_max_pixels

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pycocotools")


def _random_bitmap(seed: int, shape: tuple[int, int] = (37, 53)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.random(shape) > 0.6


@pytest.mark.parametrize("seed", range(5))
def test_coco_rle_is_what_pycocotools_writes_and_reads(seed: int) -> None:
    bitmap = _random_bitmap(seed)
    ours = coco_rle_encode(bitmap)
    theirs = mask_utils.encode(np.asfortranarray(bitmap.astype(np.uint8)))
    assert ours["counts"] == theirs["counts"].decode() and ours["size"] == list(theirs["size"])
    assert np.array_equal(coco_rle_decode(ours), bitmap)
    assert np.array_equal(mask_utils.decode({"size": ours["size"], "counts": ours["counts"].encode()}), bitmap)


def test_uncompressed_coco_counts_decode() -> None:
    bitmap = np.zeros((4, 3), dtype=bool)
    bitmap[1:3, 1] = True  # column-major: 4 zeros (col 0) + 1 zero, 2 ones, 1 zero, 4 zeros
    assert np.array_equal(coco_rle_decode({"size": [4, 3], "counts": [5, 2, 5]}), bitmap)
    with pytest.raises(ValueError, match="cover 11 pixels, expected 12"):
        coco_rle_decode({"size": [4, 3], "counts": [5, 2, 4]})


def test_cvat_mask_points_round_trip_and_crop() -> None:
    bitmap = np.zeros((10, 12), dtype=bool)
    bitmap[2:5, 3:7] = True
    bitmap[3, 4] = False
    points = encode_mask(bitmap, left=100, top=50)
    assert points[-4:] == (103.0, 52.0, 106.0, 54.0)
    assert sum(points[:-4]) == 4 * 3 and mask_area(points) == 11
    box, left, top = decode_mask(points)
    assert (left, top) == (103, 52) and np.array_equal(box, bitmap[2:5, 3:7])
    full = mask_to_image(encode_mask(bitmap), 12, 10)
    assert np.array_equal(full, bitmap)
    with pytest.raises(ValueError, match="empty"):
        encode_mask(np.zeros((3, 3), dtype=bool))


def test_mask_partly_outside_the_image_is_cut() -> None:
    points = encode_mask(np.ones((4, 4), dtype=bool), left=8, top=-2)
    full = mask_to_image(points, 10, 10)
    assert full.sum() == 2 * 2 and full[0:2, 8:10].all()


def test_polygons_traced_around_masks_rasterize_back() -> None:
    bitmap = np.zeros((20, 30), dtype=bool)
    bitmap[2:8, 3:12] = True        # a rectangle
    bitmap[12:18, 20:25] = True     # a second region
    bitmap[12:15, 20:22] = False    # with a notch
    polygons = bitmap_to_polygons(bitmap)
    assert len(polygons) == 2
    assert polygons[0] == (3.0, 2.0, 12.0, 2.0, 12.0, 8.0, 3.0, 8.0)
    # the traced outline encloses exactly the pixels: pycocotools' rasterization agrees on the area
    for polygon in polygons:
        rle = mask_utils.frPyObjects([list(polygon)], 20, 30)
        area = float(mask_utils.area(mask_utils.merge(rle)))
        assert area == pytest.approx(bitmap[:10].sum() if polygon[1] < 10 else bitmap[10:].sum(), abs=10)
    assert mask_polygons(encode_mask(bitmap))[0] == polygons[0]


def test_diagonal_neighbours_become_separate_polygons() -> None:
    bitmap = np.array([[1, 0], [0, 1]], dtype=bool)
    assert sorted(bitmap_to_polygons(bitmap)) == [(0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0),
                                                  (1.0, 1.0, 2.0, 1.0, 2.0, 2.0, 1.0, 2.0)]


def test_geometry_helpers() -> None:
    assert rectangle_corners((0, 0, 10, 4)) == (0, 0, 10, 0, 10, 4, 0, 4)
    rotated = rectangle_corners((0, 0, 10, 4), 90)
    assert rotated == pytest.approx((7, -3, 7, 7, 3, 7, 3, -3))
    ellipse = ellipse_polygon((10, 10, 14, 8))  # rx 4, ry 2
    xs, ys = ellipse[0::2], ellipse[1::2]
    assert (min(xs), max(xs), min(ys), max(ys)) == pytest.approx((6, 14, 8, 12))
    bitmap = polygon_to_bitmap([(1, 1, 5, 1, 5, 3, 1, 3)], 8, 6)
    assert bitmap.sum() == 5 * 3 and bitmap[1:4, 1:6].all()


def test_a_mask_far_larger_than_the_image_decodes_only_what_is_inside() -> None:
    # a box of 10^6 x 10^6 pixels, all set, around a 64 x 48 image: only the image is allocated
    points = (0.0, 1e12, -500_000.0, -500_000.0, 499_999.0, 499_999.0)
    tracemalloc.start()
    try:
        full = mask_to_image(points, 64, 48)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert full.shape == (48, 64) and full.all()
    assert peak < 1024 * 1024
    with pytest.raises(ValueError, match="is more than the limit"):
        decode_mask(points)


@pytest.mark.parametrize(("left", "top"), [(-3, -2), (60, 45), (-3, 45), (60, -2), (10, 10)])
def test_the_part_of_a_mask_inside_the_image_is_what_the_whole_mask_has_there(left: int, top: int) -> None:
    bitmap = _random_bitmap(abs(left * 7 + top), (9, 11))
    bitmap[0, 0] = bitmap[-1, -1] = True  # the box stays 9 x 11
    points = encode_mask(bitmap, left=left, top=top)
    expected = np.zeros((48 + 40, 64 + 40), dtype=bool)
    expected[top + 20:top + 29, left + 20:left + 31] = bitmap
    assert np.array_equal(mask_to_image(points, 64, 48), expected[20:68, 20:84])


@pytest.mark.parametrize(("points", "problem"), [
    ((0.0, 12.0, 0.0, 0.0, 3.0, 2.0), None),
    ((0.0, 12.0, 61.0, 46.0, 64.0, 48.0), "the mask's box [61, 46, 64, 48] is not inside the 64x48 image"),
    ((0.0, 12.0, -1.0, 0.0, 2.0, 2.0), "is not inside the 64x48 image"),
    ((0.0, 1e14, 0.0, 0.0, 9_999_999.0, 9_999_999.0), "is not inside the 64x48 image"),
    ((0.0, 11.0, 0.0, 0.0, 3.0, 2.0), "the run lengths cover 11 pixels, expected 12"),
    ((5.0, -1.0, 8.0, 0.0, 0.0, 3.0, 2.0), "run lengths cannot be negative"),
    ((0.5, 11.5, 0.0, 0.0, 3.0, 2.0), "whole numbers"),
    ((0.0, float("nan"), 0.0, 0.0, 3.0, 2.0), "whole numbers"),
    ((0.0, 12.0, 3.0, 0.0, 0.0, 2.0), "x2 >= x1"),
])
def test_check_mask(points: tuple[float, ...], problem: str | None) -> None:
    if problem is None:
        check_mask(points, 64, 48)
    else:
        with pytest.raises(ValueError) as info:
            check_mask(points, 64, 48)
        assert problem in str(info.value)


def test_coco_rle_sizes_are_checked_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    rle = {"size": [4, 3], "counts": [5, 2, 5]}
    assert coco_rle_decode(rle, (3, 4)).shape == (4, 3)
    assert coco_rle_decode({"counts": [5, 2, 5]}, (3, 4)).sum() == 2
    with pytest.raises(ValueError, match=r"its size is 3x4 \(width x height\), not the image's 4x3"):
        coco_rle_decode(rle, (4, 3))
    for bad in ({"size": "4x3", "counts": []}, {"size": [4, True], "counts": []}, {"size": [4.5, 3], "counts": []}):
        with pytest.raises(ValueError, match="'size' must be"):
            coco_rle_decode(bad)
    with pytest.raises(ValueError, match="'counts' must be"):
        coco_rle_decode({"size": [4, 3], "counts": {"a": 1}})
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 5)  # Pillow refuses above 10 pixels, and so do masks
    assert max_pixels() == 10
    with pytest.raises(ValueError, match="3x4 = 12 pixels is more than the limit of 10 pixels"):
        coco_rle_decode(rle)
    with pytest.raises(ValueError, match="is more than the limit of 10 pixels"):
        decode_mask((0.0, 12.0, 0.0, 0.0, 3.0, 2.0))


def test_set_max_pixels_makes_pillow_refuse_what_masks_refuse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)
    set_max_pixels(1000)
    assert max_pixels() == 1000
    buffer = io.BytesIO()
    Image.new("L", (40, 25)).save(buffer, format="PNG")  # 1000 pixels: allowed
    Image.open(io.BytesIO(buffer.getvalue())).load()
    buffer = io.BytesIO()
    Image.new("L", (41, 25)).save(buffer, format="PNG")
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(buffer.getvalue()))
    with pytest.raises(ValueError, match="41x25 = 1,025 pixels is more than the limit of 1,000 pixels"):
        check_pixels(41, 25)
