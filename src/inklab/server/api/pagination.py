"""CVAT's page-number pagination: ``page`` (1-based), ``page_size``, and the envelope
``{"count", "next", "previous", "results"}`` where ``next`` is null on the last page."""

from __future__ import annotations

from rest_framework import pagination

__all__ = ["PageNumberPagination"]


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 10
    page_size_query_param = "page_size"
    max_page_size = 1000
