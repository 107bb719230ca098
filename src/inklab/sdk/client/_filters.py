"""``filter=`` query parameters (JSON Logic) from keyword lookups, as ``Repo.list`` takes them.

``name="x"`` stays a plain equality parameter; lookups with a suffix become one JSON Logic
expression: ``__ne``, ``__in``, ``__contains`` (substring), ``__lt``, ``__lte``, ``__gt``,
``__gte``, ``__between`` (inclusive pair) and ``__isset`` (bool). A ``filter`` argument given
as a string or dict is combined with them by ``and``.
"""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["build_filter"]

_COMPARISONS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
_LOOKUPS = {"ne", "in", "contains", "between", "isset", *_COMPARISONS}


def _condition(field: str, lookup: str, value: Any) -> dict[str, Any]:
    var = {"var": field}
    if lookup == "ne":
        return {"!": {"==": [var, value]}}
    if lookup == "in":
        return {"in": [var, list(value)]}
    if lookup == "contains":
        return {"in": [value, var]}
    if lookup == "between":
        low, high = value
        return {"<=": [low, var, high]}
    if lookup == "isset":
        return var if value else {"!": var}
    return {_COMPARISONS[lookup]: [var, value]}


def build_filter(kwargs: dict[str, Any]) -> None:
    """Replace lookup keywords in ``kwargs`` (in place) by one ``filter`` parameter."""
    conditions: list[Any] = []
    explicit = kwargs.pop("filter", None)
    if explicit is not None:
        conditions.append(orjson.loads(explicit) if isinstance(explicit, (str, bytes)) else explicit)
    for key in list(kwargs):
        field, sep, lookup = key.rpartition("__")
        if sep and lookup in _LOOKUPS and field:
            conditions.append(_condition(field, lookup, kwargs.pop(key)))
    if conditions:
        expression = conditions[0] if len(conditions) == 1 else {"and": conditions}
        kwargs["filter"] = orjson.dumps(expression).decode()
