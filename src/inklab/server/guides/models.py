"""An annotation guide (of one project or one task) and the images it shows."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from inklab.server.projects.models import Project, Task

__all__ = ["AnnotationGuide", "GuideAsset"]


class AnnotationGuide(models.Model):
    """Markdown for the annotators of a project's tasks or of one task (exactly one of the two)."""

    project = models.OneToOneField(Project, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="annotation_guide")
    task = models.OneToOneField(Task, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="annotation_guide")
    markdown = models.TextField(blank=True, default="")
    created_date = models.DateTimeField(default=timezone.now)
    updated_date = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(project__isnull=True) ^ Q(task__isnull=True),
                                   name="guide_of_project_or_task"),
        ]

    def __str__(self) -> str:
        return f"guide of project {self.project_id}" if self.project_id else f"guide of task {self.task_id}"


class GuideAsset(models.Model):
    """An image of a guide, stored under ``<media>/assets/<uuid>`` and served as ``content_type``."""

    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    guide = models.ForeignKey(AnnotationGuide, on_delete=models.CASCADE, related_name="assets")
    filename = models.CharField(max_length=1024)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created_date = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_date"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.uuid})"

    @property
    def path(self) -> Path:
        return Path(settings.MEDIA_ROOT) / "assets" / str(self.uuid)
