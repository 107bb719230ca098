"""Keep stored annotation JSON consistent with label changes made by the projects app.

Each change of stored objects here also increases the annotation versions of the tasks
concerned, as every annotation write does (a queued import must not write over it).
"""

from __future__ import annotations

from typing import Any

import orjson
from django.db.models.signals import post_delete
from django.dispatch import receiver

from inklab.server.annotations.models import AnnotationObject
from inklab.server.annotations.services import bump_versions
from inklab.server.projects.models import AttributeSpec, Label, Task
from inklab.server.projects.signals import labels_remapped


def _rewrite(obj: dict[str, Any], labels: dict[int, int], attributes: dict[int, int]) -> None:
    """Map label and attribute ids through the mappings; drop values of unmapped attributes."""
    if "label_id" in obj:
        obj["label_id"] = labels.get(obj["label_id"], obj["label_id"])
    if "attributes" in obj:
        obj["attributes"] = [{**a, "spec_id": attributes[a["spec_id"]]}
                             for a in obj["attributes"] if a["spec_id"] in attributes]
    for key in ("elements", "shapes"):
        for child in obj.get(key, []):
            _rewrite(child, labels, attributes)


@receiver(labels_remapped, dispatch_uid="inklab-annotations-remap-labels")
def remap_labels(sender: type, task: Task, labels: dict[int, int], attributes: dict[int, int], **kwargs: Any) -> None:
    """A task moved between projects: rewrite its objects to the new label and attribute ids."""
    rows = []
    for row in AnnotationObject.objects.filter(task=task):
        obj = orjson.loads(row.data)
        if obj["label_id"] not in labels:
            continue  # the label does not exist in the destination; it is deleted with its objects
        _rewrite(obj, labels, attributes)
        row.label_id = obj["label_id"]
        row.data = orjson.dumps(obj).decode()
        rows.append(row)
    AnnotationObject.objects.bulk_update(rows, ["label", "data"], batch_size=2000)
    bump_versions([task.pk])


@receiver(post_delete, sender=AttributeSpec, dispatch_uid="inklab-annotations-drop-attribute")
def drop_attribute_values(sender: type, instance: AttributeSpec, **kwargs: Any) -> None:
    """An attribute was removed from a label: remove its values from stored objects."""
    parent_id = Label.objects.filter(pk=instance.label_id).values_list("parent_id", flat=True).first()
    top = parent_id or instance.label_id  # a skeleton point's values live in its skeleton's objects
    rows = []
    for row in AnnotationObject.objects.filter(label_id=top):
        obj = orjson.loads(row.data)
        _drop(obj, instance.pk)
        row.data = orjson.dumps(obj).decode()
        rows.append(row)
    AnnotationObject.objects.bulk_update(rows, ["data"], batch_size=2000)
    bump_versions({row.task_id for row in rows})


@receiver(post_delete, sender=Label, dispatch_uid="inklab-annotations-label-deleted")
def label_deleted(sender: type, instance: Label, **kwargs: Any) -> None:
    """A label went away, and its objects with it (by cascade)."""
    if instance.task_id is not None:
        bump_versions([instance.task_id])
    elif instance.project_id is not None:
        bump_versions(Task.objects.filter(project_id=instance.project_id).values_list("pk", flat=True))


def _drop(obj: dict[str, Any], spec_id: int) -> None:
    if "attributes" in obj:
        obj["attributes"] = [a for a in obj["attributes"] if a["spec_id"] != spec_id]
    for key in ("elements", "shapes"):
        for child in obj.get(key, []):
            _drop(child, spec_id)
