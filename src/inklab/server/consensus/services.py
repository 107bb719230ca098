"""Consensus settings and merges (no HTTP here).

A merge takes, for each annotation job with replicas, every frame's objects in each replica
(tags and shapes; tracks are not merged), votes them with :func:`inklab.quality.merge_frame`
and writes the result as the job's annotations (replacing them), as its owner. It runs as the
``merge:consensus`` background request.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import orjson
from django.db import transaction

from inklab.quality import merge_frame
from inklab.server.annotations import services as annotation_services
from inklab.server.annotations.models import AnnotationObject
from inklab.server.consensus.models import ConsensusSettings
from inklab.server.errors import InvalidInput, NotFound
from inklab.server.media.models import Frame
from inklab.server.projects import permissions as perms
from inklab.server.projects.models import Job, Task
from inklab.server.quality.objects import objects_by_frame
from inklab.server.requests import queue
from inklab.server.requests.models import BackgroundRequest
from inklab.vocabulary import JobType

__all__ = ["MERGE_CONSENSUS", "merge", "request_merge", "settings_of", "update_settings"]

logger = logging.getLogger(__name__)

MERGE_CONSENSUS = "merge:consensus"


def settings_of(task: Task) -> ConsensusSettings:
    settings, _ = ConsensusSettings.objects.get_or_create(task=task)
    return settings


def update_settings(user: Any, settings: ConsensusSettings, data: dict[str, Any]) -> ConsensusSettings:
    perms.check_manage_task(user, settings.task)
    for name, value in data.items():
        setattr(settings, name, value)
    settings.save()
    return settings


def request_merge(user: Any, task_id: int | None, job_id: int | None) -> BackgroundRequest:
    """Queue the merge of a task's replicas, or of one annotation job's."""
    if (task_id is None) == (job_id is None):
        raise InvalidInput({"task_id": ["Give either task_id or job_id."]})
    if job_id is not None:
        try:
            job = perms.visible_job(user, job_id)
        except NotFound:
            raise NotFound({"job_id": [f"Job {job_id} does not exist or is not visible to you."]}) from None
        if job.type != JobType.ANNOTATION:
            raise InvalidInput({"job_id": ["Merge an annotation job (the parent of the replicas)."]})
        task = job.task
    else:
        try:
            task = perms.visible_task(user, task_id)
        except NotFound:
            raise NotFound({"task_id": [f"Task {task_id} does not exist or is not visible to you."]}) from None
    perms.check_manage_task(user, task)
    if not task.consensus_replicas:
        raise InvalidInput({"job_id" if job_id is not None else "task_id": [
            f"Task {task.pk} has no consensus replicas (create it with initial_replicas)."]})
    with transaction.atomic():
        return queue.enqueue(user, MERGE_CONSENSUS, "job" if job_id is not None else "task", task_id=task.pk,
                             job_id=job_id, project_id=task.project_id)


def _strip_ids(obj: dict[str, Any]) -> dict[str, Any]:
    obj = {k: v for k, v in obj.items() if k != "id"}
    if obj.get("elements"):
        obj["elements"] = [_strip_ids(e) for e in obj["elements"]]
    return obj


def _merge_job(user: Any, job: Job, settings: ConsensusSettings) -> int:
    frames = set(range(job.start_frame, job.stop_frame + 1))
    replicas = list(Job.objects.filter(parent_job=job, type=JobType.REPLICA).order_by("id"))
    stored: dict[int, tuple[str, dict[str, Any]]] = {}
    per_replica = []
    for replica in replicas:
        rows = list(AnnotationObject.objects.filter(task_id=job.task_id, job_id=replica.pk)
                    .exclude(kind="track").values_list("id", "kind", "frame", "last_frame", "data"))
        for obj_id, kind, _first, _last, data in rows:
            stored[obj_id] = (kind, orjson.loads(data))
        per_replica.append(objects_by_frame(rows, frames))
    sizes = dict((n, (w, h)) for n, w, h in Frame.objects.filter(task_id=job.task_id, number__in=frames)
                 .values_list("number", "width", "height"))
    payload: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for frame in sorted(frames):
        merged = merge_frame([by_frame.get(frame, []) for by_frame in per_replica],
                             iou_threshold=settings.iou_threshold, quorum=settings.quorum,
                             image_size=sizes.get(frame))
        for obj in merged:
            kind, data = stored[obj.id]
            payload["tags" if kind == "tag" else "shapes"].append(_strip_ids(data))
    body = {"tags": payload["tags"], "shapes": payload["shapes"], "tracks": []}
    annotation_services.write(user, annotation_services.Scope(job.task, job), body, "put")
    return len(body["tags"]) + len(body["shapes"])


def merge(request: BackgroundRequest, progress: Callable[[float], None] | None = None) -> int:
    """Merge the replicas of ``request``'s job, or of every annotation job of its task; returns
    the number of objects written."""
    task = Task.objects.filter(pk=request.task_id).first()
    if task is None:
        raise NotFound(f"Task {request.task_id} was deleted before its replicas were merged.")
    jobs = Job.objects.filter(task=task, type=JobType.ANNOTATION).order_by("start_frame")
    if request.job_id is not None:
        jobs = jobs.filter(pk=request.job_id)
    settings = settings_of(task)
    written = 0
    jobs_list = list(jobs.select_related("task"))
    for index, job in enumerate(jobs_list):
        written += _merge_job(request.owner, job, settings)
        if progress is not None:
            progress((index + 1) / max(len(jobs_list), 1))
    logger.info("Consensus merge of task %s (request %s): %s objects", task.pk, request.pk, written)
    return written
