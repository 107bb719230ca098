"""Project dataset export and import: one task per subset, images and annotations, labels added."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.server.conftest import default_labels, png_bytes
from tests.server.datasets.flows import download, export, import_file, zip_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(api: APIClient, make_task) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    project = api.post("/api/projects", {"name": "proj", "labels": default_labels()}, format="json").json()
    first = make_task(2, project_id=project["id"], subset="train")
    make_task(3, project_id=project["id"], subset="val")
    labels = {label["name"]: label for label in api.get("/api/labels", {"project_id": project["id"]}).json()["results"]}
    api.put(f"/api/tasks/{first['id']}/annotations/", {"shapes": [
        {"type": "rectangle", "frame": 1, "label_id": labels["car"]["id"], "points": [1, 2, 3, 4]}]}, format="json")
    return project


def test_project_export_holds_every_task(api: APIClient, project: dict[str, Any]) -> None:
    data, name = download(api, export(api, f"/api/projects/{project['id']}/dataset/export", format="COCO 1.0",
                                      save_images="True"))
    assert name == f"project_{project['id']}_dataset_coco_1.0.zip"
    archive = zipfile.ZipFile(io.BytesIO(data))
    train = json.loads(archive.read("annotations/instances_train.json"))
    val = json.loads(archive.read("annotations/instances_val.json"))
    assert len(train["images"]) == 2 and len(val["images"]) == 3
    assert [a["bbox"] for a in train["annotations"]] == [[1.0, 2.0, 2.0, 2.0]]
    assert sum(1 for n in archive.namelist() if n.startswith("images/")) == 5


def test_dataset_import_creates_a_task_per_subset(api: APIClient, project: dict[str, Any]) -> None:
    data, _ = download(api, export(api, f"/api/projects/{project['id']}/dataset/export",
                                   format="CVAT for images 1.1", save_images="True"))
    target = api.post("/api/projects", {"name": "copy", "labels": []}, format="json").json()
    result = import_file(api, f"/api/projects/{target['id']}/dataset/", data, "dataset.zip", format="CVAT 1.1")
    assert result["status"] == "finished", result
    labels = api.get("/api/labels", {"project_id": target["id"]}).json()["results"]
    assert sorted(label["name"] for label in labels) == ["car", "person", "scene"]
    car = next(label for label in labels if label["name"] == "car")
    assert [a["name"] for a in car["attributes"]] == ["color", "parked", "speed", "plate", "kind"]
    tasks = api.get("/api/tasks", {"project_id": target["id"]}).json()["results"]
    assert sorted((t["subset"], t["size"]) for t in tasks) == [("train", 2), ("val", 3)]
    train = next(t for t in tasks if t["subset"] == "train")
    shapes = api.get(f"/api/tasks/{train['id']}/annotations/").json()["shapes"]
    assert [(s["frame"], s["points"], s["label_id"]) for s in shapes] == [(1, [1, 2, 3, 4], car["id"])]
    frame = api.get(f"/api/tasks/{train['id']}/data/", {"type": "frame", "number": 0, "quality": "original"})
    assert b"".join(frame.streaming_content) == png_bytes(0)


def test_dataset_import_without_images_fails_and_creates_nothing(api: APIClient, project: dict[str, Any]) -> None:
    data, _ = download(api, export(api, f"/api/projects/{project['id']}/dataset/export", format="COCO 1.0",
                                   save_images="False"))
    target = api.post("/api/projects", {"name": "copy", "labels": []}, format="json").json()
    result = import_file(api, f"/api/projects/{target['id']}/dataset/", data, "ann.zip", format="COCO 1.0")
    assert result["status"] == "failed"
    assert "ann.zip: a project import creates tasks from the dataset's images" in result["message"]
    assert api.get("/api/tasks", {"project_id": target["id"]}).json()["count"] == 0
    assert api.get("/api/labels", {"project_id": target["id"]}).json()["count"] == 0


def test_a_failing_subset_rolls_back_the_tasks_made_before_it(api: APIClient) -> None:
    document = {"images": [{"id": 1, "file_name": "a.png", "width": 64, "height": 48}],
                "categories": [{"id": 1, "name": "cat"}],
                "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5]}]}
    bad = {**document, "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [500, 1, 5, 5]}]}
    data = zip_bytes({"annotations/instances_a.json": json.dumps(document),
                      "annotations/instances_b.json": json.dumps(bad),
                      "images/a/a.png": png_bytes(0), "images/b/a.png": png_bytes(1)})
    target = api.post("/api/projects", {"name": "p", "labels": []}, format="json").json()
    result = import_file(api, f"/api/projects/{target['id']}/dataset/", data, "two.zip", format="COCO 1.0")
    assert result["status"] == "failed" and "outside the 64x48 image" in result["message"], result
    assert api.get("/api/tasks", {"project_id": target["id"]}).json()["count"] == 0
    assert api.get("/api/labels", {"project_id": target["id"]}).json()["count"] == 0


def test_a_dataset_image_over_the_pixel_limit_is_refused(api: APIClient) -> None:
    from tests.support.images import png_header

    document = {"images": [{"id": 1, "file_name": "a.png", "width": 64, "height": 48},
                           {"id": 2, "file_name": "huge.png", "width": 13000, "height": 13000}],
                "categories": [{"id": 1, "name": "cat"}], "annotations": []}
    data = zip_bytes({"annotations/instances_default.json": json.dumps(document),
                      "images/default/a.png": png_bytes(0), "images/default/huge.png": png_header(13000, 13000)})
    target = api.post("/api/projects", {"name": "p", "labels": []}, format="json").json()
    result = import_file(api, f"/api/projects/{target['id']}/dataset/", data, "bomb.zip", format="COCO 1.0")
    assert result["status"] == "failed", result
    assert "'huge.png' is too large to be a frame: it has more than the limit of 150,000,000 pixels" in result["message"]
    assert api.get("/api/tasks", {"project_id": target["id"]}).json()["count"] == 0
