"""The auto-annotation function protocol: spec, context, detection functions and helpers.

A *detection function* has a ``spec`` (a :class:`DetectionFunctionSpec` listing the labels it
can produce, with ids of its own choosing) and a ``detect(context, image)`` method that
returns tags and shapes found on one image, referring to those ids. The driver matches the
spec's labels to a task's labels by name and rewrites the ids. A *classification* function
is a detection function that returns tags (``tag(label_id)``).

A function may also implement ``detect_batch(contexts, images)``, returning one list per
image: the driver then hands it batches (see :class:`BatchDetectionFunction`).

The helpers (``label_spec``, ``rectangle``, …) build the model objects with fixed fields
set (``frame=0``, ``type=...``), which keeps results within the protocol.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias, runtime_checkable

import PIL.Image

from inklab.sdk import models
from inklab.sdk.auto_annotation._attributes import value_checker
from inklab.sdk.auto_annotation._errors import BadFunctionError

__all__ = [
    "BatchDetectionFunction",
    "DetectionAnnotation",
    "DetectionFunction",
    "DetectionFunctionContext",
    "DetectionFunctionSpec",
    "attribute_spec",
    "checkbox_attribute_spec",
    "keypoint",
    "keypoint_spec",
    "label_spec",
    "mask",
    "number_attribute_spec",
    "polygon",
    "radio_attribute_spec",
    "rectangle",
    "select_attribute_spec",
    "shape",
    "skeleton",
    "skeleton_label_spec",
    "tag",
    "text_attribute_spec",
]

DetectionAnnotation: TypeAlias = models.LabeledImageRequest | models.LabeledShapeRequest

_LABEL_TYPES = frozenset({"any", "cuboid", "ellipse", "mask", "points", "polygon", "polyline", "rectangle",
                          "skeleton", "tag"})


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _has(obj: Any, name: str) -> bool:
    """Whether the field was given (a model's defaults do not count)."""
    if isinstance(obj, dict):
        return name in obj
    try:
        return name in obj  # inklab models: fields given or assigned
    except TypeError:
        return hasattr(obj, name)


def _text(value: Any) -> str:
    return str(getattr(value, "value", value))


def _distinct(items: Sequence[Any], kind: str, where: Callable[[Any], str]) -> Iterator[tuple[Any, str]]:
    """Each item with its description, once it is known to have an id and a name distinct from
    those of the items before it (``kind`` names them in the error)."""
    ids: set[Any] = set()
    names: set[str] = set()
    for item in items:
        described = where(item)
        if _get(item, "id") is None:
            raise BadFunctionError(f"{described} has no id")
        if _get(item, "id") in ids:
            raise BadFunctionError(f"{described} has the same id as another {kind} ({_get(item, 'id')})")
        if _get(item, "name") in names:
            raise BadFunctionError(f"{described} has the same name as another {kind}")
        ids.add(_get(item, "id"))
        names.add(_get(item, "name"))
        yield item, described


def _check_attributes(attributes: Sequence[Any], owner: str) -> None:
    for attr, where in _distinct(attributes, "attribute", lambda a: f"attribute {_get(a, 'name')!r} of {owner}"):
        try:
            value_checker(_text(_get(attr, "input_type")), list(_get(attr, "values") or []))
        except ValueError as exc:
            raise BadFunctionError(f"{where} has invalid values: {exc}") from exc


def _check_label(label: Any) -> None:
    where = f"label {_get(label, 'name')!r}"
    label_type = _text(_get(label, "type", "any") or "any")
    if label_type not in _LABEL_TYPES:
        raise BadFunctionError(f"{where} has an unknown type {label_type!r}")
    _check_attributes(_get(label, "attributes") or [], where)
    sublabels = _get(label, "sublabels") or []
    if label_type == "skeleton" and not sublabels:
        raise BadFunctionError(f"{where} is a skeleton without points (sublabels)")
    if sublabels and label_type != "skeleton":
        raise BadFunctionError(f"{where} has sublabels but type {label_type!r} (should be 'skeleton')")
    for point, point_where in _distinct(sublabels, "point", lambda p: f"point {_get(p, 'name')!r} of {where}"):
        if _text(_get(point, "type", "points") or "points") != "points":
            raise BadFunctionError(f"{point_where} has type {_text(_get(point, 'type'))!r} (should be 'points')")
        _check_attributes(_get(point, "attributes") or [], point_where)


@dataclass(frozen=True)
class DetectionFunctionSpec:
    """What a detection function can produce: its labels (``PatchedLabelRequest`` objects).

    The labels follow the rules of a task's labels, and also: every label, point (sublabel)
    and attribute has an ``id`` distinct among its siblings (points and attributes also a
    distinct name); points have type ``points`` and belong to ``skeleton`` labels only; attribute
    values suit their input type. Construction raises :class:`BadFunctionError` otherwise.
    Treat a spec as immutable.
    """

    labels: Sequence[models.PatchedLabelRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        ids: set[Any] = set()
        for label in self.labels:
            name = _get(label, "name")
            if not isinstance(name, str) or not name:
                raise BadFunctionError(f"a label has no name ({label!r})")
            if _get(label, "id") is None:
                raise BadFunctionError(f"label {name!r} has no id")
            if _get(label, "id") in ids:
                raise BadFunctionError(f"label {name!r} has the same id as another label ({_get(label, 'id')})")
            # Names may repeat (torchvision's COCO categories have several 'N/A'): matching by
            # name then treats them alike.
            ids.add(_get(label, "id"))
            _check_label(label)


class DetectionFunctionContext(metaclass=abc.ABCMeta):
    """What the driver tells a function about the image it is given."""

    @property
    @abc.abstractmethod
    def frame_name(self) -> str:
        """The file name of the frame on the server."""

    @property
    @abc.abstractmethod
    def conf_threshold(self) -> float | None:
        """Return only objects with a confidence of at least this (0..1); None: the function's default."""

    @property
    @abc.abstractmethod
    def conv_mask_to_poly(self) -> bool:
        """If true, return polygons instead of masks."""


@runtime_checkable
class DetectionFunction(Protocol):
    """``spec`` and ``detect(context, image)``: see the module docstring.

    ``detect`` returns ``LabeledImageRequest`` (tags) and ``LabeledShapeRequest`` objects
    with: no ``id`` and no ``source``; ``frame`` 0; ``label_id`` one of the spec's label ids;
    attribute ``spec_id`` one of that label's attribute ids and a value it accepts; skeleton
    elements of type ``points``, one per point of the label, each ``label_id`` a point id of
    it. The function must not keep references to the objects it returns.
    """

    @property
    def spec(self) -> DetectionFunctionSpec: ...

    def detect(self, context: DetectionFunctionContext, image: PIL.Image.Image) -> Sequence[DetectionAnnotation]:
        ...


@runtime_checkable
class BatchDetectionFunction(DetectionFunction, Protocol):
    """A detection function that also processes several images in one call.

    ``detect_batch(contexts, images)`` returns one sequence of annotations per image, in
    order, with the same rules as ``detect``. ``batch_size`` (optional) is how many images
    it wants per call.
    """

    def detect_batch(self, contexts: Sequence[DetectionFunctionContext],
                     images: Sequence[PIL.Image.Image]) -> Sequence[Sequence[DetectionAnnotation]]: ...


# -- spec helpers -----------------------------------------------------------------------------


def label_spec(name: str, id: int, **kwargs: Any) -> models.PatchedLabelRequest:  # noqa: A002 - CVAT's name
    """A label of a spec."""
    return models.PatchedLabelRequest(name=name, id=id, **kwargs)


def skeleton_label_spec(name: str, id: int, sublabels: Sequence[models.SublabelRequest],  # noqa: A002
                        **kwargs: Any) -> models.PatchedLabelRequest:
    """A skeleton label of a spec (``type="skeleton"``) with its points."""
    return label_spec(name, id, type="skeleton", sublabels=list(sublabels), **kwargs)


def keypoint_spec(name: str, id: int, **kwargs: Any) -> models.SublabelRequest:  # noqa: A002
    """A point of a skeleton label (``type="points"``)."""
    return models.SublabelRequest(name=name, id=id, type="points", **kwargs)


def attribute_spec(name: str, id: int, input_type: str, values: Sequence[str],  # noqa: A002
                   **kwargs: Any) -> models.AttributeRequest:
    """An attribute of a spec label (``mutable=False``)."""
    return models.AttributeRequest(name=name, id=id, input_type=input_type, values=list(values), mutable=False,
                                   **kwargs)


def number_attribute_spec(name: str, id: int, values: Sequence[str], **kwargs: Any) -> models.AttributeRequest:  # noqa: A002
    """A ``number`` attribute; build ``values`` with :func:`number_attribute_values`."""
    return attribute_spec(name, id, "number", values, **kwargs)


def checkbox_attribute_spec(name: str, id: int, **kwargs: Any) -> models.AttributeRequest:  # noqa: A002
    return attribute_spec(name, id, "checkbox", [], **kwargs)


def radio_attribute_spec(name: str, id: int, values: Sequence[str], **kwargs: Any) -> models.AttributeRequest:  # noqa: A002
    return attribute_spec(name, id, "radio", values, **kwargs)


def select_attribute_spec(name: str, id: int, values: Sequence[str], **kwargs: Any) -> models.AttributeRequest:  # noqa: A002
    return attribute_spec(name, id, "select", values, **kwargs)


def text_attribute_spec(name: str, id: int, **kwargs: Any) -> models.AttributeRequest:  # noqa: A002
    return attribute_spec(name, id, "text", [], **kwargs)


# -- result helpers ---------------------------------------------------------------------------


def tag(label_id: int, **kwargs: Any) -> models.LabeledImageRequest:
    """A tag (``frame=0``): what classification functions return."""
    return models.LabeledImageRequest(label_id=label_id, frame=0, **kwargs)


def shape(label_id: int, **kwargs: Any) -> models.LabeledShapeRequest:
    """A shape (``frame=0``); give its ``type`` and ``points``."""
    return models.LabeledShapeRequest(label_id=label_id, frame=0, **kwargs)


def rectangle(label_id: int, points: Sequence[float], **kwargs: Any) -> models.LabeledShapeRequest:
    """A box; ``points`` are ``[x1, y1, x2, y2]``."""
    return shape(label_id, type="rectangle", points=list(points), **kwargs)


def polygon(label_id: int, points: Sequence[float], **kwargs: Any) -> models.LabeledShapeRequest:
    """A polygon; ``points`` are ``[x1, y1, x2, y2, ...]`` (at least three points)."""
    return shape(label_id, type="polygon", points=list(points), **kwargs)


def mask(label_id: int, points: Sequence[float], **kwargs: Any) -> models.LabeledShapeRequest:
    """A mask; build ``points`` with :func:`inklab.sdk.masks.encode_mask` (also exported here)."""
    return shape(label_id, type="mask", points=list(points), **kwargs)


def skeleton(label_id: int, elements: Sequence[models.SubLabeledShapeRequest],
             **kwargs: Any) -> models.LabeledShapeRequest:
    """A skeleton with one :func:`keypoint` per point of its label."""
    return shape(label_id, type="skeleton", elements=list(elements), **kwargs)


def keypoint(label_id: int, points: Sequence[float], **kwargs: Any) -> models.SubLabeledShapeRequest:
    """A point of a skeleton (``type="points"``, ``frame=0``); ``points`` are ``[x, y]``."""
    return models.SubLabeledShapeRequest(label_id=label_id, frame=0, type="points", points=list(points), **kwargs)
