"""Webhook retries as scheduled queue entries (no worker sleeps between attempts), the address
checked again at every attempt, and the pruning of old deliveries by the housekeeping."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from inklab.server.requests import queue
from inklab.server.requests.models import BackgroundRequest
from inklab.server.webhooks.jobs import prune_deliveries
from inklab.server.webhooks.models import WebhookDelivery
from inklab.server.webhooks.services import DELIVER
from inklab.vocabulary import RequestStatus
from tests.server.conftest import run_requests
from tests.support.receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing() -> Iterator[Receiver]:
    server = Receiver(statuses=[500]).start()
    yield server
    server.stop()


@pytest.fixture
def slow_retries(settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOKS_BACKOFF = 30
    settings.WEBHOOKS_ATTEMPTS = 3
    settings.WEBHOOKS_TIMEOUT = 5


def _hook(api: APIClient, url: str, project_id: int) -> dict[str, Any]:
    response = api.post("/api/webhooks", {"target_url": url, "type": "project", "project_id": project_id,
                                          "events": ["update:project"]}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _pending_retries() -> list[BackgroundRequest]:
    return list(BackgroundRequest.objects.filter(operation=DELIVER, status=RequestStatus.QUEUED))


def _make_due(request: BackgroundRequest) -> None:
    """Time passes: the retry's due time is now behind us."""
    BackgroundRequest.objects.filter(pk=request.pk).update(not_before=timezone.now() - timedelta(seconds=1))


def test_a_retry_waits_in_the_queue_not_in_a_worker(api: APIClient, project: dict[str, Any], failing: Receiver,
                                                    slow_retries: None, make_task: Callable[..., dict[str, Any]]
                                                    ) -> None:
    hook = _hook(api, failing.url, project["id"])
    delivery = api.post(f"/api/webhooks/{hook['id']}/ping").json()
    before = timezone.now()
    assert run_requests() == 1  # the first attempt only: the worker is free again at once
    assert len(failing.received) == 1
    [retry] = _pending_retries()
    assert retry.params == {"delivery_id": delivery["id"], "attempt": 2}
    assert retry.not_before is not None
    assert timedelta(seconds=29) <= retry.not_before - before <= timedelta(seconds=31)

    # The worker serves other requests meanwhile (a task's data, an export); the retry waits.
    task = make_task(2)
    export = api.post(f"/api/tasks/{task['id']}/dataset/export?format=COCO%201.0").json()
    run_requests()
    assert BackgroundRequest.objects.get(pk=export["rq_id"]).status == RequestStatus.FINISHED
    assert len(failing.received) == 1
    assert [r.pk for r in _pending_retries()] == [retry.pk]
    recorded = api.get(f"/api/webhooks/{hook['id']}/deliveries/{delivery['id']}").json()
    assert recorded["attempt"] == 1 and recorded["status_code"] == 500

    # Once due, the retry runs, is recorded, and schedules the third attempt twice as far away.
    _make_due(retry)
    assert run_requests() == 1
    assert len(failing.received) == 2
    recorded = api.get(f"/api/webhooks/{hook['id']}/deliveries/{delivery['id']}").json()
    assert recorded["attempt"] == 2 and recorded["status_code"] == 500
    [third] = _pending_retries()
    assert third.params["attempt"] == 3
    assert third.not_before is not None and third.not_before - timezone.now() > timedelta(seconds=55)

    # The last attempt succeeds: nothing more is queued.
    failing.statuses = [500, 500, 204]
    _make_due(third)
    assert run_requests() == 1
    recorded = api.get(f"/api/webhooks/{hook['id']}/deliveries/{delivery['id']}").json()
    assert recorded["attempt"] == 3 and recorded["status_code"] == 204
    assert _pending_retries() == []


def test_the_last_attempt_schedules_nothing(api: APIClient, project: dict[str, Any], failing: Receiver,
                                            slow_retries: None, settings: Any) -> None:
    settings.WEBHOOKS_ATTEMPTS = 2
    hook = _hook(api, failing.url, project["id"])
    delivery = api.post(f"/api/webhooks/{hook['id']}/ping").json()
    run_requests()
    _make_due(_pending_retries()[0])
    run_requests()
    assert len(failing.received) == 2 and _pending_retries() == []
    assert api.get(f"/api/webhooks/{hook['id']}/deliveries/{delivery['id']}").json()["attempt"] == 2


def test_every_attempt_checks_the_address_again(api: APIClient, project: dict[str, Any], failing: Receiver,
                                                slow_retries: None, settings: Any) -> None:
    hook = _hook(api, failing.url, project["id"])
    delivery = api.post(f"/api/webhooks/{hook['id']}/ping").json()
    run_requests()
    assert len(failing.received) == 1
    settings.WEBHOOKS_ALLOW_PRIVATE = False  # what the target resolves to is no longer allowed
    _make_due(_pending_retries()[0])
    run_requests()
    assert len(failing.received) == 1  # refused before connecting, and not retried
    assert _pending_retries() == []
    recorded = api.get(f"/api/webhooks/{hook['id']}/deliveries/{delivery['id']}").json()
    assert recorded["attempt"] == 2 and recorded["status_code"] is None
    assert "127.0.0.1" in recorded["response"]["error"]


def test_a_retry_of_a_deleted_webhook_does_nothing(api: APIClient, project: dict[str, Any], failing: Receiver,
                                                   slow_retries: None) -> None:
    hook = _hook(api, failing.url, project["id"])
    api.post(f"/api/webhooks/{hook['id']}/ping")
    run_requests()
    retry = _pending_retries()[0]
    assert api.delete(f"/api/webhooks/{hook['id']}").status_code == 204
    _make_due(retry)
    assert run_requests() == 1
    assert BackgroundRequest.objects.get(pk=retry.pk).status == RequestStatus.FINISHED
    assert len(failing.received) == 1 and _pending_retries() == []


def test_housekeeping_keeps_the_newest_deliveries_of_each_webhook(api: APIClient, project: dict[str, Any],
                                                                   failing: Receiver, slow_retries: None,
                                                                   settings: Any) -> None:
    settings.WEBHOOK_DELIVERIES_KEPT = 3
    busy = _hook(api, failing.url, project["id"])
    quiet = _hook(api, failing.url, project["id"])
    busy_ids = [api.post(f"/api/webhooks/{busy['id']}/ping").json()["id"] for _ in range(5)]
    quiet_ids = [api.post(f"/api/webhooks/{quiet['id']}/ping").json()["id"] for _ in range(2)]

    queue.housekeeping()  # the workers' periodic sweep, with every registered sweep

    listed = api.get(f"/api/webhooks/{busy['id']}/deliveries").json()
    assert sorted(d["id"] for d in listed["results"]) == sorted(busy_ids)[-3:]
    assert listed["count"] == 3
    assert sorted(WebhookDelivery.objects.filter(webhook_id=quiet["id"]).values_list("pk", flat=True)) == \
        sorted(quiet_ids)
    assert prune_deliveries() == 0  # nothing more to remove

    settings.WEBHOOK_DELIVERIES_KEPT = 1
    assert prune_deliveries() == 3
    assert list(WebhookDelivery.objects.filter(webhook_id=busy["id"]).values_list("pk", flat=True)) == \
        [max(busy_ids)]
    assert list(WebhookDelivery.objects.filter(webhook_id=quiet["id"]).values_list("pk", flat=True)) == \
        [max(quiet_ids)]
