"""The comparison library on hand-computed cases: IoU, OKS, line similarity, Hungarian
matching, each conflict type and the summary."""

from __future__ import annotations

import math

import numpy as np
import pytest

import inklab.quality as quality
from inklab.quality import (
    Annotation,
    ComparisonSettings,
    ConflictType,
    compare_frame,
    match,
    summarize,
)


def box(id: int, x1: float, y1: float, x2: float, y2: float, label: str = "car", **kw: object) -> Annotation:
    return Annotation(id=id, kind="shape", label=label, type="rectangle", points=(x1, y1, x2, y2), **kw)  # type: ignore[arg-type]


def polygon(id: int, points: tuple[float, ...], label: str = "car", **kw: object) -> Annotation:
    return Annotation(id=id, kind="shape", label=label, type="polygon", points=points, **kw)  # type: ignore[arg-type]


def square(id: int, x: float, size: float = 9, **kw: object) -> Annotation:
    return polygon(id, (x, 0, x + size, 0, x + size, size, x, size), **kw)


def types(result: quality.FrameComparison) -> list[str]:
    return sorted(c.type.value for c in result.conflicts)


def test_exports_match_all() -> None:
    assert sorted(quality.__all__) == sorted(name for name in dir(quality) if not name.startswith("_")
                                             and name not in {"comparison", "consensus", "model", "similarity"})


def test_box_iou_by_hand() -> None:
    matrix = quality.box_iou_matrix(np.array([[0, 0, 10, 10]], dtype=float),
                                    np.array([[5, 0, 15, 10], [0, 0, 10, 5], [20, 20, 30, 30]], dtype=float))
    assert matrix.shape == (1, 3) and matrix[0].tolist() == pytest.approx([50 / 150, 0.5, 0.0])


def test_region_iou_by_hand() -> None:
    # a polygon covers the pixels of its outline too: (0,0)-(9,9) is 10 x 10 pixels
    a, b = quality.region_of(square(1, 0)), quality.region_of(square(2, 5))
    assert (a.area, b.area) == (100, 100)
    assert quality.region_iou(a, b) == pytest.approx(50 / 150)
    assert quality.region_iou(a, quality.region_of(square(3, 50))) == 0.0


def test_rotated_rectangle_by_pixels() -> None:
    upright = quality.region_of(box(1, 0, 0, 9, 9))
    turned = quality.region_of(box(2, 0, 0, 9, 9, rotation=90.0))
    assert quality.region_iou(upright, turned) == pytest.approx(1.0, abs=0.02)  # pixel rounding of the corners
    assert quality.region_iou(upright, quality.region_of(box(3, 0, 0, 9, 9, rotation=45.0))) < 0.9


def test_oks_by_hand() -> None:
    gt = Annotation(1, "shape", "p", "points", (0.0, 0.0))
    ds = Annotation(2, "shape", "p", "points", (3.0, 0.0))
    # the box around both points is flat: the image (10 x 10) is the scale
    expected = math.exp(-9 / (2 * 100 * (2 * 0.09) ** 2))
    assert quality.oks(gt, ds, 0.09, image_size=(10, 10)) == pytest.approx(expected)
    assert quality.oks(gt, gt, 0.09, image_size=(10, 10)) == pytest.approx(1.0)
    # points pair up by distance, whatever their order; a point without partner counts 0
    two = Annotation(3, "shape", "p", "points", (0.0, 0.0, 5.0, 5.0))
    swapped = Annotation(4, "shape", "p", "points", (5.0, 5.0, 0.0, 0.0))
    assert quality.oks(two, swapped, 0.09) == pytest.approx(1.0)
    assert quality.oks(two, gt, 0.09) == pytest.approx(0.5)


def test_skeleton_oks_by_hand() -> None:
    def skeleton(id: int, head: tuple[float, float], hand: tuple[float, float] | None) -> Annotation:
        elements = (Annotation(id * 10, "shape", "head", "points", head),
                    Annotation(id * 10 + 1, "shape", "hand", "points", hand or (0.0, 0.0), outside=hand is None))
        return Annotation(id, "shape", "person", "skeleton", elements=elements)

    same = quality.skeleton_oks(skeleton(1, (0, 0), (10, 10)), skeleton(2, (0, 0), (10, 10)), 0.09)
    assert same == pytest.approx(1.0)
    # the hand visible on one side only counts 0: (1 + 0) / 2
    half = quality.skeleton_oks(skeleton(1, (0, 0), (10, 10)), skeleton(2, (0, 0), None), 0.09)
    assert half == pytest.approx(0.5)


def test_line_similarity_by_hand() -> None:
    gt = Annotation(1, "shape", "lane", "polyline", (0.0, 0.0, 10.0, 0.0))
    shifted = Annotation(2, "shape", "lane", "polyline", (0.0, 1.0, 10.0, 1.0))
    reversed_ = Annotation(3, "shape", "lane", "polyline", (10.0, 0.0, 0.0, 0.0))
    # tolerance 0.01 * sqrt(100 * 100) = 1 px; a mean distance of 1 px gives 1 - 1 / 2
    assert quality.line_similarity(gt, shifted, 0.01, (100, 100)) == pytest.approx((0.5, 0.0))
    forward, backward = quality.line_similarity(gt, reversed_, 0.01, (100, 100))
    assert (forward, backward) == pytest.approx((0.0, 1.0))


def test_hungarian_beats_greedy() -> None:
    similarity = np.array([[0.9, 0.8], [0.85, 0.1]])
    # greedy would take (0, 0) first and leave (1, 1) under the threshold
    assert sorted(match(similarity, 0.4)) == [(0, 1), (1, 0)]
    assert match(np.zeros((0, 3)), 0.4) == []


def test_perfect_frame_has_no_conflicts() -> None:
    gt = [box(1, 0, 0, 10, 10), box(2, 20, 20, 30, 30, label="person"),
          Annotation(3, "tag", "day")]
    ds = [box(12, 20, 20, 30, 30, label="person"), Annotation(13, "tag", "day"), box(11, 0, 0, 10, 10)]
    result = compare_frame(0, gt, ds)
    assert result.conflicts == () and (result.valid_count, result.gt_count, result.ds_count) == (3, 3, 3)


def test_missing_and_extra() -> None:
    result = compare_frame(4, [box(1, 0, 0, 10, 10)], [box(2, 50, 50, 60, 60)])
    assert types(result) == ["extra_annotation", "missing_annotation"]
    missing = next(c for c in result.conflicts if c.type == ConflictType.MISSING_ANNOTATION)
    assert missing.frame == 4 and missing.severity == "error"
    assert [(r.obj_id, r.source, r.shape_type) for r in missing.annotations] == [(1, "gt", "rectangle")]
    assert result.valid_count == 0


def test_mismatching_label() -> None:
    result = compare_frame(0, [box(1, 0, 0, 10, 10)], [box(2, 0, 0, 10, 10, label="bus")])
    assert types(result) == ["mismatching_label"] and result.valid_count == 0


def test_label_wins_a_tie() -> None:
    gt = [box(1, 0, 0, 10, 10)]
    ds = [box(2, 0, 0, 10, 10, label="bus"), box(3, 0, 0, 10, 10)]
    result = compare_frame(0, gt, ds)
    assert types(result) == ["extra_annotation"] and result.conflicts[0].annotations[0].obj_id == 2


def test_low_overlap() -> None:
    result = compare_frame(0, [box(1, 0, 0, 10, 10)], [box(2, 0, 0, 10, 5)])  # IoU 0.5
    assert types(result) == ["low_overlap"] and result.valid_count == 1
    assert result.conflicts[0].severity == "warning"
    strict = compare_frame(0, [box(1, 0, 0, 10, 10)], [box(2, 0, 0, 10, 5)], ComparisonSettings(iou_threshold=0.6))
    assert types(strict) == ["extra_annotation", "missing_annotation"]


def test_mismatching_attributes() -> None:
    gt = [box(1, 0, 0, 10, 10, attributes=(("color", "red"),))]
    ds = [box(2, 0, 0, 10, 10, attributes=(("color", "blue"),))]
    assert types(compare_frame(0, gt, ds)) == ["mismatching_attributes"]
    assert types(compare_frame(0, gt, ds, ComparisonSettings(compare_attributes=False))) == []


def test_mismatching_direction() -> None:
    gt = [Annotation(1, "shape", "lane", "polyline", (0.0, 0.0, 10.0, 0.0))]
    ds = [Annotation(2, "shape", "lane", "polyline", (10.0, 0.0, 0.0, 0.0))]
    result = compare_frame(0, gt, ds, image_size=(100, 100))
    assert types(result) == ["mismatching_direction"] and result.valid_count == 1
    assert types(compare_frame(0, gt, ds, ComparisonSettings(compare_line_orientation=False), (100, 100))) == []


def test_mismatching_groups() -> None:
    gt = [box(1, 0, 0, 10, 10, group=1), box(2, 20, 0, 30, 10, group=1), box(3, 40, 0, 50, 10, group=1)]
    split = [box(11, 0, 0, 10, 10, group=5), box(12, 20, 0, 30, 10, group=6), box(13, 40, 0, 50, 10)]
    result = compare_frame(0, gt, split)
    assert types(result) == ["mismatching_groups"]
    assert {r.obj_id for r in result.conflicts[0].annotations if r.source == "gt"} == {1, 2, 3}
    together = [box(11, 0, 0, 10, 10, group=7), box(12, 20, 0, 30, 10, group=7), box(13, 40, 0, 50, 10, group=7)]
    assert types(compare_frame(0, gt, together)) == []
    assert types(compare_frame(0, gt, split, ComparisonSettings(compare_groups=False))) == []


def test_covered_annotation() -> None:
    under = square(11, 0, z_order=0)
    over = square(12, 0, size=12, z_order=1)
    gt = [square(1, 0, size=12)]
    result = compare_frame(0, gt, [under, over])
    covered = [c for c in result.conflicts if c.type == ConflictType.COVERED_ANNOTATION]
    assert [c.annotations[0].obj_id for c in covered] == [11]
    quiet = compare_frame(0, gt, [under, over], ComparisonSettings(check_covered_annotations=False))
    assert ConflictType.COVERED_ANNOTATION not in {c.type for c in quiet.conflicts}


def test_masks_compare_with_polygons() -> None:
    # a 10 x 10 mask at (0, 0): one run of 100 set pixels, then its box
    mask = Annotation(2, "shape", "car", "mask", (0.0, 100.0, 0.0, 0.0, 9.0, 9.0))
    result = compare_frame(0, [square(1, 0)], [mask])
    assert result.conflicts == () and result.valid_count == 1


def test_tracks_compare_frame_by_frame_like_shapes() -> None:
    gt = [box(1, 0, 0, 10, 10)]
    ds = [Annotation(7, "track", "car", "rectangle", (0.0, 0.0, 10.0, 10.0))]
    result = compare_frame(0, gt, ds)
    assert result.valid_count == 1 and result.conflicts == ()


def test_summary_by_hand() -> None:
    frames = [
        compare_frame(0, [box(1, 0, 0, 10, 10)], [box(2, 0, 0, 10, 10)]),  # valid
        compare_frame(6, [box(3, 0, 0, 10, 10), box(4, 20, 0, 30, 10)], [box(5, 60, 60, 70, 70)]),
    ]
    summary = summarize(frames, total_frames=10)
    assert (summary.frame_count, summary.frame_share) == (2, 0.2)
    assert (summary.valid_count, summary.gt_count, summary.ds_count, summary.total_count) == (1, 3, 2, 4)
    assert (summary.accuracy, summary.precision, summary.recall) == pytest.approx((0.25, 0.5, 1 / 3))
    assert summary.conflicts_by_type == {"extra_annotation": 1, "missing_annotation": 2}
    assert (summary.conflict_count, summary.error_count, summary.warning_count) == (3, 3, 0)
    assert {c.frame for f in frames for c in f.conflicts} == {6}


def test_empty_frames() -> None:
    assert summarize([compare_frame(0, [], [])]).accuracy == 0.0
    empty = summarize([compare_frame(0, [], [], ComparisonSettings(empty_is_annotated=True))])
    assert (empty.valid_count, empty.accuracy) == (1, 1.0)


def test_malformed_mask_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        compare_frame(0, [Annotation(1, "shape", "car", "mask", (5.0, 0.0, 0.0, 9.0, 9.0))],
                      [Annotation(2, "shape", "car", "mask", (5.0, 0.0, 0.0, 9.0, 9.0))])
