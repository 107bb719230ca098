"""Stored annotation objects.

One row per top-level object (a tag, a shape, or a track). The object itself is kept as
canonical JSON in ``data`` – exactly what the API returns, minus the ``id`` – so that
reading 100,000 shapes is a string concatenation, not 100,000 serializer calls. The
columns beside it exist for querying: the frame range (a job sees the objects that
intersect its frames) and the label (deleting a label deletes its objects). Objects of a
ground-truth job or of a consensus replica are a layer of their own (``job`` set), apart from
the task's annotations (``job`` null): reading or writing such a job sees only its layer,
everything else only the task's.

Nested objects (skeleton elements, track keyframes) live inside their parent's JSON; their
ids come from :meth:`inklab.server.projects.models.Task.allocate_nested_ids`.
"""

from __future__ import annotations

from django.db import models

from inklab.server.projects.models import Job, Label, Task

__all__ = ["AnnotationObject", "Kind"]


class Kind(models.TextChoices):
    TAG = "tag"
    SHAPE = "shape"
    TRACK = "track"


class AnnotationObject(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="annotation_objects")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    frame = models.PositiveIntegerField(help_text="the object's frame; a track's first keyframe")
    last_frame = models.PositiveIntegerField(help_text="equal to frame, except for tracks")
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="+")
    data = models.TextField(help_text="canonical JSON of the object, without its id")
    #: the ground-truth or replica job whose own layer holds the object; null for the task's annotations
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                            help_text="the ground-truth job this object belongs to; null: the task's annotations")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["task", "frame"]), models.Index(fields=["task", "kind"])]
