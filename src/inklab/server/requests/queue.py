"""Enqueueing, claiming and running background requests.

Claiming is an atomic ``UPDATE ... WHERE status = 'queued'`` on one row, which works the
same on SQLite and PostgreSQL and lets any number of workers share the table. A started
request carries a lease that the handler extends whenever it reports progress; a request
whose lease ran out (its worker died) is queued again once, then failed.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from inklab.server.errors import ServiceError
from inklab.server.requests.models import BackgroundRequest
from inklab.server.requests.progress import Cancelled, Progress
from inklab.server.requests.registry import get_handler
from inklab.vocabulary import RequestStatus

__all__ = ["Worker", "cancel", "drain", "enqueue", "run_one"]

logger = logging.getLogger(__name__)

_MAX_ATTEMPTS = 2
_wakeup = threading.Event()


def enqueue(owner: Any, operation: str, target: str, *, params: dict[str, Any] | None = None,
            task_id: int | None = None, project_id: int | None = None, job_id: int | None = None,
            function_id: int | None = None, format: str | None = None) -> BackgroundRequest:
    """Queue a request; local workers are woken when the surrounding transaction commits."""
    get_handler(operation)  # fail now, not in the worker, for an unknown operation
    request = BackgroundRequest.objects.create(
        owner=owner if getattr(owner, "pk", None) else None, operation=operation, target=target,
        params=params or {}, task_id=task_id, project_id=project_id, job_id=job_id,
        function_id=function_id, format=format,
    )
    transaction.on_commit(_wakeup.set)
    return request


def cancel(request: BackgroundRequest) -> None:
    """Cancel a queued request at once; a started one stops at its next progress report."""
    updated = BackgroundRequest.objects.filter(pk=request.pk, status=RequestStatus.QUEUED).update(
        status=RequestStatus.FAILED, message="The request was cancelled.", finished_date=timezone.now()
    )
    if not updated:
        BackgroundRequest.objects.filter(pk=request.pk, status=RequestStatus.STARTED).update(
            cancel_requested=True
        )


def _requeue_lost() -> None:
    now = timezone.now()
    lost = BackgroundRequest.objects.filter(status=RequestStatus.STARTED, lease_until__lt=now)
    for request in lost:
        if request.attempts >= _MAX_ATTEMPTS:
            BackgroundRequest.objects.filter(pk=request.pk, status=RequestStatus.STARTED).update(
                status=RequestStatus.FAILED, finished_date=now,
                message=f"The worker running this request ({request.worker}) stopped responding.",
            )
        else:
            logger.warning("Requeueing request %s: worker %s lost it", request.pk, request.worker)
            BackgroundRequest.objects.filter(pk=request.pk, status=RequestStatus.STARTED).update(
                status=RequestStatus.QUEUED, worker="", lease_until=None
            )


def _claim(worker_id: str) -> BackgroundRequest | None:
    candidates = (BackgroundRequest.objects.filter(status=RequestStatus.QUEUED)
                  .order_by("created_date").values_list("pk", flat=True)[:5])
    for pk in candidates:
        request = BackgroundRequest.objects.filter(pk=pk).first()
        if request is None:
            continue
        lease = timezone.now() + timedelta(seconds=get_handler(request.operation).lease_seconds)
        claimed = BackgroundRequest.objects.filter(pk=pk, status=RequestStatus.QUEUED).update(
            status=RequestStatus.STARTED, worker=worker_id, started_date=timezone.now(),
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
    try:
        handler.func(request, Progress(request, handler.lease_seconds))
    except Exception as exc:  # noqa: BLE001 - every failure must end the request, with a message
        if isinstance(exc, ServiceError):
            message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        elif isinstance(exc, Cancelled):
            message = str(exc)
        else:
            log.error("Request %s failed:\n%s", request.pk, traceback.format_exc())
            message = f"{type(exc).__name__}: {exc}"
        BackgroundRequest.objects.filter(pk=request.pk).update(
            status=RequestStatus.FAILED, message=message, finished_date=timezone.now(), lease_until=None
        )
        log.info("Request %s failed: %s", request.pk, message)
        return
    ttl = timedelta(seconds=int(os.environ.get("INKLAB_RESULT_TTL", 24 * 3600)))
    now = timezone.now()
    BackgroundRequest.objects.filter(pk=request.pk).update(
        status=RequestStatus.FINISHED, progress=1.0, finished_date=now, expiry_date=now + ttl, lease_until=None
    )
    log.info("Request %s finished", request.pk)


def run_one(worker_id: str = "inline") -> bool:
    """Claim and run one queued request in this thread; False if there was none."""
    request = _claim(worker_id)
    if request is None:
        return False
    _execute(request)
    return True


def drain(worker_id: str = "inline") -> int:
    """Run queued requests in this thread until none is left; returns how many ran."""
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
        BackgroundRequest.objects.filter(pk=request.pk).update(result_file="")


class Worker:
    """A pool of threads running queued requests until :meth:`stop`."""

    def __init__(self, threads: int = 2, *, poll_interval: float = 1.0, name: str | None = None) -> None:
        self.threads = threads
        self.poll_interval = poll_interval
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
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

    def run_forever(self) -> None:
        self.start()
        try:
            while any(t.is_alive() for t in self._threads):
                for thread in self._threads:
                    thread.join(0.5)
        except KeyboardInterrupt:
            self.stop()

    def _loop(self, worker_id: str) -> None:
        housekeeping = 0
        while not self._stop.is_set():
            try:
                close_old_connections()
                if housekeeping <= 0:
                    _requeue_lost()
                    _expire_results()
                    housekeeping = 30
                if run_one(worker_id):
                    continue
            except Exception:  # noqa: BLE001 - a broken database connection must not kill the thread
                logger.exception("Background worker %s hit an error; retrying", worker_id)
            finally:
                close_old_connections()
            housekeeping -= 1
            _wakeup.wait(self.poll_interval)
            _wakeup.clear()
