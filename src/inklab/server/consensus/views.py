"""``/api/consensus/settings`` and ``/api/consensus/merges``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from inklab.server.api.filtering import JsonLogicFilter, SimpleFilter, SortFilter
from inklab.server.api.integers import query_int
from inklab.server.consensus import services
from inklab.server.consensus.models import ConsensusSettings
from inklab.server.consensus.serializers import (
    ConsensusMergeSerializer,
    ConsensusSettingsSerializer,
    ConsensusSettingsWriteSerializer,
)
from inklab.server.errors import NotFound
from inklab.server.projects import permissions as perms

__all__ = ["ConsensusMergeViewSet", "ConsensusSettingsViewSet"]


class ConsensusSettingsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Consensus settings of the tasks you may see (``?task_id=`` makes a task's if it has none)."""

    serializer_class = ConsensusSettingsSerializer
    filter_backends = [SimpleFilter, JsonLogicFilter, SortFilter]
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "patch", "head", "options"]
    simple_filters = {"task_id": "task_id"}
    filter_fields = {"id": "id", "task_id": "task_id"}
    ordering_fields = {"id": "id", "task_id": "task_id"}
    default_ordering = ("id",)

    def get_queryset(self) -> Any:
        user = self.request.user
        if self.action == "list":
            task_id = query_int(self.request, "task_id")
            if task_id is not None:
                try:
                    services.settings_of(perms.visible_task(user, task_id))
                except NotFound:
                    raise NotFound({"task_id": [f"Task {task_id} does not exist or is not visible to you."]}) \
                        from None
        return ConsensusSettings.objects.filter(task__in=perms.visible_tasks(user).values("pk"))

    @extend_schema(request=ConsensusSettingsWriteSerializer, responses=ConsensusSettingsSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        settings = self.get_object()
        data = ConsensusSettingsWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.update_settings(request.user, settings, dict(data.validated_data))
        return Response(self.get_serializer(settings).data)


class ConsensusMergeViewSet(viewsets.GenericViewSet):
    """Merge replicas into their annotation jobs (a background request: 202 with ``rq_id``)."""

    serializer_class = ConsensusMergeSerializer
    http_method_names = ["post", "options"]

    @extend_schema(request=ConsensusMergeSerializer, responses={202: None}, operation_id="consensus_create_merge")
    def create(self, request: Request) -> Response:
        data = ConsensusMergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        background = services.request_merge(request.user, data.validated_data.get("task_id"),
                                            data.validated_data.get("job_id"))
        return Response({"rq_id": background.pk}, status=status.HTTP_202_ACCEPTED)
