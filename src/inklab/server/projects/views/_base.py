"""Behaviour shared by the resource viewsets."""

from __future__ import annotations

from typing import Any

from rest_framework import viewsets

from inklab.server.api.filtering import JsonLogicFilter, SearchFilter, SimpleFilter, SortFilter

__all__ = ["ResourceViewSet", "int_param"]


def int_param(request: Any, name: str) -> int | None:
    """An integer query parameter, or None; a non-integer value is a 400."""
    from inklab.server.errors import InvalidInput

    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise InvalidInput(f"Query parameter '{name}' must be an integer, got '{raw}'.") from exc


class ResourceViewSet(viewsets.GenericViewSet):
    """A viewset with CVAT's query language and integer ids; no PUT (CVAT has none)."""

    filter_backends = [SearchFilter, SimpleFilter, JsonLogicFilter, SortFilter]
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
