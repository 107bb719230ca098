"""``/api/tasks``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from inklab.server.api.schema import error
from inklab.server.projects import permissions as perms
from inklab.server.projects import services, validation
from inklab.server.projects.models import Task
from inklab.server.projects.serializers import (
    TaskLayoutSerializer,
    TaskLayoutWriteSerializer,
    TaskReadSerializer,
    TaskWriteSerializer,
)
from inklab.server.projects.views._base import EditableResourceViewSet

__all__ = ["TaskViewSet"]

_FIELDS = {"id": "id", "name": "name", "project_id": "project_id", "project_name": "project__name",
           "owner": "owner__username", "assignee": "assignee__username", "status": "status",
           "subset": "subset", "mode": "mode", "dimension": "mode", "tracker_link": "bug_tracker",
           "updated_date": "updated_date", "created_date": "created_date", "size": "size"}


@extend_schema_view(
    create=extend_schema(request=TaskWriteSerializer, responses={201: TaskReadSerializer}),
    partial_update=extend_schema(request=TaskWriteSerializer(partial=True), responses={
        200: TaskReadSerializer,
        409: error(409, "A field that cannot change once the task has data, or a project without its labels.")}),
)
class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, EditableResourceViewSet):
    serializer_class = TaskReadSerializer
    write_serializer_class = TaskWriteSerializer
    search_fields = {k: v for k, v in _FIELDS.items()
                     if k in {"name", "owner", "assignee", "project_name", "status", "subset", "mode"}}
    simple_filters = {k: v for k, v in _FIELDS.items() if k not in {"updated_date", "created_date", "dimension"}}
    filter_fields = _FIELDS
    ordering_fields = _FIELDS

    def visible(self, user: Any) -> Any:
        return perms.visible_tasks(user)

    def prepared(self, queryset: Any) -> Any:
        return (
            queryset
            .select_related("owner", "assignee", "project", "annotation_guide")
            .annotate(
                _jobs=Count("jobs", distinct=True),
                _jobs_completed=Count("jobs", filter=Q(jobs__state="completed", jobs__stage="acceptance"),
                                      distinct=True),
                _jobs_validation=Count("jobs", filter=Q(jobs__stage="validation"), distinct=True),
            )
        )

    def loaded(self, obj: Task) -> Task:
        """The task with the job counts the query annotated, as the read serializer takes them."""
        obj.job_counts = (obj._jobs, obj._jobs_completed, obj._jobs_validation)
        return obj

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        for task in page if page is not None else []:
            self.loaded(task)
        return page

    def get_object(self) -> Task:
        return self.loaded(super().get_object())

    def create_object(self, user: Any, data: dict[str, Any]) -> Task:
        return services.create_task(user, data, self.org_context)

    def update_object(self, user: Any, obj: Task, data: dict[str, Any]) -> None:
        services.update_task(user, obj, data)

    def check_delete(self, user: Any, obj: Task) -> None:
        perms.check_delete_task(user, obj)

    def delete_object(self, user: Any, obj: Task) -> None:
        services.delete_task(user, obj)

    @extend_schema(methods=["GET"], responses=TaskLayoutSerializer)
    @extend_schema(methods=["PATCH"], request=TaskLayoutWriteSerializer, responses=TaskLayoutSerializer)
    @action(detail=True, methods=["get", "patch"], url_path="validation_layout")
    def validation_layout(self, request: Request, pk: str) -> Response:
        task = self.get_object()
        if request.method == "PATCH":
            data = TaskLayoutWriteSerializer(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            return Response(validation.update_task_layout(request.user, task, dict(data.validated_data)))
        return Response(validation.task_layout(task))
