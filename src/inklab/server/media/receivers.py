"""Remove a task's media when the task is deleted (after the transaction commits); apply a changed
``MAX_IMAGE_PIXELS`` setting (tests change it) to the pixel limit of the whole process."""

from __future__ import annotations

import logging
from typing import Any

from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from inklab.formats.pixels import set_max_pixels
from inklab.server.media.blobstore import MediaStoreError
from inklab.server.media.storage import TaskStorage
from inklab.server.projects.models import Task

logger = logging.getLogger(__name__)


@receiver(post_delete, sender=Task, dispatch_uid="inklab-media-remove-task-files")
def remove_task_media(sender: type, instance: Task, **kwargs: Any) -> None:
    storage = TaskStorage(instance.pk)

    def remove() -> None:
        try:
            storage.remove()
        except MediaStoreError:  # the task is gone: its keys stay behind, and the log says so
            logger.warning("The files of deleted task %s stay in the media store", instance.pk)

    transaction.on_commit(remove)


@receiver(setting_changed, dispatch_uid="inklab-media-pixel-limit")
def apply_pixel_limit(sender: type, setting: str, value: Any, **kwargs: Any) -> None:
    if setting == "MAX_IMAGE_PIXELS" and value is not None:
        set_max_pixels(value)
