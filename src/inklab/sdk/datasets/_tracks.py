"""Track shapes on every frame: keyframes, and the frames between them interpolated.

Rules (those of CVAT's annotation tools):

* a track starts at its first keyframe; a keyframe with ``outside`` hides the object until the
  next keyframe; after the last keyframe a visible object stays, unchanged, until ``end``
  (the end of the job it was drawn in);
* between a visible keyframe and the next one, rectangles, ellipses and cuboids move linearly
  (rotation along the shorter arc), points linearly when both keyframes have as many points,
  polygons and polylines by matching points at equal fractions of their outline length (the
  same count: point to point), masks keep the previous keyframe, skeleton points follow their
  own element tracks;
* mutable attribute values carry over from keyframe to keyframe; the track's own attributes
  apply throughout.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Container, Iterator, Sequence

from inklab.sdk import models
from inklab.sdk.datasets.common import TrackShape
from inklab.vocabulary import ShapeType

__all__ = ["match_outlines", "track_shapes"]

_LINEAR = {ShapeType.RECTANGLE, ShapeType.ELLIPSE, ShapeType.CUBOID}
_OUTLINES = {ShapeType.POLYGON, ShapeType.POLYLINE}


def _lerp(a: Sequence[float], b: Sequence[float], t: float) -> list[float]:
    return [x + (y - x) * t for x, y in zip(a, b, strict=True)]


def _rotation(a: float, b: float, t: float) -> float:
    delta = (b - a + 180.0) % 360.0 - 180.0
    return (a + delta * t) % 360.0


def _arc_params(points: list[tuple[float, float]], closed: bool) -> list[float]:
    """Normalised outline length at each vertex (0 at the first one)."""
    path = points + [points[0]] if closed else points
    lengths = [0.0]
    for (x0, y0), (x1, y1) in zip(path, path[1:], strict=False):
        lengths.append(lengths[-1] + math.hypot(x1 - x0, y1 - y0))
    total = lengths[-1]
    if total == 0:
        count = len(path) - 1 or 1
        return [i / count for i in range(len(points))]
    return [length / total for length in lengths[: len(points)]]


def _point_at(points: list[tuple[float, float]], params: list[float], t: float, closed: bool) -> tuple[float, float]:
    path = points + [points[0]] if closed else points
    ends = params + [1.0] if closed else params
    i = max(0, min(bisect.bisect_right(ends, t) - 1, len(path) - 2))
    span = ends[i + 1] - ends[i]
    f = 0.0 if span <= 0 else (t - ends[i]) / span
    (x0, y0), (x1, y1) = path[i], path[i + 1]
    return x0 + (x1 - x0) * f, y0 + (y1 - y0) * f


def match_outlines(a: Sequence[float], b: Sequence[float], closed: bool) -> tuple[list[float], list[float]]:
    """``a`` and ``b`` resampled to the same vertices: at every fraction of outline length where
    either has a vertex. Drawn as outlines, the results equal the inputs."""
    pa = list(zip(a[0::2], a[1::2], strict=True))
    pb = list(zip(b[0::2], b[1::2], strict=True))
    if len(pa) < 2 or len(pb) < 2:
        return list(a), list(a)
    ta, tb = _arc_params(pa, closed), _arc_params(pb, closed)
    params = sorted(set(ta) | set(tb))
    out_a: list[float] = []
    out_b: list[float] = []
    for t in params:
        out_a.extend(_point_at(pa, ta, t, closed))
        out_b.extend(_point_at(pb, tb, t, closed))
    return out_a, out_b


def _between(a: models.TrackedShape, b: models.TrackedShape, t: float) -> tuple[list[float], float]:
    """Points and rotation of ``a`` moved a fraction ``t`` towards ``b``."""
    kind = a.type
    if b.type != kind:
        return list(a.points), a.rotation
    if kind in _LINEAR or kind == ShapeType.POINTS:
        if len(a.points) == len(b.points):
            return _lerp(a.points, b.points, t), _rotation(a.rotation, b.rotation, t)
        return list(a.points), a.rotation
    if kind in _OUTLINES:
        if len(a.points) == len(b.points):
            return _lerp(a.points, b.points, t), a.rotation
        pa, pb = match_outlines(a.points, b.points, kind == ShapeType.POLYGON)
        return _lerp(pa, pb, t), a.rotation
    return list(a.points), a.rotation  # masks, skeleton parents


class _Keyframes:
    """A track's keyframes with the state they give each frame."""

    def __init__(self, shapes: Sequence[models.TrackedShape]) -> None:
        self.shapes = sorted(shapes, key=lambda s: s.frame)
        self.frames = [s.frame for s in self.shapes]
        self.attributes: list[dict[int, str]] = []
        current: dict[int, str] = {}
        for shape in self.shapes:
            current = {**current, **{a.spec_id: a.value for a in shape.attributes}}
            self.attributes.append(current)

    def at(self, frame: int) -> tuple[int, list[float], float] | None:
        """(index of the keyframe in force, points, rotation), or None before the track."""
        i = bisect.bisect_right(self.frames, frame) - 1
        if i < 0:
            return None
        shape = self.shapes[i]
        if shape.frame == frame or i + 1 == len(self.shapes) or shape.outside:
            return i, list(shape.points), shape.rotation
        nxt = self.shapes[i + 1]
        points, rotation = _between(shape, nxt, (frame - shape.frame) / (nxt.frame - shape.frame))
        return i, points, rotation


def _element(track: models.SubLabeledTrack, keys: _Keyframes, frame: int) -> models.SubLabeledShape | None:
    state = keys.at(frame)
    if state is None:
        if not keys.shapes:
            return None
        state = (0, list(keys.shapes[0].points), 0.0)
    i, points, _ = state
    key = keys.shapes[i]
    return models.SubLabeledShape(
        type=ShapeType.POINTS, frame=frame, label_id=track.label_id, points=points, occluded=key.occluded,
        outside=key.outside, group=track.group, source=track.source,
        attributes=[*track.attributes, *(models.AttributeVal(spec_id=k, value=v)
                                         for k, v in keys.attributes[i].items())])


def track_shapes(track: models.LabeledTrack, end: int, frames: Container[int] | None = None) -> Iterator[TrackShape]:
    """The visible shapes of ``track`` on frames before ``end`` (and in ``frames``), in frame order."""
    keys = _Keyframes(track.shapes)
    if not keys.shapes:
        return
    elements = [(element, _Keyframes(element.shapes)) for element in track.elements]
    own = {a.spec_id for a in track.attributes}
    for frame in range(keys.frames[0], end):
        if frames is not None and frame not in frames:
            continue
        state = keys.at(frame)
        if state is None:
            continue
        i, points, rotation = state
        key = keys.shapes[i]
        if key.outside:
            continue
        attributes = list(track.attributes) + [models.AttributeVal(spec_id=k, value=v)
                                               for k, v in keys.attributes[i].items() if k not in own]
        shape = TrackShape(
            type=key.type, frame=frame, label_id=track.label_id, points=points, rotation=rotation,
            occluded=key.occluded, outside=False, z_order=key.z_order, group=track.group,
            source=track.source, attributes=attributes, track_id=track.id, keyframe=key.frame == frame)
        if elements:
            shape.elements = [e for e in (_element(t, k, frame) for t, k in elements) if e is not None]
        yield shape
