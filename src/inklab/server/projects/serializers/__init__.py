"""Serializers of projects, tasks, jobs and labels, one module per resource."""

from inklab.server.projects.serializers.jobs import JobReadSerializer, JobWriteSerializer
from inklab.server.projects.serializers.labels import LabelSerializer, LabelWriteSerializer
from inklab.server.projects.serializers.projects import ProjectReadSerializer, ProjectWriteSerializer
from inklab.server.projects.serializers.tasks import TaskReadSerializer, TaskWriteSerializer
from inklab.server.projects.serializers.validation import (
    JobCreateSerializer,
    JobLayoutSerializer,
    JobLayoutWriteSerializer,
    TaskLayoutSerializer,
    TaskLayoutWriteSerializer,
    ValidationParamsSerializer,
)

__all__ = [
    "JobCreateSerializer",
    "JobLayoutSerializer",
    "JobLayoutWriteSerializer",
    "JobReadSerializer",
    "JobWriteSerializer",
    "LabelSerializer",
    "LabelWriteSerializer",
    "ProjectReadSerializer",
    "ProjectWriteSerializer",
    "TaskLayoutSerializer",
    "TaskLayoutWriteSerializer",
    "TaskReadSerializer",
    "TaskWriteSerializer",
    "ValidationParamsSerializer",
]
