"""``/api/cloudstorages``: CRUD, ``status``, ``actions``, ``content-v2`` and ``preview``."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from inklab.server.api.filtering import SearchFilter, SimpleFilter, SortFilter
from inklab.server.api.schema import query
from inklab.server.cloud import services
from inklab.server.cloud.permissions import check_change, visible_storages
from inklab.server.cloud.serializers import CloudStorageReadSerializer, CloudStorageWriteSerializer
from inklab.server.iam.context import context_of
from inklab.server.meta.serializers import FileInfoSerializer

__all__ = ["CloudStorageViewSet"]

_CONTENT = inline_serializer("CloudStorageContent", {
    "next": serializers.CharField(allow_null=True, help_text="Continues the listing (next_token)."),
    "content": FileInfoSerializer(many=True),
})
_FILTERS = {"provider_type": "provider_type", "name": "display_name", "resource": "resource",
            "credentials_type": "credentials_type", "owner": "owner__username"}
_FIELDS = {**_FILTERS, "description": "description"}


class CloudStorageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CloudStorageReadSerializer
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filter_backends = [SearchFilter, SimpleFilter, SortFilter]
    search_fields = _FIELDS
    simple_filters = _FILTERS
    ordering_fields = {**_FIELDS, "id": "id"}

    def get_queryset(self) -> Any:
        return context_of(self.request).filter(visible_storages(self.request.user)).select_related("owner")

    def _read(self, storage: Any, code: int = status.HTTP_200_OK) -> Response:
        return Response(CloudStorageReadSerializer(storage, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=CloudStorageWriteSerializer, responses={201: CloudStorageReadSerializer})
    def create(self, request: Request) -> Response:
        data = CloudStorageWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        storage = services.create_storage(request.user, data.validated_data, context_of(request))
        return self._read(storage, status.HTTP_201_CREATED)

    @extend_schema(request=CloudStorageWriteSerializer, responses={200: CloudStorageReadSerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        storage = self.get_object()
        data = CloudStorageWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return self._read(services.update_storage(request.user, storage, data.validated_data))

    def destroy(self, request: Request, pk: str) -> Response:
        storage = self.get_object()
        check_change(request.user, storage)
        storage.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: OpenApiTypes.STR})
    @action(detail=True, methods=["get"])
    def status(self, request: Request, pk: str) -> Response:
        return Response(services.status(self.get_object()))

    @extend_schema(operation_id="cloudstorages_retrieve_actions",
                   responses={200: serializers.ListSerializer(child=serializers.CharField(),
                                                             help_text="What the user may do: read, write.")})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def actions(self, request: Request, pk: str) -> Response:
        self.get_object()
        return Response(["read", "write"])

    @extend_schema(operation_id="cloudstorages_retrieve_content_v2",
                   parameters=[query("prefix", "List what is under this prefix."),
                               query("next_token", "Continue a listing: the 'next' of the previous page."),
                               query("page_size", "Entries per page.", int, bounds=(1, services.MAX_PAGE)),
                               query("manifest_path", "List the files of this manifest of the storage.")],
                   responses={200: _CONTENT})
    @action(detail=True, methods=["get"], url_path="content-v2")
    def content_v2(self, request: Request, pk: str) -> Response:
        params = request.query_params
        return Response(services.content(self.get_object(), params.get("prefix", ""), params.get("next_token"),
                                         params.get("page_size"), params.get("manifest_path")))

    @extend_schema(responses={(200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY),
                              400: OpenApiResponse(description="The storage holds no readable image to preview.")})
    @action(detail=True, methods=["get"])
    def preview(self, request: Request, pk: str) -> HttpResponse:
        return HttpResponse(services.preview(self.get_object()), content_type="image/jpeg")
