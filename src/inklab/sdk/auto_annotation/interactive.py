"""Interaction and tracking functions: the protocols of the AI tools an annotator drives.

An *interaction function* (an interactor: SAM-style click-to-segment) has a spec
(:class:`InteractionFunctionSpec`: the prompts it needs) and ``detect(context, pp_image,
prompts)``, which returns :class:`InteractionResultShape` objects (usually one ``mask`` or
``polygon``) for the object the prompts point at. A *tracking function* has a spec
(:class:`TrackingFunctionSpec`: the shape types it follows), ``init_tracking_state(context,
pp_image, shape)`` returning a state of its own, and ``track(context, pp_image, state)``
returning the shape moved onto a new image (:class:`TrackableShape`), or None when it lost it.

Both may implement ``preprocess_image(context, image)``: work that depends on the image only
(an encoder's embedding). ``pp_image`` is its result, or the ``PIL.Image.Image`` itself when
there is none; agents cache it per task and frame, so further clicks on a frame cost only
``detect``. These are the protocols of ``cvat_sdk.auto_annotation`` 2.80: a function written
for cvat-cli's agent runs under ``inklab function run-agent`` after changing its imports.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence, Set
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

import PIL.Image

from inklab.sdk import models
from inklab.sdk.auto_annotation._errors import BadFunctionError

__all__ = [
    "InteractionFunction",
    "InteractionFunctionContext",
    "InteractionFunctionSpec",
    "InteractionPrompts",
    "InteractionResultAttributes",
    "InteractionResultShape",
    "TrackableShape",
    "TrackingFunction",
    "TrackingFunctionContext",
    "TrackingFunctionShapeContext",
    "TrackingFunctionSpec",
    "function_kind",
]

_SHAPE_TYPES = frozenset({"rectangle", "polygon", "polyline", "points", "ellipse", "cuboid", "mask", "skeleton"})


def _count(value: Any, name: str, *, optional: bool) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadFunctionError(f"{name} must be a non-negative integer{' or None' if optional else ''}, got {value!r}")


@dataclass(frozen=True, kw_only=True)
class InteractionFunctionSpec:
    """The prompts an interaction function takes.

    ``min_pos_points``: positive points the user must give. ``min_neg_points``: negative points
    they must give, or None when the function takes none. ``min_bounding_boxes``: 1 when a box
    is required, 0 when it is optional, None when the function takes no box.
    """

    min_pos_points: int
    min_neg_points: int | None = None
    min_bounding_boxes: Literal[0, 1] | None = None

    def __post_init__(self) -> None:
        _count(self.min_pos_points, "min_pos_points", optional=False)
        _count(self.min_neg_points, "min_neg_points", optional=True)
        if self.min_bounding_boxes not in (None, 0, 1):
            raise BadFunctionError(f"min_bounding_boxes must be 0, 1 or None, got {self.min_bounding_boxes!r}")


class InteractionFunctionContext(metaclass=abc.ABCMeta):  # noqa: B024 - empty for now, as in cvat_sdk
    """What an agent tells an interaction function besides the image (nothing yet)."""


class InteractionPrompts(metaclass=abc.ABCMeta):
    """What the user gave: points on and off the object, and perhaps a box around it."""

    @property
    @abc.abstractmethod
    def pos_points(self) -> Sequence[tuple[float, float]]:
        """Points on the object(s) of interest, ``(x, y)``."""

    @property
    @abc.abstractmethod
    def neg_points(self) -> Sequence[tuple[float, float]]:
        """Points off the object(s) of interest, ``(x, y)``."""

    @property
    @abc.abstractmethod
    def bounding_box(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """The box's top-left and bottom-right corners, or None."""


class InteractionResultAttributes(IntEnum):
    """The ``spec_id`` values an :class:`InteractionResultShape` attribute may have."""

    CONFIDENCE = 0
    """The confidence, a number between 0 and 1 (as text)."""


@dataclass(frozen=True, kw_only=True)
class InteractionResultShape:
    """A shape found by an interaction function: ``type`` and ``points`` as in ``LabeledShape``
    (a ``mask`` from :func:`inklab.sdk.masks.encode_mask`), and ``attributes`` whose ``spec_id``
    is an :class:`InteractionResultAttributes` member."""

    type: str
    points: list[float]
    attributes: list[models.AttributeValRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", list(self.points))
        object.__setattr__(self, "attributes", list(self.attributes))
        for value in self.attributes:
            spec_id = value.get("spec_id") if isinstance(value, dict) else getattr(value, "spec_id", None)
            if spec_id not in {member.value for member in InteractionResultAttributes}:
                raise BadFunctionError(f"{spec_id} is not one of InteractionResultAttributes members")

    def to_dict(self) -> dict[str, Any]:
        """The shape as the agent sends it."""
        def attribute(value: Any) -> dict[str, Any]:
            if isinstance(value, dict):
                return {"spec_id": int(value["spec_id"]), "value": str(value["value"])}
            return {"spec_id": int(value.spec_id), "value": str(value.value)}

        return {"type": self.type, "points": [float(v) for v in self.points],
                "attributes": [attribute(a) for a in self.attributes]}


_Preprocessed = TypeVar("_Preprocessed", contravariant=True)
_State = TypeVar("_State")


@runtime_checkable
class InteractionFunction(Protocol[_Preprocessed]):
    """``spec``, ``detect(context, pp_image, prompts)`` and, optionally,
    ``preprocess_image(context, image)``; see the module docstring. ``detect`` must not change
    ``pp_image``, which may be reused for further calls."""

    @property
    def spec(self) -> InteractionFunctionSpec: ...

    def detect(self, context: InteractionFunctionContext, pp_image: _Preprocessed,
               prompts: InteractionPrompts) -> list[InteractionResultShape]: ...


@dataclass(frozen=True, kw_only=True)
class TrackingFunctionSpec:
    """The shape types a tracking function follows (``LabeledShape`` types)."""

    supported_shape_types: Set[str]

    def __post_init__(self) -> None:
        types = frozenset(self.supported_shape_types)
        unknown = sorted(types - _SHAPE_TYPES)
        if unknown:
            raise BadFunctionError(f"supported_shape_types: {', '.join(map(repr, unknown))} "
                                   f"{'is not a shape type' if len(unknown) == 1 else 'are not shape types'}")
        object.__setattr__(self, "supported_shape_types", types)


class TrackingFunctionContext(metaclass=abc.ABCMeta):  # noqa: B024 - empty for now, as in cvat_sdk
    """What an agent tells a tracking function besides the image (nothing yet)."""


class TrackingFunctionShapeContext(TrackingFunctionContext):
    """What an agent tells a tracking function about the shape it works on."""

    @property
    @abc.abstractmethod
    def original_shape_type(self) -> str:
        """The type of the shape being tracked."""


@dataclass(frozen=True, kw_only=True)
class TrackableShape:
    """A shape a tracking function follows: ``type`` and ``points`` as in ``LabeledShape``."""

    type: str
    points: list[float]

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", list(self.points))

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "points": [float(v) for v in self.points]}


@runtime_checkable
class TrackingFunction(Protocol[_Preprocessed, _State]):
    """``spec``, ``init_tracking_state(context, pp_image, shape)`` and ``track(context, pp_image,
    state)``, optionally ``preprocess_image(context, image)``; see the module docstring.

    ``track`` may update ``state``; it gets images of the size the state was made on, and
    returns a shape of the same type as the one tracked, or None.
    """

    @property
    def spec(self) -> TrackingFunctionSpec: ...

    def init_tracking_state(self, context: TrackingFunctionShapeContext, pp_image: _Preprocessed,
                            shape: TrackableShape) -> _State: ...

    def track(self, context: TrackingFunctionShapeContext, pp_image: _Preprocessed,
              state: _State) -> TrackableShape | None: ...


def function_kind(function: object) -> str:
    """``detector``, ``interactor`` or ``tracker``, from the function's spec; raises
    :class:`BadFunctionError` for an object that is none of them."""
    from inklab.sdk.auto_annotation.interface import DetectionFunctionSpec

    spec = getattr(function, "spec", None)
    if isinstance(spec, InteractionFunctionSpec) or type(spec).__name__ == "InteractionFunctionSpec":
        return "interactor"
    if isinstance(spec, TrackingFunctionSpec) or type(spec).__name__ == "TrackingFunctionSpec":
        return "tracker"
    if isinstance(spec, DetectionFunctionSpec) or hasattr(spec, "labels"):
        return "detector"
    raise BadFunctionError(f"{function!r} is not an auto-annotation function: its spec is {spec!r}")


def preprocess(function: Any, context: Any, image: PIL.Image.Image) -> Any:
    """``function.preprocess_image(context, image)``, or the image when it has none."""
    method = getattr(function, "preprocess_image", None)
    return method(context, image) if callable(method) else image
