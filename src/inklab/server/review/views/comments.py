"""``/api/comments``: the messages of an issue's thread."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response

from inklab.server.errors import NotFound
from inklab.server.review import permissions as rperms
from inklab.server.review import services
from inklab.server.review.serializers import (
    CommentReadSerializer,
    CommentUpdateSerializer,
    CommentWriteSerializer,
)
from inklab.server.review.views._base import ReviewViewSet

__all__ = ["CommentViewSet"]

_FIELDS = {"id": "id", "issue_id": "issue_id", "job_id": "issue__job_id", "frame_id": "issue__frame",
           "owner": "owner__username", "updated_date": "updated_date", "created_date": "created_date"}


class CommentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReviewViewSet):
    """Comments on the issues you may see."""

    serializer_class = CommentReadSerializer
    search_fields = {"owner": "owner__username"}
    simple_filters = {k: v for k, v in _FIELDS.items() if k not in {"id", "updated_date", "created_date"}}
    filter_fields = _FIELDS
    ordering_fields = _FIELDS

    def get_queryset(self) -> Any:
        return (rperms.visible_comments(self.request.user)
                .select_related("owner", "issue", "issue__job", "issue__job__task", "issue__job__task__project"))

    def _read(self, pk: int) -> dict[str, Any]:
        return self.get_serializer(self.get_queryset().get(pk=pk)).data

    @extend_schema(request=CommentWriteSerializer, responses={201: CommentReadSerializer})
    def create(self, request: Request) -> Response:
        data = CommentWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issue_id = data.validated_data["issue"]
        issue = rperms.visible_issues(request.user).select_related("job", "job__task").filter(pk=issue_id).first()
        if issue is None:
            raise NotFound({"issue": [f"Issue {issue_id} does not exist or is not visible to you."]})
        comment = services.add_comment(request.user, issue, data.validated_data["message"])
        return Response(self._read(comment.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=CommentUpdateSerializer, responses=CommentReadSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        comment = self.get_object()
        data = CommentUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "message" in data.validated_data:
            services.edit_comment(request.user, comment, data.validated_data["message"])
        return Response(self._read(comment.pk))

    def destroy(self, request: Request, pk: str) -> Response:
        services.delete_comment(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
