"""Frames of a task and resumable (TUS) uploads."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from inklab.server.projects.models import Task

__all__ = ["Frame", "Upload"]


class Frame(models.Model):
    """One frame of a task: its name as uploaded, its size, and where its bytes are stored."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="frames")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=1024)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    #: file name under the task's frames directory (original bytes)
    file = models.CharField(max_length=64)
    mime_type = models.CharField(max_length=32, default="image/jpeg")

    class Meta:
        ordering = ["task", "number"]
        constraints = [models.UniqueConstraint(fields=["task", "number"], name="frame_unique_number")]

    def __str__(self) -> str:
        return f"{self.task_id}/{self.number}: {self.name}"


class Upload(models.Model):
    """A file being uploaded with the TUS protocol (``Upload-Length`` bytes in total).

    ``scope`` names what the file is for, e.g. ``task-data:7`` or ``import:42`` (the owner's
    import area); the finished file is moved there and the row is deleted.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=64)
    filename = models.CharField(max_length=255)
    length = models.PositiveBigIntegerField()
    offset = models.PositiveBigIntegerField(default=0)
    created_date = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["scope"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.offset}/{self.length})"
