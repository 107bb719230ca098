"""Tracks as per-frame shapes (flatten) and back (assemble)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from inklab.formats import Frame, Track, TrackedShape, attributes
from inklab.formats.tracks import assemble_tracks, flatten_tracks, shape_at
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import sample_labels, sample_tracks

R = ShapeType.RECTANGLE


def _frames(n: int) -> list[Frame]:
    return [Frame(i, f"f{i}.png", 100, 100) for i in range(n)]


def test_interpolation_between_keyframes_and_hold_after_the_last() -> None:
    track = Track("car", (TrackedShape(2, R, (0, 0, 10, 10), rotation=350), TrackedShape(6, R, (8, 4, 18, 14),
                                                                                          rotation=10)))
    assert shape_at(track, 1) is None
    assert shape_at(track, 4).points == (4, 2, 14, 12)
    assert shape_at(track, 4).rotation == pytest.approx(0.0) and not shape_at(track, 4).keyframe
    assert shape_at(track, 6).keyframe and shape_at(track, 9).points == (8, 4, 18, 14)


def test_outside_hides_until_the_next_keyframe() -> None:
    track = Track("car", (TrackedShape(0, R, (0, 0, 1, 1)), TrackedShape(2, R, (0, 0, 1, 1), outside=True),
                          TrackedShape(4, R, (5, 5, 6, 6))))
    visible = [f.index for f in flatten_tracks(_frames(6), [track]) if f.shapes]
    assert visible == [0, 1, 4, 5]
    with_outside = [f.index for f in flatten_tracks(_frames(6), [track], include_outside=True) if f.shapes]
    assert with_outside == [0, 1, 2, 4, 5]


def test_different_point_counts_hold_the_earlier_keyframe() -> None:
    p = ShapeType.POLYGON
    track = Track("road", (TrackedShape(0, p, (0, 0, 4, 0, 4, 4)), TrackedShape(4, p, (0, 0, 8, 0, 8, 8, 0, 8))))
    assert shape_at(track, 2).points == (0, 0, 4, 0, 4, 4)


def test_skeleton_tracks_flatten_with_element_states() -> None:
    person = sample_tracks()[1]
    shapes = {f.index: f.shapes for f in flatten_tracks(_frames(5), [person])}
    assert shapes[0] == ()
    skeleton = shapes[1][0]
    assert skeleton.type == ShapeType.SKELETON and skeleton.keyframe
    head, hand = skeleton.elements
    assert head.points == (30, 30) and not head.outside and hand.attribute("side") == "left"
    head2, hand2 = shapes[2][0].elements
    assert head2.points == (32, 31) and hand2.outside and not shapes[2][0].keyframe and hand2.keyframe
    assert shapes[4][0].elements[0].occluded


def test_tracks_and_attributes_merge_into_frames_in_order() -> None:
    box = sample_tracks()[0]
    frames = list(flatten_tracks(_frames(5), [replace(box, id=7)]))
    shapes = [(f.index, s) for f in frames for s in f.shapes]
    assert [i for i, _ in shapes] == [0, 1, 2]
    assert all(s.track_id == 7 for _, s in shapes)
    assert shapes[2][1].attribute("color") == "red" and shapes[2][1].attribute("speed") == "20"
    assert [s.keyframe for _, s in shapes] == [True, False, True]


def test_assemble_rebuilds_flattened_tracks() -> None:
    labels = {label.name: label for label in sample_labels()}
    tracks = sample_tracks()
    frames = list(flatten_tracks(_frames(5), tracks))
    rest, rebuilt = assemble_tracks(frames, frame_count=5, labels=labels)
    assert all(not f.shapes for f in rest)
    assert [t.label for t in rebuilt] == ["car", "person"]
    box, person = rebuilt
    assert box.shapes == tracks[0].shapes
    assert box.attributes == tracks[0].attributes and box.group == 2
    assert [e.shapes for e in person.elements] == [e.shapes for e in tracks[1].elements]
    # the skeleton has no outside keyframe of its own; it lasts to the end
    assert [s.frame for s in person.shapes] == [1, 3]


def test_assemble_without_keyframe_marks_takes_every_shape_and_infers_gaps() -> None:
    from inklab.formats import Shape

    def frame(i: int, *points: float) -> Frame:
        return Frame(i, shapes=(Shape(R, "car", points, track_id=3, attributes=attributes(a=1)),) if points else ())

    frames = [frame(0, 0, 0, 1, 1), frame(1, 1, 1, 2, 2), frame(2), frame(3, 5, 5, 6, 6)]
    _, (track,) = assemble_tracks(frames)
    assert [(s.frame, s.outside) for s in track.shapes] == [(0, False), (1, False), (2, True), (3, False)]
    assert track.shapes[0].attributes == attributes(a=1)  # without label specs: per keyframe
    _, (track,) = assemble_tracks(frames, frame_count=6)
    assert [(s.frame, s.outside) for s in track.shapes][-1] == (4, True)
