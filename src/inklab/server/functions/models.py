"""Native auto-annotation functions and the annotation requests queued for them.

A :class:`Function` is a registration: a name, a kind and what the function takes and gives:
the labels a detector can produce (``labels_v2``), the prompts an interactor needs
(``min_pos_points``, ``min_neg_points`` with -1 for "none allowed", ``startswith_box`` /
``startswith_box_optional``), the shape types a tracker follows (``supported_shape_types``),
as cvat-cli's ``function create-native`` sends them. The model itself runs elsewhere, in agent
processes (``cvat-cli function run-agent``, ``inklab function run-agent``) that watch the
function's queue; :class:`FunctionAgent` rows record the event streams they hold open.

An :class:`AnnotationRequest` asks for one task (or one job of it) to be annotated by a
function (category ``batch``), or for one answer on one frame (category ``interactive``: a
click for an interactor, a tracker step, a detector run on the frame shown; ``params`` holds
the call and ``result`` the agent's answer until the waiting caller takes it). Agents claim queued requests with a conditional ``UPDATE`` on the row (the same on
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

__all__ = ["AnnotationRequest", "Function", "FunctionAgent"]


def _new_request_id() -> str:
    return str(uuid.uuid4())


class Function(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    #: the organization it was registered in (its members may use it); None: its owner's workspace
    organization = models.ForeignKey("iam.Organization", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")
    name = models.CharField(max_length=256)
    description = models.TextField(blank=True, default="")
    provider = models.CharField(max_length=16, choices=choices(FunctionProvider), default=FunctionProvider.NATIVE)
    kind = models.CharField(max_length=16, choices=choices(FunctionKind), default=FunctionKind.DETECTOR)
    visibility = models.CharField(max_length=16, choices=choices(FunctionVisibility),
                                  default=FunctionVisibility.PRIVATE)
    labels_v2 = models.JSONField(default=list, blank=True,
                                 help_text="normalized label specs: name, type, attributes, sublabels")
    min_pos_points = models.PositiveSmallIntegerField(default=0, help_text="interactors: positive points needed")
    min_neg_points = models.SmallIntegerField(default=-1, help_text="interactors: negative points needed; "
                                                                    "-1: none allowed")
    startswith_box = models.BooleanField(default=False, help_text="interactors: a box is required")
    startswith_box_optional = models.BooleanField(default=False, help_text="interactors: a box is allowed")
    supported_shape_types = models.JSONField(default=list, blank=True, help_text="trackers: shape types")
    last_seen = models.DateTimeField(null=True, blank=True, help_text="the last call of one of its agents")
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
    params = models.JSONField(default=dict, blank=True, help_text="interactive: the call (type, frame, prompts)")
    result = models.JSONField(null=True, blank=True, help_text="interactive: the agent's answer")
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


class FunctionAgent(models.Model):
    """An event stream an agent holds open on a function's queue: the agents online.

    A stream renews ``alive_until`` with each keep-alive and deletes its row when it ends; a row
    whose process died expires by itself.
    """

    function = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="agents")
    stream_id = models.CharField(max_length=64, unique=True)
    opened_date = models.DateTimeField(default=timezone.now)
    alive_until = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["function", "alive_until"])]

    def __str__(self) -> str:
        return f"agent stream {self.stream_id} of {self.function}"
