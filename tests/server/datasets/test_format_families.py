"""One end-to-end export and import through the API per family of formats added on top of the
core (YOLO, Ultralytics, PASCAL VOC and masks, classification): what comes back in another
task, sizes from the target when the archive has no images, and errors that name the place."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from rest_framework.test import APIClient

from inklab.formats.masks import decode_mask
from tests.server.annotations.test_annotations import every_shape
from tests.server.conftest import png_bytes
from tests.server.datasets.flows import download, export, import_file, zip_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def annotated(api: APIClient, make_task) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    task = make_task(6, segment_size=3, subset="train")
    labels = {label["name"]: label for label in api.get("/api/labels", {"task_id": task["id"]}).json()["results"]}
    task["L"] = labels
    task["A"] = {a["name"]: a["id"] for a in labels["car"]["attributes"]}
    response = api.put(f"/api/tasks/{task['id']}/annotations/", every_shape(task), format="json")
    assert response.status_code == 200, response.content
    return task


def _move(api: APIClient, source: dict[str, Any], target: dict[str, Any], fmt: str, importer: str | None = None,
          **query: Any) -> tuple[dict[str, Any], bytes]:
    """Export ``source`` without images, import the archive into ``target``; returns the
    target's annotations and the archive."""
    data, name = download(api, export(api, f"/api/tasks/{source['id']}/dataset/export", format=fmt,
                                      save_images="False"))
    result = import_file(api, f"/api/tasks/{target['id']}/annotations/", data, name, format=importer or fmt, **query)
    assert result["status"] == "finished", result
    return api.get(f"/api/tasks/{target['id']}/annotations/").json(), data


def _names(api: APIClient, task_id: int) -> dict[int, str]:
    names = {}
    for label in api.get("/api/labels", {"task_id": task_id, "page_size": 100}).json()["results"]:
        for item in (label, *label.get("sublabels", [])):
            names[item["id"]] = item["name"]
    return names


def _summary(api: APIClient, task_id: int, annotations: dict[str, Any]) -> list[tuple[Any, ...]]:
    names = _names(api, task_id)
    return sorted((s["frame"], s["type"], names[s["label_id"]], s["points"]) for s in annotations["shapes"])


def test_yolo_without_images_takes_the_sizes_from_the_target_task(api: APIClient, annotated: dict[str, Any],
                                                                  make_task) -> None:  # type: ignore[no-untyped-def]
    other = make_task(6)
    back, data = _move(api, annotated, other, "YOLO 1.1")
    assert not any(n.endswith(".png") for n in zipfile.ZipFile(io.BytesIO(data)).namelist())
    # the rotated box as the axis-aligned box around it, and the track's box on each visible frame
    # (interpolated to frame 1, held from its keyframe at 2 until it goes outside at 5)
    half = (9.75 + 10) * 0.5 ** 0.5
    found = _summary(api, other["id"], back)
    assert [item[:3] for item in found] == [(f, "rectangle", "car") for f in (0, 0, 1, 2, 3, 4)]
    assert [item[3] for item in found] == [
        pytest.approx([0, 0, 10, 10], abs=0.01),
        pytest.approx([20.25 - half, 30 - half, 20.25 + half, 30 + half], abs=0.01),
        pytest.approx([1, 1, 11, 11], abs=0.01), pytest.approx([2, 2, 12, 12], abs=0.01),
        pytest.approx([2, 2, 12, 12], abs=0.01), pytest.approx([2, 2, 12, 12], abs=0.01)]
    assert back["tracks"] == [] and back["tags"] == []


def test_ultralytics_pose_brings_skeletons_back_with_point_states(api: APIClient, annotated: dict[str, Any],
                                                                   make_task) -> None:  # type: ignore[no-untyped-def]
    other = make_task(6)
    back, _ = _move(api, annotated, other, "Ultralytics YOLO Pose 1.0")
    names = _names(api, other["id"])
    assert all(s["type"] == "skeleton" for s in back["shapes"])
    # the skeleton track from frame 1 to the end, and the skeleton shape on frame 4
    assert sorted(s["frame"] for s in back["shapes"]) == [1, 2, 3, 4, 4, 5]
    points = [{names[e["label_id"]]: e for e in s["elements"]} for s in back["shapes"]]
    shape = next(p for p in points if p["head"]["points"] == pytest.approx([5, 5], abs=0.01))
    assert not shape["head"]["outside"] and shape["hand"]["outside"]
    assert shape["hand"]["points"] == pytest.approx([7, 9], abs=0.01)
    heads = sorted((s["frame"], p["head"]["outside"]) for s, p in zip(back["shapes"], points, strict=True)
                   if p["head"]["points"] != pytest.approx([5, 5], abs=0.01))
    assert heads == [(1, False), (2, False), (3, True), (4, True), (5, True)]  # the head leaves at frame 3


def test_ultralytics_detection_track_ids_become_tracks(api: APIClient, make_task) -> None:  # type: ignore[no-untyped-def]
    task = make_task(3)
    archive = zip_bytes({
        "data.yaml": "train: train.txt\nnames:\n  0: car\n",
        "train.txt": "".join(f"images/train/frame_00{i}.png\n" for i in range(3)),
        "labels/train/frame_000.txt": "0 0.5 0.5 0.25 0.25 3\n",
        "labels/train/frame_001.txt": "0 0.6 0.5 0.25 0.25 3\n",
        "labels/train/frame_002.txt": "",
    })
    result = import_file(api, f"/api/tasks/{task['id']}/annotations/", archive, "tracks.zip",
                         format="Ultralytics YOLO Detection 1.0")
    assert result["status"] == "finished", result
    (track,) = api.get(f"/api/tasks/{task['id']}/annotations/").json()["tracks"]
    assert [(s["frame"], s["outside"], s["points"]) for s in track["shapes"]] == [
        (0, False, [24.0, 18.0, 40.0, 30.0]), (1, False, [30.4, 18.0, 46.4, 30.0]),
        (2, True, [30.4, 18.0, 46.4, 30.0])]


def test_pascal_voc_keeps_box_attributes_and_brings_masks_and_tags(api: APIClient, annotated: dict[str, Any],
                                                                    make_task) -> None:  # type: ignore[no-untyped-def]
    other = make_task(6)
    back, _ = _move(api, annotated, other, "PASCAL VOC 1.1")
    attributes = {a["id"]: a["name"] for label in api.get("/api/labels", {"task_id": other["id"]}).json()["results"]
                  for a in label["attributes"]}
    box = next(s for s in back["shapes"] if s["type"] == "rectangle" and s["rotation"])
    assert (box["frame"], box["points"], box["rotation"], box["occluded"]) == (0, [10.5, 20.0, 30.0, 40.0], 45.0, True)
    assert {attributes[a["spec_id"]]: a["value"] for a in box["attributes"]} == {
        "color": "blue", "parked": "true", "speed": "35", "plate": "AB 123", "kind": "van"}
    masks = sorted((s["frame"], s["type"]) for s in back["shapes"] if s["type"] != "rectangle")
    assert masks == [(1, "mask"), (2, "mask"), (3, "mask")]  # polygon, ellipse, mask
    assert [t["frame"] for t in back["tags"]] == [1]


def test_segmentation_mask_with_conv_mask_to_poly_gives_polygons(api: APIClient, annotated: dict[str, Any],
                                                                  make_task) -> None:  # type: ignore[no-untyped-def]
    other = make_task(6)
    back, _ = _move(api, annotated, other, "Segmentation mask 1.1", conv_mask_to_poly="true")
    assert {s["type"] for s in back["shapes"]} == {"polygon"}
    assert sorted({s["frame"] for s in back["shapes"]}) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(("fmt", "objects"), [("CamVid 1.0", 1), ("Cityscapes 1.0", 2)])
def test_mask_formats_bring_masks_back(api: APIClient, annotated: dict[str, Any], make_task, fmt: str,  # type: ignore[no-untyped-def]
                                       objects: int) -> None:
    other = make_task(6)
    back, _ = _move(api, annotated, other, fmt)
    names = _names(api, other["id"])
    assert {s["type"] for s in back["shapes"]} == {"mask"} and {names[s["label_id"]] for s in back["shapes"]} == {"car"}
    # frame 3: the 3x2 mask at (1, 1) and the track's box (2, 2)-(12, 12): one class mask in
    # CamVid, two instances in Cityscapes
    frame3 = sorted(decode_mask(s["points"])[1:] for s in back["shapes"] if s["frame"] == 3)
    assert len(frame3) == objects and frame3[0] == (1, 1)


def test_classification_formats_bring_tags_back(api: APIClient, annotated: dict[str, Any], make_task) -> None:  # type: ignore[no-untyped-def]
    for fmt in ("ImageNet 1.0", "Ultralytics YOLO Classification 1.0"):
        other = make_task(6)
        back, _ = _move(api, annotated, other, fmt)
        assert [(t["frame"], t["label_id"] in _names(api, other["id"])) for t in back["tags"]] == [(1, True)]
        assert back["shapes"] == []


def test_a_project_imports_an_ultralytics_classification_dataset(api: APIClient) -> None:
    archive = zip_bytes({
        "train/cat/a.png": png_bytes(0), "train/dog/b.png": png_bytes(1), "val/cat/c.png": png_bytes(2),
        "train/labels.json": json.dumps({"a": {"labels": ["cat"], "path": "cat/a.png"},
                                         "b": {"labels": ["dog"], "path": "dog/b.png"}}),
    })
    project = api.post("/api/projects", {"name": "pets", "labels": []}, format="json").json()
    result = import_file(api, f"/api/projects/{project['id']}/dataset/", archive, "pets.zip",
                         format="Ultralytics YOLO Classification 1.0")
    assert result["status"] == "finished", result
    labels = {label["id"]: label["name"] for label in
              api.get("/api/labels", {"project_id": project["id"]}).json()["results"]}
    assert sorted(labels.values()) == ["cat", "dog"]
    tasks = {t["subset"]: t for t in api.get("/api/tasks", {"project_id": project["id"]}).json()["results"]}
    assert {subset: t["size"] for subset, t in tasks.items()} == {"train": 2, "val": 1}
    tags = api.get(f"/api/tasks/{tasks['train']['id']}/annotations/").json()["tags"]
    assert sorted((t["frame"], labels[t["label_id"]]) for t in tags) == [(0, "cat"), (1, "dog")]


@pytest.mark.parametrize(("fmt", "files", "expected"), [
    ("YOLO 1.1", {"obj.names": "car\n", "obj_train_data/frame_000.txt": "0 0.5 1.5 0.1 0.1\n"},
     "obj_train_data/frame_000.txt, line 1: point (0.45, 1.45) is outside the image"),
    ("YOLO 1.1", {"obj.names": "car\n", "obj_train_data/elsewhere.txt": "0 0.5 0.5 0.1 0.1\n"},
     "the size of 'elsewhere' is unknown"),
    ("Ultralytics YOLO Detection 1.0", {"data.yaml": "train: images/train\nnames: [unicorn]\n",
                                        "labels/train/frame_000.txt": "0 0.5 0.5 0.1 0.1\n"},
     "label 'unicorn' is not defined"),
    ("PASCAL VOC 1.1", {"Annotations/frame_000.xml": "<annotation>\n<object><name>unicorn</name><bndbox><xmin>1</xmin>"
                                                     "<ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object>"
                                                     "</annotation>"},
     "Annotations/frame_000.xml, line 2, <name>: label 'unicorn' is not defined here"),
    ("Segmentation mask 1.1", {"SegmentationClass/frame_000.png": b"nope"},
     "SegmentationClass/frame_000.png: not a readable PNG image"),
])
def test_a_failed_import_names_the_place_and_changes_nothing(api: APIClient, annotated: dict[str, Any], fmt: str,
                                                             files: dict[str, Any], expected: str) -> None:
    before = api.get(f"/api/tasks/{annotated['id']}/annotations/").json()
    result = import_file(api, f"/api/tasks/{annotated['id']}/annotations/", zip_bytes(files), "bad.zip", format=fmt)
    assert result["status"] == "failed", result
    assert expected in result["message"], result["message"]
    after = api.get(f"/api/tasks/{annotated['id']}/annotations/").json()
    assert after["shapes"] == before["shapes"] and after["tracks"] == before["tracks"]

