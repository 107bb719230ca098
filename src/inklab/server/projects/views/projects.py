"""``/api/projects``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response

from inklab.server.projects import permissions as perms
from inklab.server.projects import services
from inklab.server.projects.models import Project
from inklab.server.projects.serializers import ProjectReadSerializer, ProjectWriteSerializer
from inklab.server.projects.views._base import ResourceViewSet

__all__ = ["ProjectViewSet"]

_FIELDS = {"id": "id", "name": "name", "owner": "owner__username", "assignee": "assignee__username",
           "status": "status", "updated_date": "updated_date", "created_date": "created_date"}


class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    serializer_class = ProjectReadSerializer
    search_fields = {k: v for k, v in _FIELDS.items() if k in {"name", "owner", "assignee", "status"}}
    simple_filters = {"name": "name", "owner": "owner__username", "assignee": "assignee__username",
                      "status": "status", "id": "id"}
    filter_fields = _FIELDS
    ordering_fields = _FIELDS

    def get_queryset(self) -> Any:
        return (perms.visible_projects(self.request.user)
                .select_related("owner", "assignee").annotate(task_count=Count("tasks", distinct=True)))

    @extend_schema(request=ProjectWriteSerializer, responses={201: ProjectReadSerializer})
    def create(self, request: Request) -> Response:
        data = ProjectWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.create_project(request.user, dict(data.validated_data))
        return Response(self._read(project), status=status.HTTP_201_CREATED)

    @extend_schema(request=ProjectWriteSerializer(partial=True), responses=ProjectReadSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        data = ProjectWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.update_project(request.user, project, dict(data.validated_data))
        return Response(self._read(project))

    def destroy(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        perms.check_delete_project(request.user, project)
        project.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _read(self, project: Project) -> Any:
        return ProjectReadSerializer(self.get_queryset().get(pk=project.pk),
                                     context=self.get_serializer_context()).data
