"""The integer ranges the database holds, and the checks that keep client numbers inside them.

A number outside its column's range never reaches a query: SQLite raises ``OverflowError``
beyond 64 bits and PostgreSQL refuses values too large for the column, both a 500. So every
integer a client sends (a query parameter, a filter value, a body field) is checked here first
and refused with a 400 that names it.

The ranges are Django's portable ones, the same on SQLite and PostgreSQL: ids (``BigAutoField``)
and ``BigIntegerField`` columns are 64-bit, ``IntegerField`` and ``PositiveIntegerField`` columns
32-bit. Serializers declare their integers with :func:`int_field` or :func:`id_field` (the schema
then shows the bounds), views read integer query parameters with :func:`query_int`, and list
filters find a column's range with :func:`column_range`.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from rest_framework import serializers

from inklab.server.errors import InvalidInput

__all__ = ["ID", "INT32", "INT64", "UINT32", "Range", "check_int", "column_range", "id_field", "int_field",
           "parse_int", "query_int", "required_query_int"]

Range = tuple[int, int]

_RANGES: dict[str, Range] = BaseDatabaseOperations.integer_field_ranges

INT64: Range = _RANGES["BigIntegerField"]
INT32: Range = _RANGES["IntegerField"]
UINT32: Range = _RANGES["PositiveIntegerField"]
#: The ids a client may name in a body (a task's project_id): the positive part of ``BigAutoField``.
ID: Range = (1, _RANGES["BigAutoField"][1])


def column_range(field: models.Field) -> Range | None:
    """The range of an integer model field (of the target column for a foreign key), else None.

    This is what the column can hold, for comparisons: an id of 0 in a filter matches nothing,
    it is not an error.
    """
    while field.is_relation and field.target_field is not None and field.target_field is not field:
        field = field.target_field
    return _RANGES.get(field.get_internal_type())


def int_field(bounds: Range = INT64, **kwargs: Any) -> serializers.IntegerField:
    """A serializer ``IntegerField`` limited to ``bounds`` (inclusive)."""
    return serializers.IntegerField(min_value=bounds[0], max_value=bounds[1], **kwargs)


def id_field(**kwargs: Any) -> serializers.IntegerField:
    """A serializer field for the id of an object (:data:`ID`)."""
    return int_field(ID, **kwargs)


def check_int(value: int, name: str, bounds: Range = INT64) -> int:
    """``value`` if ``bounds`` (inclusive) hold it; otherwise an :class:`InvalidInput` naming ``name``."""
    low, high = bounds
    if not low <= value <= high:
        shown = str(value) if abs(value) < 10**40 else "a larger number"
        raise InvalidInput(f"'{name}' must be an integer from {low} to {high}, got {shown}.")
    return value


def parse_int(raw: Any, name: str, bounds: Range = INT64) -> int:
    """An integer from a query string value or a JSON number, checked against ``bounds``.

    Text must be a plain decimal integer; JSON numbers must be integral (``3.0`` is 3).
    Booleans, other text and non-integral numbers are an :class:`InvalidInput` naming ``name``.
    """
    value: int | None = None
    if isinstance(raw, str):
        text = raw.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if digits.isascii() and digits.isdigit():
            # Longer than any 64-bit number: out of range, without converting thousands of digits.
            value = int(text) if len(digits) <= 40 else (bounds[0] - 1 if text[0] == "-" else bounds[1] + 1)
    elif isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    if value is None:
        text = str(raw)
        shown = text if len(text) <= 40 else f"{text[:40]}..."
        raise InvalidInput(f"'{name}' must be an integer, got '{shown}'.")
    return check_int(value, name, bounds)


def query_int(request: Any, name: str, bounds: Range = INT64) -> int | None:
    """The integer query parameter ``name`` of a DRF request, None when absent or empty.

    A value that is not an integer in ``bounds``, or a parameter given more than once, is an
    :class:`InvalidInput` naming the parameter.
    """
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise InvalidInput(f"'{name}' is given more than once.")
    if not values or values[0] == "":
        return None
    return parse_int(values[0], name, bounds)


def required_query_int(request: Any, name: str, bounds: Range = INT64) -> int:
    """:func:`query_int` for a parameter that must be there."""
    value = query_int(request, name, bounds)
    if value is None:
        raise InvalidInput(f"The '{name}' query parameter is required.")
    return value
