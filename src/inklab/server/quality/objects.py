"""Stored annotation objects (canonical JSON) as the comparison's per-frame objects.

Tags and shapes appear on their frame; a track appears on each frame where it is visible, in
the state its keyframes give (the last keyframe at or before the frame; coordinates
interpolated linearly towards the next keyframe when both have as many points, masks never;
an ``outside`` keyframe hides it). Attributes compare by spec id; a track's state carries the
track's attributes updated by the keyframe's.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from inklab.quality import Annotation

__all__ = ["objects_by_frame"]


def _attributes(*lists: Sequence[dict[str, Any]]) -> tuple[tuple[str, str], ...]:
    values: dict[str, str] = {}
    for items in lists:
        for item in items:
            values[str(item["spec_id"])] = str(item["value"])
    return tuple(sorted(values.items()))


def _shape(obj: dict[str, Any], kind: str, obj_id: int) -> Annotation:
    elements = tuple(_shape(e, kind, e.get("id") or 0) for e in obj.get("elements") or ())
    return Annotation(id=obj_id, kind=kind, label=obj["label_id"], type=obj.get("type"),
                      points=tuple(obj.get("points") or ()), rotation=float(obj.get("rotation") or 0.0),
                      attributes=_attributes(obj.get("attributes") or ()), group=int(obj.get("group") or 0),
                      z_order=int(obj.get("z_order") or 0), outside=bool(obj.get("outside")), elements=elements)


def _state(keyframes: Sequence[dict[str, Any]], frame: int) -> dict[str, Any] | None:
    """The keyframe state of a track at ``frame`` (None before it starts or while outside)."""
    frames = [k["frame"] for k in keyframes]
    index = bisect.bisect_right(frames, frame) - 1
    if index < 0:
        return None
    current = keyframes[index]
    if current.get("outside"):
        return None
    if index + 1 < len(keyframes) and current["frame"] != frame:
        following = keyframes[index + 1]
        same = len(following.get("points") or ()) == len(current.get("points") or ())
        if same and current.get("type") != "mask" and not following.get("outside"):
            t = (frame - current["frame"]) / (following["frame"] - current["frame"])
            points = [p + (q - p) * t for p, q in zip(current["points"], following["points"], strict=True)]
            return {**current, "frame": frame, "points": points}
    return current


def _track_states(obj: dict[str, Any], obj_id: int, frames: Iterable[int]) -> Iterable[tuple[int, Annotation]]:
    keyframes = sorted(obj.get("shapes") or (), key=lambda k: k["frame"])
    for frame in frames:
        state = _state(keyframes, frame)
        if state is None:
            continue
        elements = []
        for element in obj.get("elements") or ():
            element_state = _state(sorted(element.get("shapes") or (), key=lambda k: k["frame"]), frame)
            visible = element_state or {"points": [], "outside": True, "type": "points"}
            elements.append(_shape({**visible, "label_id": element["label_id"], "attributes": []}, "track",
                                   element.get("id") or 0))
        shape = {**state, "label_id": obj["label_id"], "group": obj.get("group", 0),
                 "attributes": list(obj.get("attributes") or ()) + list(state.get("attributes") or ())}
        base = _shape({**shape, "elements": []}, "track", obj_id)
        yield frame, Annotation(base.id, base.kind, base.label, base.type, base.points, base.rotation,
                                base.attributes, base.group, base.z_order, base.outside, tuple(elements))


def objects_by_frame(rows: Iterable[tuple[int, str, int, int, str]], frames: set[int]) -> dict[int, list[Annotation]]:
    """``(id, kind, first frame, last frame, JSON)`` rows as objects on each of ``frames``."""
    result: dict[int, list[Annotation]] = defaultdict(list)
    for obj_id, kind, first, last, data in rows:
        obj = orjson.loads(data)
        if kind == "track":
            touched = [f for f in frames if first <= f] if last >= first else []
            for frame, annotation in _track_states(obj, obj_id, sorted(touched)):
                result[frame].append(annotation)
        elif first in frames:
            if kind == "tag":
                result[first].append(Annotation(id=obj_id, kind="tag", label=obj["label_id"],
                                                attributes=_attributes(obj.get("attributes") or ()),
                                                group=int(obj.get("group") or 0)))
            else:
                result[first].append(_shape(obj, "shape", obj_id))
    return result
