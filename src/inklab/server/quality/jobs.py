"""The background entry point of quality reports."""

from __future__ import annotations

from inklab.server.errors import NotFound
from inklab.server.projects.models import Task
from inklab.server.quality.services import CALCULATE_QUALITY, compute_reports
from inklab.server.requests.models import BackgroundRequest
from inklab.server.requests.progress import Progress
from inklab.server.requests.registry import handler


@handler(CALCULATE_QUALITY, retry_lost=True)
def calculate_quality(request: BackgroundRequest, progress: Progress) -> None:
    """Compute the reports of ``request.task_id``; the task report's id is the result."""
    if not Task.objects.filter(pk=request.task_id).exists():
        raise NotFound(f"Task {request.task_id} was deleted before its quality was computed.")
    report = compute_reports(request.task_id, progress)
    BackgroundRequest.objects.filter(pk=request.pk).update(result_id=report.pk)
