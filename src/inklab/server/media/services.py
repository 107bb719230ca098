"""Task data: the upload protocol, processing requests, meta, frames and chunks (no HTTP)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from inklab.server.api.strict import refuse_unknown
from inklab.server.errors import Conflict, Forbidden, InvalidInput, NotFound
from inklab.server.media import blobstore, tus
from inklab.server.media.ingest import DataParams
from inklab.server.media.models import Frame
from inklab.server.media.storage import TaskStorage
from inklab.server.projects import permissions as perms
from inklab.server.projects.models import Job, Task, touch
from inklab.server.projects.serializers import ValidationParamsSerializer
from inklab.server.projects.validation import NO_HONEYPOTS
from inklab.server.requests import queue
from inklab.server.requests.models import BackgroundRequest
from inklab.vocabulary import JobType, RequestStatus

__all__ = [
    "check_can_upload",
    "chunk_frames",
    "chunks_stamp",
    "frame",
    "hidden_frames",
    "job_chunk_frames",
    "meta",
    "request_processing",
    "save_client_files",
    "set_deleted_frames",
    "start_upload",
]

CREATE_TASK = "create:task"


def check_can_upload(user: Any, task: Task) -> None:
    perms.check_manage_task(user, task)
    if task.has_data:
        raise Conflict(f"Task {task.pk} already has data; its frames cannot be replaced.")
    busy = BackgroundRequest.objects.filter(
        operation=CREATE_TASK, task_id=task.pk, status__in=[RequestStatus.QUEUED, RequestStatus.STARTED])
    # A request whose worker died ends now, and no longer holds the task.
    if any(not queue.reap_if_lost(request) for request in busy):
        raise Conflict(f"The data of task {task.pk} is being processed already.")


def start_upload(user: Any, task: Task) -> None:
    """``Upload-Start``: begin collecting files for the task (dropping any earlier partial set)."""
    check_can_upload(user, task)
    TaskStorage(task.pk).reset_upload_dir()


def save_client_files(user: Any, task: Task, files: Iterable[Any]) -> int:
    """``Upload-Multiple``: add multipart files to the pending set; returns how many."""
    check_can_upload(user, task)
    # Earlier batches may have gone through servers on other machines: with their files here, the
    # arrival numbers in the stored names go on from theirs (no-op without a shared media store).
    blobstore.local_tree(TaskStorage(task.pk).upload_dir)
    count = 0
    for uploaded in files:
        tus.store_in_task(task.pk, uploaded.name, uploaded)
        count += 1
    return count


_DATA_FIELDS = {"image_quality", "chunk_size", "sorting_method", "start_frame", "stop_frame", "frame_filter",
                "upload_file_order", "job_file_mapping", "server_files", "remote_files", "use_zip_chunks",
                "use_cache", "copy_data", "storage_method", "storage", "validation_params", "cloud_storage_id"}
#: ``DataRequest`` fields of CVAT that inklab does not implement (refused when given a value)
_UNSUPPORTED_DATA = {
    "filename_pattern": "Selecting files by pattern is not supported by this server; list them in server_files.",
    "server_files_exclude": "Excluding server files is not supported by this server; list the files to use in "
                            "server_files.",
}


def request_processing(user: Any, task: Task, params: dict[str, Any]) -> BackgroundRequest:
    """``Upload-Finish`` (or a one-shot data request): queue the frame extraction."""
    check_can_upload(user, task)
    refuse_unknown(params, _DATA_FIELDS | set(_UNSUPPORTED_DATA), _UNSUPPORTED_DATA)
    if params.get("validation_params") not in (None, {}):
        validation = ValidationParamsSerializer(data=params["validation_params"])
        if isinstance(params["validation_params"], dict) and params["validation_params"].get("mode") == "gt_pool":
            raise InvalidInput({"validation_params": [NO_HONEYPOTS]})
        if not validation.is_valid():
            raise InvalidInput({"validation_params": validation.errors})
        params = {**params, "validation_params": dict(validation.validated_data)}
    parsed = DataParams.from_request(params)  # reject bad parameters now, with a 400
    storage = TaskStorage(task.pk)
    has_uploads = (storage.upload_dir.is_dir() and any(storage.upload_dir.iterdir())) or blobstore.holds(
        storage.upload_dir)
    if not (has_uploads or parsed.server_files or parsed.remote_files):
        raise InvalidInput("No files: upload client_files, or give server_files or remote_files.")
    if parsed.cloud_storage_id is not None:
        _check_cloud_source(user, parsed)
    clean = {k: v for k, v in params.items() if k in _DATA_FIELDS}
    with transaction.atomic():
        return queue.enqueue(user, CREATE_TASK, "task", params=clean, task_id=task.pk,
                             project_id=task.project_id)


def _check_cloud_source(user: Any, parsed: DataParams) -> None:
    """``cloud_storage_id``: a storage the user may use, reachable now, and the files to take from it."""
    from inklab.server.cloud import services as cloud
    from inklab.server.cloud.permissions import visible_storage

    if not parsed.server_files:
        raise InvalidInput({"server_files": ["List the files (or folders ending with '/', or manifests) to take "
                                             "from the cloud storage."]})
    try:
        storage = visible_storage(user, parsed.cloud_storage_id)
    except NotFound as exc:
        raise InvalidInput({"cloud_storage_id": [str(exc.detail)]}) from exc
    cloud.check(storage)


def chunks_stamp(task: Task, window: perms.FrameWindow = perms.WHOLE_TASK) -> datetime:
    """``chunks_updated_date`` as a reader with ``window`` sees it.

    Clients cache chunks under this date. A reader limited to some jobs gets chunks whose other
    frames are blanked (see :func:`hidden_frames`), so their date is moved by a few microseconds,
    a fixed amount per window: such chunks are never taken for the full ones, or for another
    window's.
    """
    stamp = task.chunks_updated_date
    if window.is_whole or stamp is None:
        return stamp
    shift = int.from_bytes(hashlib.sha256(repr(window.ranges).encode()).digest()[:8], "big")
    return stamp + timedelta(microseconds=1 + shift % 999_999)


def hidden_frames(frames: Sequence[Frame], window: perms.FrameWindow) -> frozenset[int]:
    """The numbers of ``frames`` (one chunk's) outside ``window``; :class:`Forbidden` if all are."""
    hidden = frozenset(f.number for f in frames if f.number not in window)
    if frames and len(hidden) == len(frames):
        raise Forbidden(f"That chunk holds none of the frames you may read (frames {frames[0].number}.."
                        f"{frames[-1].number}); read the chunks of your jobs.")
    return hidden


def meta(task: Task, job: Job | None = None, window: perms.FrameWindow = perms.WHOLE_TASK) -> dict[str, Any]:
    """``DataMetaRead`` of a task, or of a job (frames restricted to the job).

    Frames outside ``window`` (a reader limited to some jobs) are listed as deleted, without
    their names, so that clients neither ask for them nor learn about them.
    """
    frames = Frame.objects.filter(task=task)
    start, stop = (job.start_frame, job.stop_frame) if job else (0, max(task.size - 1, 0))
    if job is not None:
        frames = frames.filter(number__gte=start, number__lte=stop)
    rows = frames.order_by("number").values_list("number", "name", "width", "height")
    deleted = {f for f in task.deleted_frames if start <= f <= stop}
    if not window.is_whole and task.has_data:
        deleted.update(n for n in range(start, stop + 1) if n not in window)
    return {
        "chunks_updated_date": chunks_stamp(task, window),
        "chunk_size": task.chunk_size,
        "size": (stop - start + 1) if task.has_data else 0,
        "image_quality": task.image_quality,
        "start_frame": job.start_frame if job else task.start_frame,
        "stop_frame": job.stop_frame if job else task.stop_frame,
        "frame_filter": task.frame_filter,
        "frames": [{"width": w, "height": h, "name": name if number in window else "", "related_files": 0,
                    "has_related_context": False}
                   for number, name, w, h in rows] if task.has_data else [],
        "deleted_frames": sorted(deleted),
        # a ground-truth job holds only some frames of its range
        "included_frames": list(job.frames) if job is not None and job.type == JobType.GROUND_TRUTH else None,
        "storage": "local",
        "storage_method": "file_system",
        "cloud_storage_id": None,
        "chapters": None,
    }


@transaction.atomic
def set_deleted_frames(user: Any, task: Task, frames: Sequence[Any], job: Job | None = None) -> None:
    """Replace the set of deleted frames (of the whole task, or of the job's range)."""
    if job is not None:
        perms.check_annotate_job(user, job)
    else:
        perms.check_manage_task(user, task)
    if not isinstance(frames, list) or not all(isinstance(f, int) and not isinstance(f, bool) for f in frames):
        raise InvalidInput({"deleted_frames": ["Expected a list of frame numbers."]})
    start, stop = (job.start_frame, job.stop_frame) if job else (0, task.size - 1)
    bad = [f for f in frames if not start <= f <= stop]
    if bad:
        raise InvalidInput({"deleted_frames": [f"Frame {bad[0]} is outside {start}..{stop}."]})
    task = Task.objects.select_for_update().get(pk=task.pk)
    keep = [f for f in task.deleted_frames if not start <= f <= stop] if job else []
    task.deleted_frames = sorted(set(keep) | set(frames))
    task.save(update_fields=["deleted_frames"])
    touch(task, *Job.objects.filter(task=task, start_frame__lte=stop, stop_frame__gte=start))


def _check_has_data(task: Task) -> None:
    if not task.has_data:
        raise InvalidInput(f"Task {task.pk} has no data yet.")


def frame(task: Task, number: int, job: Job | None = None, window: perms.FrameWindow = perms.WHOLE_TASK) -> Frame:
    _check_has_data(task)
    start, stop = (job.start_frame, job.stop_frame) if job else (0, task.size - 1)
    if not start <= number <= stop:
        raise InvalidInput(f"Frame {number} is out of range {start}..{stop}.")
    if number not in window:
        raise Forbidden(f"Frame {number} is outside your jobs of task {task.pk}.")
    return Frame.objects.get(task=task, number=number)


def _frames(task: Task, start: int, stop: int) -> list[Frame]:
    return list(Frame.objects.filter(task=task, number__gte=start, number__lte=stop).order_by("number"))


def chunk_frames(task: Task, number: int) -> list[Frame]:
    """Frames of task chunk ``number`` (frames ``number*chunk_size`` onwards)."""
    _check_has_data(task)
    count = (task.size + task.chunk_size - 1) // task.chunk_size
    if not 0 <= number < count:
        raise InvalidInput(f"Chunk {number} is out of range 0..{count - 1}.")
    start = number * task.chunk_size
    return _frames(task, start, min(start + task.chunk_size, task.size) - 1)


def job_chunk_frames(job: Job, index: int) -> list[Frame]:
    """Frames of job-relative chunk ``index``."""
    task = job.task
    _check_has_data(task)
    count = (job.frame_count + task.chunk_size - 1) // task.chunk_size
    if not 0 <= index < count:
        raise InvalidInput(f"Chunk {index} is out of range 0..{count - 1} for job {job.pk}.")
    start = job.start_frame + index * task.chunk_size
    return _frames(task, start, min(start + task.chunk_size - 1, job.stop_frame))


