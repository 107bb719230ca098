"""Answering interactive calls in an agent: clicks, tracker steps, a detector on one frame.

:class:`CallAnswerer` turns the ``ar_params`` of an interactive request into the body the
agent completes it with (see ``inklab.server.functions.answers``):

* the frame is fetched alone (``GET /api/tasks/{id}/data?type=frame&quality=original``),
  converted to RGB;
* interactors: the preprocessed image is cached per ``(task, frame)`` (at most
  :data:`PP_CACHE_SIZE` images, each dropped after :data:`PP_CACHE_AGE` seconds unused), so
  further clicks on a frame only run ``detect``;
* trackers: each state gets an unguessable id (``secrets.token_urlsafe(32)``), bound to its
  task and to the image size it was made on, dropped after :data:`STATE_AGE` seconds unused;
  a call naming another task's state, or an unknown or expired one, is refused;
* detectors: one frame through the same checks and label mapping as a whole task.

A call that breaks the function's spec raises :class:`BadCallError`; the agent reports it as
an invalid request (the caller gets a 400); a function that breaks the protocol raises
:class:`BadFunctionError`.
"""

from __future__ import annotations

import io
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import PIL.Image

from inklab.sdk import Client
from inklab.sdk.auto_annotation._errors import AutoAnnotationError, BadFunctionError
from inklab.sdk.auto_annotation._mapping import LabelMapper
from inklab.sdk.auto_annotation._running import FrameContext
from inklab.sdk.auto_annotation.interactive import (
    InteractionFunctionContext,
    InteractionPrompts,
    InteractionResultShape,
    TrackableShape,
    TrackingFunctionContext,
    TrackingFunctionShapeContext,
    preprocess,
)

__all__ = ["PP_CACHE_AGE", "PP_CACHE_SIZE", "STATE_AGE", "BadCallError", "CallAnswerer"]

PP_CACHE_SIZE = 16
PP_CACHE_AGE = 600.0
STATE_AGE = 8 * 3600.0
MAX_STATES = 10_000


class BadCallError(AutoAnnotationError):
    """The call does not suit the function (its prompts, an unknown tracking state...)."""


class _Context(InteractionFunctionContext, TrackingFunctionContext):
    pass


@dataclass(frozen=True)
class _ShapeContext(TrackingFunctionShapeContext):
    shape_type: str

    @property
    def original_shape_type(self) -> str:
        return self.shape_type


@dataclass(frozen=True)
class _Prompts(InteractionPrompts):
    positive: tuple[tuple[float, float], ...]
    negative: tuple[tuple[float, float], ...]
    box: tuple[tuple[float, float], tuple[float, float]] | None

    @property
    def pos_points(self) -> Sequence[tuple[float, float]]:
        return self.positive

    @property
    def neg_points(self) -> Sequence[tuple[float, float]]:
        return self.negative

    @property
    def bounding_box(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        return self.box


@dataclass
class _Entry:
    value: Any
    used: float = field(default_factory=time.monotonic)


class _Recent:
    """An LRU of at most ``size`` entries, each dropped ``age`` seconds after its last use."""

    def __init__(self, size: int, age: float) -> None:
        self._items: OrderedDict[Any, _Entry] = OrderedDict()
        self._size, self._age = size, age

    def prune(self) -> None:
        cutoff = time.monotonic() - self._age
        while self._items and (len(self._items) > self._size or next(iter(self._items.values())).used < cutoff):
            self._items.popitem(last=False)

    def get(self, key: Any) -> Any:
        self.prune()
        entry = self._items.get(key)
        if entry is None:
            return None
        entry.used = time.monotonic()
        self._items.move_to_end(key)
        return entry.value

    def put(self, key: Any, value: Any) -> None:
        self._items[key] = _Entry(value)
        self._items.move_to_end(key)
        self.prune()


@dataclass
class _State:
    inner: Any
    shape_type: str
    task: int
    size: tuple[int, int]


def _pairs(raw: Any, name: str) -> tuple[tuple[float, float], ...]:
    try:
        return tuple((float(x), float(y)) for x, y in raw or [])
    except (TypeError, ValueError):
        raise BadCallError(f"{name} must be [x, y] pairs") from None


class CallAnswerer:
    """Answers the interactive calls of one function (its ``kind`` from its spec)."""

    def __init__(self, client: Client, function: Any, kind: str) -> None:
        self.client, self.function, self.kind = client, function, kind
        self._pp_images = _Recent(PP_CACHE_SIZE, PP_CACHE_AGE)
        self._states = _Recent(MAX_STATES, STATE_AGE)
        self._lock = threading.Lock()
        self._context = _Context()

    def answer(self, params: dict[str, Any]) -> dict[str, Any]:
        kind = params.get("type")
        handler = {"interact": self._interact, "init_tracking": self._init_tracking, "track": self._track,
                   "annotate_frame": self._annotate_frame}.get(str(kind))
        if handler is None or (kind, self.kind) not in {("interact", "interactor"), ("init_tracking", "tracker"),
                                                        ("track", "tracker"), ("annotate_frame", "detector")}:
            raise BadCallError(f"unsupported type: {kind!r}")
        with self._lock:
            return handler(params)

    def image(self, task: int, frame: int) -> PIL.Image.Image:
        response = self.client.request("GET", f"/api/tasks/{int(task)}/data",
                                       params={"type": "frame", "number": int(frame), "quality": "original"})
        image = PIL.Image.open(io.BytesIO(response.data))
        image.load()
        return image if image.mode == "RGB" else image.convert("RGB")

    # -- interactors ----------------------------------------------------------------------

    def _interact(self, params: dict[str, Any]) -> dict[str, Any]:
        spec = self.function.spec
        positive, negative = _pairs(params.get("pos_points"), "pos_points"), _pairs(params.get("neg_points"),
                                                                                    "neg_points")
        corners = _pairs(params.get("obj_bbox"), "obj_bbox")
        box = (corners[0], corners[1]) if len(corners) == 2 else None
        if len(positive) < spec.min_pos_points:
            raise BadCallError("not enough positive points")
        if spec.min_neg_points is None and negative:
            raise BadCallError("negative points are not supported")
        if spec.min_neg_points is not None and len(negative) < spec.min_neg_points:
            raise BadCallError("not enough negative points")
        if spec.min_bounding_boxes is None and box is not None:
            raise BadCallError("bounding boxes are not supported")
        if spec.min_bounding_boxes == 1 and box is None:
            raise BadCallError("a bounding box is required")
        key = (int(params["task"]), int(params["frame"]))
        pp_image = self._pp_images.get(key)
        if pp_image is None:
            pp_image = preprocess(self.function, self._context, self.image(*key))
            self._pp_images.put(key, pp_image)
        shapes = self.function.detect(self._context, pp_image, _Prompts(positive, negative, box))
        result = []
        for i, shape in enumerate(shapes or []):
            if isinstance(shape, InteractionResultShape) or hasattr(shape, "points"):
                result.append(_shape_dict(shape, attributes=True))
            else:
                raise BadFunctionError(f"detect returned {type(shape).__name__} as shape {i}, "
                                       "not an InteractionResultShape")
        return {"shapes": result}

    # -- trackers ---------------------------------------------------------------------------

    def _init_tracking(self, params: dict[str, Any]) -> dict[str, Any]:
        supported = self.function.spec.supported_shape_types
        shapes = []
        for raw in params.get("shapes") or []:
            if raw.get("type") not in supported:
                raise BadCallError(f"Unsupported shape type {raw.get('type')!r}")
            shapes.append(TrackableShape(type=raw["type"], points=raw["points"]))
        task = int(params["task"])
        image = self.image(task, int(params["frame"]))
        pp_image = preprocess(self.function, self._context, image)
        states = []
        for shape in shapes:
            inner = self.function.init_tracking_state(_ShapeContext(shape.type), pp_image, shape)
            state_id = secrets.token_urlsafe(32)
            self._states.put(state_id, _State(inner, shape.type, task, image.size))
            states.append(state_id)
        return {"states": states}

    def _state(self, state_id: str, task: int, size: tuple[int, int]) -> _State:
        state = self._states.get(state_id)
        if state is None:
            raise BadCallError(f"Tracking state {state_id!r} not found - possibly expired")
        if state.task != task:  # ids are unguessable; this keeps a leaked one useless elsewhere
            raise BadCallError(f"Tracking state {state_id!r} is not for task #{task}")
        if state.size != size:
            raise BadCallError("Image sizes of the start frame and the current frame are different")
        return state  # type: ignore[no-any-return]

    def _track(self, params: dict[str, Any]) -> dict[str, Any]:
        task = int(params["task"])
        image = self.image(task, int(params["frame"]))
        found = [self._state(str(s), task, image.size) for s in params.get("states") or []]
        pp_image = preprocess(self.function, self._context, image)
        shapes: list[dict[str, Any] | None] = []
        for state in found:
            moved = self.function.track(_ShapeContext(state.shape_type), pp_image, state.inner)
            if moved is not None and moved.type != state.shape_type:
                raise BadFunctionError(f"function output shape of type {moved.type!r}, "
                                       f"but original shape was of type {state.shape_type!r}")
            shapes.append(None if moved is None else _shape_dict(moved, attributes=False))
        return {"states": list(params.get("states") or []), "shapes": shapes}

    # -- detectors on one frame -----------------------------------------------------------------

    def _annotate_frame(self, params: dict[str, Any]) -> dict[str, Any]:
        from inklab.sdk.auto_annotation.agent import _mapped_labels

        task, frame = int(params["task"]), int(params["frame"])
        task_labels = self.client.tasks.retrieve(task).get_labels()
        threshold, conv = params.get("threshold"), bool(params.get("conv_mask_to_poly"))
        mapper = LabelMapper(self.function.spec, _mapped_labels(task_labels, params.get("mapping") or {}),
                             allow_unmatched_labels=True, conv_mask_to_poly=conv)
        name = f"frame_{frame:06d}"
        result = self.function.detect(FrameContext(name, threshold, conv), self.image(task, frame))
        tags, shapes = mapper.convert(result, frame=frame, frame_name=name, threshold=threshold)
        return {"annotations": {"tags": tags, "shapes": shapes}}


def _shape_dict(shape: Any, *, attributes: bool) -> dict[str, Any]:
    to_dict = getattr(shape, "to_dict", None)
    if isinstance(shape, (InteractionResultShape, TrackableShape)) and callable(to_dict):
        out: dict[str, Any] = to_dict()
    else:  # cvat_sdk's attrs classes
        out = {"type": shape.type, "points": [float(v) for v in shape.points]}
        if attributes:
            out["attributes"] = [{"spec_id": int(getattr(a, "spec_id", 0)), "value": str(getattr(a, "value", ""))}
                                 for a in getattr(shape, "attributes", [])]
    if not attributes:
        out.pop("attributes", None)
    return out
