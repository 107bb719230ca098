"""A background request and its outcome, and the worker processes that run requests."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from inklab.vocabulary import RequestStatus, choices

__all__ = ["BackgroundRequest", "WorkerProcess"]


def _new_id() -> str:
    return str(uuid.uuid4())


class BackgroundRequest(models.Model):
    id = models.CharField(primary_key=True, max_length=64, default=_new_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    operation = models.CharField(max_length=64, help_text="e.g. create:task, export:dataset")
    target = models.CharField(max_length=16, help_text="project, task, job or function")
    project_id = models.BigIntegerField(null=True, blank=True)
    task_id = models.BigIntegerField(null=True, blank=True)
    job_id = models.BigIntegerField(null=True, blank=True)
    function_id = models.BigIntegerField(null=True, blank=True)
    format = models.CharField(max_length=64, null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)

    status = models.CharField(max_length=16, choices=choices(RequestStatus), default=RequestStatus.QUEUED)
    progress = models.FloatField(null=True, blank=True)
    message = models.TextField(blank=True, default="")
    cancel_requested = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=160, blank=True, default="", help_text="the worker thread running it")
    process = models.CharField(max_length=128, blank=True, default="", db_index=True,
                               help_text="the WorkerProcess running it (see inklab.server.requests.liveness)")
    lease_until = models.DateTimeField(null=True, blank=True)
    not_before = models.DateTimeField(null=True, blank=True,
                                      help_text="a queued request is not claimed before this time (a scheduled retry)")

    created_date = models.DateTimeField(default=timezone.now)
    started_date = models.DateTimeField(null=True, blank=True)
    finished_date = models.DateTimeField(null=True, blank=True)
    expiry_date = models.DateTimeField(null=True, blank=True)

    result_file = models.CharField(max_length=1024, blank=True, default="",
                                   help_text="path of the downloadable result, relative to the data dir")
    result_filename = models.CharField(max_length=255, blank=True, default="")
    result_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_date"]
        indexes = [
            models.Index(fields=["status", "created_date"]),
            models.Index(fields=["owner", "created_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.target} ({self.status})"

    @property
    def is_done(self) -> bool:
        return self.status in (RequestStatus.FINISHED, RequestStatus.FAILED)


class WorkerProcess(models.Model):
    """A process that runs background requests, alive while its ``heartbeat`` is recent.

    ``id`` is the process's identity (host name, PID and a random boot id, so a restarted
    process never takes over the rows of its predecessor); ``host`` identifies the machine
    and PID namespace, so that a process can tell that another one on the same machine is gone.
    """

    id = models.CharField(primary_key=True, max_length=128)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_date = models.DateTimeField(default=timezone.now)
    heartbeat = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["host"])]

    def __str__(self) -> str:
        return self.id
