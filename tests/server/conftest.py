"""Fixtures for in-process API tests (Django test client, test database).

Background requests do not run by themselves here: tests call ``run_requests()`` to run
everything queued, in the test's thread and transaction.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from inklab.server.requests import queue
from tests.support.images import make_image

PASSWORD = "Str0ng-test-pass"


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    """Each test gets its own media and share directories (ids are reused after rollbacks)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SHARE_ROOT = tmp_path / "share"
    settings.SHARE_ROOT.mkdir()


@pytest.fixture
def make_user(db: None) -> Callable[..., Any]:
    def make(username: str, *, admin: bool = False) -> Any:
        User = get_user_model()
        if admin:
            return User.objects.create_superuser(username=username, password=PASSWORD, email=f"{username}@x.org")
        return User.objects.create_user(username=username, password=PASSWORD, email=f"{username}@x.org")

    return make


@pytest.fixture
def admin(make_user: Callable[..., Any]) -> Any:
    return make_user("admin", admin=True)


@pytest.fixture
def client_for() -> Callable[[Any], APIClient]:
    def make(user: Any) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def api(admin: Any, client_for: Callable[[Any], APIClient]) -> APIClient:
    """A client authenticated as an administrator."""
    return client_for(admin)


def run_requests() -> int:
    """Run all queued background requests now; returns how many ran."""
    return queue.drain()


def png_bytes(index: int, size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    make_image(index, size).save(buffer, format="PNG")
    return buffer.getvalue()


def upload_files(client: APIClient, task_id: int, files: dict[str, bytes], **params: Any) -> Any:
    """Upload files with the SDK's protocol and process them; returns the request status body."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert client.post(f"/api/tasks/{task_id}/data/", HTTP_UPLOAD_START="", format="json").status_code == 202
    body = {f"client_files[{i}]": SimpleUploadedFile(name, data) for i, (name, data) in enumerate(files.items())}
    response = client.post(f"/api/tasks/{task_id}/data/", body, HTTP_UPLOAD_MULTIPLE="", format="multipart")
    assert response.status_code == 200, response.content
    response = client.post(f"/api/tasks/{task_id}/data/", {"image_quality": 70, **params},
                           HTTP_UPLOAD_FINISH="", format="json")
    assert response.status_code == 202, response.content
    rq_id = response.json()["rq_id"]
    run_requests()
    return client.get(f"/api/requests/{rq_id}").json()


@pytest.fixture
def make_task(api: APIClient) -> Callable[..., dict[str, Any]]:
    """Create a task (labels car + person skeleton by default) with ``frames`` generated PNGs."""

    def make(frames: int = 3, *, client: APIClient | None = None, labels: list[dict[str, Any]] | None = None,
             **fields: Any) -> dict[str, Any]:
        client = client or api
        spec = {"name": "task", **fields}
        if "project_id" not in fields:
            spec["labels"] = labels if labels is not None else default_labels()
        response = client.post("/api/tasks", spec, format="json")
        assert response.status_code == 201, response.content
        task = response.json()
        if frames:
            status = upload_files(client, task["id"], {f"frame_{i:03d}.png": png_bytes(i) for i in range(frames)})
            assert status["status"] == "finished", status
        return client.get(f"/api/tasks/{task['id']}").json()

    return make


def default_labels() -> list[dict[str, Any]]:
    return [
        {"name": "car", "attributes": [
            {"name": "color", "mutable": False, "input_type": "select", "values": ["red", "blue"]},
            {"name": "parked", "mutable": True, "input_type": "checkbox", "values": ["false"]},
            {"name": "speed", "mutable": True, "input_type": "number", "values": ["0", "100", "5"]},
            {"name": "plate", "mutable": False, "input_type": "text", "values": []},
            {"name": "kind", "mutable": False, "input_type": "radio", "values": ["sedan", "van"]},
        ]},
        {"name": "person", "type": "skeleton", "svg": "<line x1=\"1\" y1=\"1\" x2=\"2\" y2=\"2\"/>",
         "sublabels": [{"name": "head"}, {"name": "hand", "attributes": [
             {"name": "side", "mutable": False, "input_type": "select", "values": ["left", "right"]}]}]},
        {"name": "scene", "type": "tag"},
    ]
