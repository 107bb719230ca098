"""``/api/projects``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from inklab.server.projects import permissions as perms
from inklab.server.projects import services
from inklab.server.projects.models import Project
from inklab.server.projects.serializers import ProjectReadSerializer, ProjectWriteSerializer
from inklab.server.projects.views._base import EditableResourceViewSet

__all__ = ["ProjectViewSet"]

_FIELDS = {"id": "id", "name": "name", "owner": "owner__username", "assignee": "assignee__username",
           "status": "status", "updated_date": "updated_date", "created_date": "created_date"}


@extend_schema_view(
    create=extend_schema(request=ProjectWriteSerializer, responses={201: ProjectReadSerializer}),
    partial_update=extend_schema(request=ProjectWriteSerializer(partial=True), responses=ProjectReadSerializer),
)
class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, EditableResourceViewSet):
    serializer_class = ProjectReadSerializer
    write_serializer_class = ProjectWriteSerializer
    search_fields = {k: v for k, v in _FIELDS.items() if k in {"name", "owner", "assignee", "status"}}
    simple_filters = {"name": "name", "owner": "owner__username", "assignee": "assignee__username",
                      "status": "status", "id": "id"}
    filter_fields = _FIELDS
    ordering_fields = _FIELDS

    def visible(self, user: Any) -> Any:
        return perms.visible_projects(user)

    def prepared(self, queryset: Any) -> Any:
        return queryset.select_related("owner", "assignee", "annotation_guide").annotate(task_count=Count("tasks", distinct=True))

    def create_object(self, user: Any, data: dict[str, Any]) -> Project:
        return services.create_project(user, data, self.org_context)

    def update_object(self, user: Any, obj: Project, data: dict[str, Any]) -> None:
        services.update_project(user, obj, data)

    def check_delete(self, user: Any, obj: Project) -> None:
        perms.check_delete_project(user, obj)

    def delete_object(self, user: Any, obj: Project) -> None:
        services.delete_project(user, obj)
