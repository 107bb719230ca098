"""Attribute values: which strings an attribute spec accepts, and helpers to build them.

The rules are the server's: ``checkbox`` takes ``"true"``/``"false"``; ``number`` has
``values = [min, max, step]`` (integers as strings) and takes integers ``v`` with
``min <= v <= max`` and ``(v - min) % step == 0``; ``select``/``radio`` take one of
``values`` (a non-empty list); ``text`` takes anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from inklab.sdk import models

__all__ = ["attribute_vals_from_dict", "number_attribute_values", "value_checker"]

ValueCheck = Callable[[str], bool]


def number_attribute_values(min_value: int, max_value: int, /, step: int = 1) -> list[str]:
    """``values`` of a ``number`` attribute; raises ``ValueError`` for an impossible range."""
    if min_value > max_value:
        raise ValueError(f"min_value {min_value} is greater than max_value {max_value}")
    if step <= 0:
        raise ValueError(f"step must be positive, got {step}")
    if (max_value - min_value) % step:
        raise ValueError(f"step {step} does not divide the range {min_value}..{max_value}")
    return [str(min_value), str(max_value), str(step)]


def _number_check(values: Sequence[str]) -> ValueCheck:
    if len(values) != 3:
        raise ValueError(f"a number attribute needs values [min, max, step], got {list(values)}")
    try:
        low, high, step = (int(v) for v in values)
    except ValueError:
        raise ValueError(f"number attribute values must be integers, got {list(values)}") from None
    number_attribute_values(low, high, step)

    def check(value: str) -> bool:
        try:
            number = int(value)
        except ValueError:
            return False
        return low <= number <= high and (number - low) % step == 0

    return check


def _choice_check(values: Sequence[str]) -> ValueCheck:
    if not values:
        raise ValueError("the list of allowed values is empty")
    allowed = frozenset(values)
    return allowed.__contains__


def value_checker(input_type: str, values: Sequence[str]) -> ValueCheck:
    """A predicate for values of an attribute spec; ``ValueError`` if the spec itself is bad."""
    kind = getattr(input_type, "value", input_type)
    if kind == "checkbox":
        return {"true", "false"}.__contains__
    if kind == "number":
        return _number_check(values)
    if kind in ("select", "radio"):
        return _choice_check(values)
    if kind == "text":
        return lambda value: True
    raise ValueError(f"unknown input type {kind!r}")


def _as_text(value: str | int | bool) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, str)):
        return str(value)
    raise TypeError(f"attribute values are strings, integers or booleans, got {value!r}")


def attribute_vals_from_dict(id_to_value: Mapping[int, Any], /) -> list[models.AttributeValRequest]:
    """``AttributeValRequest`` objects from ``{attribute spec id: value}``.

    Booleans become ``"true"``/``"false"`` (checkbox) and integers their decimal form (number).
    """
    return [models.AttributeValRequest(spec_id=key, value=_as_text(value)) for key, value in id_to_value.items()]
