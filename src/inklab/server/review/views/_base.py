"""The query language and routing conventions shared by the review viewsets."""

from __future__ import annotations

from rest_framework import viewsets

from inklab.server.api.filtering import JsonLogicFilter, SearchFilter, SimpleFilter, SortFilter

__all__ = ["ReviewViewSet"]


class ReviewViewSet(viewsets.GenericViewSet):
    """CVAT's search, filters and sorting; integer ids; no PUT (CVAT has none)."""

    filter_backends = [SearchFilter, SimpleFilter, JsonLogicFilter, SortFilter]
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    default_ordering = ("id",)
