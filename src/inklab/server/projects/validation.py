"""Ground-truth jobs and a task's validation layout (no HTTP here).

A task may have one **ground-truth job** (``type=ground_truth``): a set of its frames, chosen by

* ``manual``: the listed frames (frame numbers; file names in a task's ``validation_params``);
* ``random_uniform``: ``frame_count`` frames, or ``frame_share`` of the frames (at least one),
  drawn uniformly from the task;
* ``random_per_job``: ``frames_per_job_count`` frames (or ``frames_per_job_share`` of each job,
  at least one) drawn from each annotation job.

Random draws are reproducible: the same ``random_seed`` gives the same frames. Deleted frames
are never drawn. The job's ``start_frame``/``stop_frame`` are its first and last frame; its
annotations are a layer of their own (see :mod:`inklab.server.annotations.models`). While the
job exists the task's ``validation_mode`` is ``gt``; ``disabled_frames`` of the layout are
left out of quality reports. Honeypots (``gt_pool``) are not implemented: asking for them is a
400, as is any option that does not apply to the chosen method.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from inklab.server.errors import Conflict, InvalidInput, NotFound
from inklab.server.projects import permissions as perms
from inklab.server.projects.models import Job, Task, touch
from inklab.server.projects.signals import changed
from inklab.vocabulary import FrameSelectionMethod, JobType, ValidationMode

__all__ = [
    "NO_HONEYPOTS",
    "FrameSelection",
    "create_ground_truth_job",
    "create_validation_job",
    "delete_job",
    "ground_truth_job",
    "job_layout",
    "select_frames",
    "task_layout",
    "update_task_layout",
]

NO_HONEYPOTS = "Honeypots (validation mode 'gt_pool') are not supported by this server; use mode 'gt'."

_METHOD_FIELDS = {
    FrameSelectionMethod.MANUAL: {"frames"},
    FrameSelectionMethod.RANDOM_UNIFORM: {"frame_count", "frame_share", "random_seed"},
    FrameSelectionMethod.RANDOM_PER_JOB: {"frames_per_job_count", "frames_per_job_share", "random_seed"},
}


@dataclass(frozen=True)
class FrameSelection:
    """How to choose a ground-truth job's frames (validated serializer data, ``seed`` folded into
    ``random_seed``). ``frames`` holds numbers, or file names when ``by_name``."""

    method: FrameSelectionMethod
    frames: tuple[Any, ...] = ()
    frame_count: int | None = None
    frame_share: float | None = None
    frames_per_job_count: int | None = None
    frames_per_job_share: float | None = None
    random_seed: int | None = None
    by_name: bool = False

    @classmethod
    def from_data(cls, data: Mapping[str, Any], *, by_name: bool = False) -> FrameSelection:
        """Check that the fields fit the method; :class:`InvalidInput` names those that do not."""
        if "frame_selection_method" not in data:
            raise InvalidInput({"frame_selection_method": ["This field is required."]})
        method = FrameSelectionMethod(data["frame_selection_method"])
        values = {k: v for k, v in data.items() if v is not None}
        if "seed" in values:
            values.setdefault("random_seed", values.pop("seed"))
        given = set(values) & set().union(*_METHOD_FIELDS.values())
        wrong = sorted(given - _METHOD_FIELDS[method])
        if wrong:
            raise InvalidInput({name: [f"Not applicable to the '{method}' frame selection method."]
                                for name in wrong})
        if method == FrameSelectionMethod.MANUAL:
            frames = tuple(values.get("frames") or ())
            if not frames:
                raise InvalidInput({"frames": ["List the frames of the 'manual' frame selection method."]})
            if len(set(frames)) != len(frames):
                raise InvalidInput({"frames": ["The frames must not repeat."]})
            return cls(method, frames=frames, by_name=by_name)
        count_name, share_name = (("frame_count", "frame_share") if method == FrameSelectionMethod.RANDOM_UNIFORM
                                  else ("frames_per_job_count", "frames_per_job_share"))
        if (count_name in values) == (share_name in values):
            raise InvalidInput({count_name: [f"Give exactly one of '{count_name}' and '{share_name}'."]})
        share = values.get(share_name)
        if share is not None and not (0 < share <= 1):
            raise InvalidInput({share_name: ["A share must be greater than 0 and at most 1."]})
        return cls(method, random_seed=values.get("random_seed"),
                   **{count_name: values.get(count_name), share_name: share})


def _share(share: float, total: int) -> int:
    return max(1, math.floor(share * total + 1e-9))


def select_frames(selection: FrameSelection, candidates: Sequence[int], job_ranges: Sequence[tuple[int, int]],
                  names: Mapping[str, int] | None = None) -> list[int]:
    """The chosen frames, ascending, among ``candidates`` (the task's frames that are not
    deleted); ``job_ranges`` are the annotation jobs' inclusive ranges, ``names`` maps file
    names to frame numbers (for a selection ``by_name``)."""
    available = sorted(set(candidates))
    if not available:
        raise InvalidInput("The task has no frames to choose ground-truth frames from.")
    if selection.method == FrameSelectionMethod.MANUAL:
        chosen: list[int] = []
        allowed = set(available)
        for item in selection.frames:
            if selection.by_name:
                if names is None or item not in names:
                    raise InvalidInput({"frames": [f"There is no frame named '{item}' in the task."]})
                item = names[item]
            if item not in allowed:
                raise InvalidInput({"frames": [f"Frame {item} is not a frame of the task (0-{available[-1]}), or "
                                               "it is deleted."]})
            chosen.append(item)
        return sorted(chosen)
    seed = selection.random_seed if selection.random_seed is not None else random.SystemRandom().getrandbits(64)
    rng = random.Random(seed)
    if selection.method == FrameSelectionMethod.RANDOM_UNIFORM:
        if selection.frame_count is not None:
            count = selection.frame_count
            if count > len(available):
                raise InvalidInput({"frame_count": [f"The task has only {len(available)} frames to choose from, "
                                                    f"not {count}."]})
        else:
            count = _share(selection.frame_share or 0, len(available))
        return sorted(rng.sample(available, count))
    chosen_set: set[int] = set()
    for start, stop in job_ranges:
        pool = [n for n in available if start <= n <= stop and n not in chosen_set]
        if not pool:
            continue
        if selection.frames_per_job_count is not None:
            count = min(selection.frames_per_job_count, len(pool))
        else:
            count = min(_share(selection.frames_per_job_share or 0, stop - start + 1), len(pool))
        chosen_set.update(rng.sample(pool, count))
    return sorted(chosen_set)


def ground_truth_job(task: Task) -> Job | None:
    return Job.objects.filter(task=task, type=JobType.GROUND_TRUTH).first()


def _make_job(task: Task, selection: FrameSelection, names: Mapping[str, int] | None = None,
              **fields: Any) -> Job:
    if not task.has_data:
        raise InvalidInput({"task_id": [f"Task {task.pk} has no data yet; upload its frames first."]})
    if ground_truth_job(task) is not None:
        raise Conflict(f"Task {task.pk} already has a ground-truth job; delete it before making another.")
    deleted = set(task.deleted_frames)
    candidates = [n for n in range(task.size) if n not in deleted]
    ranges = list(Job.objects.filter(task=task, type=JobType.ANNOTATION).order_by("start_frame")
                  .values_list("start_frame", "stop_frame"))
    frames = select_frames(selection, candidates, ranges, names)
    job = Job.objects.create(task=task, type=JobType.GROUND_TRUTH, frames=frames, start_frame=frames[0],
                             stop_frame=frames[-1], **fields)
    task.validation_mode = ValidationMode.GT
    task.validation_disabled_frames = []
    task.save(update_fields=["validation_mode", "validation_disabled_frames"])
    touch(task, task.project)
    return job


@transaction.atomic
def create_ground_truth_job(user: Any, data: dict[str, Any]) -> Job:
    """``POST /api/jobs`` (``JobWriteRequest``): the task's ground-truth job."""
    if data.get("type") != JobType.GROUND_TRUTH:
        raise InvalidInput({"type": ["Only ground-truth jobs can be created; annotation jobs come from the task's "
                                     "segments."]})
    try:
        visible = perms.visible_task(user, data["task_id"])
    except NotFound:
        raise NotFound({"task_id": [f"Task {data['task_id']} does not exist or is not visible to you."]}) from None
    perms.check_manage_task(user, visible)
    task = Task.objects.select_for_update(of=("self",)).select_related("project").get(pk=visible.pk)  # one GT job at a time
    selection = FrameSelection.from_data(data)
    fields: dict[str, Any] = {k: data[k] for k in ("stage", "state") if k in data}
    assignee = data.get("assignee")
    if assignee is not None:
        fields["assignee"] = get_user_model().objects.filter(pk=assignee, is_active=True).first()
        if fields["assignee"] is None:
            raise InvalidInput({"assignee": [f"There is no active user with id {assignee}."]})
    job = _make_job(task, selection, **fields)
    changed.send(sender=Job, instance=job, user=user, action="create")
    return job


def create_validation_job(task: Task, params: Mapping[str, Any], names: Mapping[str, int]) -> Job:
    """The ground-truth job of a task's ``validation_params`` (checked by the serializer), made
    when its data is committed; ``names`` maps the task's file names to frame numbers."""
    if params.get("mode") != ValidationMode.GT:
        raise InvalidInput({"validation_params": [NO_HONEYPOTS]})
    selection = FrameSelection.from_data({k: v for k, v in params.items() if k != "mode"}, by_name=True)
    return _make_job(task, selection, names)


@transaction.atomic
def delete_job(user: Any, job: Job) -> None:
    """``DELETE /api/jobs/{id}``: only a ground-truth job, with its annotations."""
    if job.type != JobType.GROUND_TRUTH:
        raise InvalidInput("Only ground-truth jobs can be deleted; annotation jobs belong to the task's segments.")
    perms.check_manage_task(user, job.task)
    task = job.task
    changed.send(sender=Job, instance=job, user=user, action="delete")
    job.delete()
    task.validation_mode = ""
    task.validation_disabled_frames = []
    task.save(update_fields=["validation_mode", "validation_disabled_frames"])
    touch(task, task.project)


def task_layout(task: Task) -> dict[str, Any]:
    """``TaskValidationLayoutRead``."""
    gt = ground_truth_job(task)
    return {
        "mode": ValidationMode.GT.value if gt is not None else None,
        "frames_per_job_count": None,
        "validation_frames": list(gt.frames) if gt is not None else [],
        "disabled_frames": sorted(task.validation_disabled_frames) if gt is not None else [],
        "honeypot_count": 0,
        "honeypot_frames": [],
        "honeypot_real_frames": [],
    }


@transaction.atomic
def update_task_layout(user: Any, task: Task, data: dict[str, Any]) -> dict[str, Any]:
    """``PATCH /api/tasks/{id}/validation_layout``: ``disabled_frames`` of the ground-truth frames."""
    perms.check_manage_task(user, task)
    gt = ground_truth_job(task)
    if gt is None:
        raise InvalidInput(f"Task {task.pk} has no validation frames: create a ground-truth job first.")
    if "disabled_frames" in data:
        disabled = sorted(set(data["disabled_frames"]))
        outside = [n for n in disabled if n not in set(gt.frames)]
        if outside:
            raise InvalidInput({"disabled_frames": [f"Not validation frames of the task: {outside[:10]}."]})
        task.validation_disabled_frames = disabled
        task.save(update_fields=["validation_disabled_frames"])
        touch(task)
    return task_layout(task)


def job_layout(job: Job) -> dict[str, Any]:
    """``JobValidationLayoutRead``: no honeypots on this server."""
    return {"honeypot_count": 0, "honeypot_frames": [], "honeypot_real_frames": []}
