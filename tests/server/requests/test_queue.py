"""Background requests: claiming, failure messages, cancellation, lost workers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from inklab.server.errors import InvalidInput
from inklab.server.requests import queue, registry
from inklab.server.requests.models import BackgroundRequest

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


@registry.handler("test:ok")
def _ok(request: BackgroundRequest, progress: Any) -> None:
    progress(0.5, force=True)
    CALLS.append(request.pk)


@registry.handler("test:boom")
def _boom(request: BackgroundRequest, progress: Any) -> None:
    raise InvalidInput(f"'{request.params['file']}' line 3: bad things")


@registry.handler("test:crash")
def _crash(request: BackgroundRequest, progress: Any) -> None:
    raise RuntimeError("unexpected")


def test_duplicate_handlers_are_rejected() -> None:
    with pytest.raises(ValueError, match="already registered"):
        registry.handler("test:ok")(_ok)


def test_unknown_operation_is_refused_at_enqueue(admin: Any) -> None:
    with pytest.raises(LookupError):
        queue.enqueue(admin, "test:nothing", "task")


def test_run_and_report(admin: Any, api: APIClient) -> None:
    request = queue.enqueue(admin, "test:ok", "task", task_id=5)
    body = api.get(f"/api/requests/{request.pk}").json()
    assert body["status"] == "queued" and body["message"] == ""
    assert body["operation"]["type"] == "test:ok" and body["operation"]["task_id"] == 5
    assert queue.drain() == 1 and CALLS[-1] == request.pk
    body = api.get(f"/api/requests/{request.pk}").json()
    assert body["status"] == "finished" and body["progress"] == 1.0 and body["result_url"] is None
    assert body["finished_date"] >= body["started_date"] >= body["created_date"]


def test_failures_carry_a_message(admin: Any, api: APIClient) -> None:
    failing = queue.enqueue(admin, "test:boom", "task", params={"file": "ann.xml"})
    crashing = queue.enqueue(admin, "test:crash", "task")
    queue.drain()
    assert api.get(f"/api/requests/{failing.pk}").json()["message"] == "'ann.xml' line 3: bad things"
    crashed = api.get(f"/api/requests/{crashing.pk}").json()
    assert crashed["status"] == "failed" and crashed["message"] == "RuntimeError: unexpected"


def test_cancel_queued(admin: Any, api: APIClient) -> None:
    request = queue.enqueue(admin, "test:ok", "task")
    body = api.post(f"/api/requests/{request.pk}/cancel").json()
    assert body["status"] == "failed" and "cancelled" in body["message"]
    assert queue.drain() == 0


def test_lost_requests_are_retried_once_then_failed(admin: Any) -> None:
    request = queue.enqueue(admin, "test:ok", "task")
    past = timezone.now() - timedelta(minutes=5)
    BackgroundRequest.objects.filter(pk=request.pk).update(status="started", lease_until=past, attempts=1,
                                                           worker="dead")
    queue._requeue_lost()
    assert BackgroundRequest.objects.get(pk=request.pk).status == "queued"
    BackgroundRequest.objects.filter(pk=request.pk).update(status="started", lease_until=past, attempts=2,
                                                           worker="dead")
    queue._requeue_lost()
    lost = BackgroundRequest.objects.get(pk=request.pk)
    assert lost.status == "failed" and "dead" in lost.message


def test_list_filters(admin: Any, api: APIClient) -> None:
    queue.enqueue(admin, "test:ok", "task", task_id=1)
    queue.enqueue(admin, "test:boom", "project", project_id=2, params={"file": "x"})
    queue.drain()
    assert api.get("/api/requests", {"status": "failed"}).json()["count"] == 1
    assert api.get("/api/requests", {"target": "project"}).json()["count"] == 1
    assert api.get("/api/requests", {"action": "test"}).json()["count"] == 2
    assert api.get("/api/requests", {"task_id": 1}).json()["results"][0]["operation"]["type"] == "test:ok"
