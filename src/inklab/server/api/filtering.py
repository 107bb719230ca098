"""Search, sorting and filtering for list endpoints, as CVAT's clients send them.

A view declares what its users may query, in API field names mapped to ORM lookups:

* ``search_fields``   – ``?search=text`` matches any of them case-insensitively;
* ``ordering_fields`` – ``?sort=name,-id`` sorts (``-`` for descending);
* ``simple_filters``  – ``?name=x`` exact matches;
* ``filter_fields``   – ``?filter=<JSON Logic>``, e.g. ``{"and": [{"==": [{"var": "name"}, "x"]},
  {">": [{"var": "id"}, 3]}]}``, built by ``cvat_sdk.core.filters``.

Values are read as the type of the column they are compared with (integers within the column's
range, booleans, dates), so ``?size=abc``, ``?task_id=10**30`` or a date filter with ``"abc"`` is a
400 naming the parameter, never a failing query. Unknown fields and malformed expressions are a
400 with a message naming them too. Each backend lists its query parameters for the OpenAPI
schema (``get_schema_operation_parameters``), typed from the view's model.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from functools import reduce
from typing import Any

import orjson
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from drf_spectacular.plumbing import get_view_model
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

from inklab.server.api.integers import column_range, parse_int
from inklab.server.errors import InvalidInput

__all__ = ["JsonLogicFilter", "SearchFilter", "SimpleFilter", "SortFilter", "json_logic_to_q", "typed_value"]


def _fields(view: Any, attr: str) -> Mapping[str, str]:
    return getattr(view, attr, None) or {}


def _parameter(name: str, description: str, column: models.Field | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": _column_schema(column)}


def _column_schema(column: models.Field | None) -> dict[str, Any]:
    bounds = column_range(column) if column is not None else None
    if bounds is not None:
        return {"type": "integer", "minimum": bounds[0], "maximum": bounds[1]}
    if isinstance(column, models.BooleanField):
        return {"type": "boolean"}
    return {"type": "string"}


def _column(model: type[models.Model] | None, lookup: str) -> models.Field | None:
    """The model field an ORM lookup ends on (``task__project_id``: ``Task.project``); None if unknown.

    Trailing lookups (``operation__startswith``) are skipped: the value is compared with the field.
    """
    field = None
    for part in lookup.split("__"):
        if model is None:
            break
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break
        model = field.related_model
    return field


def _view_column(view: Any, lookup: str) -> models.Field | None:
    """For the schema: the column a view filters by (its model is that of its queryset, or of its
    serializer when the queryset depends on the request's user)."""
    model = get_view_model(view, emit_warnings=False)
    if model is None:
        model = getattr(getattr(view.get_serializer_class(), "Meta", None), "model", None)
    return _column(model, lookup)


def typed_value(column: models.Field | None, raw: Any, name: str) -> Any:
    """``raw`` (query text or a JSON value) as a value of ``column``; an ``InvalidInput`` naming
    ``name`` when it is not one. JSON null stands for NULL, as does ``null``/``none`` text for a
    text column."""
    if raw is None:
        return None
    bounds = column_range(column) if column is not None else None
    if bounds is not None:
        return parse_int(raw, name, bounds)
    if isinstance(column, models.BooleanField):
        text = str(raw).lower() if isinstance(raw, (str, bool)) else ""
        if text not in {"true", "false", "1", "0"}:
            raise InvalidInput(f"'{name}' must be true or false, got '{raw}'.")
        return text in {"true", "1"}
    if isinstance(raw, str) and raw.lower() in {"null", "none"}:
        return None
    if column is None:
        return raw
    try:
        return column.to_python(raw)
    except ValidationError as exc:
        raise InvalidInput(f"'{name}': {' '.join(exc.messages)}") from exc


class SearchFilter(BaseFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        term = request.query_params.get("search", "").strip()
        fields = _fields(view, "search_fields")
        if not term or not fields:
            return queryset
        query = reduce(operator.or_, (Q(**{f"{lookup}__icontains": term}) for lookup in fields.values()))
        return queryset.filter(query)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        fields = _fields(view, "search_fields")
        if not fields:
            return []
        return [_parameter("search", f"Text to look for (case-insensitive) in: {', '.join(fields)}.")]


class SortFilter(BaseFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        fields = _fields(view, "ordering_fields")
        raw = request.query_params.get("sort", "").strip()
        if not raw:
            return queryset.order_by(*getattr(view, "default_ordering", ("-id",)))
        order: list[str] = []
        for item in raw.split(","):
            item = item.strip()
            desc = item.startswith("-")
            name = item.lstrip("-")
            if name not in fields:
                raise InvalidInput(f"Cannot sort by '{name}'. Allowed: {', '.join(sorted(fields))}.")
            order.append(("-" if desc else "") + fields[name])
        order.append("-pk")  # a stable tiebreaker so pages never overlap
        return queryset.order_by(*order)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        fields = _fields(view, "ordering_fields")
        if not fields:
            return []
        parameter = _parameter("sort", "Comma-separated fields to sort by, '-' before one for descending order. "
                                       f"Fields: {', '.join(fields)}.")
        one = f"-?({'|'.join(re.escape(name) for name in fields)})"
        parameter["schema"]["pattern"] = f"^{one}(,{one})*$"
        return [parameter]


class SimpleFilter(BaseFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        for name, lookup in _fields(view, "simple_filters").items():
            if name in request.query_params:
                values = request.query_params.getlist(name)
                if len(values) > 1:
                    raise InvalidInput(f"'{name}' is given more than once.")
                value = typed_value(_column(queryset.model, lookup), values[0], name)
                queryset = queryset.filter(**{lookup: value})
        return queryset

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [_parameter(name, f"Only items whose {name} equals this value.", _view_column(view, lookup))
                for name, lookup in _fields(view, "simple_filters").items()]


class JsonLogicFilter(BaseFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        raw = request.query_params.get("filter")
        if not raw:
            return queryset
        try:
            expression = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise InvalidInput(f"The 'filter' parameter is not valid JSON: {exc}") from exc
        fields = _fields(view, "filter_fields")
        columns = {name: _column(queryset.model, lookup) for name, lookup in fields.items()}
        return queryset.filter(json_logic_to_q(expression, fields, columns)).distinct()

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        fields = _fields(view, "filter_fields")
        if not fields:
            return []
        return [_parameter("filter", "A JSON Logic expression, e.g. {\"and\": [{\"==\": [{\"var\": \"name\"}, \"x\"]}]}. "
                                     f"Fields: {', '.join(fields)}.")]


_COMPARISONS = {"<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}


def json_logic_to_q(expression: Any, fields: Mapping[str, str],
                    columns: Mapping[str, models.Field | None] | None = None) -> Q:
    """Translate a JSON Logic expression into a Django ``Q`` over the allowed fields.

    ``columns`` (API field name to model field) types the values compared with each field;
    a value that does not fit its field is an ``InvalidInput`` naming the field.
    """
    columns = columns or {}

    def name_of(node: Any) -> str:
        if isinstance(node, dict) and set(node) == {"var"}:
            name = node["var"]
            if isinstance(name, list):  # {"var": ["name", default]}
                name = name[0] if name else ""
            if not isinstance(name, str) or name not in fields:
                raise InvalidInput(
                    f"Cannot filter by '{name}'. Allowed: {', '.join(sorted(fields))}."
                )
            return name
        raise InvalidInput(f"Expected {{'var': <field>}} in the filter, got {node!r}.")

    def lookup(node: Any) -> str:
        return fields[name_of(node)]

    def value(node: Any, raw: Any, *, nullable: bool = True) -> Any:
        name = name_of(node)
        if isinstance(raw, (dict, list)):
            raise InvalidInput(f"filter: compare '{name}' with a single value, got {raw!r}.")
        typed = typed_value(columns.get(name), raw, f"filter: {name}")
        if typed is None and not nullable:
            raise InvalidInput(f"filter: '{name}' cannot be compared with null.")
        return typed

    def bound(node: Any, raw: Any) -> Any:
        return value(node, raw, nullable=False)

    def is_var(node: Any) -> bool:
        return isinstance(node, dict) and set(node) == {"var"}

    def convert(node: Any) -> Q:
        if not isinstance(node, dict) or len(node) != 1:
            raise InvalidInput(f"Malformed filter expression: {node!r}.")
        (op, args), = node.items()
        if op == "var":
            return Q(**{f"{lookup(node)}__isnull": False})
        if op in {"and", "or"}:
            if not isinstance(args, list) or not args:
                raise InvalidInput(f"'{op}' needs a non-empty list of expressions.")
            parts = [convert(arg) for arg in args]
            return reduce(operator.and_ if op == "and" else operator.or_, parts)
        if op == "!":
            inner = args[0] if isinstance(args, list) and len(args) == 1 else args
            return ~convert(inner)
        if op == "!!":
            inner = args[0] if isinstance(args, list) and len(args) == 1 else args
            return convert(inner)
        if not isinstance(args, list):
            raise InvalidInput(f"'{op}' needs a list of arguments.")
        if op in {"==", "!="}:
            if len(args) != 2:
                raise InvalidInput(f"'{op}' needs two arguments.")
            var, raw = (args[0], args[1]) if is_var(args[0]) else (args[1], args[0])
            field, typed = lookup(var), value(var, raw)
            q = Q(**{f"{field}__isnull": True}) if typed is None else Q(**{field: typed})
            return ~q if op == "!=" else q
        if op == "in":
            if len(args) != 2:
                raise InvalidInput("'in' needs two arguments.")
            left, right = args
            if is_var(left) and isinstance(right, list):
                return Q(**{f"{lookup(left)}__in": [bound(left, item) for item in right]})
            if is_var(right) and isinstance(left, str):
                return Q(**{f"{lookup(right)}__icontains": left})
            raise InvalidInput("'in' needs a field and a list, or a string and a field.")
        if op in _COMPARISONS:
            if len(args) == 2:
                if is_var(args[0]):
                    return Q(**{f"{lookup(args[0])}__{_COMPARISONS[op]}": bound(args[0], args[1])})
                mirrored = {"<": "gt", "<=": "gte", ">": "lt", ">=": "lte"}[op]
                return Q(**{f"{lookup(args[1])}__{mirrored}": bound(args[1], args[0])})
            if len(args) == 3 and is_var(args[1]):  # between: low <= var <= high
                field = lookup(args[1])
                low_op, high_op = ("gte", "lte") if op == "<=" else ("gt", "lt")
                if op in {">", ">="}:
                    raise InvalidInput(f"'{op}' with three arguments is not supported.")
                return Q(**{f"{field}__{low_op}": bound(args[1], args[0]),
                            f"{field}__{high_op}": bound(args[1], args[2])})
            raise InvalidInput(f"'{op}' needs two arguments or a range of three.")
        raise InvalidInput(f"Unsupported filter operator '{op}'.")

    return convert(expression)
