"""``/api/quality/settings``, ``/api/quality/reports`` (with ``data``) and ``/api/quality/conflicts``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from inklab.server.api.filtering import JsonLogicFilter, SimpleFilter, SortFilter
from inklab.server.api.integers import query_int
from inklab.server.errors import InvalidInput, NotFound
from inklab.server.iam.permissions import is_admin
from inklab.server.quality import permissions as qperms
from inklab.server.quality import services
from inklab.server.quality.serializers import (
    ConflictSerializer,
    QualityReportCreateSerializer,
    QualityReportSerializer,
    QualitySettingsSerializer,
    QualitySettingsWriteSerializer,
)
from inklab.server.requests.models import BackgroundRequest
from inklab.vocabulary import RequestStatus

__all__ = ["ConflictViewSet", "QualityReportViewSet", "QualitySettingsViewSet"]


class _QualityViewSet(viewsets.GenericViewSet):
    filter_backends = [SimpleFilter, JsonLogicFilter, SortFilter]
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    default_ordering = ("id",)


class QualitySettingsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _QualityViewSet):
    """Quality settings of the tasks you manage (``?task_id=`` makes a task's settings if it has none)."""

    serializer_class = QualitySettingsSerializer
    simple_filters = {"task_id": "task_id"}
    filter_fields = {"id": "id", "task_id": "task_id"}
    ordering_fields = {"id": "id", "task_id": "task_id"}

    def get_queryset(self) -> Any:
        if self.action == "list":
            task_id = query_int(self.request, "task_id")
            if task_id is not None:
                services.settings_of(qperms.managed_task(self.request.user, task_id))
        return qperms.visible_settings(self.request.user)

    @extend_schema(request=QualitySettingsWriteSerializer, responses=QualitySettingsSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        settings = self.get_object()
        data = QualitySettingsWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.update_settings(request.user, settings, dict(data.validated_data))
        return Response(self.get_serializer(settings).data)


class QualityReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _QualityViewSet):
    """Quality reports of tasks (``target`` task) and of their jobs (``target`` job)."""

    serializer_class = QualityReportSerializer
    simple_filters = {"task_id": "task_id", "job_id": "job_id", "parent_id": "parent_id", "target": "target"}
    filter_fields = {"id": "id", **simple_filters, "created_date": "created_date"}
    ordering_fields = {"id": "id", "task_id": "task_id", "job_id": "job_id", "created_date": "created_date",
                       "target_last_updated": "target_last_updated", "gt_last_updated": "gt_last_updated"}
    default_ordering = ("-id",)

    def get_queryset(self) -> Any:
        return qperms.visible_reports(self.request.user).select_related("assignee")

    @extend_schema(operation_id="quality_retrieve_report")
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=QualityReportCreateSerializer, parameters=[OpenApiParameter("rq_id", str)],
                   responses={201: QualityReportSerializer, 202: None}, operation_id="quality_create_report")
    def create(self, request: Request) -> Response:
        """Ask for a task's report (202 with ``rq_id``); again with ``?rq_id=`` for the report
        (201 once computed, 202 while it is being computed)."""
        rq_id = request.query_params.get("rq_id")
        if rq_id is None:
            data = QualityReportCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            background = services.request_report(request.user, data.validated_data["task_id"])
            return Response({"rq_id": background.pk}, status=status.HTTP_202_ACCEPTED)
        queryset = BackgroundRequest.objects.filter(pk=rq_id, operation=services.CALCULATE_QUALITY)
        if not is_admin(request.user):
            queryset = queryset.filter(owner=request.user)
        background = queryset.first()
        if background is None:
            raise NotFound({"rq_id": [f"There is no quality request '{rq_id}' of yours."]})
        if background.status == RequestStatus.FAILED:
            raise InvalidInput(background.message or "The quality report could not be computed.")
        if background.status != RequestStatus.FINISHED or background.result_id is None:
            return Response({"rq_id": background.pk}, status=status.HTTP_202_ACCEPTED)
        report = self.get_queryset().filter(pk=background.result_id).first()
        if report is None:
            raise NotFound("The report of this request was deleted.")
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: dict}, operation_id="quality_retrieve_report_data")
    @action(detail=True, methods=["get"])
    def data(self, request: Request, pk: str) -> Response:
        """The report's details: the settings used and each compared frame's conflicts."""
        return Response(self.get_object().data)


class ConflictViewSet(mixins.ListModelMixin, _QualityViewSet):
    """Conflicts found by the reports you may see."""

    serializer_class = ConflictSerializer
    simple_filters = {"report_id": "report_id", "task_id": "report__task_id", "job_id": "report__job_id",
                      "frame": "frame", "type": "type", "severity": "severity"}
    filter_fields = {"id": "id", **simple_filters}
    ordering_fields = {"id": "id", "frame": "frame", "type": "type", "severity": "severity",
                       "report_id": "report_id"}

    def get_queryset(self) -> Any:
        return qperms.visible_conflicts(self.request.user)
