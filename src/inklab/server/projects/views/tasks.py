"""``/api/tasks``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response

from inklab.server.projects import permissions as perms
from inklab.server.projects import services
from inklab.server.projects.models import Task
from inklab.server.projects.serializers import TaskReadSerializer, TaskWriteSerializer
from inklab.server.projects.views._base import ResourceViewSet

__all__ = ["TaskViewSet"]

_FIELDS = {"id": "id", "name": "name", "project_id": "project_id", "project_name": "project__name",
           "owner": "owner__username", "assignee": "assignee__username", "status": "status",
           "subset": "subset", "mode": "mode", "dimension": "mode", "tracker_link": "bug_tracker",
           "updated_date": "updated_date", "created_date": "created_date", "size": "size"}


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    serializer_class = TaskReadSerializer
    search_fields = {k: v for k, v in _FIELDS.items()
                     if k in {"name", "owner", "assignee", "project_name", "status", "subset", "mode"}}
    simple_filters = {k: v for k, v in _FIELDS.items() if k not in {"updated_date", "created_date", "dimension"}}
    filter_fields = _FIELDS
    ordering_fields = _FIELDS

    def get_queryset(self) -> Any:
        return (
            perms.visible_tasks(self.request.user)
            .select_related("owner", "assignee", "project")
            .annotate(
                _jobs=Count("jobs", distinct=True),
                _jobs_completed=Count("jobs", filter=Q(jobs__state="completed", jobs__stage="acceptance"),
                                      distinct=True),
                _jobs_validation=Count("jobs", filter=Q(jobs__stage="validation"), distinct=True),
            )
        )

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        for task in page if page is not None else []:
            task.job_counts = (task._jobs, task._jobs_completed, task._jobs_validation)
        return page

    def get_object(self) -> Task:
        task = super().get_object()
        task.job_counts = (task._jobs, task._jobs_completed, task._jobs_validation)
        return task

    def _read(self, task: Task) -> Any:
        fresh = self.get_queryset().get(pk=task.pk)
        fresh.job_counts = (fresh._jobs, fresh._jobs_completed, fresh._jobs_validation)
        return TaskReadSerializer(fresh, context=self.get_serializer_context()).data

    @extend_schema(request=TaskWriteSerializer, responses={201: TaskReadSerializer})
    def create(self, request: Request) -> Response:
        data = TaskWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.create_task(request.user, dict(data.validated_data))
        return Response(self._read(task), status=status.HTTP_201_CREATED)

    @extend_schema(request=TaskWriteSerializer(partial=True), responses=TaskReadSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        task = self.get_object()
        data = TaskWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.update_task(request.user, task, dict(data.validated_data))
        return Response(self._read(task))

    def destroy(self, request: Request, pk: str) -> Response:
        task = self.get_object()
        perms.check_delete_task(request.user, task)
        task.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
