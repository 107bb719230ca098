"""Quality settings and reports (no HTTP here).

A report compares the task's annotations with its ground-truth job on the ground-truth frames
that are not disabled (``validation_layout``): one report for the task, and a child report for
each annotation job with ground-truth frames, limited to them. Reports are computed by the
``calculate:quality`` background request, asked for by a manager or queued by
:mod:`.receivers` when the annotations of a task with reports change; each computation makes
new reports (the newest are the current ones, listed first).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from inklab.quality import (
    Annotation,
    ComparisonSettings,
    FrameComparison,
    PointSizeBase,
    compare_frame,
    summarize,
)
from inklab.server.annotations.models import AnnotationObject
from inklab.server.errors import InvalidInput
from inklab.server.media.models import Frame
from inklab.server.projects.models import Job, Task
from inklab.server.projects.validation import ground_truth_job
from inklab.server.quality import permissions as qperms
from inklab.server.quality.models import AnnotationConflict, QualityReport, QualitySettings
from inklab.server.quality.objects import objects_by_frame
from inklab.server.requests import queue
from inklab.server.requests.models import BackgroundRequest
from inklab.vocabulary import JobType

__all__ = ["CALCULATE_QUALITY", "compute_reports", "request_report", "settings_of", "update_settings"]

logger = logging.getLogger(__name__)

CALCULATE_QUALITY = "calculate:quality"

_COMPARISON_FIELDS = ("iou_threshold", "oks_sigma", "line_thickness", "low_overlap_threshold",
                      "compare_line_orientation", "line_orientation_threshold", "compare_groups",
                      "group_match_threshold", "check_covered_annotations", "object_visibility_threshold",
                      "panoptic_comparison", "compare_attributes", "empty_is_annotated")


def settings_of(task: Task) -> QualitySettings:
    """The task's settings, made with CVAT's defaults the first time they are asked for."""
    settings, _ = QualitySettings.objects.get_or_create(task=task)
    return settings


def update_settings(user: Any, settings: QualitySettings, data: dict[str, Any]) -> QualitySettings:
    qperms.managed_task(user, settings.task_id)
    for name, value in data.items():
        setattr(settings, name, value)
    settings.save()
    return settings


def comparison_settings(settings: QualitySettings) -> ComparisonSettings:
    values = {name: getattr(settings, name) for name in _COMPARISON_FIELDS}
    return ComparisonSettings(point_size_base=PointSizeBase(settings.point_size_base), **values)


def request_report(user: Any, task_id: int) -> BackgroundRequest:
    """Queue the computation of the reports of a task with a ground-truth job."""
    task = qperms.managed_task(user, task_id)
    gt = ground_truth_job(task)
    if gt is None:
        raise InvalidInput({"task_id": [f"Task {task.pk} has no ground-truth job to compare with; create one "
                                        "(POST /api/jobs with type ground_truth) first."]})
    with transaction.atomic():
        return queue.enqueue(user, CALCULATE_QUALITY, "task", task_id=task.pk, project_id=task.project_id)


def _rows(task: Task, layer: int | None, frames: set[int]) -> Any:
    low, high = min(frames), max(frames)
    return (AnnotationObject.objects.filter(task=task, job_id=layer, frame__lte=high, last_frame__gte=low)
            .values_list("id", "kind", "frame", "last_frame", "data").iterator(chunk_size=2000))


def _tracks_after(task: Task, layer: int | None, frames: set[int]) -> Any:
    """Tracks that start before the frames and end before them too (they last to the end)."""
    return (AnnotationObject.objects.filter(task=task, job_id=layer, kind="track", last_frame__lt=min(frames))
            .values_list("id", "kind", "frame", "last_frame", "data").iterator(chunk_size=2000))


def _objects(task: Task, layer: int | None, frames: set[int]) -> dict[int, list[Annotation]]:
    result = objects_by_frame(_rows(task, layer, frames), frames)
    for frame, items in objects_by_frame(_tracks_after(task, layer, frames), frames).items():
        result.setdefault(frame, []).extend(items)
    return result


def _conflict_json(conflict: Any, gt_job: int, job_of: Callable[[int], int | None]) -> dict[str, Any]:
    return {
        "frame": conflict.frame, "type": conflict.type.value, "severity": conflict.severity.value,
        "annotation_ids": [{"obj_id": ref.obj_id, "job_id": gt_job if ref.source == "gt" else job_of(conflict.frame),
                            "type": ref.kind, "shape_type": ref.shape_type} for ref in conflict.annotations],
    }


def _summary(results: list[FrameComparison], total_frames: int) -> dict[str, Any]:
    summary = summarize(results, total_frames)
    return {
        "frame_count": summary.frame_count, "frame_share": summary.frame_share,
        "conflict_count": summary.conflict_count, "warning_count": summary.warning_count,
        "error_count": summary.error_count, "conflicts_by_type": dict(summary.conflicts_by_type),
        "valid_count": summary.valid_count, "ds_count": summary.ds_count, "gt_count": summary.gt_count,
        "total_count": summary.total_count, "accuracy": summary.accuracy, "precision": summary.precision,
        "recall": summary.recall,
        # cvat_sdk 2.80's names of the frame counts
        "total_frames": total_frames, "validation_frames": summary.frame_count,
        "validation_frame_share": summary.frame_share,
    }


def _store(report: QualityReport, conflicts: list[dict[str, Any]]) -> None:
    AnnotationConflict.objects.bulk_create(
        [AnnotationConflict(report=report, frame=c["frame"], type=c["type"], severity=c["severity"],
                            annotation_ids=c["annotation_ids"]) for c in conflicts], batch_size=2000)


def compute_reports(task_id: int, progress: Callable[[float], None] | None = None) -> QualityReport:
    """Compare and store the task's reports; returns the task report."""
    task = Task.objects.get(pk=task_id)
    gt = ground_truth_job(task)
    if gt is None:
        raise InvalidInput(f"Task {task.pk} has no ground-truth job to compare with.")
    frames = set(gt.frames) - set(task.validation_disabled_frames) - set(task.deleted_frames)
    settings = settings_of(task)
    options = comparison_settings(settings)
    jobs = list(Job.objects.filter(task=task, type=JobType.ANNOTATION).order_by("start_frame"))

    def job_of(frame: int) -> int | None:
        return next((job.pk for job in jobs if job.start_frame <= frame <= job.stop_frame), None)

    results: list[FrameComparison] = []
    if frames:
        sizes = dict((n, (w, h)) for n, w, h in Frame.objects.filter(task=task, number__in=frames)
                     .values_list("number", "width", "height"))
        truth, checked = _objects(task, gt.pk, frames), _objects(task, None, frames)
        for index, frame in enumerate(sorted(frames)):
            results.append(compare_frame(frame, truth.get(frame, []), checked.get(frame, []), options,
                                         sizes.get(frame)))
            if progress is not None and index % 200 == 0:
                progress(0.9 * index / len(frames))
    conflicts = {r.frame: [_conflict_json(c, gt.pk, job_of) for c in r.conflicts] for r in results}
    now = timezone.now()
    parameters = {name: getattr(settings, name) for name in (*_COMPARISON_FIELDS, "point_size_base")}
    with transaction.atomic():
        report = QualityReport.objects.create(
            task=task, target="task", summary=_summary(results, task.size), created_date=now,
            target_last_updated=task.updated_date, gt_last_updated=gt.updated_date,
            data=_data(parameters, results, conflicts))
        _store(report, [c for frame in sorted(conflicts) for c in conflicts[frame]])
        for job in jobs:
            mine = [r for r in results if job.start_frame <= r.frame <= job.stop_frame]
            child = QualityReport.objects.create(
                task=task, job=job, parent=report, target="job", summary=_summary(mine, job.frame_count),
                created_date=now, target_last_updated=job.updated_date, gt_last_updated=gt.updated_date,
                assignee_id=job.assignee_id, data=_data(parameters, mine, conflicts))
            _store(child, [c for r in mine for c in conflicts[r.frame]])
    logger.info("Quality report %s of task %s: %s frames compared", report.pk, task.pk, len(results))
    return report


def _data(parameters: dict[str, Any], results: list[FrameComparison],
          conflicts: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "parameters": parameters,
        "comparison_summary": _summary(results, 0) | {"frames": [r.frame for r in results]},
        "frame_results": {str(r.frame): {"conflicts": conflicts[r.frame], "valid_count": r.valid_count,
                                         "gt_count": r.gt_count, "ds_count": r.ds_count} for r in results},
    }
