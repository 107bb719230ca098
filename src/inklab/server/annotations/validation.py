"""Checking incoming annotation objects and turning them into their canonical stored form.

The canonical form is what the API returns: every optional key present with its default
(``group`` 0, ``source`` "manual", ``occluded``/``outside`` false, ``z_order`` 0, ``rotation``
0.0, ``attributes`` [], shapes' ``score`` 1.0, skeletons' ``elements``), attribute values as
strings, points as floats. Anything a client may not send is refused with a message that
says which object and which field (``shapes[12].points: ...``):

* frames outside the task (or the job being written), integers outside their ranges
  (:data:`Z_ORDER`, :data:`GROUP`: objects are stored as JSON, read back by 64-bit clients);
* labels that are not the task's, or whose type does not allow the shape type;
* fields that an object of its kind does not have (:data:`SHAPE_FIELDS` and the others: CVAT's
  request schemas);
* attributes that are not the label's, or values outside the attribute's spec;
* point lists of the wrong length for the shape type, non-finite numbers, bad masks;
* masks whose box is not inside their frame (checked from the numbers, before any pixel
  is decoded: a mask is never larger than its frame);
* skeletons whose elements are not exactly one per point of the skeleton label;
* tracks without keyframes, with keyframes out of order, or mixing shape types.

The checks are plain Python (no serializer per object): 100,000 shapes take about a second.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from inklab.formats.masks import check_mask
from inklab.server.api.integers import ID, INT32, UINT32, Range
from inklab.server.errors import InvalidInput
from inklab.server.media.models import Frame
from inklab.server.projects.labels import labels_of
from inklab.server.projects.models import Task
from inklab.vocabulary import InputType, LabelType, ObjectSource, ShapeType

__all__ = ["ATTRIBUTE_FIELDS", "ELEMENT_FIELDS", "ELEMENT_TRACK_FIELDS", "FRAME", "GROUP", "KEYFRAME_FIELDS",
           "LABELED_DATA_FIELDS", "SHAPE_FIELDS", "TAG_FIELDS", "TRACK_FIELDS", "Z_ORDER", "AttributeInfo", "FrameSizes",
           "LabelIndex", "LabelInfo", "Normalizer", "check_fields"]

#: The ranges of an object's integers (as CVAT's columns): frames and groups are unsigned
#: 32-bit, ``z_order`` signed 32-bit.
FRAME: Range = UINT32
GROUP: Range = UINT32
Z_ORDER: Range = INT32

_SHAPE_TYPES = frozenset(ShapeType)
_SOURCES = frozenset(ObjectSource)


@dataclass(frozen=True)
class AttributeInfo:
    id: int
    name: str
    input_type: str
    values: tuple[str, ...]
    mutable: bool

    def check(self, value: Any, where: str) -> str:
        """Return the value as the API's string form, or raise if the spec does not allow it."""
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (int, float)):
            text = str(value)
        elif isinstance(value, str):
            text = value
        else:
            raise InvalidInput(f"{where}: attribute '{self.name}' needs a string value, got {value!r}.")
        if len(text) > 4096:
            raise InvalidInput(f"{where}: the value of attribute '{self.name}' is longer than 4096 characters.")
        if self.input_type in (InputType.SELECT, InputType.RADIO):
            if text not in self.values:
                raise InvalidInput(f"{where}: '{text}' is not a value of attribute '{self.name}' "
                                   f"({', '.join(self.values)}).")
        elif self.input_type == InputType.CHECKBOX:
            text = text.lower()
            if text not in ("true", "false"):
                raise InvalidInput(f"{where}: attribute '{self.name}' is a checkbox; use 'true' or 'false'.")
        elif self.input_type == InputType.NUMBER:
            try:
                number = Decimal(text)
                low, high, step = (Decimal(v) for v in self.values)
            except (InvalidOperation, ValueError) as exc:
                raise InvalidInput(f"{where}: attribute '{self.name}' needs a number, got '{text}'.") from exc
            if not (low <= number <= high) or (step and (number - low) % step != 0):
                raise InvalidInput(f"{where}: {text} is outside attribute '{self.name}' range "
                                   f"[{self.values[0]}, {self.values[1]}] step {self.values[2]}.")
        return text


@dataclass
class LabelInfo:
    id: int
    name: str
    type: str
    attributes: dict[int, AttributeInfo] = field(default_factory=dict)
    sublabels: dict[int, LabelInfo] = field(default_factory=dict)

    def allows(self, shape_type: str) -> bool:
        if self.type == LabelType.ANY:
            return shape_type != ShapeType.SKELETON
        return self.type == shape_type


class LabelIndex:
    """The labels an object of a task may use, by id, with their attributes and points."""

    def __init__(self, labels: Iterable[LabelInfo]) -> None:
        self.labels = {label.id: label for label in labels}

    @classmethod
    def for_task(cls, task: Task) -> LabelIndex:
        infos = []
        for label in labels_of(task).prefetch_related("attributes", "sublabels__attributes"):
            info = _info(label)
            info.sublabels = {sub.pk: _info(sub) for sub in label.sublabels.all()}
            infos.append(info)
        return cls(infos)


class FrameSizes:
    """``(width, height)`` of a task's frames by number, read from the database when first needed
    (only masks need them: most writes never do)."""

    def __init__(self, task: Task) -> None:
        self.task = task
        self._sizes: dict[int, tuple[int, int]] | None = None

    def __call__(self, number: int) -> tuple[int, int]:
        if self._sizes is None:
            rows = Frame.objects.filter(task_id=self.task.pk).values_list("number", "width", "height")
            self._sizes = {n: (w, h) for n, w, h in rows}
        return self._sizes[number]


def _info(label: Any) -> LabelInfo:
    return LabelInfo(label.pk, label.name, label.type, {
        a.pk: AttributeInfo(a.pk, a.name, a.input_type, tuple(a.values), a.mutable) for a in label.attributes.all()
    })


def _int(value: Any, where: str, name: str, bounds: Range) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            isinstance(value, float) and not value.is_integer()):
        raise InvalidInput(f"{where}.{name}: expected an integer, got {value!r}.")
    value = int(value)
    low, high = bounds
    if not low <= value <= high:
        raise InvalidInput(f"{where}.{name}: must be from {low} to {high}, got {value}.")
    return value


def _bool(value: Any, where: str, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{where}.{name}: expected true or false, got {value!r}.")
    return value


def _points(value: Any, where: str) -> list[float]:
    if not isinstance(value, list):
        raise InvalidInput(f"{where}.points: expected a list of numbers.")
    try:
        points = [float(v) for v in value]
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{where}.points: expected numbers, got {value[:8]!r}.") from exc
    if any(isinstance(v, bool) for v in value) or not all(math.isfinite(v) for v in points):
        raise InvalidInput(f"{where}.points: numbers must be finite.")
    return points


def _check_point_count(shape_type: str, points: list[float], where: str) -> None:
    n = len(points)
    if shape_type in (ShapeType.RECTANGLE, ShapeType.ELLIPSE):
        ok = n == 4
        need = "4 numbers"
    elif shape_type == ShapeType.CUBOID:
        ok = n == 16
        need = "16 numbers (8 vertices)"
    elif shape_type == ShapeType.POLYGON:
        ok = n >= 6 and n % 2 == 0
        need = "at least 3 points"
    elif shape_type == ShapeType.POLYLINE:
        ok = n >= 4 and n % 2 == 0
        need = "at least 2 points"
    elif shape_type == ShapeType.POINTS:
        ok = n >= 2 and n % 2 == 0
        need = "at least 1 point"
    elif shape_type == ShapeType.MASK:
        ok = n >= 5  # the rest: check_mask, in _geometry
        need = "run lengths followed by an inclusive bounding box [x1, y1, x2, y2]"
    else:  # skeleton: points live in the elements
        ok = n % 2 == 0
        need = "an even count"
    if not ok:
        raise InvalidInput(f"{where}.points: a {shape_type} needs {need}, got {n} numbers.")


def _source(value: Any, where: str) -> str:
    if value is None:
        return ObjectSource.MANUAL
    if value not in _SOURCES:
        raise InvalidInput(f"{where}.source: must be one of {', '.join(sorted(_SOURCES))}, got {value!r}.")
    return value


def _rotation(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidInput(f"{where}.rotation: expected a number of degrees, got {value!r}.")
    rotation = float(value) % 360.0
    return rotation


def _score(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise InvalidInput(f"{where}.score: expected a number between 0 and 1, got {value!r}.")
    return float(value)


#: The fields of each kind of object a client may send (CVAT's ``LabeledImageRequest``,
#: ``LabeledShapeRequest``, ``SubLabeledShapeRequest``, ``LabeledTrackRequest``,
#: ``SubLabeledTrackRequest``, ``TrackedShapeRequest``, ``AttributeValRequest``, with the
#: ``score`` of cvat-sdk 2.80); anything else is refused, never dropped.
_COMMON = frozenset({"id", "frame", "label_id", "group", "source", "attributes"})
_GEOMETRY = frozenset({"type", "occluded", "outside", "z_order", "rotation", "points"})
TAG_FIELDS = _COMMON
SHAPE_FIELDS = _COMMON | _GEOMETRY | {"score", "elements"}
ELEMENT_FIELDS = _COMMON | _GEOMETRY | {"score"}
TRACK_FIELDS = _COMMON | {"shapes", "elements"}
ELEMENT_TRACK_FIELDS = _COMMON | {"shapes"}
KEYFRAME_FIELDS = _GEOMETRY | {"id", "frame", "attributes"}
ATTRIBUTE_FIELDS = frozenset({"spec_id", "value"})
#: ``LabeledDataRequest``: the body of PUT and PATCH (``intervals`` is for audio tasks: refused when not empty)
LABELED_DATA_FIELDS = frozenset({"version", "tags", "shapes", "tracks", "intervals"})


def check_fields(obj: Any, where: str, fields: frozenset[str], what: str) -> Mapping[str, Any]:
    """``obj`` if it is a JSON object with none but ``fields``; InvalidInput naming the others."""
    prefix = f"{where}: " if where else ""
    if not isinstance(obj, dict):
        raise InvalidInput(f"{prefix}expected an object, got {type(obj).__name__}.")
    if not fields.issuperset(obj):
        unknown = ", ".join(f"'{key}'" for key in sorted(str(key) for key in obj if key not in fields))
        raise InvalidInput(f"{prefix}{unknown} {'are not fields' if ',' in unknown else 'is not a field'} of "
                           f"{what}; this server refuses the fields it does not support (known: "
                           f"{', '.join(sorted(fields))}).")
    return obj


class Normalizer:
    """Validates objects for one task and returns their canonical form.

    ``frames`` is the inclusive range objects may touch (a job's range for job writes);
    ``sizes`` gives the ``(width, height)`` of a frame in it. Nested ids are taken from
    ``next_id`` (a callable), so new elements and keyframes get ids unique within the task.
    """

    def __init__(self, index: LabelIndex, frames: tuple[int, int],
                 sizes: Callable[[int], tuple[int, int]]) -> None:
        self.index = index
        self.first, self.last = frames
        self.sizes = sizes

    # -- shared pieces -------------------------------------------------------------------------

    def _frame(self, value: Any, where: str) -> int:
        frame = _int(value, where, "frame", FRAME)
        if not self.first <= frame <= self.last:
            raise InvalidInput(f"{where}.frame: {frame} is outside the frames {self.first}..{self.last}.")
        return frame

    def _label(self, obj: Mapping[str, Any], where: str, parent: LabelInfo | None = None) -> LabelInfo:
        label_id = obj.get("label_id")
        label_id = _int(label_id, where, "label_id", ID) if label_id is not None else None
        pool = parent.sublabels if parent is not None else self.index.labels
        label = pool.get(label_id) if label_id is not None else None
        if label is None:
            owner = f"skeleton '{parent.name}'" if parent else "this task"
            raise InvalidInput(f"{where}.label_id: {obj.get('label_id')!r} is not a label of {owner}.")
        return label

    def _attributes(self, value: Any, label: LabelInfo, where: str) -> list[dict[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise InvalidInput(f"{where}.attributes: expected a list.")
        result = []
        seen = set()
        for i, item in enumerate(value):
            item = check_fields(item, f"{where}.attributes[{i}]", ATTRIBUTE_FIELDS, "an attribute value")
            spec_id = _int(item.get("spec_id"), f"{where}.attributes[{i}]", "spec_id", ID)
            spec = label.attributes.get(spec_id)
            if spec is None:
                raise InvalidInput(f"{where}.attributes[{i}].spec_id: {spec_id} is not an attribute of "
                                   f"label '{label.name}'.")
            if spec_id in seen:
                raise InvalidInput(f"{where}.attributes: attribute '{spec.name}' is given twice.")
            seen.add(spec_id)
            if "value" not in item:
                raise InvalidInput(f"{where}.attributes[{i}]: 'value' is required.")
            result.append({"spec_id": spec_id, "value": spec.check(item["value"], where)})
        return result

    def _group(self, value: Any, where: str) -> int:
        return 0 if value is None else _int(value, where, "group", GROUP)

    def _geometry(self, obj: Mapping[str, Any], shape_type: str, frame: int, where: str) -> dict[str, Any]:
        points = _points(obj.get("points", []), where)
        _check_point_count(shape_type, points, where)
        if shape_type == ShapeType.MASK:
            width, height = self.sizes(frame)
            try:
                check_mask(points, width, height)
            except ValueError as exc:
                raise InvalidInput(f"{where}.points: a mask needs run lengths that cover its box [x1, y1, x2, y2], "
                                   f"inside frame {frame} ({width}x{height}): {exc}.") from exc
        return {
            "type": shape_type,
            "occluded": _bool(obj.get("occluded", False), where, "occluded"),
            "outside": _bool(obj.get("outside", False), where, "outside"),
            "z_order": _int(obj.get("z_order", 0) or 0, where, "z_order", Z_ORDER),
            "rotation": _rotation(obj.get("rotation", 0.0) or 0.0, where),
            "points": points,
        }

    def _shape_type(self, obj: Mapping[str, Any], where: str) -> str:
        shape_type = obj.get("type")
        if shape_type not in _SHAPE_TYPES:
            raise InvalidInput(f"{where}.type: must be one of {', '.join(sorted(_SHAPE_TYPES))}, "
                               f"got {shape_type!r}.")
        return shape_type

    def _check_label_type(self, label: LabelInfo, shape_type: str, where: str) -> None:
        if not label.allows(shape_type):
            raise InvalidInput(f"{where}: label '{label.name}' (type '{label.type}') cannot be used "
                               f"for a {shape_type}.")

    # -- objects -------------------------------------------------------------------------------

    def tag(self, obj: Any, where: str) -> dict[str, Any]:
        obj = check_fields(obj, where, TAG_FIELDS, "a tag")
        label = self._label(obj, where)
        if label.type not in (LabelType.ANY, LabelType.TAG):
            raise InvalidInput(f"{where}: label '{label.name}' (type '{label.type}') cannot be used for a tag.")
        return {
            "frame": self._frame(obj.get("frame"), where),
            "label_id": label.id,
            "group": self._group(obj.get("group"), where),
            "source": _source(obj.get("source"), where),
            "attributes": self._attributes(obj.get("attributes"), label, where),
        }

    def shape(self, obj: Any, where: str, next_id: Any) -> dict[str, Any]:
        obj = check_fields(obj, where, SHAPE_FIELDS, "a shape")
        shape_type = self._shape_type(obj, where)
        label = self._label(obj, where)
        self._check_label_type(label, shape_type, where)
        frame = self._frame(obj.get("frame"), where)
        result = {
            **self._geometry(obj, shape_type, frame, where),
            "frame": frame,
            "label_id": label.id,
            "group": self._group(obj.get("group"), where),
            "source": _source(obj.get("source"), where),
            "attributes": self._attributes(obj.get("attributes"), label, where),
            "score": _score(obj.get("score", 1.0), where),
            "elements": [],
        }
        if shape_type == ShapeType.SKELETON:
            result["elements"] = self._elements(obj.get("elements"), label, frame, where, next_id,
                                                self._element_shape, ELEMENT_FIELDS)
        elif obj.get("elements"):
            raise InvalidInput(f"{where}.elements: only skeletons have elements.")
        return result

    def _element_shape(self, obj: Any, where: str, label: LabelInfo, frame: int, next_id: Any) -> dict[str, Any]:
        shape_type = self._shape_type(obj, where)
        if shape_type != ShapeType.POINTS:
            raise InvalidInput(f"{where}.type: skeleton elements are points, got {shape_type!r}.")
        points = _points(obj.get("points", []), where)
        if len(points) != 2:
            raise InvalidInput(f"{where}.points: a skeleton element is one point [x, y], got {len(points)} numbers.")
        return {
            **self._geometry(obj, shape_type, frame, where),
            "id": next_id(),
            "frame": frame,
            "label_id": label.id,
            "group": self._group(obj.get("group"), where),
            "source": _source(obj.get("source"), where),
            "attributes": self._attributes(obj.get("attributes"), label, where),
            "score": _score(obj.get("score", 1.0), where),
        }

    def _elements(self, value: Any, label: LabelInfo, frame: int, where: str, next_id: Any,
                  make: Any, fields: frozenset[str]) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            raise InvalidInput(f"{where}.elements: a skeleton needs a list of elements.")
        elements = []
        seen: dict[int, int] = {}
        for i, element in enumerate(value):
            ewhere = f"{where}.elements[{i}]"
            element = check_fields(element, ewhere, fields, "a skeleton's element")
            sub = self._label(element, ewhere, parent=label)
            if sub.id in seen:
                raise InvalidInput(f"{ewhere}: point '{sub.name}' of skeleton '{label.name}' appears twice.")
            seen[sub.id] = i
            elements.append(make(element, ewhere, sub, frame, next_id))
        missing = [s.name for s in label.sublabels.values() if s.id not in seen]
        if missing:
            raise InvalidInput(f"{where}.elements: skeleton '{label.name}' lacks points: {', '.join(missing)}.")
        return elements

    def track(self, obj: Any, where: str, next_id: Any) -> dict[str, Any]:
        obj = check_fields(obj, where, TRACK_FIELDS, "a track")
        label = self._label(obj, where)
        shapes = self._keyframes(obj.get("shapes"), label, where, next_id)
        shape_type = shapes[0]["type"]
        self._check_label_type(label, shape_type, where)
        result = {
            "frame": shapes[0]["frame"],
            "label_id": label.id,
            "group": self._group(obj.get("group"), where),
            "source": _source(obj.get("source"), where),
            "attributes": self._attributes(obj.get("attributes"), label, where),
            "shapes": shapes,
            "elements": [],
        }
        if shape_type == ShapeType.SKELETON:
            result["elements"] = self._elements(obj.get("elements"), label, result["frame"], where, next_id,
                                                self._element_track, ELEMENT_TRACK_FIELDS)
        elif obj.get("elements"):
            raise InvalidInput(f"{where}.elements: only skeleton tracks have elements.")
        return result

    def _element_track(self, obj: Any, where: str, label: LabelInfo, frame: int, next_id: Any) -> dict[str, Any]:
        shapes = self._keyframes(obj.get("shapes"), label, where, next_id)
        if any(s["type"] != ShapeType.POINTS or len(s["points"]) != 2 for s in shapes):
            raise InvalidInput(f"{where}.shapes: skeleton element keyframes are single points [x, y].")
        return {
            "id": next_id(),
            "frame": shapes[0]["frame"],
            "label_id": label.id,
            "group": self._group(obj.get("group"), where),
            "source": _source(obj.get("source"), where),
            "attributes": self._attributes(obj.get("attributes"), label, where),
            "shapes": shapes,
        }

    def _keyframes(self, value: Any, label: LabelInfo, where: str, next_id: Any) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not value:
            raise InvalidInput(f"{where}.shapes: a track needs at least one keyframe.")
        shapes = []
        previous = -1
        for i, item in enumerate(value):
            swhere = f"{where}.shapes[{i}]"
            item = check_fields(item, swhere, KEYFRAME_FIELDS, "a track's shape")
            shape_type = self._shape_type(item, swhere)
            frame = self._frame(item.get("frame"), swhere)
            if frame <= previous:
                raise InvalidInput(f"{swhere}.frame: keyframes must be in increasing frame order "
                                   f"({frame} follows {previous}).")
            previous = frame
            if shapes and shape_type != shapes[0]["type"]:
                raise InvalidInput(f"{swhere}.type: a track keeps one shape type ({shapes[0]['type']}).")
            shapes.append({
                **self._geometry(item, shape_type, frame, swhere),
                "id": next_id(),
                "frame": frame,
                "attributes": self._attributes(item.get("attributes"), label, swhere),
            })
        return shapes
