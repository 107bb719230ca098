"""Projects, tasks, jobs and label specifications.

A task's frames are numbered ``0..size-1``; jobs cover inclusive frame ranges of a task
(``segment_size`` frames with ``overlap`` frames shared by neighbours). A task inside a
project uses the project's labels; a task on its own has labels of its own.

``updated_date`` of tasks and jobs is the client-side cache key of the CVAT SDK: it must
strictly increase on every visible change (see :func:`touch`).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone

from inklab.vocabulary import (
    ChunkType,
    InputType,
    JobStage,
    JobState,
    JobType,
    LabelType,
    MediaType,
    SortingMethod,
    StatusChoice,
    TaskMode,
    choices,
)

__all__ = ["AttributeSpec", "Job", "Label", "Project", "Task", "touch"]

_ONE_US = datetime.timedelta(microseconds=1)


def _next_stamp(previous: datetime.datetime | None) -> datetime.datetime:
    now = timezone.now()
    if previous is not None and now <= previous:
        return previous + _ONE_US
    return now


def touch(*objects: Any) -> None:
    """Bump ``updated_date`` of each object, strictly past its previous value, and save it."""
    for obj in objects:
        if obj is None:
            continue
        obj.updated_date = _next_stamp(obj.updated_date)
        type(obj).objects.filter(pk=obj.pk).update(updated_date=obj.updated_date)


class Project(models.Model):
    name = models.CharField(max_length=256)
    #: the team workspace it belongs to; None: its owner's personal workspace
    organization = models.ForeignKey("iam.Organization", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    assignee_updated_date = models.DateTimeField(null=True, blank=True)
    bug_tracker = models.CharField(max_length=2000, blank=True, default="")
    status = models.CharField(max_length=32, choices=choices(StatusChoice), default=StatusChoice.ANNOTATION)
    created_date = models.DateTimeField(default=timezone.now)
    updated_date = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    name = models.CharField(max_length=256)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    #: the team workspace (its project's, when it has one); None: the personal workspace. Jobs follow it.
    organization = models.ForeignKey("iam.Organization", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    assignee_updated_date = models.DateTimeField(null=True, blank=True)
    bug_tracker = models.CharField(max_length=2000, blank=True, default="")
    subset = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=32, choices=choices(StatusChoice), default=StatusChoice.ANNOTATION)
    overlap = models.PositiveIntegerField(null=True, blank=True)
    segment_size = models.PositiveIntegerField(default=0)
    created_date = models.DateTimeField(default=timezone.now)
    updated_date = models.DateTimeField(default=timezone.now)

    # Media, set once when data is attached.
    has_data = models.BooleanField(default=False)
    size = models.PositiveIntegerField(default=0)
    chunk_size = models.PositiveIntegerField(null=True, blank=True)
    image_quality = models.PositiveSmallIntegerField(default=70)
    sorting_method = models.CharField(max_length=16, choices=choices(SortingMethod),
                                      default=SortingMethod.LEXICOGRAPHICAL)
    start_frame = models.PositiveIntegerField(default=0)
    stop_frame = models.PositiveIntegerField(default=0)
    frame_filter = models.CharField(max_length=256, blank=True, default="")
    media_type = models.CharField(max_length=16, choices=choices(MediaType), default=MediaType.IMAGE)
    mode = models.CharField(max_length=16, choices=choices(TaskMode), default=TaskMode.ANNOTATION)
    original_chunk_type = models.CharField(max_length=16, choices=choices(ChunkType), default=ChunkType.IMAGESET)
    compressed_chunk_type = models.CharField(max_length=16, choices=choices(ChunkType),
                                             default=ChunkType.IMAGESET)
    chunks_updated_date = models.DateTimeField(default=timezone.now)
    deleted_frames = models.JSONField(default=list, blank=True)

    # Annotations: a version counter, and a counter for ids of nested objects (skeleton
    # elements, track keyframes), which live inside their parent's stored JSON.
    annotations_version = models.PositiveBigIntegerField(default=0)
    nested_id_seq = models.PositiveBigIntegerField(default=0)

    # Validation: "gt" while the task has a ground-truth job (empty: none), and the frames
    # excluded from quality checks.
    validation_mode = models.CharField(max_length=16, blank=True, default="")
    validation_disabled_frames = models.JSONField(default=list, blank=True)
    #: consensus: how many replica jobs each annotation job gets (0: none)
    consensus_replicas = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["project", "subset"])]

    def __str__(self) -> str:
        return self.name

    @property
    def label_owner(self) -> Project | Task:
        """The object whose labels this task uses."""
        return self.project if self.project_id else self

    def allocate_nested_ids(self, count: int) -> int:
        """Reserve ``count`` ids for nested objects; returns the first. Call inside a transaction."""
        if count <= 0:
            return 0
        Task.objects.filter(pk=self.pk).update(nested_id_seq=F("nested_id_seq") + count)
        self.nested_id_seq = Task.objects.values_list("nested_id_seq", flat=True).get(pk=self.pk)
        return self.nested_id_seq - count + 1


class Job(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="jobs")
    start_frame = models.PositiveIntegerField()
    stop_frame = models.PositiveIntegerField()
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    assignee_updated_date = models.DateTimeField(null=True, blank=True)
    stage = models.CharField(max_length=32, choices=choices(JobStage), default=JobStage.ANNOTATION)
    state = models.CharField(max_length=32, choices=choices(JobState), default=JobState.NEW)
    type = models.CharField(max_length=32, choices=choices(JobType), default=JobType.ANNOTATION)
    created_date = models.DateTimeField(default=timezone.now)
    updated_date = models.DateTimeField(default=timezone.now)
    #: increases with every change of the annotations on the job's frames (the task's counter
    #: increases with every change anywhere in the task)
    annotations_version = models.PositiveBigIntegerField(default=0)
    #: a ground-truth job's frames, ascending (``start_frame``/``stop_frame`` are the first and
    #: last of them); empty for annotation jobs, which hold every frame of their range
    frames = models.JSONField(default=list, blank=True)
    #: a consensus replica's annotation job (replicas cover its frames, each with its own layer)
    parent_job = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replicas")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["task", "start_frame"])]

    @property
    def frame_count(self) -> int:
        if self.type == JobType.GROUND_TRUTH:
            return len(self.frames)
        return self.stop_frame - self.start_frame + 1

    def frame_numbers(self) -> list[int]:
        """The task frames this job holds, ascending."""
        if self.type == JobType.GROUND_TRUTH:
            return list(self.frames)
        return list(range(self.start_frame, self.stop_frame + 1))

    @property
    def status(self) -> str:
        if self.state == JobState.COMPLETED and self.stage == JobStage.ACCEPTANCE:
            return StatusChoice.COMPLETED
        return StatusChoice.VALIDATION if self.stage == JobStage.VALIDATION else StatusChoice.ANNOTATION


class Label(models.Model):
    """A label of a project or of a task; skeleton keypoints are labels with a ``parent``."""

    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="labels")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="labels")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="sublabels")
    name = models.CharField(max_length=64)
    type = models.CharField(max_length=16, choices=choices(LabelType), default=LabelType.ANY)
    color = models.CharField(max_length=16, blank=True, default="")
    svg = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], condition=models.Q(parent__isnull=True),
                                    name="label_unique_in_project"),
            models.UniqueConstraint(fields=["task", "name"], condition=models.Q(parent__isnull=True),
                                    name="label_unique_in_task"),
            models.UniqueConstraint(fields=["parent", "name"], name="sublabel_unique_in_skeleton"),
        ]

    def __str__(self) -> str:
        return self.name


class AttributeSpec(models.Model):
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="attributes")
    name = models.CharField(max_length=64)
    mutable = models.BooleanField(default=False)
    input_type = models.CharField(max_length=16, choices=choices(InputType))
    default_value = models.CharField(max_length=128, blank=True, default="")
    values = models.JSONField(default=list)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["label", "name"], name="attribute_unique_in_label")]

    def __str__(self) -> str:
        return self.name
