"""Search, sorting and filtering for list endpoints, as CVAT's clients send them.

A view declares what its users may query, in API field names mapped to ORM lookups:

* ``search_fields``   – ``?search=text`` matches any of them case-insensitively;
* ``ordering_fields`` – ``?sort=name,-id`` sorts (``-`` for descending);
* ``simple_filters``  – ``?name=x`` exact matches;
* ``filter_fields``   – ``?filter=<JSON Logic>``, e.g. ``{"and": [{"==": [{"var": "name"}, "x"]},
  {">": [{"var": "id"}, 3]}]}``, built by ``cvat_sdk.core.filters``.

Unknown fields and malformed expressions are a 400 with a message naming them. Each backend
lists its query parameters for the OpenAPI schema (``get_schema_operation_parameters``).
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from functools import reduce
from typing import Any

import orjson
from django.db.models import Q, QuerySet
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

from inklab.server.errors import InvalidInput

__all__ = ["JsonLogicFilter", "SearchFilter", "SimpleFilter", "SortFilter", "json_logic_to_q"]


def _fields(view: Any, attr: str) -> Mapping[str, str]:
    return getattr(view, attr, None) or {}


def _parameter(name: str, description: str) -> dict[str, Any]:
    kind = "integer" if name == "id" or name.endswith("_id") else "string"
    return {"name": name, "in": "query", "required": False, "description": description, "schema": {"type": kind}}


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
        order.append("-id")  # a stable tiebreaker so pages never overlap
        return queryset.order_by(*order)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        fields = _fields(view, "ordering_fields")
        if not fields:
            return []
        return [_parameter("sort", "Comma-separated fields to sort by, '-' before one for descending order. "
                                   f"Fields: {', '.join(fields)}.")]


class SimpleFilter(BaseFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        for name, lookup in _fields(view, "simple_filters").items():
            if name in request.query_params:
                value = request.query_params[name]
                queryset = queryset.filter(**{lookup: _coerce(value)})
        return queryset

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [_parameter(name, f"Only items whose {name} equals this value.")
                for name in _fields(view, "simple_filters")]


def _coerce(value: str) -> Any:
    lowered = value.lower()
    if lowered in {"true", "false"}:
        return lowered == "true"
    if lowered in {"null", "none"}:
        return None
    return value


class JsonLogicFilter(BaseFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        raw = request.query_params.get("filter")
        if not raw:
            return queryset
        try:
            expression = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise InvalidInput(f"The 'filter' parameter is not valid JSON: {exc}") from exc
        return queryset.filter(json_logic_to_q(expression, _fields(view, "filter_fields"))).distinct()

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        fields = _fields(view, "filter_fields")
        if not fields:
            return []
        return [_parameter("filter", "A JSON Logic expression, e.g. {\"and\": [{\"==\": [{\"var\": \"name\"}, \"x\"]}]}. "
                                     f"Fields: {', '.join(fields)}.")]


_COMPARISONS = {"<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}


def json_logic_to_q(expression: Any, fields: Mapping[str, str]) -> Q:
    """Translate a JSON Logic expression into a Django ``Q`` over the allowed fields."""

    def lookup(node: Any) -> str:
        if isinstance(node, dict) and set(node) == {"var"}:
            name = node["var"]
            if isinstance(name, list):  # {"var": ["name", default]}
                name = name[0] if name else ""
            if name not in fields:
                raise InvalidInput(
                    f"Cannot filter by '{name}'. Allowed: {', '.join(sorted(fields))}."
                )
            return fields[name]
        raise InvalidInput(f"Expected {{'var': <field>}} in the filter, got {node!r}.")

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
            var, value = (args[0], args[1]) if is_var(args[0]) else (args[1], args[0])
            field = lookup(var)
            q = Q(**{f"{field}__isnull": True}) if value is None else Q(**{field: value})
            return ~q if op == "!=" else q
        if op == "in":
            if len(args) != 2:
                raise InvalidInput("'in' needs two arguments.")
            left, right = args
            if is_var(left) and isinstance(right, list):
                return Q(**{f"{lookup(left)}__in": right})
            if is_var(right) and isinstance(left, str):
                return Q(**{f"{lookup(right)}__icontains": left})
            raise InvalidInput("'in' needs a field and a list, or a string and a field.")
        if op in _COMPARISONS:
            if len(args) == 2:
                if is_var(args[0]):
                    return Q(**{f"{lookup(args[0])}__{_COMPARISONS[op]}": args[1]})
                mirrored = {"<": "gt", "<=": "gte", ">": "lt", ">=": "lte"}[op]
                return Q(**{f"{lookup(args[1])}__{mirrored}": args[0]})
            if len(args) == 3 and is_var(args[1]):  # between: low <= var <= high
                field = lookup(args[1])
                low_op, high_op = ("gte", "lte") if op == "<=" else ("gt", "lt")
                if op in {">", ">="}:
                    raise InvalidInput(f"'{op}' with three arguments is not supported.")
                return Q(**{f"{field}__{low_op}": args[0], f"{field}__{high_op}": args[2]})
            raise InvalidInput(f"'{op}' needs two arguments or a range of three.")
        raise InvalidInput(f"Unsupported filter operator '{op}'.")

    return convert(expression)
