"""``/api/jobs``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from inklab.server.projects import permissions as perms
from inklab.server.projects import services
from inklab.server.projects.serializers import JobReadSerializer, JobWriteSerializer
from inklab.server.projects.views._base import ResourceViewSet

__all__ = ["JobViewSet"]

_FIELDS = {"id": "id", "task_id": "task_id", "project_id": "task__project_id", "task_name": "task__name",
           "project_name": "task__project__name", "assignee": "assignee__username", "stage": "stage",
           "state": "state", "type": "type", "subset": "task__subset", "dimension": "task__mode",
           "updated_date": "updated_date", "created_date": "created_date", "start_frame": "start_frame"}


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    serializer_class = JobReadSerializer
    search_fields = {k: v for k, v in _FIELDS.items()
                     if k in {"task_name", "project_name", "assignee", "state", "stage"}}
    simple_filters = {k: v for k, v in _FIELDS.items() if k not in {"updated_date", "created_date", "dimension"}}
    filter_fields = _FIELDS
    ordering_fields = _FIELDS
    default_ordering = ("id",)
    organization_field = "task__organization"

    def get_queryset(self) -> Any:
        return self.in_context(perms.visible_jobs(self.request.user)).select_related("task", "task__project", "assignee")

    @extend_schema(request=JobWriteSerializer, responses=JobReadSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        job = self.get_object()
        data = JobWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.update_job(request.user, job, dict(data.validated_data))
        return Response(JobReadSerializer(self.get_object(), context=self.get_serializer_context()).data)
