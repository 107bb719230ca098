"""Requests whose worker process died: heartbeats, the same-machine PID check, cancel, fencing.

A started request is made here the way a worker makes it (status ``started``, its worker
thread and process), for processes that are alive, silent, or gone.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from inklab.server.requests import liveness, queue, registry
from inklab.server.requests.models import BackgroundRequest, WorkerProcess
from inklab.server.requests.progress import Lost, Progress

pytestmark = pytest.mark.django_db

CLEANED: list[str] = []


def _cleanup(request: BackgroundRequest) -> None:
    CLEANED.append(request.pk)


@registry.handler("lost:once", cleanup=_cleanup)
def _once(request: BackgroundRequest, progress: Any) -> None:
    progress(0.5, force=True)


@registry.handler("lost:again", retry_lost=True, cleanup=_cleanup)
def _again(request: BackgroundRequest, progress: Any) -> None:
    progress(0.5, force=True)


def _gone_pid() -> int:
    """The PID of a process that has exited (and been waited for)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _process(name: str, *, host: str = "elsewhere/boot/pid:[1]", pid: int = 4242, age: float = 0.0) -> str:
    WorkerProcess.objects.create(pk=name, host=host, pid=pid, heartbeat=timezone.now() - timedelta(seconds=age))
    return name


def _started(admin: Any, process: str, operation: str = "lost:once", **fields: Any) -> BackgroundRequest:
    request = queue.enqueue(admin, operation, "task")
    BackgroundRequest.objects.filter(pk=request.pk).update(
        status="started", process=process, worker=f"{process}/0", attempts=1, started_date=timezone.now(),
        lease_until=timezone.now() + timedelta(minutes=10), **fields)
    return BackgroundRequest.objects.get(pk=request.pk)


def _state(request: BackgroundRequest) -> tuple[str, str]:
    fresh = BackgroundRequest.objects.get(pk=request.pk)
    return fresh.status, fresh.message


def test_a_silent_process_loses_its_requests(admin: Any, settings: Any) -> None:
    settings.WORKER_HEARTBEAT_SECONDS = 1
    alive = _started(admin, _process("fresh"))
    silent = _started(admin, _process("silent", age=10))
    assert queue.reap_lost() == 1
    assert _state(alive) == ("started", "")
    assert _state(silent) == ("failed", queue.LOST)
    assert CLEANED[-1] == silent.pk


def test_a_process_gone_from_this_machine_is_known_dead_at_once(admin: Any) -> None:
    gone = _started(admin, _process("gone", host=liveness._HOST, pid=_gone_pid()))
    running = _started(admin, _process("running", host=liveness._HOST, pid=os.getpid()))
    assert queue.reap_lost(by_heartbeat=False) == 1  # its heartbeat is fresh, its PID is not there
    assert _state(gone) == ("failed", queue.LOST)
    assert _state(running) == ("started", "")


def test_a_process_without_its_row_is_dead(admin: Any) -> None:
    request = _started(admin, "forgotten:1:abc")
    assert queue.reap_lost(by_heartbeat=False) == 1
    assert _state(request) == ("failed", queue.LOST)


def test_this_process_is_alive(admin: Any) -> None:
    request = _started(admin, liveness.identity())
    assert queue.reap_lost() == 0 and _state(request) == ("started", "")


def test_the_message_names_no_machine(admin: Any) -> None:
    request = _started(admin, "db-host-7:31337:0123456789ab")
    queue.reap_lost()
    message = _state(request)[1]
    assert "db-host-7" not in message and "31337" not in message


def test_exports_may_run_again_once(admin: Any) -> None:
    request = _started(admin, "gone:1:a", operation="lost:again")
    queue.reap_lost()
    assert _state(request) == ("queued", "") and CLEANED[-1] == request.pk
    assert queue.drain() == 1 and _state(request)[0] == "finished"

    BackgroundRequest.objects.filter(pk=request.pk).update(status="started", process="gone:1:a", worker="gone:1:a/0",
                                                           attempts=2)
    queue.reap_lost()
    assert _state(request) == ("failed", queue.LOST)


def test_a_hung_handler_loses_its_lease(admin: Any) -> None:
    request = _started(admin, liveness.identity())
    BackgroundRequest.objects.filter(pk=request.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert queue.reap_lost() == 1
    assert _state(request) == ("failed", queue.HUNG)


def test_cancel_ends_a_request_whose_worker_is_gone(admin: Any, api: APIClient) -> None:
    request = _started(admin, _process("gone", host=liveness._HOST, pid=_gone_pid()))
    body = api.post(f"/api/requests/{request.pk}/cancel").json()
    assert (body["status"], body["message"]) == ("failed", queue.LOST_CANCELLED)
    assert CLEANED[-1] == request.pk


def test_cancel_asks_a_live_worker_to_stop(admin: Any, api: APIClient) -> None:
    request = _started(admin, liveness.identity())
    body = api.post(f"/api/requests/{request.pk}/cancel").json()
    assert body["status"] == "started"
    progress = Progress(BackgroundRequest.objects.get(pk=request.pk), 60)
    with pytest.raises(queue.Cancelled):
        progress(0.6, force=True)


def test_cancel_of_a_queued_request_cleans_up(admin: Any, api: APIClient) -> None:
    request = queue.enqueue(admin, "lost:once", "task")
    assert api.post(f"/api/requests/{request.pk}/cancel").json()["status"] == "failed"
    assert CLEANED[-1] == request.pk


def test_reading_a_lost_request_ends_it(admin: Any, api: APIClient) -> None:
    """Even with no worker running anywhere, a client polling the request learns its fate."""
    request = _started(admin, _process("gone", host=liveness._HOST, pid=_gone_pid()))
    body = api.get(f"/api/requests/{request.pk}").json()
    assert (body["status"], body["message"]) == ("failed", queue.LOST)


@registry.handler("lost:while-running")
def _ended_while_running(request: BackgroundRequest, progress: Any) -> None:
    BackgroundRequest.objects.filter(pk=request.pk).update(status="failed", message="judged dead")
    if request.params.get("report"):
        progress(0.9, force=True)


@pytest.mark.parametrize("report", [True, False])
def test_a_worker_taken_for_dead_cannot_finish(admin: Any, report: bool) -> None:
    request = queue.enqueue(admin, "lost:while-running", "task", params={"report": report})
    queue.drain()
    assert _state(request) == ("failed", "judged dead")


def test_hold_keeps_an_ended_request_from_committing(admin: Any) -> None:
    request = _started(admin, liveness.identity())
    progress = Progress(request, 60)
    BackgroundRequest.objects.filter(pk=request.pk).update(status="failed")
    with pytest.raises(Lost), transaction.atomic():
        BackgroundRequest.objects.filter(pk=request.pk).update(message="written by the stale worker")
        progress.hold()
    assert _state(request) == ("failed", "")
