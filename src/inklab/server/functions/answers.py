"""The answers agents give to interactive calls, checked before a caller sees them.

An agent completes an interactive request with the body cvat-cli's agent sends (besides its
``agent_id``), by call type:

* ``interact`` — ``{"shapes": [{"type", "points", "attributes"?}, ...]}``;
* ``init_tracking`` — ``{"states": [one id per shape given]}``;
* ``track`` — ``{"states": [...], "shapes": [{"type", "points"} or null, one per state]}``;
* ``annotate_frame`` — ``{"annotations": {"tags": [...], "shapes": [...]}}`` in the task's labels.

:func:`check_answer` returns what the caller gets, or raises :class:`InvalidInput` naming the
field at fault (the request then fails with that message).
"""

from __future__ import annotations

import math
from typing import Any

from inklab.server.errors import InvalidInput
from inklab.vocabulary import ShapeType

__all__ = ["check_answer"]

_SHAPE_TYPES = frozenset(ShapeType)
_MAX_SHAPES = 1000
_MAX_NUMBERS = 4_000_000  # a mask's run-length encoding of a large frame
_MAX_STATE = 256


def _list(value: Any, where: str, limit: int = _MAX_SHAPES) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidInput(f"{where}: expected a list.")
    if len(value) > limit:
        raise InvalidInput(f"{where}: more than {limit} items.")
    return value


def _points(value: Any, where: str) -> list[float]:
    numbers = _list(value, where, _MAX_NUMBERS)
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in numbers):
        raise InvalidInput(f"{where}: expected finite numbers.")
    return [float(v) for v in numbers]


def _shape(value: Any, where: str, *, attributes: bool) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(f"{where}: expected an object with 'type' and 'points'.")
    if value.get("type") not in _SHAPE_TYPES:
        raise InvalidInput(f"{where}.type: {value.get('type')!r} is not a shape type.")
    shape: dict[str, Any] = {"type": value["type"], "points": _points(value.get("points"), f"{where}.points")}
    if attributes:
        checked = []
        for i, attr in enumerate(_list(value.get("attributes") or [], f"{where}.attributes", 16)):
            if not isinstance(attr, dict) or attr.get("spec_id") != 0 or not isinstance(attr.get("value"), str):
                raise InvalidInput(f"{where}.attributes[{i}]: expected {{'spec_id': 0, 'value': '<confidence>'}}.")
            checked.append({"spec_id": 0, "value": attr["value"][:64]})
        shape["attributes"] = checked
    return shape


def _states(value: Any, where: str, count: int) -> list[str]:
    states = _list(value, where)
    if len(states) != count:
        raise InvalidInput(f"{where}: expected {count} states, one per shape, got {len(states)}.")
    if not all(isinstance(s, str) and 0 < len(s) <= _MAX_STATE for s in states):
        raise InvalidInput(f"{where}: expected strings of 1 to {_MAX_STATE} characters.")
    return states


def _annotations(value: Any, frame: int) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput("annotations: expected an object with 'tags' and 'shapes'.")
    out: dict[str, Any] = {}
    for key in ("tags", "shapes"):
        items = _list(value.get(key) or [], f"annotations.{key}", 100_000)
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("label_id"), int):
                raise InvalidInput(f"annotations.{key}[{i}]: expected an object with a 'label_id'.")
            if item.get("frame", frame) != frame:
                raise InvalidInput(f"annotations.{key}[{i}].frame: must be {frame}, the frame asked for.")
            if key == "shapes":
                _shape(item, f"annotations.shapes[{i}]", attributes=False)
        out[key] = items
    return out


def check_answer(params: dict[str, Any], body: Any) -> dict[str, Any]:
    """What the caller of the interactive call ``params`` gets from the agent's ``body``."""
    if not isinstance(body, dict):
        raise InvalidInput("Expected a JSON object.")
    kind = params.get("type")
    if kind == "interact":
        shapes = _list(body.get("shapes"), "shapes")
        return {"shapes": [_shape(s, f"shapes[{i}]", attributes=True) for i, s in enumerate(shapes)]}
    if kind == "init_tracking":
        return {"states": _states(body.get("states"), "states", len(params["shapes"])), "shapes": params["shapes"]}
    if kind == "track":
        states = _states(body.get("states"), "states", len(params["states"]))
        if states != params["states"]:
            raise InvalidInput("states: must be the states the call named, in order.")
        shapes = _list(body.get("shapes"), "shapes")
        if len(shapes) != len(states):
            raise InvalidInput(f"shapes: expected {len(states)} shapes (or nulls), one per state.")
        return {"states": states,
                "shapes": [None if s is None else _shape(s, f"shapes[{i}]", attributes=False)
                           for i, s in enumerate(shapes)]}
    if kind == "annotate_frame":
        return _annotations(body.get("annotations"), params["frame"])
    raise InvalidInput(f"This request has an unknown type {kind!r}.")
