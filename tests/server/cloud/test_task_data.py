"""Task data from a cloud storage: ``cloud_storage_id`` + ``server_files`` (objects, folders, manifests)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from PIL import Image
from rest_framework.test import APIClient

from tests.server.cloud.backends import Backend
from tests.server.conftest import default_labels, png_bytes, run_requests

pytestmark = pytest.mark.django_db


def _task(client: APIClient) -> int:
    response = client.post("/api/tasks", {"name": "cloud", "labels": default_labels()}, format="json")
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def _create(client: APIClient, task_id: int, **data: Any) -> Any:
    return client.post(f"/api/tasks/{task_id}/data", {"image_quality": 70, **data}, format="json")


def _run(client: APIClient, response: Any) -> dict[str, Any]:
    assert response.status_code == 202, response.content
    run_requests()
    return client.get(f"/api/requests/{response.json()['rq_id']}").json()


def _frame(client: APIClient, task_id: int, number: int) -> np.ndarray:
    response = client.get(f"/api/tasks/{task_id}/data", {"type": "frame", "number": number, "quality": "original"})
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"))


def _pixels(index: int) -> np.ndarray:
    with Image.open(io.BytesIO(png_bytes(index))) as image:
        return np.asarray(image.convert("RGB"))


@pytest.mark.parametrize(("server_files", "names"), [
    (["images/img_1.png", "top.png"], ["images/img_1.png", "top.png"]),
    (["images/"], ["images/img_0.png", "images/img_1.png", "images/img_2.png"]),
    (["manifest.jsonl"], ["images/img_0.png", "images/img_2.png"]),
])
def test_task_from_cloud_objects(api: APIClient, make_storage: Callable[..., Any], server_files: list[str],
                                 names: list[str]) -> None:
    storage = make_storage(manifests=["manifest.jsonl"])
    task_id = _task(api)
    status = _run(api, _create(api, task_id, cloud_storage_id=storage["id"], server_files=server_files,
                               use_cache=True, copy_data=False))
    assert status["status"] == "finished", status
    assert api.get(f"/api/tasks/{task_id}").json()["data_cloud_storage_id"] == storage["id"]
    other = _task(api)
    listed = {t["id"]: t["data_cloud_storage_id"] for t in api.get("/api/tasks").json()["results"]}
    assert listed == {task_id: storage["id"], other: None}
    meta = api.get(f"/api/tasks/{task_id}/data/meta").json()
    assert [f["name"] for f in meta["frames"]] == names
    for number, name in enumerate(names):
        index = 9 if name == "top.png" else int(name[-5])
        assert np.array_equal(_frame(api, task_id, number), _pixels(index))


@pytest.mark.parametrize("flags", [{"use_cache": True, "copy_data": False}, {"use_cache": False, "copy_data": True},
                                   {}])
def test_frames_are_copies_whatever_the_flags(api: APIClient, make_storage: Callable[..., Any], cloud: Backend,
                                              bucket: str, flags: dict[str, bool]) -> None:
    """``use_cache``/``copy_data`` are accepted; the frames are always copied, so the task keeps
    them when the bucket is emptied and gone."""
    storage = make_storage()
    task_id = _task(api)
    status = _run(api, _create(api, task_id, cloud_storage_id=storage["id"], server_files=["images/"], **flags))
    assert status["status"] == "finished", status
    cloud.delete(bucket)
    for number in range(3):
        assert np.array_equal(_frame(api, task_id, number), _pixels(number))
    chunk = api.get(f"/api/tasks/{task_id}/data", {"type": "chunk", "number": 0, "quality": "compressed"})
    assert chunk.status_code == 200


def test_missing_object_fails_naming_it(api: APIClient, make_storage: Callable[..., Any]) -> None:
    storage = make_storage()
    task_id = _task(api)
    status = _run(api, _create(api, task_id, cloud_storage_id=storage["id"], server_files=["top.png", "nope.png"]))
    assert status["status"] == "failed"
    assert "'nope.png' does not exist" in status["message"]
    assert f"Cloud storage {storage['id']} ('Bucket')" in status["message"]
    assert api.get(f"/api/tasks/{task_id}").json()["size"] == 0


def test_storage_broken_after_creation_is_refused_at_once(api: APIClient, make_storage: Callable[..., Any],
                                                          cloud: Backend, bucket: str) -> None:
    from inklab.server.cloud import credentials
    from inklab.server.cloud.models import CloudStorage

    storage = make_storage()
    CloudStorage.objects.filter(pk=storage["id"]).update(
        credentials=credentials.encrypt(cloud.stale_secrets()))
    task_id = _task(api)
    response = _create(api, task_id, cloud_storage_id=storage["id"], server_files=["top.png"])
    assert response.status_code == 400
    assert f"Cloud storage {storage['id']} ('Bucket'): access to {cloud.noun} '{bucket}' was denied" in \
        response.json()["detail"]


@pytest.mark.parametrize(("data", "field"), [
    ({"cloud_storage_id": 99999, "server_files": ["top.png"]}, "cloud_storage_id"),
    ({"cloud_storage_id": "x", "server_files": ["top.png"]}, "cloud_storage_id"),
    ({"cloud_storage_id": -1, "server_files": ["top.png"]}, "cloud_storage_id"),
    ({"cloud_storage_id": "STORAGE", "remote_files": ["http://example.org/a.png"]}, "server_files"),
])
def test_bad_cloud_requests(api: APIClient, make_storage: Callable[..., Any], data: dict[str, Any],
                            field: str) -> None:
    storage = make_storage()
    if data["cloud_storage_id"] == "STORAGE":
        data = {**data, "cloud_storage_id": storage["id"]}
    response = _create(api, _task(api), **data)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_another_users_storage_is_not_usable(make_user: Callable[..., Any], client_for: Callable[..., APIClient],
                                             make_storage: Callable[..., Any]) -> None:
    storage = make_storage()  # the admin's
    bob = client_for(make_user("bob"))
    response = _create(bob, _task(bob), cloud_storage_id=storage["id"], server_files=["top.png"])
    assert response.status_code == 400
    assert "does not exist or is not visible" in str(response.json()["cloud_storage_id"])


def test_traversal_names_are_refused(api: APIClient, make_storage: Callable[..., Any]) -> None:
    storage = make_storage()
    task_id = _task(api)
    status = _run(api, _create(api, task_id, cloud_storage_id=storage["id"], server_files=["images/../top.png"]))
    assert status["status"] == "failed"
    assert "'images/../top.png' is not a valid object name" in status["message"]
