"""Tracks as per-frame shapes and back.

CVAT's track semantics, which both directions follow:

* a track starts at its first keyframe; before it the object does not exist;
* between two keyframes the state is interpolated (linear coordinates, shortest-way
  rotation) when both have the same number of points, otherwise the earlier keyframe
  holds; masks always hold;
* an ``outside`` keyframe hides the object until the next keyframe;
* after the last keyframe the object stays as it is until the end of the frames (unless
  that keyframe is ``outside``).

:func:`flatten_tracks` turns tracks into shapes on each frame where the object is visible
(marked with ``track_id`` and ``keyframe``), streaming: it keeps only the tracks alive at
the current frame. :func:`assemble_tracks` rebuilds tracks from such shapes: keyframes are
the shapes marked ``keyframe`` (all of them, if the file marks none), and an ``outside``
keyframe is added where the object disappears before the end of the frames.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from inklab.formats.model import Attribute, Frame, LabelSpec, Shape, Track, TrackedShape
from inklab.vocabulary import ShapeType

__all__ = ["TrackSplitter", "assemble_tracks", "flatten_tracks", "interpolate", "shape_at", "track_shapes"]

_LINEAR = frozenset({ShapeType.RECTANGLE, ShapeType.ELLIPSE, ShapeType.CUBOID, ShapeType.POINTS,
                     ShapeType.POLYGON, ShapeType.POLYLINE})


def _angle(a: float, b: float, t: float) -> float:
    delta = ((b - a + 180.0) % 360.0) - 180.0
    return (a + delta * t) % 360.0


def interpolate(a: TrackedShape, b: TrackedShape, frame: int) -> TrackedShape:
    """The state at ``frame`` between keyframes ``a`` and ``b`` (``a.frame <= frame < b.frame``)."""
    if frame == a.frame or b.outside or a.type not in _LINEAR or len(a.points) != len(b.points):
        return replace(a, frame=frame)
    t = (frame - a.frame) / (b.frame - a.frame)
    points = tuple(p + (q - p) * t for p, q in zip(a.points, b.points, strict=True))
    return replace(a, frame=frame, points=points, rotation=_angle(a.rotation, b.rotation, t))


class _Timeline:
    """Keyframes of one track (or skeleton element) with a frame index for lookups."""

    __slots__ = ("frames", "shapes")

    def __init__(self, shapes: Sequence[TrackedShape]) -> None:
        self.shapes = shapes
        self.frames = [s.frame for s in shapes]

    def at(self, frame: int) -> TrackedShape | None:
        """The (possibly outside) state at ``frame``, or None before the first keyframe."""
        k = bisect.bisect_right(self.frames, frame) - 1
        if k < 0:
            return None
        current = self.shapes[k]
        if current.frame == frame or current.outside or k + 1 == len(self.shapes):
            return current if current.frame == frame else replace(current, frame=frame)
        return interpolate(current, self.shapes[k + 1], frame)

    def is_keyframe(self, frame: int) -> bool:
        k = bisect.bisect_left(self.frames, frame)
        return k < len(self.frames) and self.frames[k] == frame

    def ended(self, frame: int) -> bool:
        """True if nothing is visible at ``frame`` or later."""
        return self.frames[-1] <= frame and self.shapes[-1].outside


def _merge_attributes(track: tuple[Attribute, ...], shape: tuple[Attribute, ...]) -> tuple[Attribute, ...]:
    if not track:
        return shape
    if not shape:
        return track
    names = {a.name for a in shape}
    return tuple(a for a in track if a.name not in names) + shape


@dataclass
class _Live:
    track: Track
    track_id: int
    timeline: _Timeline
    elements: list[tuple[Track, _Timeline]]

    def ended(self, frame: int) -> bool:
        return self.timeline.ended(frame)


def shape_at(track: Track, frame: int, track_id: int | None = None, *, include_outside: bool = False) -> Shape | None:
    """The track's shape at ``frame``; None where the object is not visible (or not yet there).

    With ``include_outside``, ``outside`` keyframes are returned as shapes with ``outside`` set.
    """
    live = _live(track, track_id if track_id is not None else (track.id or 0))
    return _shape(live, frame, include_outside)


def _live(track: Track, track_id: int) -> _Live:
    return _Live(track, track_id, _Timeline(track.shapes), [(e, _Timeline(e.shapes)) for e in track.elements])


def _shape(live: _Live, frame: int, include_outside: bool) -> Shape | None:
    state = live.timeline.at(frame)
    if state is None:
        return None
    keyframe = live.timeline.is_keyframe(frame)
    if state.outside and not (include_outside and keyframe):
        return None
    track = live.track
    elements: tuple[Shape, ...] = ()
    if live.elements:
        parts = []
        for element, timeline in live.elements:
            point = timeline.at(frame)
            if point is None:  # the element starts later: show it where it starts, outside
                point = replace(element.shapes[0], frame=frame, outside=True)
            parts.append(Shape(
                ShapeType.POINTS, element.label, point.points, occluded=point.occluded, outside=point.outside,
                attributes=_merge_attributes(element.attributes, point.attributes), source=element.source,
                track_id=live.track_id, keyframe=timeline.is_keyframe(frame),
            ))
        elements = tuple(parts)
    return Shape(
        state.type, track.label, state.points, occluded=state.occluded, outside=state.outside,
        z_order=state.z_order, rotation=state.rotation,
        attributes=_merge_attributes(track.attributes, state.attributes), group=track.group,
        source=track.source, elements=elements, track_id=live.track_id, keyframe=keyframe,
    )


def track_shapes(track: Track, frames: Iterable[int], track_id: int | None = None, *,
                 include_outside: bool = False) -> Iterator[tuple[int, Shape]]:
    """``(frame, shape)`` for each of ``frames`` where the track is visible (with
    ``include_outside``, also its ``outside`` keyframes)."""
    live = _live(track, track_id if track_id is not None else (track.id or 0))
    for frame in frames:
        shape = _shape(live, frame, include_outside)
        if shape is not None:
            yield frame, shape


def flatten_tracks(frames: Iterable[Frame], tracks: Iterable[Track], *,
                   include_outside: bool = False) -> Iterator[Frame]:
    """Frames with each track's visible state added to their shapes, streaming.

    ``frames`` come in increasing index order and ``tracks`` in increasing order of their
    first keyframe (the export contract). Track shapes carry ``track_id`` (the track's
    ``id``, or a running number from 0 when it has none) and ``keyframe``.
    """
    pending = iter(tracks)
    upcoming = next(pending, None)
    counter = itertools.count()
    live: list[_Live] = []
    for frame in frames:
        index = frame.index if frame.index is not None else 0
        while upcoming is not None and upcoming.first_frame <= index:
            number = next(counter)
            live.append(_live(upcoming, upcoming.id if upcoming.id is not None else number))
            upcoming = next(pending, None)
        if not live:
            yield frame
            continue
        extra = []
        for item in live:
            shape = _shape(item, index, include_outside)
            if shape is not None:
                extra.append(shape)
        live = [item for item in live if not item.ended(index)]
        yield replace(frame, shapes=frame.shapes + tuple(extra)) if extra else frame


# -- assembling tracks from per-frame shapes --------------------------------------------------

def _keyframe(frame: int, shape: Shape, mutable: frozenset[str] | None) -> TrackedShape:
    attrs = shape.attributes if mutable is None else tuple(a for a in shape.attributes if a.name in mutable)
    return TrackedShape(frame, shape.type, shape.points, occluded=shape.occluded, outside=shape.outside,
                        z_order=shape.z_order, rotation=shape.rotation, attributes=attrs)


def _keyframes(seen: list[tuple[int, Shape]], mutable: frozenset[str] | None,
               frame_count: int | None) -> tuple[TrackedShape, ...]:
    marked = any(shape.keyframe for _, shape in seen)
    result: list[TrackedShape] = []
    present = {frame for frame, _ in seen}
    for position, (frame, shape) in enumerate(seen):
        if position == 0 or not marked or shape.keyframe:
            result.append(_keyframe(frame, shape, mutable))
        after = frame + 1
        if (not shape.outside and after not in present and (frame_count is None or after < frame_count)):
            following = seen[position + 1][0] if position + 1 < len(seen) else None
            if frame_count is not None or following is not None:
                result.append(replace(_keyframe(frame, shape, mutable), frame=after, outside=True))
    # a keyframe marked in the file may coincide with an inferred outside one
    unique: dict[int, TrackedShape] = {}
    for item in result:
        unique.setdefault(item.frame, item)
    return tuple(sorted(unique.values(), key=lambda s: s.frame))


def _split(shape: Shape, spec: LabelSpec | None) -> tuple[tuple[Attribute, ...], frozenset[str] | None]:
    """Track-level (immutable) attributes and the names of per-keyframe (mutable) ones."""
    if spec is None:
        return (), None
    mutable = frozenset(a.name for a in spec.attributes if a.mutable)
    return tuple(a for a in shape.attributes if a.name not in mutable), mutable


def assemble_tracks(frames: Iterable[Frame], *, frame_count: int | None = None,
                    labels: Mapping[str, LabelSpec] | None = None) -> tuple[list[Frame], list[Track]]:
    """Split shapes with a ``track_id`` out of ``frames`` and rebuild their tracks.

    ``frames`` must have their ``index`` set. ``frame_count`` (the number of frames of the
    target) lets a track that disappears before the end get an ``outside`` keyframe; without
    it only disappearances inside the seen frames are detected. ``labels`` tells which
    attributes are mutable (per keyframe) and which belong to the track.
    Returns the frames without those shapes, and the tracks in order of first frame.
    """
    labels = labels or {}
    collected: dict[tuple[str, int], list[tuple[int, Shape]]] = {}
    rest: list[Frame] = []
    for frame in frames:
        if frame.index is None:
            raise ValueError("assemble_tracks needs frames with an index.")
        own = []
        for shape in frame.shapes:
            if shape.track_id is None:
                own.append(shape)
            else:
                collected.setdefault((shape.label, shape.track_id), []).append((frame.index, shape))
        rest.append(replace(frame, shapes=tuple(own)) if len(own) != len(frame.shapes) else frame)
    tracks = []
    for (label, track_id), seen in collected.items():
        seen.sort(key=lambda item: item[0])
        first = seen[0][1]
        spec = labels.get(label)
        track_attrs, mutable = _split(first, spec)
        elements = []
        for position, element in enumerate(first.elements):
            sub = spec.sublabel(element.label) if spec else None
            element_seen = [(frame, shape.elements[position]) for frame, shape in seen
                            if position < len(shape.elements) and shape.elements[position].label == element.label]
            element_attrs, element_mutable = _split(element, sub)
            shapes = _element_keyframes(element_seen, element_mutable)
            elements.append(Track(element.label, shapes, attributes=element_attrs, source=element.source))
        tracks.append(Track(label, _keyframes(seen, mutable, frame_count), attributes=track_attrs,
                            group=first.group, source=first.source, elements=tuple(elements),
                            id=track_id))
    tracks.sort(key=lambda t: t.first_frame)
    return rest, tracks


def _element_keyframes(seen: list[tuple[int, Shape]], mutable: frozenset[str] | None) -> tuple[TrackedShape, ...]:
    marked = any(shape.keyframe for _, shape in seen)
    result = [_keyframe(frame, shape, mutable) for position, (frame, shape) in enumerate(seen)
              if position == 0 or not marked or shape.keyframe]
    return tuple(result)


class TrackSplitter:
    """Streams frames without their track shapes and assembles the tracks afterwards.

    ``frames()`` yields the input frames with shapes that have a ``track_id`` taken out (kept
    aside); ``tracks()``, called after ``frames()`` is exhausted, rebuilds them with
    :func:`assemble_tracks`. ``frame_count`` is called then, so it may depend on what was read.
    """

    def __init__(self, frames: Iterable[Frame], frame_count: Callable[[], int | None],
                 labels: Mapping[str, LabelSpec] | None = None) -> None:
        self._frames = frames
        self._frame_count = frame_count
        self._labels = labels
        self._kept: list[Frame] = []
        self._done = False

    def frames(self) -> Iterator[Frame]:
        for frame in self._frames:
            tracked = tuple(s for s in frame.shapes if s.track_id is not None)
            if tracked:
                self._kept.append(replace(frame, tags=(), shapes=tracked, image=None))
                frame = replace(frame, shapes=tuple(s for s in frame.shapes if s.track_id is None))
            yield frame
        self._done = True

    def tracks(self) -> Iterator[Track]:
        if not self._done:
            raise RuntimeError("Iterate the frames to the end before the tracks.")
        _, tracks = assemble_tracks(self._kept, frame_count=self._frame_count(), labels=self._labels)
        self._kept = []
        yield from tracks
