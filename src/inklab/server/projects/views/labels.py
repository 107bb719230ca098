"""``/api/labels``: top-level labels of a task, project or job, skeleton points nested."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response

from inklab.server.api.integers import query_int
from inklab.server.errors import InvalidInput, NotFound
from inklab.server.projects import permissions as perms
from inklab.server.projects.labels import apply_label_specs, labels_of, touch_label_users
from inklab.server.projects.models import Label
from inklab.server.projects.serializers import LabelSerializer, LabelWriteSerializer
from inklab.server.projects.views._base import ResourceViewSet

__all__ = ["LabelViewSet"]


class LabelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    serializer_class = LabelSerializer
    search_fields = {"name": "name"}
    simple_filters = {"name": "name", "type": "type", "color": "color"}
    filter_fields = {"id": "id", "name": "name", "type": "type", "parent": "parent__name", "color": "color"}
    ordering_fields = {"id": "id", "name": "name", "type": "type"}
    default_ordering = ("id",)

    def get_queryset(self) -> Any:
        user = self.request.user
        owner: Any = None
        if self.action == "list":
            for param, source in (("task_id", perms.visible_tasks), ("project_id", perms.visible_projects),
                                  ("job_id", perms.visible_jobs)):
                value = query_int(self.request, param)
                if value is not None:
                    owner = source(user).filter(pk=value).first()
                    if owner is None:
                        raise NotFound(f"{param[:-3].capitalize()} {value} does not exist or is not visible to you.")
                    if param == "job_id":
                        owner = owner.task
                    break
        queryset = labels_of(owner) if owner is not None else perms.visible_labels(user)
        if owner is None and self.action == "list":
            queryset = queryset.filter(parent__isnull=True)
        return queryset.prefetch_related(
            "attributes", Prefetch("sublabels", queryset=Label.objects.prefetch_related("attributes"))
        )

    @extend_schema(request=LabelWriteSerializer, responses=LabelSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        label = self.get_object()
        if label.parent_id is not None:
            raise InvalidInput("Change a skeleton point through its skeleton label.")
        owner = label.project or label.task
        self._check_manage(owner)
        data = LabelWriteSerializer(data={**request.data, "id": label.pk}, partial=True)
        data.is_valid(raise_exception=True)
        apply_label_specs(owner, [dict(data.validated_data)])
        return Response(LabelSerializer(self.get_object(), context=self.get_serializer_context()).data)

    def destroy(self, request: Request, pk: str) -> Response:
        label = self.get_object()
        if label.parent_id is not None:
            raise InvalidInput("Skeleton points cannot be deleted on their own.")
        owner = label.project or label.task
        self._check_manage(owner)
        label.delete()
        touch_label_users(owner)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _check_manage(self, owner: Any) -> None:
        from inklab.server.projects.models import Project

        if isinstance(owner, Project):
            perms.check_manage_project(self.request.user, owner)
        else:
            perms.check_manage_task(self.request.user, owner)
