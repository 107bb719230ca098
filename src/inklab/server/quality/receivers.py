"""Reports follow the annotations: when a task that has reports changes its annotations (or its
ground truth), a new computation is queued once the change is committed, unless one is already
waiting in the queue."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from inklab.server.annotations.signals import annotations_changed
from inklab.server.projects.models import Job
from inklab.server.quality.models import QualityReport
from inklab.server.quality.services import CALCULATE_QUALITY
from inklab.server.requests import queue
from inklab.server.requests.models import BackgroundRequest
from inklab.vocabulary import JobType, RequestStatus

__all__ = ["refresh_reports"]


def _refresh(task_id: int) -> None:
    if not QualityReport.objects.filter(task_id=task_id, parent__isnull=True).exists():
        return
    if not Job.objects.filter(task_id=task_id, type=JobType.GROUND_TRUTH).exists():
        return
    waiting = BackgroundRequest.objects.filter(operation=CALCULATE_QUALITY, task_id=task_id,
                                               status=RequestStatus.QUEUED)
    if waiting.exists():
        return
    with transaction.atomic():
        queue.enqueue(None, CALCULATE_QUALITY, "task", task_id=task_id, params={"automatic": True})


@receiver(annotations_changed)
def refresh_reports(sender: Any, task_id: int, **kwargs: Any) -> None:
    transaction.on_commit(lambda: _refresh(task_id))
