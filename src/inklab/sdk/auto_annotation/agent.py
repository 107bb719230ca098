"""An agent: serves a native function's queue on the server (``inklab function run-agent``).

It serves detectors, interactors and trackers (the kind follows from the function's spec).
It claims annotation requests (``POST .../requests/acquire``), interactive ones first: a
click, a tracker step or a detector on one frame, answered at once (:mod:`._calls`); then a
detector's batch requests, annotating the request's task with the local function (its label
mapping, threshold and mask setting), reporting progress (which renews its lease) and
sending the results (``.../complete``) or the reason it failed (``.../fail``). Between
batches of frames it answers the interactive calls announced meanwhile. Several agents, on
any machines, may serve one queue.

Between requests it waits on the queue's event stream (:mod:`._watch`), which wakes it as
soon as a request arrives; it still polls, every ``10 × poll_interval`` seconds while the
stream is up and every ``poll_interval`` seconds while it is not (an older server, a proxy
that buffers streams). ``burst=True`` processes what is queued and returns.

Frames are read through the shared dataset cache (:mod:`._frames`): a task annotated twice
is downloaded once. Transient failures (the connection, 5xx, 429) of the queue calls are
retried with a backoff; a request whose lease was lost (or that was cancelled) while the
agent worked on it is dropped at the next progress report.
"""

from __future__ import annotations

import logging
import random
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from inklab.sdk import (
    ApiError,
    Client,
    ConflictError,
    NotFoundError,
    NullProgressReporter,
    ProgressReporter,
    SdkError,
    ServerError,
    TransportError,
    models,
)
from inklab.sdk.auto_annotation._calls import BadCallError, CallAnswerer
from inklab.sdk.auto_annotation._errors import AutoAnnotationError, BadFunctionError
from inklab.sdk.auto_annotation._frames import TaskFrames
from inklab.sdk.auto_annotation._mapping import LabelMapper
from inklab.sdk.auto_annotation._running import batch_size_of, check_function, detections
from inklab.sdk.auto_annotation._watch import QueueWatcher
from inklab.sdk.auto_annotation.interactive import function_kind
from inklab.sdk.auto_annotation.interface import DetectionFunction, _get
from inklab.sdk.datasets import CacheLayout

__all__ = ["AgentError", "run_agent"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

_RARE_POLLS = 10  # with a working event stream, poll this many times less often
_FIRST_RETRY_DELAY = 2.0
_MAX_RETRY_DELAY = 300.0
_COMPLETE_ATTEMPTS = 4
_MAX_CACHED_TASKS = 10


class AgentError(AutoAnnotationError):
    """The function on the server cannot be served by this function object."""


class _RequestLost(Exception):
    """The server gave the request to someone else, or it was cancelled."""


def _mapped_labels(task_labels: list[models.Label], mapping: dict[str, Any]) -> list[models.Label]:
    """The task's labels under the function's names, as the request's mapping says."""
    by_name = {label.name: label for label in task_labels}

    def renamed(items: list[Any], names: dict[str, str]) -> list[dict[str, Any]]:
        found = {item.name: item for item in items}
        return [{**found[task].to_dict(), "name": ours} for ours, task in names.items() if task in found]

    result = []
    for ours, entry in mapping.items():
        target = by_name.get(entry.get("name"))
        if target is None:
            continue
        points = {p.name: p for p in target.sublabels or []}
        sublabels = [{**points[p["name"]].to_dict(), "name": name,
                      "attributes": renamed(list(points[p["name"]].attributes or []), p.get("attributes") or {})}
                     for name, p in (entry.get("sublabels") or {}).items() if p.get("name") in points]
        result.append(models.Label(name=ours, id=target.id, type=target.type,
                                   attributes=renamed(list(target.attributes or []), entry.get("attributes") or {}),
                                   sublabels=sublabels if target.sublabels else []))
    return result


def _check_interactor(remote: dict[str, Any], function: Any) -> None:
    spec, where = function.spec, f"function #{remote.get('id')}"
    if int(remote.get("min_pos_points", 0)) < spec.min_pos_points:
        raise AgentError(f"{where} allows {remote.get('min_pos_points')} positive points; this function needs "
                         f"{spec.min_pos_points}")
    remote_neg = int(remote.get("min_neg_points", -1))
    if remote_neg >= 0 and (spec.min_neg_points is None or remote_neg < spec.min_neg_points):
        raise AgentError(f"{where} allows {remote_neg} negative points; this function "
                         + ("takes none" if spec.min_neg_points is None else f"needs {spec.min_neg_points}"))
    if remote_neg < 0 and spec.min_neg_points not in (None, 0):
        raise AgentError(f"{where} takes no negative points; this function needs {spec.min_neg_points}")
    box = bool(remote.get("startswith_box")) or bool(remote.get("startswith_box_optional"))
    if spec.min_bounding_boxes is None and box:
        raise AgentError(f"{where} allows a box; this function takes none")
    if spec.min_bounding_boxes == 1 and not remote.get("startswith_box"):
        raise AgentError(f"{where} does not require a box; this function does")


def _check_tracker(remote: dict[str, Any], function: Any) -> None:
    extra = set(remote.get("supported_shape_types") or []) - set(function.spec.supported_shape_types)
    if extra:
        raise AgentError(f"function #{remote.get('id')} tracks {', '.join(sorted(extra))}, which this function "
                         "does not")


def _check_compatible(remote: dict[str, Any], function: Any, kind: str = "detector") -> None:
    if remote.get("provider") != "native" or remote.get("kind") != kind:
        raise AgentError(f"function #{remote.get('id')} is a {remote.get('provider')} {remote.get('kind')}; "
                         f"this function is a native {kind}")
    if kind == "interactor":
        _check_interactor(remote, function)
        return
    if kind == "tracker":
        _check_tracker(remote, function)
        return
    ours = {_get(label, "name"): label for label in function.spec.labels}
    for label in remote.get("labels_v2", []):
        local = ours.get(label["name"])
        if local is None:
            raise AgentError(f"function #{remote['id']} has label {label['name']!r}, which this function lacks")
        local_type = str(_get(local, "type", "any") or "any")
        if label.get("type", "any") not in ("any", "unknown", local_type):
            raise AgentError(f"label {label['name']!r} has type {label['type']!r} on the server, "
                             f"{local_type!r} here")


def _retry_after(exc: SdkError) -> float | None:
    """Seconds to wait before retrying after ``exc``, or None when retrying is pointless."""
    if isinstance(exc, TransportError):
        return 0.0
    if isinstance(exc, ApiError) and (isinstance(exc, ServerError) or exc.status == 429):
        after = exc.response.headers.get("Retry-After", "")
        return float(after) if after.isdigit() else 0.0
    return None


class _Agent:
    def __init__(self, client: Client, function: DetectionFunction, function_id: int, *,
                 update_interval: float, pbar: ProgressReporter | None) -> None:
        self.client = client
        self.function = function
        self.function_id = function_id
        self.queue = f"/api/functions/queues/function%3A{function_id}"
        self.agent_id = secrets.token_hex(16)
        self.update_interval = update_interval
        self.pbar = pbar or NullProgressReporter()
        self._rng = random.Random()
        self._layout = CacheLayout(client.config.cache_dir, client.url)
        self._cached: list[int] = []  # tasks this agent brought into the cache, oldest first
        self.kind = function_kind(function)
        if self.kind == "detector":
            check_function(function)
        remote = client.get_json(f"/api/functions/{function_id}")
        _check_compatible(remote, function, self.kind)
        self.answerer = CallAnswerer(client, function, self.kind)
        #: set when the server announces an interactive request (or may have); cleared by serving them
        self.interactive_pending = threading.Event()
        self.interactive_pending.set()

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.send_json("POST", f"{self.queue}/requests/{path}", {"agent_id": self.agent_id, **body})

    def _retrying(self, what: str, call: Callable[[], T], attempts: int | None = None) -> T:
        """``call()``, again after transient failures (at most ``attempts`` times; None: forever)."""
        delay, attempt = _FIRST_RETRY_DELAY, 1
        while True:
            try:
                return call()
            except SdkError as exc:
                wait = _retry_after(exc)
                if wait is None or (attempts is not None and attempt >= attempts):
                    raise
                wait = max(wait, delay * self._rng.uniform(1.0, 1.15))
                logger.warning("%s failed (%s); retrying in %.0f s", what, exc, wait)
                time.sleep(wait)
                delay, attempt = min(delay * 2, _MAX_RETRY_DELAY), attempt + 1

    def acquire(self, category: str = "batch") -> dict[str, Any] | None:
        answer = self._retrying(f"Asking for a{'n' if category == 'interactive' else ''} {category} request",
                                lambda: self._post("acquire", {"request_category": category}))
        assignment = answer.get("ar_assignment") if isinstance(answer, dict) else None
        return assignment if isinstance(assignment, dict) else None

    def serve_interactive(self) -> int:
        """Answer the interactive calls waiting now; returns how many were answered."""
        answered = 0
        self.interactive_pending.clear()
        while (assignment := self.acquire("interactive")) is not None:
            answered += self.answer(assignment)
        return answered

    def answer(self, assignment: dict[str, Any]) -> bool:
        ar_id, params = str(assignment["ar_id"]), assignment.get("ar_params") or {}
        try:
            body = self.answerer.answer(params)
        except Exception as exc:  # noqa: BLE001 - every failure is reported to the caller
            self._fail(ar_id, exc)
            return False
        try:
            self._retrying(f"Sending the answer to call {ar_id}", lambda: self._post(f"{ar_id}/complete", body),
                           attempts=2)
        except ApiError as exc:  # the caller gave up (409), or the answer was refused
            logger.warning("The answer to call %s was not taken: %s", ar_id, exc)
            return False
        logger.debug("Answered a %s call (%s)", params.get("type"), ar_id)
        return True

    def annotate(self, ar_id: str, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("type") != "annotate_task":
            raise BadFunctionError(f"unsupported request type {params.get('type')!r}")
        task_id = int(params["task"])
        self._remember(task_id)
        source = TaskFrames(self.client, task_id)
        threshold, conv = params.get("threshold"), bool(params.get("conv_mask_to_poly"))
        mapper = LabelMapper(self.function.spec, _mapped_labels(list(source.labels), params.get("mapping") or {}),
                             allow_unmatched_labels=True, conv_mask_to_poly=conv, logger=logger)
        frames = [sample.frame_index for sample in source.samples]
        size = batch_size_of(self.function, None)
        tags: list[Any] = []
        shapes: list[Any] = []
        done = 0
        last_update = time.monotonic()
        stream = source.prefetch(frames, slice_size=min(size, 16) if size > 1 else 4)
        try:
            with self.pbar.task(total=len(frames), unit="frames", desc=f"request {ar_id[:8]}"):
                for results in detections(self.function, stream, mapper, batch_size=size, conf_threshold=threshold,
                                          conv_mask_to_poly=conv):
                    for _, frame_tags, frame_shapes in results:
                        tags.extend(frame_tags)
                        shapes.extend(frame_shapes)
                    done += len(results)
                    self.pbar.advance(len(results))
                    if self.interactive_pending.is_set():  # clicks come before batch work
                        self.serve_interactive()
                    if time.monotonic() - last_update >= self.update_interval:
                        last_update = time.monotonic()
                        self._report(ar_id, done, len(frames))
        finally:
            stream.close()
        return {"tags": tags, "shapes": shapes}

    def _remember(self, task_id: int) -> None:
        """Keep the cache of a long-running agent bounded: of the tasks it downloaded itself
        (not those cached before), it keeps the last ``_MAX_CACHED_TASKS``."""
        if task_id in self._cached:
            self._cached.remove(task_id)
        elif self._layout.task_dir(task_id).exists():
            return  # cached by someone else: theirs to keep
        self._cached.append(task_id)
        while len(self._cached) > _MAX_CACHED_TASKS:
            old = self._cached.pop(0)
            logger.info("Removing task %s from the cache to make room", old)
            shutil.rmtree(self._layout.task_dir(old), ignore_errors=True)

    def _report(self, ar_id: str, done: int, total: int) -> None:
        """Tell the server how far the request is (renewing the lease); raise :class:`_RequestLost`."""
        logger.info("Request %s: %d of %d frames annotated", ar_id, done, total)
        try:
            self._post(f"{ar_id}/update", {"progress": done / max(1, total)})
        except (ConflictError, NotFoundError) as exc:
            raise _RequestLost(str(exc)) from exc
        except SdkError:
            logger.warning("Could not report the progress of request %s", ar_id, exc_info=True)

    def process(self, assignment: dict[str, Any]) -> bool:
        ar_id, params = str(assignment["ar_id"]), assignment.get("ar_params") or {}
        logger.info("Annotating task %s for request %s", params.get("task"), ar_id)
        try:
            annotations = self.annotate(ar_id, params)
        except _RequestLost as exc:
            logger.warning("Dropping request %s: %s", ar_id, exc)
            return False
        except Exception as exc:  # noqa: BLE001 - every failure is reported to the server
            self._fail(ar_id, exc)
            return False
        try:
            self._retrying(f"Sending the results of request {ar_id}",
                           lambda: self._post(f"{ar_id}/complete", {"annotations": annotations}),
                           attempts=_COMPLETE_ATTEMPTS)
        except ConflictError as exc:
            logger.warning("The results of request %s were not taken: %s", ar_id, exc)
            return False
        except ApiError as exc:  # e.g. the server rejected the annotations; it failed the request itself
            logger.error("The server refused the results of request %s: %s", ar_id, exc)
            return False
        logger.info("Request %s done: %d shapes, %d tags", ar_id, len(annotations["shapes"]),
                    len(annotations["tags"]))
        return True

    def _fail(self, ar_id: str, exc: Exception) -> None:
        # Only known failures are described: other messages may reveal details of this machine.
        reason = (f"Invalid annotation request: {exc}" if isinstance(exc, BadCallError)
                  else f"the function broke the protocol: {exc}" if isinstance(exc, BadFunctionError)
                  else f"HTTP status {exc.status}" if isinstance(exc, ApiError)
                  else "the connection to the server failed" if isinstance(exc, TransportError)
                  else type(exc).__name__)
        logger.error("Request %s failed: %s", ar_id, exc,
                     exc_info=not isinstance(exc, (BadFunctionError, BadCallError)))
        try:
            self._post(f"{ar_id}/fail", {"exc_info": reason})
        except SdkError:
            logger.warning("Could not report the failure of request %s", ar_id, exc_info=True)

    def drain(self) -> int:
        """Process queued requests until the queue is empty, interactive ones first; returns how
        many were completed."""
        completed = self.serve_interactive()
        if self.kind != "detector":  # only detectors get batch requests
            return completed
        while (assignment := self.acquire()) is not None:
            completed += self.process(assignment)
            completed += self.serve_interactive()
        return completed


def run_agent(client: Client, function: Any, function_id: int, *, burst: bool = False,
              poll_interval: float = 60.0, update_interval: float = 20.0,
              pbar: ProgressReporter | None = None, stop: threading.Event | None = None) -> int:
    """Serve function ``function_id``'s queue with ``function`` (a detection, interaction or
    tracking function); returns the requests completed (interactive calls included).

    Without ``burst`` it runs until ``stop`` is set (or the process is interrupted), woken by
    the queue's event stream and polling as the module docstring says. Progress goes to the
    server every ``update_interval`` seconds and to ``pbar`` as frames are done. Raises
    :class:`AgentError` when the server's function does not match this function object, and
    the SDK's errors when the server cannot be used (e.g. the function was deleted: 404).
    """
    if poll_interval <= 0 or update_interval <= 0:
        raise ValueError("poll_interval and update_interval must be positive")
    agent = _Agent(client, function, function_id, update_interval=update_interval, pbar=pbar)
    logger.info("Agent %s serving function #%s", agent.agent_id, function_id)
    if burst:
        return agent.drain()
    stop = stop or threading.Event()
    wake = threading.Event()
    def announced(category: str | None) -> None:
        if category != "batch":
            agent.interactive_pending.set()

    watcher = QueueWatcher(client, function_id, wake.set, announced=announced)
    watcher.start()
    rng = random.Random()
    completed = 0
    try:
        while not stop.is_set():
            wake.clear()  # before draining: a request announced meanwhile wakes the next wait
            agent.interactive_pending.set()
            completed += agent.drain()
            interval = poll_interval * (_RARE_POLLS if watcher.connected else 1) * rng.uniform(0.85, 1.15)
            deadline = time.monotonic() + interval
            while not stop.is_set() and not wake.is_set() and time.monotonic() < deadline:
                wake.wait(min(1.0, max(0.0, deadline - time.monotonic())))
    finally:
        watcher.stop()
    return completed
