"""Remove a task's media when the task is deleted (after the transaction commits)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from inklab.server.media.storage import TaskStorage
from inklab.server.projects.models import Task


@receiver(post_delete, sender=Task, dispatch_uid="inklab-media-remove-task-files")
def remove_task_media(sender: type, instance: Task, **kwargs: Any) -> None:
    storage = TaskStorage(instance.pk)
    transaction.on_commit(storage.remove)
