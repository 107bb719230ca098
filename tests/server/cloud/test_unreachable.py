"""A storage whose endpoint is gone (a closed loopback port) or silent (it accepts connections
and never answers) is reported within seconds by the calls a web request waits for: status,
content, updates. The web request never waits for a download."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from inklab.server.cloud.models import CloudStorage
from tests.server.cloud.backends import Backend
from tests.server.datasets.flows import status_of
from tests.support.live import free_port

pytestmark = pytest.mark.django_db

#: the most seconds one call may take against a silent endpoint (one attempt, 5 s read timeout)
WITHIN = 9.0


@pytest.fixture
def silent_url() -> Iterator[str]:
    """An endpoint that accepts TCP connections (the kernel's backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def _point_at(storage: dict[str, Any], url: str) -> None:
    """The endpoint changes after the storage was made (a server moved or went down)."""
    CloudStorage.objects.filter(pk=storage["id"]).update(specific_attributes=urlencode(
        {"endpoint_url": url, "region": "us-east-1"}))


def _timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


@pytest.mark.parametrize("endpoint", ["closed", "silent"])
def test_status_and_content_answer_within_seconds(api: APIClient, make_storage: Callable[..., Any],
                                                  silent_url: str, endpoint: str, cloud: Backend) -> None:
    storage = make_storage()
    _point_at(storage, silent_url if endpoint == "silent" else f"http://127.0.0.1:{free_port()}")
    status, seconds = _timed(lambda: api.get(f"/api/cloudstorages/{storage['id']}/status"))
    assert status.status_code == 200 and status.json() == "UNREACHABLE"
    assert seconds < WITHIN
    content, seconds = _timed(lambda: api.get(f"/api/cloudstorages/{storage['id']}/content-v2"))
    assert content.status_code == 400
    assert content.json()["detail"] == (f"Cloud storage {storage['id']} ('Bucket'): the endpoint of {cloud.noun} "
                                        f"'{storage['resource']}' does not answer.")
    assert seconds < WITHIN


def test_creating_a_storage_on_a_silent_endpoint_fails_within_seconds(api: APIClient, storage_body: dict[str, Any],
                                                                     silent_url: str, cloud: Backend) -> None:
    body = {**storage_body, "specific_attributes": f"endpoint_url={silent_url}"}
    response, seconds = _timed(lambda: cloud.post(api, body))
    assert response.status_code == 400
    assert "does not answer" in response.json()["detail"]
    assert seconds < WITHIN
    assert CloudStorage.objects.count() == 0


def test_an_import_from_an_unreachable_storage_is_queued_and_fails_in_the_request(
        api: APIClient, make_storage: Callable[..., Any], make_task: Callable[..., dict[str, Any]],
        cloud: Backend) -> None:
    task = make_task(1)
    storage = make_storage()
    _point_at(storage, f"http://127.0.0.1:{free_port()}")
    query = urlencode({"format": "COCO 1.0", "location": "cloud_storage", "cloud_storage_id": storage["id"],
                       "filename": "coco.zip"})
    response = api.post(f"/api/tasks/{task['id']}/annotations/?{query}", format="json")
    assert response.status_code == 202, response.content  # the web request asked nothing of the storage
    failed = status_of(api, response.json()["rq_id"])
    assert failed["status"] == "failed"
    assert f"Cloud storage {storage['id']} ('Bucket'): the endpoint of {cloud.noun}" in failed["message"]
    assert "does not answer" in failed["message"]
