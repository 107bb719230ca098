"""Stored annotation objects.

One row per top-level object (a tag, a shape, or a track). The object itself is kept as
canonical JSON in ``data`` – exactly what the API returns, minus the ``id`` – so that
reading 100,000 shapes is a string concatenation, not 100,000 serializer calls. The
columns beside it exist for querying: the frame range (a job sees the objects that
intersect its frames) and the label (deleting a label deletes its objects).

Nested objects (skeleton elements, track keyframes) live inside their parent's JSON; their
ids come from :meth:`inklab.server.projects.models.Task.allocate_nested_ids`.
"""

from __future__ import annotations

from django.db import models

from inklab.server.projects.models import Label, Task

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

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["task", "frame"]), models.Index(fields=["task", "kind"])]
