"""Issues and comments.

An issue marks a region (``position``: flat ``[x1, y1, x2, y2, ...]`` image coordinates, a box
or a polygon) on one frame of a job; its first comment is the message it was opened with.
Deleting a job (or its task) deletes its issues and their comments.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from inklab.server.projects.models import Job

__all__ = ["Comment", "Issue"]


class Issue(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="issues")
    frame = models.PositiveIntegerField()
    position = models.JSONField(default=list)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    resolved = models.BooleanField(default=False)
    created_date = models.DateTimeField(default=timezone.now)
    updated_date = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["job", "frame"])]


class Comment(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="comments")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    message = models.TextField()
    created_date = models.DateTimeField(default=timezone.now)
    updated_date = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
