"""Tracking by detection: any detection function's boxes linked across frames by overlap.

* :func:`link_tracks` turns per-frame detections (the driver's upload objects) into tracks:
  on each frame, every box of a label continues the open track of that label whose last box
  overlaps it most (intersection over union at least ``iou_threshold``, each track and box
  used once, best pairs first); an unmatched box starts a track; a track without a box for
  more than ``max_gap`` frames ends (an ``outside`` keyframe on the frame after its last box).
  ``annotate_task(..., tracks=True)`` uses it. Shapes other than rectangles stay shapes.
* :class:`DetectorTracker` (``create(detector)``) makes a tracking function of a detection
  function for the AI tools: each step runs the detector and keeps its box that overlaps the
  last one most.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import PIL.Image

import inklab.sdk.auto_annotation as aa

__all__ = ["DetectorTracker", "create", "iou", "link_tracks"]


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    """Intersection over union of two boxes ``[x1, y1, x2, y2]``."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


@dataclass
class _Open:
    label_id: int
    first: dict[str, Any]
    keyframes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def last(self) -> dict[str, Any]:
        return self.keyframes[-1]


def _keyframe(shape: dict[str, Any]) -> dict[str, Any]:
    return {"type": shape["type"], "frame": shape["frame"], "points": list(shape["points"]), "outside": False,
            "occluded": bool(shape.get("occluded", False)), "z_order": int(shape.get("z_order", 0)),
            "rotation": float(shape.get("rotation", 0.0)), "attributes": []}


def _close(track: _Open, frames: set[int]) -> dict[str, Any]:
    shapes = list(track.keyframes)
    after = track.last["frame"] + 1
    if after in frames:
        shapes.append({**track.last, "frame": after, "outside": True})
    first = track.first
    return {"frame": first["frame"], "label_id": track.label_id, "group": 0, "source": first.get("source", "auto"),
            "attributes": list(first.get("attributes") or []), "shapes": shapes}


def link_tracks(frames: Iterable[tuple[int, list[dict[str, Any]]]], *, iou_threshold: float = 0.3,
                max_gap: int = 0) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(tracks, other shapes)`` from ``(frame, shapes)`` pairs in frame order (see the module docstring)."""
    tracks: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []
    active: list[_Open] = []
    seen: set[int] = set()
    for frame, shapes in frames:
        seen.add(frame)
        still = []
        for track in active:
            if frame - track.last["frame"] > max_gap + 1:
                tracks.append(_close(track, seen | {track.last["frame"] + 1}))
            else:
                still.append(track)
        active = still
        boxes = [s for s in shapes if s.get("type") == "rectangle" and not s.get("rotation")]
        others.extend(s for s in shapes if s not in boxes)
        pairs = sorted(((iou(t.last["points"], b["points"]), ti, bi) for ti, t in enumerate(active)
                        for bi, b in enumerate(boxes) if t.label_id == b["label_id"]), reverse=True)
        used_tracks: set[int] = set()
        used_boxes: set[int] = set()
        for overlap, ti, bi in pairs:
            if overlap < iou_threshold:
                break
            if ti in used_tracks or bi in used_boxes:
                continue
            used_tracks.add(ti)
            used_boxes.add(bi)
            active[ti].keyframes.append(_keyframe(boxes[bi]))
        for bi, box in enumerate(boxes):
            if bi not in used_boxes:
                active.append(_Open(box["label_id"], box, [_keyframe(box)]))
    tracks.extend(_close(track, seen) for track in active)
    tracks.sort(key=lambda t: (t["frame"], t["label_id"]))
    return tracks, others


class _Context(aa.DetectionFunctionContext):
    @property
    def frame_name(self) -> str:
        return ""

    @property
    def conf_threshold(self) -> float | None:
        return None

    @property
    def conv_mask_to_poly(self) -> bool:
        return False


class DetectorTracker:
    """A tracking function (rectangles) that follows a box with a detection function's boxes."""

    spec = aa.TrackingFunctionSpec(supported_shape_types={"rectangle"})

    def __init__(self, detector: Any, *, iou_threshold: float = 0.3) -> None:
        self.detector, self.iou_threshold = detector, iou_threshold

    def init_tracking_state(self, context: aa.TrackingFunctionShapeContext, pp_image: PIL.Image.Image,
                            shape: aa.TrackableShape) -> list[float]:
        return [float(v) for v in shape.points[:4]]

    def track(self, context: aa.TrackingFunctionShapeContext, pp_image: PIL.Image.Image,
              state: list[float]) -> aa.TrackableShape | None:
        found = [list(getattr(s, "points", None) or s["points"]) for s in self.detector.detect(_Context(), pp_image)
                 if (getattr(s, "type", None) or (s.get("type") if isinstance(s, dict) else None)) == "rectangle"]
        best = max(found, key=lambda box: iou(state, box), default=None)
        if best is None or iou(state, best) < self.iou_threshold:
            return None
        state[:] = best
        return aa.TrackableShape(type="rectangle", points=best)


def create(detector: Any, iou_threshold: float = 0.3) -> DetectorTracker:
    """A :class:`DetectorTracker` around ``detector`` (a detection function object)."""
    return DetectorTracker(detector, iou_threshold=iou_threshold)
