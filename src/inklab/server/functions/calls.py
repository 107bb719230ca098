"""Interactive calls (``POST /api/lambda/functions/{id}``), answered while the caller waits.

CVAT's web UI calls a function on the frame it shows: an interactor with the annotator's
clicks, a tracker to start following shapes or to move them onto the next frame, a detector
on one frame. Here the function runs in its agents, so a call is an ``interactive`` request
in the function's queue:

1. the call is checked (the frame must be one the caller may read, the prompts what the
   function's spec asks for) and refused with 503 at once when no agent serves the function
   (:func:`~inklab.server.functions.presence.can_serve_now`);
2. the request is queued and the function's doorbell rung: its agents' event streams wake and
   announce it as ``interactive``, which agents take before batch work;
3. the caller's thread waits on the request's doorbell for the agent's answer
   (:mod:`~inklab.server.functions.answers`), at most ``INKLAB_INTERACTIVE_TIMEOUT`` seconds
   (default 30), then removes the request; past the timeout the answer is 503 and an agent
   that answers later is refused (409).

An agent's failure is a 400 when it reports the call itself as invalid (bad prompts, an
expired tracking state), else a 502. At most ``INKLAB_INTERACTIVE_MAX_WAITING`` calls wait at
once in one web process (default: its threads less two, so agents' own calls always find a
thread); more are answered 503 with ``Retry-After: 1``.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from inklab.server.errors import BadGateway, Forbidden, InvalidInput, Unavailable
from inklab.server.functions import labels as function_labels
from inklab.server.functions import presence
from inklab.server.functions.doorbell import doorbell, ring_after_commit
from inklab.server.functions.models import AnnotationRequest, Function
from inklab.server.functions.queue import function_topic, interactive_timeout, request_topic
from inklab.server.projects import permissions as perms
from inklab.server.projects.labels import labels_of
from inklab.vocabulary import FunctionKind, RequestCategory, RequestStatus

__all__ = ["call_function"]

logger = logging.getLogger(__name__)

#: Seconds between looks at the request when no doorbell rings (a web process on another machine).
_POLL = 0.25
#: What agents put before the reason when the call itself was invalid (cvat-cli's wording).
_INVALID_CALL = "Invalid annotation request"
_KIND_FIELDS = {
    FunctionKind.INTERACTOR: ("pos_points", "neg_points", "obj_bbox"),
    FunctionKind.TRACKER: ("shapes", "states"),
    FunctionKind.DETECTOR: ("mapping", "threshold", "conv_mask_to_poly"),
}

_slots: threading.BoundedSemaphore | None = None
_slots_lock = threading.Lock()


def _waiting_slots() -> threading.BoundedSemaphore:
    global _slots
    with _slots_lock:
        if _slots is None:
            limit = getattr(settings, "INTERACTIVE_MAX_WAITING", None) or max(1, int(settings.WEB_THREADS) - 2)
            _slots = threading.BoundedSemaphore(int(limit))
        return _slots


def _scope(user: Any, data: dict[str, Any]) -> tuple[Any, Any, int]:
    """The task, the job (or None) and the frame of a call the user may make."""
    frame = data["frame"]
    job = None
    if data.get("job") is not None:
        job = perms.visible_job(user, data["job"])
        task = job.task
        if data.get("task") is not None and data["task"] != task.pk:
            raise InvalidInput(f"task: job {job.pk} belongs to task {task.pk}, not to task {data['task']}.")
        if not job.start_frame <= frame <= job.stop_frame:
            raise InvalidInput(f"frame: {frame} is not a frame of job {job.pk} "
                               f"({job.start_frame}-{job.stop_frame}).")
    else:
        task = perms.visible_task(user, data["task"])
        if frame not in perms.readable_frames(user, task):
            raise Forbidden(f"You may not read frame {frame} of task {task.pk}.")
    if not task.has_data:
        raise InvalidInput(f"Task {task.pk} has no data yet.")
    if frame >= task.size:
        raise InvalidInput(f"frame: task {task.pk} has frames 0-{task.size - 1}, not {frame}.")
    if frame in (task.deleted_frames or []):
        raise InvalidInput(f"frame: frame {frame} of task {task.pk} was deleted.")
    return task, job, frame


def _interactor_params(function: Function, data: dict[str, Any]) -> dict[str, Any]:
    positive = [list(p) for p in data.get("pos_points") or []]
    negative = [list(p) for p in data.get("neg_points") or []]
    box = [list(p) for p in data.get("obj_bbox") or []]
    if function.startswith_box and not box and len(positive) >= 2 + function.min_pos_points:
        box, positive = positive[:2], positive[2:]  # CVAT's UI sends the box as the first two points
    if len(positive) < function.min_pos_points:
        raise InvalidInput(f"pos_points: this function needs at least {function.min_pos_points} positive points.")
    if function.min_neg_points < 0 and negative:
        raise InvalidInput("neg_points: this function takes no negative points.")
    if len(negative) < max(0, function.min_neg_points):
        raise InvalidInput(f"neg_points: this function needs at least {function.min_neg_points} negative points.")
    if function.startswith_box and not box:
        raise InvalidInput("obj_bbox: this function needs a box around the object.")
    if box and not (function.startswith_box or function.startswith_box_optional):
        raise InvalidInput("obj_bbox: this function takes no box.")
    if box:
        (x1, y1), (x2, y2) = box
        box = [[min(x1, x2), min(y1, y2)], [max(x1, x2), max(y1, y2)]]
    return {"type": "interact", "pos_points": positive, "neg_points": negative, "obj_bbox": box}


def _tracker_params(function: Function, data: dict[str, Any]) -> dict[str, Any]:
    shapes, states = data.get("shapes") or [], data.get("states") or []
    if bool(shapes) == bool(states):
        raise InvalidInput("shapes: give either the 'shapes' to start following, or the 'states' to follow on.")
    if states:
        return {"type": "track", "states": list(states)}
    for i, shape in enumerate(shapes):
        if shape["type"] not in function.supported_shape_types:
            raise InvalidInput(f"shapes[{i}].type: this tracker follows {', '.join(function.supported_shape_types)}, "
                               f"not {shape['type']}.")
    return {"type": "init_tracking", "shapes": [{"type": s["type"], "points": list(s["points"])} for s in shapes]}


def _detector_params(function: Function, data: dict[str, Any], task: Any) -> dict[str, Any]:
    task_labels = list(labels_of(task).prefetch_related("attributes", "sublabels__attributes"))
    if data.get("mapping"):
        mapping = function_labels.check_mapping(data["mapping"], function.labels_v2, task_labels)
    else:
        mapping = function_labels.default_mapping(function.labels_v2, task_labels)
    if not mapping:
        raise InvalidInput("mapping: none of the function's labels is a label of this task; give a mapping.")
    return {"type": "annotate_frame", "mapping": mapping, "threshold": data.get("threshold"),
            "conv_mask_to_poly": bool(data.get("conv_mask_to_poly"))}


def _params(function: Function, data: dict[str, Any], task: Any) -> dict[str, Any]:
    for kind, names in _KIND_FIELDS.items():
        if kind == function.kind:
            continue
        for name in names:
            if data.get(name) not in (None, [], {}, False):
                raise InvalidInput(f"{name}: function #{function.pk} is a {function.kind}; only {kind}s take this.")
    if function.kind == FunctionKind.INTERACTOR:
        return _interactor_params(function, data)
    if function.kind == FunctionKind.TRACKER:
        return _tracker_params(function, data)
    return _detector_params(function, data, task)


def _outcome(function: Function, request_id: str, started: float) -> dict[str, Any]:
    """Wait for the agent's answer to ``request_id``; the answer, or the error to raise."""
    timeout = interactive_timeout()
    deadline = started + timeout
    with doorbell().listen(request_topic(request_id)) as waiter:
        while True:
            row = AnnotationRequest.objects.filter(pk=request_id).values("status", "result", "message").first()
            if row is None:
                raise Unavailable(f"Function #{function.pk} was deleted during the call.")
            if row["status"] in (RequestStatus.FINISHED, RequestStatus.FAILED):
                AnnotationRequest.objects.filter(pk=request_id).delete()
                if row["status"] == RequestStatus.FINISHED:
                    return {**row["result"], "latency_ms": round((time.monotonic() - started) * 1000, 1)}
                message = row["message"] or "The agent failed."
                raise InvalidInput(message) if _INVALID_CALL in message else BadGateway(message)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                given_up = AnnotationRequest.objects.filter(
                    pk=request_id, status__in=[RequestStatus.QUEUED, RequestStatus.STARTED])
                taken = given_up.filter(status=RequestStatus.STARTED).exists()
                if given_up.update(status=RequestStatus.FAILED, finished_date=timezone.now(),
                                   message="The caller stopped waiting."):
                    AnnotationRequest.objects.filter(pk=request_id).delete()
                    what = ("its agent did not answer" if taken
                            else "no agent took the call (are its agents busy or stopped?)")
                    raise Unavailable(f"Function #{function.pk}: {what} within {timeout:g} s.")
                continue  # answered just now
            waiter.wait(min(remaining, _POLL))


def call_function(user: Any, function: Function, data: dict[str, Any]) -> dict[str, Any]:
    """Run an interactive call (a validated ``InteractiveCallSerializer`` body) and return the
    agent's answer with ``latency_ms``; raises the errors the module docstring lists."""
    task, job, frame = _scope(user, data)
    params = {**_params(function, data, task), "frame": frame}
    if not presence.can_serve_now(function):
        raise Unavailable(f"No agent serves function #{function.pk} '{function.name}' now: start one with "
                          f"'function run-agent {function.pk}'.", retry_after=10)
    slots = _waiting_slots()
    if not slots.acquire(blocking=False):
        raise Unavailable("This server is waiting for as many interactive answers as it can; retry.", retry_after=1)
    try:
        started = time.monotonic()
        with transaction.atomic():
            request = AnnotationRequest.objects.create(
                function=function, owner=user, task=task, job=job, category=RequestCategory.INTERACTIVE,
                params=params, lease_until=timezone.now() + timezone.timedelta(seconds=interactive_timeout()),
            )
            ring_after_commit(function_topic(function.pk))
        logger.debug("Interactive %s call %s of function #%s on task %s frame %s", params["type"], request.pk,
                     function.pk, task.pk, frame)
        return _outcome(function, request.pk, started)
    finally:
        slots.release()
