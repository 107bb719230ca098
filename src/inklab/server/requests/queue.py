"""Enqueueing, claiming, running, cancelling and reaping background requests.

Claiming is an atomic ``UPDATE ... WHERE status = 'queued'`` on one row, which works the
same on SQLite and PostgreSQL and lets any number of workers share the table. A started
request names its worker thread and process; the process proves it is alive with heartbeats
(:mod:`.liveness`). A started request whose process is dead is *lost*: it is failed at once
(or queued again once, for handlers that may run again), its leftovers are cleaned up, and a
worker still running it by mistake can no longer commit (every status change is conditional
on the request still being that worker's). The lease that progress reports extend remains as
a last resort, for a live worker whose handler hangs.

Workers also run the housekeeping: result expiry and the registered sweeps of orphan files.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from inklab.server.errors import ServiceError
from inklab.server.media import blobstore
from inklab.server.requests import liveness
from inklab.server.requests.messages import failure_message
from inklab.server.requests.models import BackgroundRequest
from inklab.server.requests.progress import CANCELLED, Cancelled, Lost, Progress
from inklab.server.requests.registry import Handler, get_handler, sweeps
from inklab.vocabulary import RequestStatus

__all__ = ["Worker", "cancel", "drain", "enqueue", "housekeeping", "reap_if_lost", "reap_lost", "run_one"]

logger = logging.getLogger(__name__)

_MAX_ATTEMPTS = 2
_wakeup = threading.Event()

LOST = ("The server process running this request stopped before it finished (it crashed or was "
        "restarted); nothing of it was kept. Run the request again.")
LOST_CANCELLED = "The request was cancelled; the server process running it had stopped."
HUNG = "The request made no progress for too long and was stopped. Run the request again."


def enqueue(owner: Any, operation: str, target: str, *, params: dict[str, Any] | None = None,
            task_id: int | None = None, project_id: int | None = None, job_id: int | None = None,
            function_id: int | None = None, format: str | None = None,
            not_before: datetime | None = None) -> BackgroundRequest:
    """Queue a request; local workers are woken when the surrounding transaction commits.

    A request with ``not_before`` (a scheduled retry) waits in the queue, holding no worker,
    until that time: workers look for due requests at every poll."""
    get_handler(operation)  # fail now, not in the worker, for an unknown operation
    request = BackgroundRequest.objects.create(
        owner=owner if getattr(owner, "pk", None) else None, operation=operation, target=target,
        params=params or {}, task_id=task_id, project_id=project_id, job_id=job_id,
        function_id=function_id, format=format, not_before=not_before,
    )
    transaction.on_commit(_wakeup.set)
    return request


def _handler(request: BackgroundRequest) -> Handler | None:
    try:
        return get_handler(request.operation)
    except LookupError:
        return None


def _cleanup(request: BackgroundRequest) -> None:
    handler = _handler(request)
    if handler is None or handler.cleanup is None:
        return
    try:
        handler.cleanup(request)
    except Exception:  # noqa: BLE001 - a leftover file must not keep a request from ending
        logger.exception("Cleaning up after request %s failed", request.pk)


def _end(request: BackgroundRequest, message: str, **where: Any) -> bool:
    """Fail the request if it is still as ``where`` says, then clean up after it."""
    ended = BackgroundRequest.objects.filter(pk=request.pk, **where).update(
        status=RequestStatus.FAILED, message=message, finished_date=timezone.now(), lease_until=None)
    if ended:
        _cleanup(request)
    return bool(ended)


def cancel(request: BackgroundRequest) -> None:
    """Cancel a request: a queued one, or a started one whose process is dead, ends at once;
    a running one stops at its next progress report."""
    if _end(request, CANCELLED, status=RequestStatus.QUEUED):
        return
    if request.status == RequestStatus.STARTED and not liveness.is_alive(request.process):
        if _end(request, LOST_CANCELLED, status=RequestStatus.STARTED, worker=request.worker):
            logger.info("Request %s cancelled: its worker %s is gone", request.pk, request.process)
            return
    BackgroundRequest.objects.filter(pk=request.pk, status=RequestStatus.STARTED).update(cancel_requested=True)


def _lose(request: BackgroundRequest, message: str = LOST) -> bool:
    """End (or queue again, where its handler allows) a started request whose worker is gone."""
    handler = _handler(request)
    held = {"status": RequestStatus.STARTED, "worker": request.worker}
    if (handler is not None and handler.retry_lost and request.attempts < _MAX_ATTEMPTS
            and not request.cancel_requested):
        requeued = BackgroundRequest.objects.filter(pk=request.pk, **held).update(
            status=RequestStatus.QUEUED, worker="", process="", lease_until=None, progress=0.0)
        if requeued:
            _cleanup(request)
            _wakeup.set()
            logger.warning("Request %s queued again: its worker %s is gone", request.pk, request.process)
            return True
    message = LOST_CANCELLED if request.cancel_requested else message
    if _end(request, message, **held):
        logger.warning("Request %s failed: its worker %s is gone", request.pk, request.process or request.worker)
        return True
    return False


def reap_if_lost(request: BackgroundRequest) -> bool:
    """End ``request`` now if it is started and its process is dead; True if it was ended."""
    if request.status != RequestStatus.STARTED or liveness.is_alive(request.process):
        return False
    return _lose(request)


def reap_lost(*, by_heartbeat: bool = True) -> int:
    """End the started requests of dead processes, and those whose lease ran out; returns how many.

    ``by_heartbeat=False`` judges only by the certain signs (see :func:`liveness.dead_among`).
    """
    started = BackgroundRequest.objects.filter(status=RequestStatus.STARTED)
    processes = set(started.values_list("process", flat=True))
    dead = liveness.dead_among(processes, by_heartbeat=by_heartbeat)
    count = 0
    for request in started.filter(Q(process__in=dead) | Q(process="")):
        count += _lose(request)
    for request in started.filter(lease_until__lt=timezone.now()).exclude(process__in=dead):
        count += _lose(request, HUNG)
    return count


def _claim(worker_id: str) -> BackgroundRequest | None:
    due = Q(not_before__isnull=True) | Q(not_before__lte=timezone.now())
    candidates = (BackgroundRequest.objects.filter(due, status=RequestStatus.QUEUED)
                  .order_by("created_date").values_list("pk", flat=True)[:5])
    for pk in candidates:
        request = BackgroundRequest.objects.filter(pk=pk).first()
        if request is None:
            continue
        lease = timezone.now() + timedelta(seconds=get_handler(request.operation).lease_seconds)
        claimed = BackgroundRequest.objects.filter(pk=pk, status=RequestStatus.QUEUED).update(
            status=RequestStatus.STARTED, worker=worker_id, process=liveness.identity(), started_date=timezone.now(),
            lease_until=lease, attempts=request.attempts + 1, progress=0.0,
        )
        if claimed:
            request.refresh_from_db()
            return request
    return None


def _execute(request: BackgroundRequest) -> None:
    handler = get_handler(request.operation)
    log = logging.LoggerAdapter(logger, {"request_id": request.pk})
    log.info("Starting %s on %s (request %s)", request.operation, request.target, request.pk)
    mine = {"status": RequestStatus.STARTED, "worker": request.worker}
    try:
        handler.func(request, Progress(request, handler.lease_seconds))
    except Lost:
        log.warning("Request %s was ended elsewhere while this worker ran it; its work was dropped", request.pk)
        return
    except Exception as exc:  # noqa: BLE001 - every failure must end the request, with a message
        if not isinstance(exc, (ServiceError, Cancelled)):
            log.error("Request %s (%s) failed", request.pk, request.operation, exc_info=exc)
        message = failure_message(exc, request.pk)
        _end(request, message, **mine)
        log.info("Request %s failed: %s", request.pk, message)
        return
    ttl = timedelta(seconds=int(getattr(settings, "RESULT_TTL_SECONDS", 24 * 3600)))
    now = timezone.now()
    finished = BackgroundRequest.objects.filter(pk=request.pk, **mine).update(
        status=RequestStatus.FINISHED, progress=1.0, finished_date=now, expiry_date=now + ttl, lease_until=None)
    if finished:
        log.info("Request %s finished", request.pk)
    else:
        log.warning("Request %s finished after it had been ended elsewhere", request.pk)


def run_one(worker_id: str | None = None) -> bool:
    """Claim and run one queued request in this thread; False if there was none."""
    request = _claim(worker_id or f"{liveness.identity()}/inline")
    if request is None:
        return False
    _execute(request)
    return True


def drain(worker_id: str | None = None) -> int:
    """Run queued requests in this thread until none is due; returns how many ran (a request
    scheduled for later stays queued)."""
    count = 0
    while run_one(worker_id):
        count += 1
    return count


def _expire_results() -> None:
    now = timezone.now()
    expired = BackgroundRequest.objects.filter(expiry_date__lt=now).exclude(result_file="")
    for request in expired:
        path = settings.DATA_DIR / request.result_file
        path.unlink(missing_ok=True)
        blobstore.forget(path)
        BackgroundRequest.objects.filter(pk=request.pk).update(result_file="")


def housekeeping(*, by_heartbeat: bool = True) -> None:
    """End lost requests, expire results and run every registered sweep (in this order: a sweep
    may remove the files of requests that are no longer running)."""
    liveness.forget_dead()
    reap_lost(by_heartbeat=by_heartbeat)
    _expire_results()
    for name, func in sweeps().items():
        try:
            removed = func()
        except Exception:  # noqa: BLE001 - one failing sweep must not stop the others
            logger.exception("Housekeeping sweep %s failed", name)
            continue
        if removed:
            logger.info("Housekeeping: %s removed %d orphan file(s)", name, removed)


class _Heartbeat:
    """The thread that keeps a process's heartbeat and runs the housekeeping.

    Requests of other processes are judged by their heartbeats only after this process has
    itself been beating without a gap for :func:`liveness.dead_after`: if the database was
    unreachable for everyone (a long write on SQLite blocks every writer), the others had no
    chance to beat either, and must get it before anyone takes them for dead.
    """

    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop
        self._thread = threading.Thread(target=self._run, daemon=True, name="inklab-heartbeat")

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        interval = liveness.heartbeat_seconds()
        sweep_every = float(getattr(settings, "HOUSEKEEPING_SECONDS", 60.0))
        steady_since: float | None = None
        last_beat = last_sweep = 0.0
        first = True
        while not self._stop.is_set():
            try:
                close_old_connections()
                liveness.beat()
                now = time.monotonic()
                if steady_since is None or now - last_beat > 2 * interval:
                    steady_since = now
                last_beat = now
                steady = now - steady_since >= liveness.dead_after().total_seconds()
                if first or now - last_sweep >= sweep_every:
                    housekeeping(by_heartbeat=steady)
                    last_sweep = now
                    first = False
                else:
                    reap_lost(by_heartbeat=steady)
            except Exception:  # noqa: BLE001 - a database hiccup must not stop the heartbeat
                logger.exception("The worker heartbeat hit an error; retrying")
            finally:
                connection.close()
            self._stop.wait(interval)


class Worker:
    """A pool of threads running queued requests until :meth:`stop`, with the process's
    heartbeat and housekeeping in one more thread."""

    def __init__(self, threads: int = 2, *, poll_interval: float = 1.0, name: str | None = None) -> None:
        self.threads = threads
        self.poll_interval = poll_interval
        self.name = name or liveness.identity()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._heartbeat: _Heartbeat | None = None

    def start(self) -> None:
        """Register the process and start the threads; the heartbeat thread's first round ends at
        once what dead predecessors on this machine left, and removes their files."""
        try:
            liveness.register()
        except Exception:  # noqa: BLE001 - the heartbeat thread registers it then
            logger.exception("Registering the background worker failed; the heartbeat retries")
        finally:
            connection.close()
        self._heartbeat = _Heartbeat(self._stop)
        self._heartbeat.start()
        for index in range(self.threads):
            thread = threading.Thread(target=self._loop, args=(f"{self.name}/{index}",), daemon=True,
                                      name=f"inklab-worker-{index}")
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        _wakeup.set()
        for thread in self._threads:
            thread.join(timeout)
        if self._heartbeat is not None:
            self._heartbeat.join(timeout)
        if not any(t.is_alive() for t in self._threads):
            try:
                liveness.unregister()
            finally:
                connection.close()

    def run_forever(self) -> None:
        self.start()
        try:
            while any(t.is_alive() for t in self._threads):
                for thread in self._threads:
                    thread.join(0.5)
        except KeyboardInterrupt:
            self.stop()

    def _loop(self, worker_id: str) -> None:
        while not self._stop.is_set():
            try:
                close_old_connections()
                if run_one(worker_id):
                    continue
            except Exception:  # noqa: BLE001 - a broken database connection must not kill the thread
                logger.exception("Background worker %s hit an error; retrying", worker_id)
            finally:
                close_old_connections()
            _wakeup.wait(self.poll_interval)
            _wakeup.clear()
