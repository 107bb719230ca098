"""The queue of a function as its agents see it: watch, acquire, update, complete, fail.

Claiming is one conditional ``UPDATE ... WHERE status = 'queued'`` per candidate row, so any
number of agents (on any machines) share a queue without Redis, on SQLite or PostgreSQL. A
claimed request carries a lease (``INKLAB_AGENT_LEASE_SECONDS``, default 300 s) that every
progress report renews. A request whose lease ran out (its agent died or lost the network)
is queued again for the next agent, up to ``INKLAB_AGENT_MAX_ATTEMPTS`` claims in all, then
failed. The agent that lost a lease is refused (409) when it reports back, so a request's
annotations are written once, by the agent holding it.

Completing a request writes the agent's annotations into the task as the requesting user:
appended, or replacing the existing ones for ``cleanup`` requests; only the job's frames are
kept for a job request. A result the annotation validation rejects fails the request with
the reason.

Interactive requests (see :mod:`inklab.server.functions.calls`) come first: an agent asks for
them before batch work and between batch frames, and their event (``request_category:
interactive``) goes out at once. They are never queued again: their lease is the caller's
deadline, and the caller removes the row once it has the answer (or gave up). Completing one
stores the agent's answer, checked (:mod:`inklab.server.functions.answers`), and rings the
caller's doorbell.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from inklab.server.annotations import services as annotations
from inklab.server.errors import Conflict, InvalidInput, NotFound, ServiceError
from inklab.server.functions import presence
from inklab.server.functions.answers import check_answer
from inklab.server.functions.doorbell import doorbell, ring_after_commit
from inklab.server.functions.models import AnnotationRequest, Function
from inklab.server.functions.permissions import reading_changed
from inklab.server.projects.permissions import is_task_manager
from inklab.vocabulary import RequestCategory, RequestStatus

__all__ = ["Watch", "acquire", "ar_params", "complete", "fail", "function_topic", "interactive_timeout",
           "request_topic",
           "requeue_expired", "update"]

logger = logging.getLogger(__name__)

_MESSAGE_LIMIT = 4000


def _lease() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "AGENT_LEASE_SECONDS", 300)))


def _max_attempts() -> int:
    return int(getattr(settings, "AGENT_MAX_ATTEMPTS", 3))


def interactive_timeout() -> float:
    """Seconds an interactive caller waits for the agent's answer."""
    return float(getattr(settings, "INTERACTIVE_TIMEOUT", 30))


def request_topic(ar_id: str) -> str:
    """The doorbell topic rung when the request ``ar_id`` is answered or failed."""
    return f"request:{ar_id}"


def _reading_changed(request: AnnotationRequest) -> None:
    """:func:`reading_changed` where it matters: a batch request's hold changes what the function's
    owner may read; an interactive one's only when that owner does not manage the task anyway
    (so clicks do not move the task's ``updated_date`` and empty its readers' caches)."""
    if request.category == RequestCategory.INTERACTIVE:
        owner = request.function.owner
        if owner is None or is_task_manager(owner, request.task):
            return
    reading_changed(request.task_id)


def _agent_id(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 128:
        raise InvalidInput(f"agent_id: expected a string of 1 to 128 characters, got {value!r}.")
    return value


def requeue_expired(function_id: int | None = None) -> int:
    """Queue again (or fail, after too many claims) started requests whose lease ran out."""
    now = timezone.now()
    # Interactive requests are never queued again: their caller has gone after its timeout, and
    # it removes the row itself; these are what a crashed caller left.
    forgotten = AnnotationRequest.objects.filter(
        category=RequestCategory.INTERACTIVE, created_date__lt=now - timedelta(seconds=2 * interactive_timeout() + 60))
    if function_id is not None:
        forgotten = forgotten.filter(function_id=function_id)
    forgotten.delete()
    lost = AnnotationRequest.objects.filter(status=RequestStatus.STARTED, lease_until__lt=now,
                                            category=RequestCategory.BATCH)
    if function_id is not None:
        lost = lost.filter(function_id=function_id)
    changed = 0
    for pk, task_id, agent, attempts in lost.values_list("pk", "task_id", "agent_id", "attempts"):
        held = AnnotationRequest.objects.filter(pk=pk, status=RequestStatus.STARTED, agent_id=agent,
                                                lease_until__lt=now)
        if attempts >= _max_attempts():
            released = held.update(
                status=RequestStatus.FAILED, finished_date=now, lease_until=None,
                message=f"No agent finished this request: {attempts} agents took it and stopped reporting "
                        f"(the last was {agent}).")
            logger.warning("Annotation request %s failed: its agents stopped responding", pk)
        else:
            released = held.update(status=RequestStatus.QUEUED, agent_id="", lease_until=None, progress=0.0)
            logger.warning("Annotation request %s queued again: agent %s stopped reporting", pk, agent)
        if released:
            reading_changed(task_id)
        changed += released
    return changed


def acquire(function: Function, agent_id: Any, category: Any) -> AnnotationRequest | None:
    """Claim the oldest queued request of ``category`` for ``agent_id``; None if there is none."""
    agent_id = _agent_id(agent_id)
    if category not in set(RequestCategory):
        raise InvalidInput(f"request_category: must be one of {', '.join(RequestCategory)}, got {category!r}.")
    presence.seen(function.pk)
    interactive = category == RequestCategory.INTERACTIVE
    if not interactive:
        requeue_expired(function.pk)
    candidates = AnnotationRequest.objects.filter(function=function, status=RequestStatus.QUEUED, category=category)
    if interactive:  # those whose caller is still waiting
        candidates = candidates.filter(lease_until__gt=timezone.now())
    for pk in candidates.order_by("created_date").values_list("pk", flat=True)[:5]:
        now = timezone.now()
        claim = AnnotationRequest.objects.filter(pk=pk, status=RequestStatus.QUEUED)
        changes: dict[str, Any] = {"status": RequestStatus.STARTED, "agent_id": agent_id, "started_date": now,
                                   "attempts": F("attempts") + 1, "progress": 0.0}
        if not interactive:
            changes["lease_until"] = now + _lease()
        if claim.update(**changes):
            logger.info("Agent %s took annotation request %s", agent_id, pk)
            request = AnnotationRequest.objects.select_related("function__owner", "task__project").get(pk=pk)
            _reading_changed(request)
            return request
    return None


def ar_params(request: AnnotationRequest) -> dict[str, Any]:
    """What the agent receives as ``ar_params``: for a batch request always a whole task (see
    :func:`complete`); for an interactive one the call (``interact``, ``init_tracking``,
    ``track`` or ``annotate_frame``) on one frame."""
    if request.category == RequestCategory.INTERACTIVE:
        return {**request.params, "task": request.task_id}
    return {"type": "annotate_task", "task": request.task_id, "mapping": request.mapping,
            "threshold": request.threshold, "conv_mask_to_poly": request.conv_mask_to_poly}


def _get(function: Function, ar_id: str) -> AnnotationRequest:
    request = (AnnotationRequest.objects.filter(pk=ar_id, function=function)
               .select_related("task__project", "job", "function__owner").first())
    if request is None:
        raise NotFound(f"Function #{function.pk} has no annotation request '{ar_id}'.")
    presence.seen(function.pk)
    return request


def _not_held(request: AnnotationRequest, agent_id: str) -> Conflict:
    if request.status == RequestStatus.STARTED:
        reason = "another agent holds it now (this agent's lease ran out)"
    elif request.status == RequestStatus.QUEUED:
        reason = "it is queued again (this agent's lease ran out)"
    elif request.message == "The request was cancelled.":
        reason = "it was cancelled"
    else:
        reason = f"it is already {request.status}"
    return Conflict(f"Annotation request '{request.pk}' is not assigned to agent {agent_id}: {reason}.")


def update(function: Function, ar_id: str, agent_id: Any, progress: Any) -> None:
    """Record progress (0..1) and renew the lease."""
    agent_id = _agent_id(agent_id)
    if isinstance(progress, bool) or not isinstance(progress, (int, float)) or not math.isfinite(progress):
        raise InvalidInput(f"progress: expected a number between 0 and 1, got {progress!r}.")
    request = _get(function, ar_id)
    changes: dict[str, Any] = {"progress": min(max(float(progress), 0.0), 1.0)}
    if request.category == RequestCategory.BATCH:
        changes["lease_until"] = timezone.now() + _lease()
    updated = AnnotationRequest.objects.filter(pk=ar_id, status=RequestStatus.STARTED, agent_id=agent_id).update(
        **changes)
    if not updated:
        raise _not_held(request, agent_id)


def _in_job(request: AnnotationRequest, items: Any) -> Any:
    if request.job is None or not isinstance(items, list):
        return items
    first, last = request.job.start_frame, request.job.stop_frame
    return [item for item in items
            if not (isinstance(item, dict) and isinstance(item.get("frame"), int)) or first <= item["frame"] <= last]


def _mark_failed(request: AnnotationRequest, message: str) -> None:
    AnnotationRequest.objects.filter(pk=request.pk).update(
        status=RequestStatus.FAILED, message=message[:_MESSAGE_LIMIT], finished_date=timezone.now(), lease_until=None)
    _reading_changed(request)


def complete(function: Function, ar_id: str, agent_id: Any, result: Any) -> AnnotationRequest:
    """Write the agent's annotations into the task and finish the request.

    Repeating a completion that succeeded (an agent retrying after a lost response) changes
    nothing. A result the annotation checks reject fails the request and raises.
    """
    agent_id = _agent_id(agent_id)
    request = _get(function, ar_id)
    if request.status == RequestStatus.FINISHED and request.agent_id == agent_id:
        return request
    if request.status != RequestStatus.STARTED or request.agent_id != agent_id:
        raise _not_held(request, agent_id)
    if request.category == RequestCategory.INTERACTIVE:
        return _answer(request, agent_id, result)
    body = result.get("annotations") if isinstance(result, dict) else None
    if not isinstance(body, dict):
        raise InvalidInput("annotations: expected an object with 'tags' and 'shapes'.")
    lists = {key: _in_job(request, body.get(key) or []) for key in ("tags", "shapes", "tracks")}
    counts = {key: len(value) if isinstance(value, list) else 0 for key, value in lists.items()}
    payload = {**body, **lists}  # any other field is refused with the annotations' checks
    scope = annotations.Scope(request.task, request.job)
    try:
        # Checked and serialised before the transaction, which then only writes (on SQLite it
        # holds the database's only write lock).
        prepared = annotations.prepare(request.owner, scope, payload, "put" if request.cleanup else "create")
        with transaction.atomic():
            finished = AnnotationRequest.objects.filter(
                pk=ar_id, status=RequestStatus.STARTED, agent_id=agent_id).update(
                status=RequestStatus.FINISHED, progress=1.0, finished_date=timezone.now(), lease_until=None,
                result_tags=counts["tags"], result_shapes=counts["shapes"])
            if not finished:
                raise _not_held(AnnotationRequest.objects.get(pk=ar_id), agent_id)
            reading_changed(request.task_id)
            prepared.apply()
    except ServiceError as exc:
        if isinstance(exc, Conflict) and exc.detail != annotations.LABELS_CHANGED:
            raise  # the request is not this agent's (any more)
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        message = f"The agent's annotations were rejected: {detail}"
        _mark_failed(request, message)
        logger.info("Annotation request %s failed: %s", ar_id, message)
        raise InvalidInput(message) from exc
    logger.info("Annotation request %s finished: %d tags, %d shapes", ar_id, counts["tags"], counts["shapes"])
    return AnnotationRequest.objects.get(pk=ar_id)


def _answer(request: AnnotationRequest, agent_id: str, result: Any) -> AnnotationRequest:
    """Store an interactive request's answer for its caller; a malformed one fails the call."""
    try:
        answer = check_answer(request.params, result)
    except InvalidInput as exc:
        _mark_failed(request, f"The agent's answer was rejected: {exc.detail}")
        doorbell().ring(request_topic(request.pk))
        raise
    changes = {"status": RequestStatus.FINISHED, "progress": 1.0, "finished_date": timezone.now(), "result": answer}
    finished = AnnotationRequest.objects.filter(pk=request.pk, status=RequestStatus.STARTED, agent_id=agent_id).update(
        **changes)
    if not finished:
        current = AnnotationRequest.objects.filter(pk=request.pk).first()
        if current is None:
            raise Conflict(f"Annotation request '{request.pk}' is over: its caller stopped waiting.")
        raise _not_held(current, agent_id)
    _reading_changed(request)
    ring_after_commit(request_topic(request.pk))
    for name, value in changes.items():  # the caller may take (and remove) the row at once
        setattr(request, name, value)
    return request


def fail(function: Function, ar_id: str, agent_id: Any, exc_info: Any) -> AnnotationRequest:
    """The agent gave up on the request; ``exc_info`` becomes its message. Returns the request
    as it now is (an interactive one's caller may remove it at once)."""
    agent_id = _agent_id(agent_id)
    request = _get(function, ar_id)
    if request.status == RequestStatus.FAILED and request.agent_id == agent_id:
        return request
    text = exc_info if isinstance(exc_info, str) and exc_info.strip() else "The agent reported no reason."
    changes = {"status": RequestStatus.FAILED, "message": f"The agent failed: {text}"[:_MESSAGE_LIMIT],
               "finished_date": timezone.now(), "lease_until": None}
    updated = AnnotationRequest.objects.filter(pk=ar_id, status=RequestStatus.STARTED, agent_id=agent_id).update(
        **changes)
    if not updated:
        raise _not_held(request, agent_id)
    _reading_changed(request)
    ring_after_commit(request_topic(ar_id))
    for name, value in changes.items():
        setattr(request, name, value)
    return request


class Watch:
    """A Server-Sent-Events stream telling agents about new requests in a function's queue.

    It sends ``retry:`` first (the reconnection delay), an ``event: newrequest`` whenever a
    request appears in the queue (new, or queued again after a lost lease; also at once when
    requests are already waiting), with its ``request_category`` (``interactive`` first), ``:``
    keep-alive comments, and ends after ``INKLAB_AGENT_WATCH_SECONDS`` so that no thread is
    held for ever; agents reconnect. It wakes on the function's doorbell (a new request in any
    web process of the machine) and looks at the queue every ``AGENT_WATCH_POLL_SECONDS`` too.
    While open it counts as an agent online (:mod:`.presence`). Each process holds at most
    ``INKLAB_AGENT_MAX_WATCHERS`` streams (see :meth:`open`).
    """

    _slots: threading.BoundedSemaphore | None = None
    _slots_lock = threading.Lock()

    def __init__(self, function_id: int, release: Callable[[], None]) -> None:
        self._function_id = function_id
        self._release: Callable[[], None] | None = release
        self._deadline = time.monotonic() + float(getattr(settings, "AGENT_WATCH_SECONDS", 300))
        self._poll = float(getattr(settings, "AGENT_WATCH_POLL_SECONDS", 1.0))
        self._keepalive = float(getattr(settings, "AGENT_WATCH_KEEPALIVE_SECONDS", 15))
        self._seen: set[str] | None = None
        self._last_sent = time.monotonic()
        self._started = False
        self._listening = doorbell().listen(function_topic(function_id))
        self._waiter = self._listening.__enter__()
        self._stream_id: str | None = presence.stream_opened(function_id)

    @classmethod
    def open(cls, function_id: int) -> Watch | None:
        """A stream for the function, or None when this process serves too many already."""
        with cls._slots_lock:
            if cls._slots is None:
                cls._slots = threading.BoundedSemaphore(int(getattr(settings, "AGENT_MAX_WATCHERS", 16)))
        slots = cls._slots
        if not slots.acquire(blocking=False):
            return None
        try:
            return cls(function_id, slots.release)
        except BaseException:
            slots.release()
            raise

    def __iter__(self) -> Iterator[bytes]:
        return self

    def _queued(self) -> dict[str, str] | None:
        """The queued requests (id: category), or None when the function was deleted."""
        requeue_expired(self._function_id)
        if not Function.objects.filter(pk=self._function_id).exists():
            return None
        return dict(AnnotationRequest.objects.filter(function_id=self._function_id, status=RequestStatus.QUEUED)
                    .values_list("pk", "category"))

    def __next__(self) -> bytes:
        if not self._started:
            self._started = True
            retry_ms = int(float(getattr(settings, "AGENT_WATCH_RETRY_SECONDS", 2)) * 1000)
            return b"retry: %d\n" % retry_ms
        while time.monotonic() < self._deadline:
            queued = self._queued()
            if queued is None:  # the function was deleted
                break
            fresh = {category for pk, category in queued.items() if self._seen is None or pk not in self._seen}
            self._seen = set(queued)
            if fresh:
                self._last_sent = time.monotonic()
                return b"".join(b'event: newrequest\ndata: {"request_category": "%s"}\n\n' % category.encode()
                                for category in RequestCategory if category in fresh)
            if time.monotonic() - self._last_sent >= self._keepalive:
                self._last_sent = time.monotonic()
                if self._stream_id is not None:
                    presence.stream_renewed(self._function_id, self._stream_id)
                return b": keep-alive\n"
            wait = min(self._poll, self._deadline - time.monotonic(), self._keepalive - (time.monotonic() - self._last_sent))
            self._waiter.wait(wait)
        self.close()
        raise StopIteration

    def close(self) -> None:
        if self._stream_id is not None:
            stream_id, self._stream_id = self._stream_id, None
            try:
                presence.stream_closed(stream_id)
            except Exception:  # noqa: BLE001 - the row expires by itself
                logger.warning("Could not remove the record of agent stream %s", stream_id, exc_info=True)
        if self._release is not None:
            release, self._release = self._release, None
            self._listening.__exit__(None, None, None)
            release()


def function_topic(function_id: int) -> str:
    """The doorbell topic rung when a request is queued for function ``function_id``."""
    return f"function:{function_id}"
