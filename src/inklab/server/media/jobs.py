"""Background entry points of the media app, and its housekeeping sweeps."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings

from inklab.server.errors import NotFound
from inklab.server.media import blobstore, tus
from inklab.server.media.ingest import DataParams, ingest
from inklab.server.media.services import CREATE_TASK
from inklab.server.media.storage import TaskStorage, last_change, sweep_stale_temp_files
from inklab.server.projects.models import Task
from inklab.server.requests.models import BackgroundRequest
from inklab.server.requests.progress import Progress
from inklab.server.requests.registry import handler, sweep
from inklab.vocabulary import RequestStatus


def _remove_unfinished(request: BackgroundRequest) -> None:
    """Cleanup of a task creation that did not finish: its uploads and extraction leftovers."""
    if request.task_id is not None and not Task.objects.filter(pk=request.task_id, has_data=True).exists():
        TaskStorage(request.task_id).remove_unfinished()


@handler(CREATE_TASK, lease_seconds=900, cleanup=_remove_unfinished)
def create_task_data(request: BackgroundRequest, progress: Progress) -> None:
    task = Task.objects.filter(pk=request.task_id).first()
    if task is None:
        raise NotFound(f"Task {request.task_id} was deleted before its data was processed.")
    ingest(task, DataParams.from_request(request.params), progress)
    BackgroundRequest.objects.filter(pk=request.pk).update(result_id=task.pk)


@sweep
def sweep_deleted_task_keys() -> int:
    """Remove from the shared media store the files of tasks that no longer exist (their deletion
    could not reach the store); returns how many tasks' files went."""
    tasks = Path(settings.MEDIA_ROOT) / "tasks"
    stored = {int(name) for name in blobstore.stored_names(tasks) if name.isdigit()}
    if not stored:
        return 0
    existing = set(Task.objects.filter(pk__in=stored).values_list("pk", flat=True))
    for pk in stored - existing:
        blobstore.forget_tree(tasks / str(pk))
    return len(stored - existing)


sweep(tus.sweep_abandoned_uploads)
sweep(sweep_stale_temp_files)


@sweep
def sweep_pending_task_uploads() -> int:
    """Remove the files collected for a task's data when nothing was added or finished for
    ``UPLOAD_TTL_SECONDS`` (the client gave up between Upload-Start and Upload-Finish)."""
    cutoff = time.time() - float(getattr(settings, "UPLOAD_TTL_SECONDS", 24 * 3600))
    busy = set(BackgroundRequest.objects.filter(operation=CREATE_TASK, status__in=[
        RequestStatus.QUEUED, RequestStatus.STARTED]).values_list("task_id", flat=True))
    removed = 0
    for task_id in Task.objects.filter(has_data=False).exclude(pk__in=busy).values_list("pk", flat=True):
        storage = TaskStorage(task_id)
        try:
            stale = storage.upload_dir.is_dir() and last_change(storage.upload_dir) < cutoff
        except OSError:
            continue
        if stale:
            storage.remove_unfinished()
            removed += 1
    return removed
