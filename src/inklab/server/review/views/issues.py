"""``/api/issues``: regions on a job's frame with a comment thread."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response

from inklab.server.review import permissions as rperms
from inklab.server.review import services
from inklab.server.review.serializers import IssueReadSerializer, IssueUpdateSerializer, IssueWriteSerializer
from inklab.server.review.views._base import ReviewViewSet

__all__ = ["IssueViewSet"]

_FIELDS = {"id": "id", "job_id": "job_id", "task_id": "job__task_id", "frame_id": "frame",
           "owner": "owner__username", "assignee": "assignee__username", "resolved": "resolved",
           "updated_date": "updated_date", "created_date": "created_date"}


class IssueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReviewViewSet):
    """Issues on the frames of the jobs you may see."""

    serializer_class = IssueReadSerializer
    search_fields = {k: v for k, v in _FIELDS.items() if k in {"owner", "assignee"}}
    simple_filters = {k: v for k, v in _FIELDS.items() if k not in {"id", "updated_date", "created_date"}}
    filter_fields = _FIELDS
    ordering_fields = _FIELDS

    def get_queryset(self) -> Any:
        return (rperms.visible_issues(self.request.user)
                .select_related("owner", "assignee", "job", "job__task", "job__task__project")
                .annotate(comment_count=Count("comments")))

    def _read(self, pk: int) -> dict[str, Any]:
        return self.get_serializer(self.get_queryset().get(pk=pk)).data

    @extend_schema(request=IssueWriteSerializer, responses={201: IssueReadSerializer})
    def create(self, request: Request) -> Response:
        data = IssueWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issue = services.open_issue(request.user, dict(data.validated_data))
        return Response(self._read(issue.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=IssueUpdateSerializer, responses=IssueReadSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        issue = self.get_object()
        data = IssueUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.update_issue(request.user, issue, dict(data.validated_data))
        return Response(self._read(issue.pk))

    def destroy(self, request: Request, pk: str) -> Response:
        services.delete_issue(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
