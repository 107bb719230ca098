"""``/api/jobs``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from inklab.server.projects import permissions as perms
from inklab.server.projects import services, validation
from inklab.server.projects.serializers import (
    JobCreateSerializer,
    JobLayoutSerializer,
    JobLayoutWriteSerializer,
    JobReadSerializer,
    JobWriteSerializer,
)
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
        return (self.in_context(perms.visible_jobs(self.request.user))
                .select_related("task", "task__project", "assignee", "task__annotation_guide",
                                "task__project__annotation_guide")
                .annotate(issue_count=Count("issues")))

    @extend_schema(request=JobWriteSerializer, responses=JobReadSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        job = self.get_object()
        data = JobWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.update_job(request.user, job, dict(data.validated_data))
        return Response(JobReadSerializer(self.get_object(), context=self.get_serializer_context()).data)

    @extend_schema(request=JobCreateSerializer, responses={201: JobReadSerializer})
    def create(self, request: Request) -> Response:
        """Create the ground-truth job of a task."""
        data = JobCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = validation.create_ground_truth_job(request.user, dict(data.validated_data))
        read = self.get_queryset().get(pk=job.pk)
        return Response(JobReadSerializer(read, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, pk: str) -> Response:
        """Delete a ground-truth job (annotation jobs cannot be deleted)."""
        validation.delete_job(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], responses=JobLayoutSerializer)
    @extend_schema(methods=["PATCH"], request=JobLayoutWriteSerializer, responses=JobLayoutSerializer)
    @action(detail=True, methods=["get", "patch"], url_path="validation_layout")
    def validation_layout(self, request: Request, pk: str) -> Response:
        job = self.get_object()
        if request.method == "PATCH":
            perms.check_manage_task(request.user, job.task)
            data = JobLayoutWriteSerializer(data=request.data, partial=True)
            data.is_valid(raise_exception=True)  # every field asks for honeypots: refused
        return Response(validation.job_layout(job))
