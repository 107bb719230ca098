"""Native auto-annotation functions and the annotation requests queued for them.

A :class:`Function` is a registration: a name, a kind and the labels the function can
produce (``labels_v2``, as cvat-cli's ``function create-native`` sends them). The model itself
runs elsewhere, in agent processes (``cvat-cli function run-agent``, ``inklab function
run-agent``) that poll the function's queue.

An :class:`AnnotationRequest` asks for one task (or one job of it) to be annotated by a
function. Agents claim queued requests with a conditional ``UPDATE`` on the row (the same on
SQLite and PostgreSQL, no Redis), hold them under a lease that each progress report renews,
and complete them with the annotations, which the server writes into the task.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from inklab.server.projects.models import Job, Task
from inklab.vocabulary import (
    FunctionKind,
    FunctionProvider,
    FunctionVisibility,
    RequestCategory,
    RequestStatus,
    choices,
)

__all__ = ["AnnotationRequest", "Function"]


def _new_request_id() -> str:
    return str(uuid.uuid4())


class Function(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    name = models.CharField(max_length=256)
    description = models.TextField(blank=True, default="")
    provider = models.CharField(max_length=16, choices=choices(FunctionProvider), default=FunctionProvider.NATIVE)
    kind = models.CharField(max_length=16, choices=choices(FunctionKind), default=FunctionKind.DETECTOR)
    visibility = models.CharField(max_length=16, choices=choices(FunctionVisibility),
                                  default=FunctionVisibility.PRIVATE)
    labels_v2 = models.JSONField(default=list, blank=True,
                                 help_text="normalized label specs: name, type, attributes, sublabels")
    created_date = models.DateTimeField(default=timezone.now)
    updated_date = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.name} (#{self.pk})"

    @property
    def queue_id(self) -> str:
        return f"function:{self.pk}"


class AnnotationRequest(models.Model):
    """A request to annotate a task (or a job) with a function; ``id`` is the agents' ``ar_id``."""

    id = models.CharField(primary_key=True, max_length=64, default=_new_request_id, editable=False)
    function = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="requests")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=16, choices=choices(RequestCategory), default=RequestCategory.BATCH)
    threshold = models.FloatField(null=True, blank=True)
    mapping = models.JSONField(default=dict, blank=True,
                               help_text="function label name -> {name, attributes, sublabels} of the task")
    cleanup = models.BooleanField(default=False, help_text="replace existing annotations instead of adding")
    conv_mask_to_poly = models.BooleanField(default=False)

    status = models.CharField(max_length=16, choices=choices(RequestStatus), default=RequestStatus.QUEUED)
    progress = models.FloatField(default=0.0)
    message = models.TextField(blank=True, default="")
    agent_id = models.CharField(max_length=128, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_date = models.DateTimeField(default=timezone.now)
    started_date = models.DateTimeField(null=True, blank=True)
    finished_date = models.DateTimeField(null=True, blank=True)
    result_tags = models.PositiveIntegerField(default=0)
    result_shapes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_date"]
        indexes = [
            models.Index(fields=["function", "status", "created_date"]),
            models.Index(fields=["owner", "created_date"]),
            models.Index(fields=["status", "lease_until"]),
        ]

    def __str__(self) -> str:
        return f"{self.function} on task {self.task_id} ({self.status})"

    @property
    def is_done(self) -> bool:
        return self.status in (RequestStatus.FINISHED, RequestStatus.FAILED)
