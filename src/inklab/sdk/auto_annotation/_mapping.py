"""Matching a function's labels to a task's, and checking and converting its results.

Labels, skeleton points and attributes are matched by name. A function label of type T
(other than ``any``) needs a task label of type T or ``any``; an ``any`` function label
takes the task label's type. Attributes must have the same input type, and ``select`` /
``radio`` attributes the same set of values (``number`` the same range).

Every result of the function is checked against the protocol (see
:class:`~inklab.sdk.auto_annotation.interface.DetectionFunction`) and turned into the JSON
object uploaded for it: task ids, the task's frame number, ``source: "auto"``, and only the
fields the function set. A violation raises :class:`BadFunctionError` naming the frame, the
object, its label and the reason.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from inklab.sdk import models
from inklab.sdk.auto_annotation._attributes import value_checker
from inklab.sdk.auto_annotation._errors import BadFunctionError
from inklab.sdk.auto_annotation.interface import DetectionFunctionSpec, _get, _has, _text

__all__ = ["LabelMapper"]

_OPTIONAL_SHAPE_FIELDS = ("occluded", "outside", "z_order", "rotation", "group", "score")
_OPTIONAL_ELEMENT_FIELDS = ("occluded", "outside", "score")


@dataclass(frozen=True)
class _AttributeMap:
    id: int
    name: str
    accepts: Callable[[str], bool]


@dataclass
class _LabelMap:
    id: int
    name: str
    type: str  # the shape type results must have; "any" lets any non-skeleton shape through
    attributes: dict[Any, _AttributeMap | None] = field(default_factory=dict)
    points: dict[Any, _LabelMap | None] = field(default_factory=dict)
    point_names: dict[int, str] = field(default_factory=dict)  # task point id -> name
    element_count: int = 0


def _id(label: models.Label | models.Sublabel) -> int:
    """The server id of a task label or point (labels read from a server always have one)."""
    if label.id is None:
        raise BadFunctionError(f"the task's label {label.name!r} has no id")
    return int(label.id)


def _compatible(produced: str, expected: str) -> bool:
    return expected == "any" or produced == expected


class _Where:
    """Names the object being checked in error messages."""

    def __init__(self, frame: int, frame_name: str) -> None:
        self.prefix = f"frame {frame} ({frame_name!r})"

    def __call__(self, what: str, reason: str) -> BadFunctionError:
        return BadFunctionError(f"{self.prefix}: {what}: {reason}")


def _points(raw: Any) -> list[float] | None:
    if raw is None:
        return []
    try:
        values = [float(v) for v in raw]
    except (TypeError, ValueError):
        return None
    if any(isinstance(v, bool) for v in raw) or not all(math.isfinite(v) for v in values):
        return None
    return values


def _point_count_problem(shape_type: str, points: list[float]) -> str | None:
    n = len(points)
    need = {"rectangle": (n == 4, "4 numbers [x1, y1, x2, y2]"), "ellipse": (n == 4, "4 numbers"),
            "cuboid": (n == 16, "16 numbers"), "polygon": (n >= 6 and n % 2 == 0, "at least 3 points"),
            "polyline": (n >= 4 and n % 2 == 0, "at least 2 points"),
            "points": (n >= 2 and n % 2 == 0, "at least one [x, y] point")}
    if shape_type in need:
        ok, text = need[shape_type]
        return None if ok else f"a {shape_type} needs {text}, got {n} numbers"
    if shape_type == "mask":
        if n < 5 or not all(p.is_integer() and p >= 0 for p in points):
            return f"a mask needs run lengths and a box (non-negative integers), got {n} numbers"
        x1, y1, x2, y2 = points[-4:]
        if x2 < x1 or y2 < y1 or sum(points[:-4]) != (x2 - x1 + 1) * (y2 - y1 + 1):
            return "the mask's run lengths do not fill its box"
    return None


class LabelMapper:
    """The label mapping of one function onto one task (or job), and the result checker."""

    def __init__(self, spec: DetectionFunctionSpec, task_labels: Sequence[models.Label], *,
                 allow_unmatched_labels: bool = False, conv_mask_to_poly: bool = False,
                 logger: logging.Logger | None = None) -> None:
        if not isinstance(spec, DetectionFunctionSpec):
            raise BadFunctionError(f"the function's spec is a {type(spec).__name__}, not a DetectionFunctionSpec")
        self._allow_unmatched = allow_unmatched_labels
        self._conv_mask_to_poly = conv_mask_to_poly
        self._logger = logger or logging.getLogger(__name__)
        by_name = {label.name: label for label in task_labels}
        self.labels: dict[Any, _LabelMap | None] = {}
        for fun_label in spec.labels:
            self.labels[_get(fun_label, "id")] = self._map_label(fun_label, by_name)

    @property
    def task_label_ids(self) -> set[int]:
        """Ids of the task labels that results can have."""
        return {m.id for m in self.labels.values() if m is not None}

    def _unmatched(self, what: str) -> None:
        if not self._allow_unmatched:
            raise BadFunctionError(f"{what} is not in the task (allow unmatched labels to drop it)")
        self._logger.info("%s is not in the task; results using it are dropped", what)

    def _map_attributes(self, fun_owner: Any, task_owner: Any, where: str) -> dict[Any, _AttributeMap | None]:
        task_attrs = {a.name: a for a in _get(task_owner, "attributes") or []}
        result: dict[Any, _AttributeMap | None] = {}
        for attr in _get(fun_owner, "attributes") or []:
            name, what = _get(attr, "name"), f"attribute {_get(attr, 'name')!r} of {where}"
            target = task_attrs.get(name)
            if target is None:
                self._unmatched(what)
                result[_get(attr, "id")] = None
                continue
            fun_type, task_type = _text(_get(attr, "input_type")), _text(target.input_type)
            if fun_type != task_type:
                raise BadFunctionError(f"{what} has input type {fun_type!r} in the function but {task_type!r} "
                                       "in the task")
            fun_values, task_values = list(_get(attr, "values") or []), list(target.values or [])
            # A choice the function never makes costs nothing, so its choices need only be among the
            # task's (cvat_sdk insists on the same set); a number's range must be the same.
            fits = (set(fun_values) <= set(task_values) if fun_type in ("select", "radio")
                    else fun_values == task_values if fun_type == "number" else True)
            if not fits:
                relation = "not all among" if fun_type in ("select", "radio") else "but"
                raise BadFunctionError(f"{what} has values {fun_values} in the function, {relation} "
                                       f"{task_values} in the task")
            result[_get(attr, "id")] = _AttributeMap(int(target.id), name, value_checker(fun_type, fun_values))
        return result

    def _map_label(self, fun_label: Any, task_labels: Mapping[str, models.Label]) -> _LabelMap | None:
        name = _get(fun_label, "name")
        where = f"label {name!r}"
        target = task_labels.get(name)
        if target is None:
            self._unmatched(where)
            return None
        fun_type = _text(_get(fun_label, "type", "any") or "any")
        task_type = _text(target.type or "any")
        if fun_type == "mask" and self._conv_mask_to_poly:
            fun_type = "polygon"
        if fun_type != "any" and not _compatible(fun_type, task_type):
            raise BadFunctionError(f"{where} has type {fun_type!r} in the function but {task_type!r} in the task")
        mapped = _LabelMap(_id(target), name, fun_type if fun_type != "any" else task_type,
                           self._map_attributes(fun_label, target, where))
        task_points = {p.name: p for p in target.sublabels or []}
        mapped.element_count = len(task_points)
        mapped.point_names = {_id(p): p.name for p in task_points.values()}
        for point in _get(fun_label, "sublabels") or []:
            point_where = f"point {_get(point, 'name')!r} of {where}"
            task_point = task_points.get(_get(point, "name"))
            if task_point is None:
                self._unmatched(point_where)
                mapped.points[_get(point, "id")] = None
                continue
            mapped.points[_get(point, "id")] = _LabelMap(
                _id(task_point), task_point.name, "points", self._map_attributes(point, task_point, point_where))
        return mapped

    # -- results ------------------------------------------------------------------------------

    def _attributes(self, obj: Any, label: _LabelMap, where: Callable[[str], BadFunctionError]) -> list[Any] | None:
        if not _has(obj, "attributes"):
            return None
        out = []
        seen: set[int] = set()
        for value in _get(obj, "attributes") or []:
            spec_id, text = _get(value, "spec_id"), _get(value, "value")
            if spec_id not in label.attributes:
                raise where(f"unknown attribute id {spec_id!r}")
            target = label.attributes[spec_id]
            if target is None:
                continue
            if target.id in seen:
                raise where(f"attribute {target.name!r} is given twice")
            if not isinstance(text, str) or not target.accepts(text):
                raise where(f"{text!r} is not a value of attribute {target.name!r}")
            seen.add(target.id)
            out.append({"spec_id": target.id, "value": text})
        return out

    @staticmethod
    def _preset(obj: Any, raise_: Callable[[str], BadFunctionError]) -> None:
        if _has(obj, "id") and _get(obj, "id") is not None:
            raise raise_("it has an id (results must not)")
        if _has(obj, "source"):
            raise raise_("it has a source (the driver sets 'auto')")
        frame = _get(obj, "frame", 0)
        if frame != 0:
            raise raise_(f"its frame is {frame!r} (results are on frame 0)")

    def _score(self, obj: Any, threshold: float | None, raise_: Callable[[str], BadFunctionError]) -> None:
        if not _has(obj, "score"):
            return
        score = _get(obj, "score")
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0.0 <= score <= 1.0:
            raise raise_(f"its confidence (score) {score!r} is not between 0 and 1")
        if threshold is not None and score < threshold:
            raise raise_(f"its confidence {score} is below the threshold {threshold}")

    def _element(self, element: Any, index: int, parent: _LabelMap, frame: int,
                 where: Callable[[str], BadFunctionError], seen: dict[int, int]) -> dict[str, Any] | None:
        def fail(reason: str) -> BadFunctionError:
            return where(f"element {index}: {reason}")

        if isinstance(element, models.LabeledShapeRequest) or not (
                isinstance(element, (models.SubLabeledShapeRequest, dict))):
            raise fail(f"it is a {type(element).__name__} (expected SubLabeledShapeRequest)")
        self._preset(element, fail)
        if _text(_get(element, "type")) != "points":
            raise fail(f"its type is {_text(_get(element, 'type'))!r} (skeleton elements are 'points')")
        point_id = _get(element, "label_id")
        if point_id not in parent.points:
            raise fail(f"unknown point id {point_id!r} of label {parent.name!r}")
        point = parent.points[point_id]
        if point is None:
            return None
        if point.id in seen:
            raise where(f"point {point.name!r} appears twice")
        seen[point.id] = index
        points = _points(_get(element, "points"))
        if points is None or len(points) != 2:
            raise fail(f"point {point.name!r} needs one [x, y] pair of finite numbers")
        out: dict[str, Any] = {"type": "points", "label_id": point.id, "frame": frame, "points": points,
                               "source": "auto"}
        for name in _OPTIONAL_ELEMENT_FIELDS:
            if _has(element, name):
                out[name] = _get(element, name)
        attributes = self._attributes(element, point, fail)
        if attributes:
            out["attributes"] = attributes
        return out

    def _shape(self, shape: Any, label: _LabelMap, frame: int, threshold: float | None,
               where: Callable[[str], BadFunctionError]) -> dict[str, Any]:
        shape_type = _text(_get(shape, "type"))
        if shape_type == "mask" and self._conv_mask_to_poly:
            raise where("it is a mask, but masks were to be converted to polygons (conv_mask_to_poly)")
        if shape_type == "skeleton" and label.type != "skeleton" or (
                shape_type != "skeleton" and not _compatible(shape_type, label.type)):
            raise where(f"shape type {shape_type!r} is not allowed for it (expected {label.type!r})")
        if label.type == "any" and shape_type not in ("rectangle", "polygon", "polyline", "points", "ellipse",
                                                      "cuboid", "mask"):
            raise where(f"unknown shape type {shape_type!r}")
        points = _points(_get(shape, "points"))
        if points is None:
            raise where("its points are not a list of finite numbers")
        problem = _point_count_problem(shape_type, points)
        if problem:
            raise where(problem)
        self._score(shape, threshold, where)
        out: dict[str, Any] = {"type": shape_type, "label_id": label.id, "frame": frame, "points": points,
                               "source": "auto"}
        for name in _OPTIONAL_SHAPE_FIELDS:
            if _has(shape, name):
                out[name] = _get(shape, name)
        attributes = self._attributes(shape, label, where)
        if attributes is not None:
            out["attributes"] = attributes
        elements = _get(shape, "elements") or []
        if shape_type != "skeleton":
            if elements:
                raise where("only skeletons have elements")
            return out
        seen: dict[int, int] = {}
        out["elements"] = [e for e in (self._element(element, i, label, frame, where, seen)
                                       for i, element in enumerate(elements)) if e is not None]
        if len(out["elements"]) != label.element_count:
            missing = sorted(name for pid, name in label.point_names.items() if pid not in seen)
            raise where(f"the skeleton has {len(out['elements'])} of the task label's {label.element_count} points "
                        f"(missing: {', '.join(repr(m) for m in missing)})")
        return out

    def convert(self, annotations: Sequence[Any], *, frame: int, frame_name: str,
                threshold: float | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Check one frame's results; return its ``(tags, shapes)`` as upload JSON objects."""
        at = _Where(frame, frame_name)
        tags: list[dict[str, Any]] = []
        shapes: list[dict[str, Any]] = []
        if annotations is None or isinstance(annotations, (str, bytes, Mapping, models.Model)):
            raise BadFunctionError(f"{at.prefix}: the function returned {type(annotations).__name__}, "
                                   "not a list of tags and shapes")
        for index, obj in enumerate(annotations):
            if isinstance(obj, models.LabeledShapeRequest) or (isinstance(obj, dict) and "type" in obj):
                kind = "shape"
            elif isinstance(obj, (models.LabeledImageRequest, dict)):
                kind = "tag"
            else:
                raise at(f"result {index}", f"it is a {type(obj).__name__} (expected LabeledImageRequest "
                                            "or LabeledShapeRequest)")
            label_id = _get(obj, "label_id")

            def where(reason: str, _i: int = index, _k: str = kind) -> BadFunctionError:
                return at(f"{_k} {_i}", reason)

            if label_id not in self.labels:
                raise where(f"unknown label id {label_id!r} (the spec's ids: {sorted(self.labels, key=str)})")
            label = self.labels[label_id]
            if label is None:
                self._preset(obj, where)
                continue

            def labelled(reason: str, _i: int = index, _k: str = kind, _n: str = label.name) -> BadFunctionError:
                return at(f"{_k} {_i} (label {_n!r})", reason)

            self._preset(obj, labelled)

            if kind == "tag":
                if not _compatible("tag", label.type):
                    raise labelled(f"a tag is not allowed for it (expected a {label.type!r} shape)")
                self._score(obj, threshold, labelled)
                tag: dict[str, Any] = {"label_id": label.id, "frame": frame, "source": "auto"}
                if _has(obj, "group"):
                    tag["group"] = _get(obj, "group")
                attributes = self._attributes(obj, label, labelled)
                if attributes is not None:
                    tag["attributes"] = attributes
                tags.append(tag)
            else:
                shapes.append(self._shape(obj, label, frame, threshold, labelled))
        return tags, shapes
