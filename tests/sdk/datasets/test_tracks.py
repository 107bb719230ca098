"""Track interpolation (pure logic, no server)."""

from __future__ import annotations

import pytest

from inklab.sdk import models
from inklab.sdk.datasets import TrackShape
from inklab.sdk.datasets._tracks import match_outlines, track_shapes


def _track(shapes: list[dict], **extra: object) -> models.LabeledTrack:
    return models.LabeledTrack(id=7, frame=shapes[0]["frame"], label_id=1, shapes=shapes, **extra)


def _by_frame(track: models.LabeledTrack, end: int) -> dict[int, TrackShape]:
    return {s.frame: s for s in track_shapes(track, end)}


def test_rectangles_move_linearly_and_outside_hides() -> None:
    track = _track([
        {"type": "rectangle", "frame": 2, "points": [0, 0, 10, 10]},
        {"type": "rectangle", "frame": 6, "points": [8, 4, 18, 14]},
        {"type": "rectangle", "frame": 8, "points": [8, 4, 18, 14], "outside": True},
        {"type": "rectangle", "frame": 10, "points": [0, 0, 1, 1]},
    ])
    shapes = _by_frame(track, 12)
    assert sorted(shapes) == [2, 3, 4, 5, 6, 7, 10, 11]  # hidden on 8 and 9, before 2 nothing
    assert shapes[4].points == [4, 2, 14, 12] and not shapes[4].keyframe
    assert shapes[2].keyframe and shapes[6].keyframe and shapes[10].keyframe
    assert shapes[7].points == [8, 4, 18, 14]  # moving towards an outside keyframe at the same place
    assert shapes[11].points == [0, 0, 1, 1]  # the last keyframe stays until the end
    assert all(s.track_id == 7 and s.id is None and not s.outside for s in shapes.values())


def test_rotation_takes_the_shorter_arc() -> None:
    track = _track([{"type": "rectangle", "frame": 0, "points": [0, 0, 2, 2], "rotation": 350},
                    {"type": "rectangle", "frame": 2, "points": [0, 0, 2, 2], "rotation": 10}])
    assert _by_frame(track, 3)[1].rotation == pytest.approx(0.0)  # not 180


def test_polygons_with_different_point_counts_are_matched_along_the_outline() -> None:
    square = [0, 0, 4, 0, 4, 4, 0, 4]
    triangle = [0, 0, 8, 0, 0, 8]
    a, b = match_outlines(square, triangle, closed=True)
    assert len(a) == len(b) and len(a) >= len(square)
    # Resampled outlines keep their shapes: every original vertex is still there.
    pairs_a = set(zip(a[0::2], a[1::2], strict=True))
    assert {(0, 0), (4, 0), (4, 4), (0, 4)} <= {(round(x, 6), round(y, 6)) for x, y in pairs_a}
    track = _track([{"type": "polygon", "frame": 0, "points": square},
                    {"type": "polygon", "frame": 4, "points": triangle}])
    middle = _by_frame(track, 5)[2].points
    assert len(middle) == len(a)
    assert middle == pytest.approx([(x + y) / 2 for x, y in zip(a, b, strict=True)])
    same = _track([{"type": "polyline", "frame": 0, "points": [0, 0, 2, 0]},
                   {"type": "polyline", "frame": 2, "points": [2, 2, 4, 2]}])
    assert _by_frame(same, 3)[1].points == [1, 1, 3, 1]  # same count: point to point


def test_points_masks_and_ellipses() -> None:
    points = _track([{"type": "points", "frame": 0, "points": [0, 0, 4, 4]},
                     {"type": "points", "frame": 2, "points": [2, 2]}])
    assert _by_frame(points, 3)[1].points == [0, 0, 4, 4]  # different counts: kept as they were
    mask = _track([{"type": "mask", "frame": 0, "points": [0, 4, 0, 0, 1, 1]},
                   {"type": "mask", "frame": 3, "points": [0, 1, 5, 5, 5, 5]}])
    assert _by_frame(mask, 4)[2].points == [0, 4, 0, 0, 1, 1]
    ellipse = _track([{"type": "ellipse", "frame": 0, "points": [10, 10, 14, 6]},
                      {"type": "ellipse", "frame": 2, "points": [20, 10, 24, 6]}])
    assert _by_frame(ellipse, 3)[1].points == [15, 10, 19, 6]


def test_attributes_carry_over_and_track_attributes_apply_throughout() -> None:
    track = _track([
        {"type": "rectangle", "frame": 0, "points": [0, 0, 1, 1], "attributes": [{"spec_id": 2, "value": "true"}]},
        {"type": "rectangle", "frame": 2, "points": [0, 0, 1, 1]},
        {"type": "rectangle", "frame": 3, "points": [0, 0, 1, 1], "attributes": [{"spec_id": 2, "value": "false"}]},
    ], attributes=[{"spec_id": 1, "value": "red"}])
    shapes = _by_frame(track, 4)
    values = {f: {a.spec_id: a.value for a in s.attributes} for f, s in shapes.items()}
    assert values[1] == {1: "red", 2: "true"} and values[2] == {1: "red", 2: "true"} and values[3][2] == "false"


def test_skeleton_tracks_interpolate_their_points() -> None:
    track = models.LabeledTrack(id=3, frame=0, label_id=10, shapes=[
        {"type": "skeleton", "frame": 0}, {"type": "skeleton", "frame": 4}], elements=[
        {"frame": 0, "label_id": 11, "shapes": [{"type": "points", "frame": 0, "points": [0, 0]},
                                                {"type": "points", "frame": 4, "points": [4, 8]}]},
        {"frame": 0, "label_id": 12, "shapes": [{"type": "points", "frame": 0, "points": [5, 5]},
                                                {"type": "points", "frame": 2, "points": [5, 5], "outside": True}]},
    ])
    shapes = _by_frame(track, 6)
    assert sorted(shapes) == [0, 1, 2, 3, 4, 5]
    head, tail = shapes[1].elements
    assert head.label_id == 11 and head.points == [1, 2] and not head.outside
    assert not tail.outside and shapes[3].elements[1].outside  # the point left the frame at 2
    assert shapes[5].elements[0].points == [4, 8]
