"""Background entry points of the media app."""

from __future__ import annotations

from inklab.server.errors import NotFound
from inklab.server.media.ingest import DataParams, ingest
from inklab.server.projects.models import Task
from inklab.server.requests.models import BackgroundRequest
from inklab.server.requests.progress import Progress
from inklab.server.requests.registry import handler


@handler("create:task", lease_seconds=900)
def create_task_data(request: BackgroundRequest, progress: Progress) -> None:
    task = Task.objects.filter(pk=request.task_id).first()
    if task is None:
        raise NotFound(f"Task {request.task_id} was deleted before its data was processed.")
    ingest(task, DataParams.from_request(request.params), progress)
    BackgroundRequest.objects.filter(pk=request.pk).update(result_id=task.pk)
