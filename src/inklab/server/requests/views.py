"""``/api/requests``: status, cancellation and result download of background requests."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from inklab.server.api.filtering import SimpleFilter, SortFilter
from inklab.server.errors import NotFound
from inklab.server.headers import MEDIA_POLICY
from inklab.server.iam.permissions import is_admin
from inklab.server.media import blobstore
from inklab.server.requests import queue
from inklab.server.requests.models import BackgroundRequest
from inklab.server.requests.serializers import RequestSerializer

__all__ = ["RequestViewSet", "download_response"]


def download_response(request: BackgroundRequest) -> FileResponse:
    """Stream a request's result file as an attachment (sent in blocks by the serving front)."""
    if not request.result_file:
        raise NotFound("The result of this request is not available (it may have expired).")
    # made by a worker on another machine: from the shared media store (no-op without one)
    path = blobstore.local(settings.DATA_DIR / request.result_file)
    if not path.is_file():
        raise NotFound("The result of this request is not available (it may have expired).")
    filename = request.result_filename or path.name
    content_type = "application/zip" if filename.lower().endswith(".zip") else "application/octet-stream"
    response = FileResponse(path.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["Content-Security-Policy"] = MEDIA_POLICY
    return response


class RequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RequestSerializer
    lookup_value_regex = "[^/]+"
    filter_backends = [SimpleFilter, SortFilter]
    simple_filters = {"status": "status", "target": "target", "action": "operation__startswith",
                      "subresource": "operation__endswith", "task_id": "task_id", "project_id": "project_id",
                      "job_id": "job_id", "format": "format"}
    ordering_fields = {"created_date": "created_date", "status": "status", "action": "operation"}
    default_ordering = ("-created_date",)

    def get_queryset(self) -> Any:
        queryset = BackgroundRequest.objects.select_related("owner")
        if not is_admin(self.request.user):
            queryset = queryset.filter(owner=self.request.user)
        return queryset

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        bg = self.get_object()
        if queue.reap_if_lost(bg):  # its worker is gone: say so now, even when no worker is running
            bg.refresh_from_db()
        return Response(self.get_serializer(bg).data)

    @extend_schema(summary="Cancel a request", request=None, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        queue.cancel(self.get_object())
        return Response(RequestSerializer(self.get_object(), context=self.get_serializer_context()).data)

    @extend_schema(summary="Download the result of a finished request (its result_url; inklab)",
                   responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str) -> FileResponse:
        return download_response(self.get_object())
