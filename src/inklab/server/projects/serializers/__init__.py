"""Serializers of projects, tasks, jobs and labels, one module per resource."""

from inklab.server.projects.serializers.jobs import JobReadSerializer, JobWriteSerializer
from inklab.server.projects.serializers.labels import LabelSerializer, LabelWriteSerializer
from inklab.server.projects.serializers.projects import ProjectReadSerializer, ProjectWriteSerializer
from inklab.server.projects.serializers.tasks import TaskReadSerializer, TaskWriteSerializer

__all__ = [
    "JobReadSerializer",
    "JobWriteSerializer",
    "LabelSerializer",
    "LabelWriteSerializer",
    "ProjectReadSerializer",
    "ProjectWriteSerializer",
    "TaskReadSerializer",
    "TaskWriteSerializer",
]
