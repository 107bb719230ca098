"""Exports, backups and imports with ``location=cloud_storage``, and the project/task
``source_storage``/``target_storage`` defaults, on each provider (see backends.py)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from tests.server.cloud.backends import Backend
from tests.server.conftest import default_labels, run_requests
from tests.server.datasets.flows import export, status_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def annotated(api: APIClient, make_task: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    task = make_task(3)
    label = api.get("/api/labels", {"task_id": task["id"]}).json()["results"][0]
    shapes = [{"type": "rectangle", "frame": f, "label_id": label["id"], "points": [1, 2, 30, 20],
               "attributes": []} for f in range(3)]
    response = api.put(f"/api/tasks/{task['id']}/annotations/", {"shapes": shapes, "tags": [], "tracks": []},
                       format="json")
    assert response.status_code == 200, response.content
    return task


def _coco_boxes(data: bytes) -> list[list[float]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".json"))
        return [a["bbox"] for a in json.loads(archive.read(name))["annotations"]]


def test_export_to_cloud_storage(api: APIClient, annotated: dict[str, Any], make_storage: Callable[..., Any],
                                 cloud: Backend, bucket: str) -> None:
    storage = make_storage()
    request = export(api, f"/api/tasks/{annotated['id']}/dataset/export", format="COCO 1.0",
                     location="cloud_storage", cloud_storage_id=storage["id"], filename="out/coco.zip")
    assert request["status"] == "finished", request
    assert request["result_url"] is None  # nothing to download: it is in the bucket
    assert _coco_boxes(cloud.read(bucket, "out/coco.zip")) == [[1, 2, 29, 18]] * 3


def test_export_without_filename_uses_the_result_name(api: APIClient, annotated: dict[str, Any],
                                                      make_storage: Callable[..., Any], cloud: Backend,
                                                      bucket: str) -> None:
    storage = make_storage(specific_attributes=f"{cloud.attributes()}&prefix=results")
    request = export(api, f"/api/tasks/{annotated['id']}/backup/export", location="cloud_storage",
                     cloud_storage_id=storage["id"])
    assert request["status"] == "finished", request
    data = cloud.read(bucket, f"results/task_{annotated['id']}_backup.zip")
    assert zipfile.ZipFile(io.BytesIO(data)).namelist()


def test_backup_to_the_cloud_and_restore_from_it(api: APIClient, annotated: dict[str, Any],
                                                 make_storage: Callable[..., Any]) -> None:
    storage = make_storage()
    request = export(api, f"/api/tasks/{annotated['id']}/backup/export", location="cloud_storage",
                     cloud_storage_id=storage["id"], filename="backup.zip")
    assert request["status"] == "finished", request
    query = urlencode({"location": "cloud_storage", "cloud_storage_id": storage["id"], "filename": "backup.zip"})
    response = api.post(f"/api/tasks/backup/?{query}", format="json")
    assert response.status_code == 202, response.content
    restored = status_of(api, response.json()["rq_id"])
    assert restored["status"] == "finished", restored
    shapes = api.get(f"/api/tasks/{restored['result_id']}/annotations").json()["shapes"]
    assert sorted((s["frame"], s["points"]) for s in shapes) == [(f, [1, 2, 30, 20]) for f in range(3)]


def test_import_annotations_from_the_cloud(api: APIClient, annotated: dict[str, Any],
                                           make_storage: Callable[..., Any]) -> None:
    storage = make_storage()
    export(api, f"/api/tasks/{annotated['id']}/dataset/export", format="COCO 1.0", location="cloud_storage",
           cloud_storage_id=storage["id"], filename="coco.zip")
    assert api.delete(f"/api/tasks/{annotated['id']}/annotations").status_code == 204
    query = urlencode({"format": "COCO 1.0", "location": "cloud_storage", "cloud_storage_id": storage["id"],
                       "filename": "coco.zip"})
    response = api.post(f"/api/tasks/{annotated['id']}/annotations/?{query}", format="json")
    assert response.status_code == 202, response.content
    assert status_of(api, response.json()["rq_id"])["status"] == "finished"
    shapes = api.get(f"/api/tasks/{annotated['id']}/annotations").json()["shapes"]
    assert sorted(s["frame"] for s in shapes) == [0, 1, 2]


def test_target_and_source_storage_defaults(api: APIClient, make_storage: Callable[..., Any],
                                            cloud: Backend, bucket: str) -> None:
    storage = make_storage()
    location = {"location": "cloud_storage", "cloud_storage_id": storage["id"]}
    project = api.post("/api/projects", {"name": "p", "labels": default_labels(), "target_storage": location,
                                         "source_storage": {"location": "local"}}, format="json")
    assert project.status_code == 201, project.content
    body = api.get(f"/api/projects/{project.json()['id']}").json()
    assert body["target_storage"] == {"id": None, **location}
    assert body["source_storage"] is None
    task = api.post("/api/tasks", {"name": "t", "project_id": body["id"]}, format="json").json()
    assert task["target_storage"] == {"id": None, **location}  # the project's
    alone = api.post("/api/tasks", {"name": "alone", "labels": default_labels()}, format="json").json()
    listed = {t["id"]: t["target_storage"] for t in api.get("/api/tasks").json()["results"]}
    assert listed == {task["id"]: {"id": None, **location}, alone["id"]: None}
    jobs_of_project = api.get("/api/projects").json()["results"]
    assert [p["target_storage"] for p in jobs_of_project] == [{"id": None, **location}]
    request = export(api, f"/api/projects/{body['id']}/dataset/export", format="CVAT for images 1.1",
                     filename="project.zip")
    assert request["status"] == "finished" and request["result_url"] is None
    assert cloud.read(bucket, "project.zip")[:2] == b"PK"
    local = export(api, f"/api/projects/{body['id']}/dataset/export", format="CVAT for images 1.1",
                   location="local")
    assert local["result_url"]
    response = api.patch(f"/api/projects/{body['id']}", {"target_storage": {"location": "local"}}, format="json")
    assert response.status_code == 200, response.content
    assert api.get(f"/api/projects/{body['id']}").json()["target_storage"] is None


@pytest.mark.parametrize(("query", "field"), [
    ({"location": "cloud_storage"}, "cloud_storage_id"),
    ({"location": "cloud_storage", "cloud_storage_id": 99999}, "cloud_storage_id"),
    ({"location": "cloud_storage", "cloud_storage_id": "abc"}, "cloud_storage_id"),
    ({"location": "moon"}, "location"),
    ({"location": "cloud_storage", "cloud_storage_id": "STORAGE", "filename": "../x.zip"}, "detail"),
])
def test_bad_locations_are_refused(api: APIClient, annotated: dict[str, Any], make_storage: Callable[..., Any],
                                   query: dict[str, Any], field: str) -> None:
    storage = make_storage()
    if query.get("cloud_storage_id") == "STORAGE":
        query = {**query, "cloud_storage_id": storage["id"]}
    response = api.post(f"/api/tasks/{annotated['id']}/dataset/export?{urlencode({'format': 'COCO 1.0', **query})}",
                        format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_bad_storage_defaults_are_refused(api: APIClient, make_user: Callable[..., Any],
                                          client_for: Callable[..., APIClient],
                                          make_storage: Callable[..., Any]) -> None:
    storage = make_storage()
    bob = client_for(make_user("bob"))
    for body, words in (({"location": "cloud_storage"}, "needs cloud_storage_id"),
                        ({"location": "local", "cloud_storage_id": storage["id"]}, "Only location"),
                        ({"location": "cloud_storage", "cloud_storage_id": storage["id"]}, "not visible")):
        response = bob.post("/api/tasks", {"name": "t", "labels": default_labels(), "target_storage": body},
                            format="json")
        assert response.status_code == 400, response.content
        assert words in str(response.json()["target_storage"])
    assert bob.get("/api/tasks").json()["count"] == 0


def test_missing_import_object_and_unwritable_bucket(api: APIClient, annotated: dict[str, Any],
                                                     make_storage: Callable[..., Any], cloud: Backend,
                                                     bucket: str, settings: Any) -> None:
    storage = make_storage()
    query = urlencode({"format": "COCO 1.0", "location": "cloud_storage", "cloud_storage_id": storage["id"],
                       "filename": "absent.zip"})
    response = api.post(f"/api/tasks/{annotated['id']}/annotations/?{query}", format="json")
    assert response.status_code == 202, response.content  # the background request reads the bucket
    failed = status_of(api, response.json()["rq_id"])
    assert failed["status"] == "failed"
    assert f"Cloud storage {storage['id']} ('Bucket'): 'absent.zip' does not exist" in failed["message"]
    assert not (settings.TEMP_DIR / f"request-{failed['id']}").exists()
    cloud.delete(bucket)
    request = export(api, f"/api/tasks/{annotated['id']}/dataset/export", format="COCO 1.0",
                     location="cloud_storage", cloud_storage_id=storage["id"], filename="x.zip")
    assert request["status"] == "failed"
    assert f"{cloud.noun} '{bucket}' does not exist" in request["message"]
    run_requests()


def test_the_background_request_downloads_the_import(api: APIClient, annotated: dict[str, Any],
                                                     make_storage: Callable[..., Any], cloud: Backend,
                                                     bucket: str, settings: Any) -> None:
    """The web request only checks and queues: the object may even be written after it answered."""
    storage = make_storage()
    coco = export(api, f"/api/tasks/{annotated['id']}/dataset/export", format="COCO 1.0", location="cloud_storage",
                  cloud_storage_id=storage["id"], filename="first.zip")
    assert coco["status"] == "finished", coco
    data = cloud.read(bucket, "first.zip")
    assert api.delete(f"/api/tasks/{annotated['id']}/annotations").status_code == 204
    query = urlencode({"format": "COCO 1.0", "location": "cloud_storage", "cloud_storage_id": storage["id"],
                       "filename": "later/coco.zip"})
    response = api.post(f"/api/tasks/{annotated['id']}/annotations/?{query}", format="json")
    assert response.status_code == 202, response.content
    rq_id = response.json()["rq_id"]
    cloud.put(bucket, "later/coco.zip", data)
    assert status_of(api, rq_id)["status"] == "finished"
    shapes = api.get(f"/api/tasks/{annotated['id']}/annotations").json()["shapes"]
    assert sorted((s["frame"], s["points"]) for s in shapes) == [(f, [1.0, 2.0, 30.0, 20.0]) for f in range(3)]
    assert not (settings.TEMP_DIR / f"request-{rq_id}").exists()  # the downloaded file went with the request


@pytest.mark.parametrize("filename", ["../up.zip", "/", "a/../../b.zip"])
def test_bad_import_object_names_are_refused_at_once(api: APIClient, annotated: dict[str, Any],
                                                     make_storage: Callable[..., Any], filename: str) -> None:
    storage = make_storage()
    query = urlencode({"format": "COCO 1.0", "location": "cloud_storage", "cloud_storage_id": storage["id"],
                       "filename": filename})
    response = api.post(f"/api/tasks/{annotated['id']}/annotations/?{query}", format="json")
    assert response.status_code == 400
    assert "is not a valid object name" in response.json()["detail"]
