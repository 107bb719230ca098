"""Project webhooks through the official cvat-sdk 2.80 against a live ``inklab serve``: signed
``create:task`` and ``update:job`` events delivered by the server's workers to a receiver on
127.0.0.1, deliveries with status codes, ping, a failing target retried, and a loopback target
refused unless ``INKLAB_WEBHOOKS_ALLOW_PRIVATE=1``."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.images import make_images
from tests.support.live import LiveServer
from tests.support.receiver import Receiver

pytestmark = pytest.mark.live

SECRET = "pipeline-secret"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def allowing(server_factory: Callable[..., LiveServer]) -> LiveServer:
    return server_factory(workers=2, env={"INKLAB_WEBHOOKS_ALLOW_PRIVATE": "1", "INKLAB_WEBHOOKS_BACKOFF": "0.2",
                                          "INKLAB_WEBHOOKS_ATTEMPTS": "3", "INKLAB_WEBHOOKS_TIMEOUT": "5"})


def _client(server: LiveServer) -> Any:
    from cvat_sdk import make_client

    client = make_client(server.url, credentials=server.admin)
    client.config.status_check_period = 0.1
    return client


def _wait(condition: Callable[[], Any], what: str, within: float = 30) -> Any:
    deadline = time.monotonic() + within
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return result


def _signed(body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


def test_project_webhook_events_deliveries_and_ping(allowing: LiveServer, receiver: Receiver,
                                                    tmp_path: Path) -> None:
    from cvat_sdk import models
    from cvat_sdk.core.proxies.tasks import ResourceType

    with _client(allowing) as client:
        api = client.api_client.webhooks_api
        events, _ = api.retrieve_events(type="project")
        assert "create:task" in [event.key for event in events.events]
        project = client.projects.create(models.ProjectWriteRequest(name="hooked", labels=[{"name": "car"}]))
        hook, _ = api.create(models.WebhookWriteRequest(
            target_url=receiver.url, type="project", project_id=project.id, secret=SECRET,
            events=["create:task", "update:job"], content_type="application/json"))
        assert hook.project_id == project.id and [e.value for e in hook.events] == ["create:task", "update:job"]
        assert "secret" not in hook.to_dict()

        task = client.tasks.create_from_data(
            spec=models.TaskWriteRequest(name="hooked-task", project_id=project.id),
            resources=make_images(tmp_path, 2), resource_type=ResourceType.LOCAL)
        create = _wait(lambda: [r for r in receiver.received if r.json()["event"] == "create:task"], "create:task")
        assert len(create) == 1 and _signed(create[0].body, create[0].headers["x-signature-256"])
        assert create[0].json()["task"]["id"] == task.id and create[0].json()["webhook_id"] == hook.id

        job = task.get_jobs()[0]
        client.api_client.jobs_api.partial_update(job.id, patched_job_write_request={"state": "completed"})
        update = _wait(lambda: [r for r in receiver.received if r.json()["event"] == "update:job"], "update:job")
        assert _signed(update[0].body, update[0].headers["x-signature-256"])
        payload = update[0].json()
        assert payload["job"]["id"] == job.id and payload["job"]["state"] == "completed"
        assert payload["before_update"]["state"] == "new" and payload["sender"]["username"] == "admin"

        delivery, _ = api.create_ping(hook.id)
        _wait(lambda: [r for r in receiver.received if r.json()["event"] == "ping"], "ping")
        pinged = _wait(lambda: (d := api.retrieve_deliveries(str(delivery.id), hook.id)[0]).status_code and d,
                       "the ping's status")
        assert pinged.status_code == 200 and pinged.request["event"] == "ping"

        page, _ = api.list_deliveries(hook.id)
        assert sorted((d.event, d.status_code) for d in page.results) == [
            ("create:task", 200), ("ping", 200), ("update:job", 200)]
        assert api.retrieve(hook.id)[0].last_status == 200


def test_failing_target_is_retried(allowing: LiveServer) -> None:
    from cvat_sdk import models

    failing = Receiver(statuses=[503, 503, 204]).start()
    try:
        with _client(allowing) as client:
            api = client.api_client.webhooks_api
            project = client.projects.create(models.ProjectWriteRequest(name="flaky"))
            hook, _ = api.create(models.WebhookWriteRequest(target_url=failing.url, type="project",
                                                            project_id=project.id, events=["update:project"]))
            project.update(models.PatchedProjectWriteRequest(name="flaky-2"))
            _wait(lambda: len(failing.received) == 3, "three attempts")
            delivery = _wait(lambda: (d := api.list_deliveries(hook.id)[0].results[0]).status_code == 204 and d,
                             "the delivery's final status")
            assert delivery.attempt == 3 and delivery.event == "update:project"
            assert delivery.request["before_update"] == {"name": "flaky"}
            assert "x-signature-256" not in failing.received[0].headers  # no secret, no signature
    finally:
        failing.stop()


def test_a_pending_retry_holds_no_worker(server_factory: Callable[..., LiveServer], tmp_path: Path) -> None:
    """One background worker thread: while a failing target's retry is due in 20 s, that worker
    makes a task's data and an export; the retry comes after its due time and is recorded.
    (The task and the export take 2–3 s on a quiet machine: 20 s leaves room for a loaded one.)"""
    from cvat_sdk import models

    backoff = 20.0
    server = server_factory(workers=1, env={"INKLAB_WEBHOOKS_ALLOW_PRIVATE": "1", "INKLAB_EMBEDDED_WORKERS": "1",
                                            "INKLAB_WEBHOOKS_BACKOFF": str(backoff), "INKLAB_WEBHOOKS_ATTEMPTS": "2",
                                            "INKLAB_WEBHOOKS_TIMEOUT": "5"})
    failing = Receiver(statuses=[500]).start()
    try:
        with _client(server) as client:
            api = client.api_client.webhooks_api
            project = client.projects.create(models.ProjectWriteRequest(name="busy",
                                                                        labels=[{"name": "car"}]))
            hook, _ = api.create(models.WebhookWriteRequest(target_url=failing.url, type="project",
                                                            project_id=project.id, events=["update:project"]))
            project.update(models.PatchedProjectWriteRequest(name="busy-2"))
            _wait(lambda: len(failing.received) == 1, "the first attempt")
            first = failing.received[0].at

            task = client.tasks.create_from_data(
                models.TaskWriteRequest(name="meanwhile", project_id=project.id),
                resources=[str(p) for p in make_images(tmp_path / "images", 2)])
            task.export_dataset("COCO 1.0", tmp_path / "export.zip", include_images=False)
            assert (tmp_path / "export.zip").stat().st_size > 0
            assert len(failing.received) == 1, "the export waited for the retry"
            assert time.monotonic() - first < backoff

            _wait(lambda: len(failing.received) == 2, "the retry", within=backoff + 20)
            assert failing.received[1].at - first >= backoff - 0.5  # due time, give or take the clocks' grain
            delivery = _wait(lambda: (d := api.list_deliveries(hook.id)[0].results[0]).attempt == 2 and d,
                             "the retry's record")
            assert delivery.status_code == 500 and delivery.event == "update:project"
            time.sleep(1)
            assert len(failing.received) == 2  # two attempts allowed, no third
    finally:
        failing.stop()


def test_loopback_target_is_refused_by_default(live_server: LiveServer, receiver: Receiver) -> None:
    from cvat_sdk import models
    from cvat_sdk.api_client.exceptions import ApiException

    with _client(live_server) as client:
        project = client.projects.create(models.ProjectWriteRequest(name="guarded"))
        with pytest.raises(ApiException) as error:
            client.api_client.webhooks_api.create(models.WebhookWriteRequest(
                target_url=receiver.url, type="project", project_id=project.id, events=["create:task"]))
        assert error.value.status == 400
        assert "INKLAB_WEBHOOKS_ALLOW_PRIVATE" in error.value.body and "target_url" in error.value.body
        with pytest.raises(ApiException) as error:
            client.api_client.webhooks_api.create(models.WebhookWriteRequest(
                target_url="https://example.org/hook", type="organization", events=["create:task"]))
        assert error.value.status == 400 and "organization" in error.value.body
    assert receiver.received == []
