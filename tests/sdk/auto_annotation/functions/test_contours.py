"""Outlines of masks (``conv_mask_to_poly``) on shapes whose polygons are known exactly."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("skimage")

from inklab.formats.masks import polygon_area  # noqa: E402
from inklab.sdk.auto_annotation.functions._contours import mask_to_polygons  # noqa: E402


def _centres_inside(polygon: list[float], width: int, height: int) -> np.ndarray:
    """Which pixel centres (x, y) are strictly inside ``polygon`` (even-odd ray casting)."""
    xs, ys = np.asarray(polygon[0::2]), np.asarray(polygon[1::2])
    px, py = np.meshgrid(np.arange(width, dtype=float), np.arange(height, dtype=float))
    inside = np.zeros((height, width), dtype=bool)
    for i in range(len(xs)):
        x1, y1, x2, y2 = xs[i - 1], ys[i - 1], xs[i], ys[i]
        crosses = (y1 > py) != (y2 > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (px < at)
    return inside


def _square(size: int, top: int, left: int, side: int) -> np.ndarray:
    mask = np.zeros((size, size), dtype=bool)
    mask[top:top + side, left:left + side] = True
    return mask


def test_a_square_gives_its_octagon_half_a_pixel_outside_the_centres() -> None:
    mask = _square(10, 2, 2, 4)  # pixels 2..5
    polygons = mask_to_polygons(mask, tolerance=0)
    assert polygons == [[5.0, 5.5, 2.0, 5.5, 1.5, 5.0, 1.5, 2.0, 2.0, 1.5, 5.0, 1.5, 5.5, 2.0, 5.5, 5.0]]
    assert polygon_area(polygons[0]) == 15.5  # the 4x4 square less four corner triangles of 1/8
    assert (_centres_inside(polygons[0], 10, 10) == mask).all()
    # The default tolerance (2.5 pixels, the reference function's) is coarse for so small a region:
    # a triangle within 2.5 pixels of the outline.
    assert mask_to_polygons(mask) == [[5.0, 5.5, 1.5, 5.0, 2.0, 1.5]]
    # A 20x20 square: its four cut corners (each within half a pixel of a corner of the outline).
    big = mask_to_polygons(_square(40, 5, 5, 20))
    assert big == [[24.0, 24.5, 4.5, 24.0, 5.0, 4.5, 24.5, 5.0]]
    assert polygon_area(big[0]) == 380.5  # the outline (399.5) less the slivers simplification cuts off


def test_a_ring_gives_its_outer_outline_only() -> None:
    ring = _square(12, 2, 2, 8) & ~_square(12, 4, 4, 4)
    polygons = mask_to_polygons(ring, tolerance=0)
    assert polygons == [[9.0, 9.5, 2.0, 9.5, 1.5, 9.0, 1.5, 2.0, 2.0, 1.5, 9.0, 1.5, 9.5, 2.0, 9.5, 9.0]]
    assert polygon_area(polygons[0]) == 63.5


def test_two_blobs_give_two_polygons_and_edges_are_closed_in_the_image() -> None:
    mask = np.zeros((8, 12), dtype=bool)
    mask[0:3, 0:3] = True  # touches the top and left edges
    mask[5:8, 8:12] = True  # touches the bottom and right edges
    polygons = mask_to_polygons(mask, tolerance=0)
    assert polygons == [[2.0, 2.5, 0.0, 2.5, 0.0, 0.0, 2.5, 0.0, 2.5, 2.0],
                        [7.5, 7.0, 7.5, 5.0, 8.0, 4.5, 11.0, 4.5, 11.0, 7.0]]
    assert [polygon_area(p) for p in polygons] == [6.125, 8.625]
    for polygon in polygons:
        xs, ys = polygon[0::2], polygon[1::2]
        assert min(xs) >= 0 and max(xs) <= 11 and min(ys) >= 0 and max(ys) <= 7
    assert mask_to_polygons(np.ones((3, 4), dtype=bool)) == [[0.0, 2.0, 0.0, 0.0, 3.0, 0.0, 3.0, 2.0]]


def test_probabilities_are_traced_where_they_cross_the_level() -> None:
    values = np.zeros((6, 6), dtype=np.float32)
    values[1:5, 1:5] = 0.5
    values[2:4, 2:4] = 0.9
    # Values equal to the level are inside: the outline runs through those pixels' centres.
    assert mask_to_polygons(values, level=0.5, tolerance=0) == [[1.0, 4.0, 1.0, 1.0, 4.0, 1.0, 4.0, 4.0]]
    # 0.6 is a quarter of the way from 0.5 to 0.9: the outline is interpolated there.
    high = mask_to_polygons(values, level=0.6, tolerance=0)[0]
    assert (min(high[0::2]), max(high[0::2])) == pytest.approx((1.25, 3.75))
    assert polygon_area(high) == pytest.approx(2.5 * 2.5 - 4 * 0.75 * 0.75 / 2)  # corners cut at (1.25, 2)…


def test_a_disc_is_simplified_within_the_tolerance() -> None:
    yy, xx = np.mgrid[:40, :40]
    disc = (yy - 20) ** 2 + (xx - 20) ** 2 <= 15 ** 2
    exact = mask_to_polygons(disc, tolerance=0)[0]
    coarse = mask_to_polygons(disc, tolerance=1.0)[0]
    assert 8 <= len(coarse) // 2 < len(exact) // 2
    assert abs(polygon_area(coarse) - disc.sum()) / disc.sum() < 0.05
    assert (_centres_inside(exact, 40, 40) == disc).all()


def test_nothing_to_outline_and_bad_input() -> None:
    assert mask_to_polygons(np.zeros((5, 5), dtype=bool)) == []
    assert mask_to_polygons(np.ones((1, 1), dtype=bool)) == []  # no area left inside the image
    assert mask_to_polygons(np.ones((1, 6), dtype=bool)) == []
    with pytest.raises(ValueError, match="2-D"):
        mask_to_polygons(np.zeros((2, 2, 2), dtype=bool))
    with pytest.raises(ValueError, match="positive"):
        mask_to_polygons(np.zeros((2, 2)), level=0)
