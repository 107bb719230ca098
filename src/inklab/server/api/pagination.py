"""CVAT's page-number pagination: ``page`` (1-based), ``page_size``, and the envelope
``{"count", "next", "previous", "results"}`` where ``next`` is null on the last page.

A ``page`` past the last one (or not a page number) is a 404, as in CVAT. A ``page_size`` that
is not a positive integer is a 400; larger ones than :attr:`max_page_size` are cut to it.
"""

from __future__ import annotations

from typing import Any

from rest_framework import pagination
from rest_framework.request import Request

from inklab.server.api.integers import INT64, query_int

__all__ = ["PageNumberPagination"]


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 10
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request: Request) -> int:
        size = query_int(request, self.page_size_query_param, (1, INT64[1]))
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(minimum=1, maximum=INT64[1])
        return parameters
