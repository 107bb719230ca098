"""``/api/guides`` (create, read, change, delete) and ``/api/assets`` (upload, read, delete)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from inklab.server.api.integers import ID, parse_int
from inklab.server.api.schema import error
from inklab.server.api.strict import refuse_unknown
from inklab.server.errors import InvalidInput, NotFound
from inklab.server.guides import permissions as perms
from inklab.server.guides import services
from inklab.server.guides.models import AnnotationGuide, GuideAsset
from inklab.server.guides.serializers import AssetReadSerializer, GuideReadSerializer, GuideWriteSerializer
from inklab.server.headers import MEDIA_POLICY
from inklab.server.media import blobstore
from inklab.server.projects.views._base import EditableResourceViewSet

__all__ = ["AssetViewSet", "GuideViewSet"]


@extend_schema_view(
    create=extend_schema(request=GuideWriteSerializer, responses={
        201: GuideReadSerializer, 409: error(409, "The project or task already has a guide.")}),
    partial_update=extend_schema(request=GuideWriteSerializer(partial=True), responses=GuideReadSerializer),
)
class GuideViewSet(mixins.RetrieveModelMixin, EditableResourceViewSet):
    serializer_class = GuideReadSerializer
    write_serializer_class = GuideWriteSerializer
    filter_backends: list[Any] = []

    def visible(self, user: Any) -> Any:
        return perms.visible_guides(user)

    def in_context(self, queryset: Any) -> Any:
        """A guide is in the organization of its project or task."""
        context = self.org_context
        return (context.filter(queryset.filter(project__isnull=False), "project__organization")
                | context.filter(queryset.filter(task__isnull=False), "task__organization"))

    def prepared(self, queryset: Any) -> Any:
        return queryset.select_related("project", "task", "task__project")

    def create_object(self, user: Any, data: dict[str, Any]) -> AnnotationGuide:
        return services.create_guide(user, data)

    def update_object(self, user: Any, obj: AnnotationGuide, data: dict[str, Any]) -> None:
        services.update_guide(user, obj, data)

    def check_delete(self, user: Any, obj: AnnotationGuide) -> None:
        perms.check_manage_guide(user, obj)


class AssetViewSet(viewsets.ViewSet):
    lookup_field = "uuid"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    http_method_names = ["get", "post", "delete", "head", "options"]
    parser_classes = [MultiPartParser]

    def _asset(self, request: Request, uuid: str) -> GuideAsset:
        try:
            key = UUID(uuid)
        except ValueError:
            raise NotFound(f"Asset {uuid} does not exist.") from None
        asset = (GuideAsset.objects.filter(pk=key, guide__in=perms.visible_guides(request.user))
                 .select_related("guide", "guide__project", "guide__task", "guide__task__project").first())
        if asset is None:
            raise NotFound(f"Asset {uuid} does not exist or is not visible to you.")
        return asset

    @extend_schema(operation_id="assets_create", summary="Upload an image for a guide",
                   request={"multipart/form-data": {"type": "object", "properties": {
                       "file": {"type": "string", "format": "binary"},
                       "guide_id": {"type": "integer", "minimum": ID[0], "maximum": ID[1]}},
                       "required": ["file", "guide_id"]}},
                   responses={201: AssetReadSerializer,
                              409: error(409, f"The guide already has {services.MAX_ASSETS} images.")})
    def create(self, request: Request) -> Response:
        refuse_unknown(request.data, {"file", "guide_id"})
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput({"file": ["Send the image as the multipart field 'file'."]})
        if "guide_id" not in request.data:
            raise InvalidInput({"guide_id": ["Name the guide the image belongs to (guide_id)."]})
        guide_id = parse_int(request.data["guide_id"], "guide_id", ID)
        guide = perms.visible_guides(request.user).select_related("project", "task", "task__project") \
            .filter(pk=guide_id).first()
        if guide is None:
            raise NotFound(f"Guide {guide_id} does not exist or is not visible to you.")
        asset = services.add_asset(request.user, guide, upload)
        return Response(AssetReadSerializer(asset, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="assets_retrieve", summary="An image of a guide",
                   responses={(200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description="Asset file")})
    def retrieve(self, request: Request, uuid: str) -> FileResponse:
        asset = self._asset(request, uuid)
        path = blobstore.local(asset.path)  # stored by a server on another machine
        if not path.is_file():
            raise NotFound(f"The file of asset {uuid} is missing.")
        response = FileResponse(path.open("rb"), content_type=asset.content_type)
        response["Content-Security-Policy"] = MEDIA_POLICY
        response["Content-Disposition"] = "inline"
        response["Cache-Control"] = "private, max-age=3600"
        return response

    @extend_schema(operation_id="assets_destroy", summary="Delete an image of a guide", responses={204: None})
    def destroy(self, request: Request, uuid: str) -> Response:
        services.delete_asset(request.user, self._asset(request, uuid))
        return Response(status=status.HTTP_204_NO_CONTENT)
