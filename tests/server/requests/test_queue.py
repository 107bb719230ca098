"""Background requests: claiming, failure messages, cancellation (lost workers: test_lost.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
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
    assert crashed["status"] == "failed"
    assert crashed["message"] == ("The server could not finish this request because of an internal error; the "
                                  f"administrator can find the details in the server log under request id {crashing.pk}.")


def test_cancel_queued(admin: Any, api: APIClient) -> None:
    request = queue.enqueue(admin, "test:ok", "task")
    body = api.post(f"/api/requests/{request.pk}/cancel").json()
    assert body["status"] == "failed" and "cancelled" in body["message"]
    assert queue.drain() == 0


def test_list_filters(admin: Any, api: APIClient) -> None:
    queue.enqueue(admin, "test:ok", "task", task_id=1)
    queue.enqueue(admin, "test:boom", "project", project_id=2, params={"file": "x"})
    queue.drain()
    assert api.get("/api/requests", {"status": "failed"}).json()["count"] == 1
    assert api.get("/api/requests", {"target": "project"}).json()["count"] == 1
    assert api.get("/api/requests", {"action": "test"}).json()["count"] == 2
    assert api.get("/api/requests", {"task_id": 1}).json()["results"][0]["operation"]["type"] == "test:ok"


def test_unexpected_errors_are_logged_with_the_request_id(admin: Any, caplog: pytest.LogCaptureFixture) -> None:
    request = queue.enqueue(admin, "test:crash", "task")
    queue.drain()
    errors = [r for r in caplog.records if r.levelname == "ERROR" and request.pk in r.getMessage()]
    assert len(errors) == 1 and errors[0].exc_info is not None and errors[0].exc_info[0] is RuntimeError


@registry.handler("test:leaky")
def _leaky(request: BackgroundRequest, progress: Any) -> None:
    path = settings.MEDIA_ROOT / "tasks" / "7" / "work" / "cat.png"
    raise InvalidInput({"client_files": [f"'cat.png' is not a valid image (cannot identify image file '{path}')."]})


def test_messages_name_no_server_path(admin: Any, api: APIClient, settings: Any) -> None:
    request = queue.enqueue(admin, "test:leaky", "task")
    queue.drain()
    message = api.get(f"/api/requests/{request.pk}").json()["message"]
    assert message == "client_files: 'cat.png' is not a valid image (cannot identify image file 'cat.png')."
