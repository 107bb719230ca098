"""Dataset export and annotation import through the API: every format of the registry, the
CVAT flows, atomic imports and errors that name the file and the place."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from rest_framework.test import APIClient

from inklab.formats import registered_formats
from tests.server.annotations.test_annotations import every_shape, strip_ids
from tests.server.datasets.flows import download, export, import_file, zip_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(api: APIClient, make_task) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    task = make_task(6, segment_size=3, subset="train")
    labels = {label["name"]: label for label in api.get("/api/labels", {"task_id": task["id"]}).json()["results"]}
    task["L"] = labels
    task["A"] = {a["name"]: a["id"] for a in labels["car"]["attributes"]}
    task["jobs"] = api.get("/api/jobs", {"task_id": task["id"]}).json()["results"]
    return task


@pytest.fixture
def annotated(api: APIClient, task: dict[str, Any]) -> dict[str, Any]:
    response = api.put(f"/api/tasks/{task['id']}/annotations/", every_shape(task), format="json")
    assert response.status_code == 200, response.content
    return task


def _names(api: APIClient, task_id: int) -> tuple[dict[int, str], dict[int, str]]:
    labels, attributes = {}, {}
    for label in api.get("/api/labels", {"task_id": task_id, "page_size": 100}).json()["results"]:
        for item in (label, *label.get("sublabels", [])):
            labels[item["id"]] = item["name"]
            attributes.update((a["id"], a["name"]) for a in item["attributes"])
    return labels, attributes


def _by_name(obj: Any, labels: dict[int, str], attributes: dict[int, str]) -> Any:
    """Label and attribute ids replaced by names, so that annotations of two tasks compare."""
    if isinstance(obj, list):
        return [_by_name(v, labels, attributes) for v in obj]
    if isinstance(obj, dict):
        out = {k: _by_name(v, labels, attributes) for k, v in obj.items()}
        if "label_id" in out:
            out["label_id"] = labels[out["label_id"]]
        if "spec_id" in out:
            out["spec_id"] = attributes[out["spec_id"]]
        return out
    return obj


def _annotations(api: APIClient, task_id: int) -> dict[str, Any]:
    data = strip_ids(api.get(f"/api/tasks/{task_id}/annotations/").json())
    data.pop("version")
    data = _by_name(data, *_names(api, task_id))
    for track in data["tracks"]:  # an outside keyframe's state is invisible; formats need not keep it
        for shape in [*track["shapes"], *(s for e in track["elements"] for s in e["shapes"])]:
            if shape["outside"]:
                shape.update(points=[], occluded=False, z_order=0, attributes=[])
    return data


def test_formats_endpoint_lists_the_registry(api: APIClient) -> None:
    body = api.get("/api/server/annotation/formats").json()
    exporters = {f["name"] for f in body["exporters"]}
    importers = {f["name"] for f in body["importers"]}
    assert exporters == {f.info.name for f in registered_formats() if f.info.can_export}
    assert importers == {f.info.import_name for f in registered_formats() if f.info.can_import}
    assert {"CVAT for images 1.1", "CVAT for video 1.1", "COCO 1.0"} <= exporters
    assert "CVAT 1.1" in importers and "CVAT XML 1.1" not in importers
    assert all(set(f) == {"name", "ext", "version", "enabled", "dimension"} for f in body["exporters"])


def test_cvat_export_then_import_into_another_task_gives_the_same_annotations(
        api: APIClient, annotated: dict[str, Any], make_task) -> None:  # type: ignore[no-untyped-def]
    request = export(api, f"/api/tasks/{annotated['id']}/dataset/export", format="CVAT for images 1.1",
                     save_images="False")
    assert request["operation"]["type"] == "export:annotations" and request["operation"]["format"] == \
        "CVAT for images 1.1"
    data, name = download(api, request)
    assert name == f"task_{annotated['id']}_annotations_cvat_for_images_1.1.zip"
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == ["annotations.xml"]
    other = make_task(6, segment_size=3)
    result = import_file(api, f"/api/tasks/{other['id']}/annotations/", data, "task.zip", format="CVAT 1.1")
    assert result["status"] == "finished", result
    original, copied = _annotations(api, annotated["id"]), _annotations(api, other["id"])
    for key in ("tags", "shapes", "tracks"):
        assert sorted(map(json.dumps, copied[key])) == sorted(map(json.dumps, original[key])), key


@pytest.mark.parametrize("fmt", [f.info.name for f in registered_formats() if f.info.can_export])
def test_every_format_exports_and_imports_back(api: APIClient, annotated: dict[str, Any], fmt: str) -> None:
    importer = next(f.info.import_name for f in registered_formats() if f.info.name == fmt)
    fidelity = next(f.fidelity for f in registered_formats() if f.info.name == fmt)
    if fmt.startswith(("ICDAR ", "Market-1501 ")):  # their objects come back with a label of the format's
        response = api.patch(f"/api/tasks/{annotated['id']}", {"labels": [{"name": "icdar"}, {"name": "market-1501"}]},
                             format="json")
        assert response.status_code == 200, response.content
    data, name = download(api, export(api, f"/api/tasks/{annotated['id']}/dataset/export", format=fmt,
                                      save_images="True"))
    assert name.endswith(".zip") and zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    before = api.get(f"/api/tasks/{annotated['id']}")
    result = import_file(api, f"/api/tasks/{annotated['id']}/annotations/", data, name, format=importer)
    assert result["status"] == "finished", result
    assert api.get(f"/api/tasks/{annotated['id']}").json()["updated_date"] > before.json()["updated_date"]
    back = api.get(f"/api/tasks/{annotated['id']}/annotations/").json()
    if any(rule.outcome != "dropped" for rule in fidelity.rules.values()):  # else the export holds no objects
        assert back["shapes"] or back["tracks"] or back["tags"]


def test_job_export_holds_the_job_frames_and_job_import_touches_only_them(
        api: APIClient, annotated: dict[str, Any]) -> None:
    job = annotated["jobs"][1]  # frames 3..5
    data, name = download(api, export(api, f"/api/jobs/{job['id']}/dataset/export", format="COCO 1.0",
                                      save_images="False"))
    assert name == f"job_{job['id']}_annotations_coco_1.0.zip"
    document = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("annotations/instances_train.json"))
    assert [image["file_name"] for image in document["images"]] == ["frame_003.png", "frame_004.png",
                                                                    "frame_005.png"]
    result = import_file(api, f"/api/jobs/{job['id']}/annotations/", data, name, format="COCO 1.0")
    assert result["status"] == "finished", result
    shapes = api.get(f"/api/tasks/{annotated['id']}/annotations/").json()["shapes"]
    assert {s["type"] for s in shapes if s["frame"] < 3} >= {"rectangle", "polygon", "polyline", "points"}


def test_append_mode_keeps_what_is_there(api: APIClient, annotated: dict[str, Any]) -> None:
    data, _ = download(api, export(api, f"/api/tasks/{annotated['id']}/dataset/export", format="COCO 1.0"))
    count = len(api.get(f"/api/tasks/{annotated['id']}/annotations/").json()["shapes"])
    result = import_file(api, f"/api/tasks/{annotated['id']}/annotations/", data, "coco.zip", format="COCO 1.0",
                         import_mode="append")
    assert result["status"] == "finished", result
    assert len(api.get(f"/api/tasks/{annotated['id']}/annotations/").json()["shapes"]) > count


COCO_UNKNOWN_LABEL = {
    "images": [{"id": 1, "file_name": "frame_000.png", "width": 64, "height": 48}],
    "categories": [{"id": 1, "name": "unicorn"}],
    "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5]}],
}


@pytest.mark.parametrize(("fmt", "filename", "content", "expected"), [
    ("COCO 1.0", "instances.json", json.dumps(COCO_UNKNOWN_LABEL), "label 'unicorn' is not defined"),
    ("COCO 1.0", "instances.json", json.dumps({**COCO_UNKNOWN_LABEL, "categories": [{"id": 1, "name": "car"}],
                                               "annotations": [{"id": 1, "image_id": 1, "category_id": 1,
                                                                "bbox": [100, 1, 5, 5]}]}),
     "instances.json: frame 'frame_000.png': rectangle of label 'car': point (100, 1) is outside the 64x48 image"),
    ("COCO 1.0", "instances.json", '{"images": [', "instances.json, line 1, column 13: invalid JSON"),
    ("COCO 1.0", "instances.json", json.dumps({**COCO_UNKNOWN_LABEL, "images": [
        {"id": 1, "file_name": "elsewhere.png", "width": 64, "height": 48}]}),
     "frame 'elsewhere.png' is not a frame of this task"),
    ("CVAT 1.1", "annotations.xml", "<annotations>\n<image id='0' name='frame_000.png'>\n<box label='car'/>"
                                    "</image></annotations>",
     "annotations.xml, line 3, <box> attribute 'xtl': this attribute is required"),
    ("CVAT 1.1", "bad.zip", zip_bytes({"readme.txt": "no xml"}), "bad.zip: no .xml file found"),
    # a 287-byte file whose RLE claims 50000 x 50000 pixels on a 64 x 48 frame: refused before decoding
    ("COCO 1.0", "bomb.json", json.dumps({**COCO_UNKNOWN_LABEL, "categories": [{"id": 1, "name": "car"}],
                                          "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "iscrowd": 0,
                                                           "segmentation": {"size": [50000, 50000],
                                                                            "counts": [0, 50000 * 50000]}}]}),
     "bomb.json, annotations[0].segmentation: invalid RLE: its size is 50000x50000 (width x height), "
     "not the image's 64x48"),
    # the file may say its image is that large: the task's frame is what counts
    ("COCO 1.0", "bomb.json", json.dumps({"images": [{"id": 1, "file_name": "frame_000.png", "width": 50000,
                                                      "height": 50000}], "categories": [{"id": 1, "name": "car"}],
                                          "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "iscrowd": 0,
                                                           "segmentation": {"size": [50000, 50000],
                                                                            "counts": [0, 50000 * 50000]}}]}),
     "not the image's 64x48"),
    ("CVAT 1.1", "annotations.xml", "<annotations><image id='0' name='frame_000.png' width='64' height='48'>"
                                    "<mask label='car' left='0' top='0' width='10000000' height='10000000' "
                                    "rle='0, 100000000000000'/></image></annotations>",
     "annotations.xml: frame 'frame_000.png': mask of label 'car': the mask's box [0, 0, 9999999, 9999999] "
     "is not inside the 64x48 image"),
])
def test_a_failed_import_names_the_problem_and_changes_nothing(
        api: APIClient, annotated: dict[str, Any], fmt: str, filename: str, content: str | bytes,
        expected: str) -> None:
    before = _annotations(api, annotated["id"])
    data = content if isinstance(content, bytes) else content.encode()
    result = import_file(api, f"/api/tasks/{annotated['id']}/annotations/", data, filename, format=fmt)
    assert result["status"] == "failed", result
    assert expected in result["message"], result["message"]
    assert _annotations(api, annotated["id"]) == before


def test_unknown_formats_and_bad_parameters_are_4xx(api: APIClient, annotated: dict[str, Any]) -> None:
    response = api.post(f"/api/tasks/{annotated['id']}/dataset/export?format=Nope+1.0", format="json")
    assert response.status_code == 405 and "Unknown export format 'Nope 1.0'" in response.json()["detail"]
    response = api.post(f"/api/tasks/{annotated['id']}/dataset/export?format=COCO+1.0&location=cloud_storage",
                        format="json")
    assert response.status_code == 400
    response = api.post(f"/api/tasks/{annotated['id']}/dataset/export?format=COCO+1.0&save_images=maybe",
                        format="json")
    assert response.status_code == 400
    result = import_file(api, f"/api/tasks/{annotated['id']}/annotations/", b"{}", "a.json", format="Nope 1.0")
    assert result["status_code"] == 405 and "Unknown import format" in result["body"]["detail"]
    result = import_file(api, f"/api/tasks/{annotated['id']}/annotations/", b"{}", "a.json", format="COCO 1.0",
                         import_mode="merge")
    assert result["status_code"] == 400
    response = api.post(f"/api/tasks/{annotated['id']}/annotations/?format=COCO+1.0&filename=missing.json",
                        HTTP_UPLOAD_FINISH="", format="json")
    assert response.status_code == 404
    assert api.post("/api/tasks/999999/dataset/export?format=COCO+1.0", format="json").status_code == 404


def test_export_needs_visibility_and_import_needs_rights(api: APIClient, annotated: dict[str, Any], make_user,
                                                         client_for) -> None:  # type: ignore[no-untyped-def]
    stranger = client_for(make_user("stranger"))
    assert stranger.post(f"/api/tasks/{annotated['id']}/dataset/export?format=COCO+1.0",
                         format="json").status_code == 404
    result = import_file(stranger, f"/api/tasks/{annotated['id']}/annotations/", b"{}", "a.json",
                         format="COCO 1.0")
    assert result["status_code"] == 404


def test_single_request_multipart_import(api: APIClient, annotated: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.server.datasets.flows import status_of

    document = {**COCO_UNKNOWN_LABEL, "categories": [{"id": 1, "name": "car"}]}
    upload = SimpleUploadedFile("instances_default.json", json.dumps(document).encode())
    response = api.post(f"/api/tasks/{annotated['id']}/annotations/?format=COCO+1.0",
                        {"annotation_file": upload}, format="multipart")
    assert response.status_code == 202, response.content
    assert status_of(api, response.json()["rq_id"])["status"] == "finished"
    shapes = api.get(f"/api/tasks/{annotated['id']}/annotations/").json()["shapes"]
    assert [(s["type"], s["points"]) for s in shapes] == [("rectangle", [1.0, 1.0, 6.0, 6.0])]


def test_conv_mask_to_poly_turns_masks_into_polygons(api: APIClient, annotated: dict[str, Any]) -> None:
    data, _ = download(api, export(api, f"/api/tasks/{annotated['id']}/dataset/export", format="Datumaro 1.0"))
    result = import_file(api, f"/api/tasks/{annotated['id']}/annotations/", data, "d.zip", format="Datumaro 1.0",
                         conv_mask_to_poly="true")
    assert result["status"] == "finished", result
    shapes = api.get(f"/api/tasks/{annotated['id']}/annotations/").json()["shapes"]
    assert not [s for s in shapes if s["type"] == "mask"]
    # the 3x2 mask on frame 3 at (1, 1) becomes its outline
    assert [s["points"] for s in shapes if s["type"] == "polygon" and s["frame"] == 3] == [
        [1.0, 1.0, 4.0, 1.0, 4.0, 3.0, 1.0, 3.0]]


def test_tracks_survive_a_job_export_and_import(api: APIClient, task: dict[str, Any]) -> None:
    car = task["L"]["car"]
    job = task["jobs"][1]  # frames 3..5
    track = {"frame": 3, "label_id": car["id"], "shapes": [
        {"type": "rectangle", "frame": 3, "points": [0, 0, 10, 10]},
        {"type": "rectangle", "frame": 4, "points": [0, 0, 10, 10], "outside": True}]}
    assert api.put(f"/api/jobs/{job['id']}/annotations/", {"tracks": [track]}, format="json").status_code == 200
    for fmt in ("CVAT for images 1.1", "Datumaro 1.0"):
        data, name = download(api, export(api, f"/api/jobs/{job['id']}/dataset/export", format=fmt))
        importer = "CVAT 1.1" if fmt.startswith("CVAT") else fmt
        result = import_file(api, f"/api/jobs/{job['id']}/annotations/", data, name, format=importer)
        assert result["status"] == "finished", result
        (back,) = api.get(f"/api/jobs/{job['id']}/annotations/").json()["tracks"]
        assert [(s["frame"], s["outside"]) for s in back["shapes"]] == [(3, False), (4, True)], fmt


def test_mot_job_files_are_numbered_from_the_job_start_both_ways(api: APIClient, task: dict[str, Any]) -> None:
    """As CVAT does: a job's MOT export numbers its first frame 1, and a MOT file imported into
    a job maps frame 1 to the job's first frame (a task import: to frame 0)."""
    car = task["L"]["car"]
    job = task["jobs"][1]  # frames 3..5
    track = {"frame": 4, "label_id": car["id"], "shapes": [
        {"type": "rectangle", "frame": 4, "points": [1, 2, 11, 12]},
        {"type": "rectangle", "frame": 5, "points": [1, 2, 11, 12], "outside": True}]}
    shape = {"type": "rectangle", "frame": 3, "label_id": car["id"], "points": [0, 0, 5, 5]}
    assert api.put(f"/api/jobs/{job['id']}/annotations/", {"tracks": [track], "shapes": [shape]},
                   format="json").status_code == 200
    data, name = download(api, export(api, f"/api/jobs/{job['id']}/dataset/export", format="MOT 1.1"))
    archive = zipfile.ZipFile(io.BytesIO(data))
    rows = [line.split(",")[:6] for line in archive.read("gt/gt.txt").decode().splitlines()]
    assert sorted(rows) == [["1", "-1", "0", "0", "5", "5"], ["2", "1", "1", "2", "10", "10"]]
    assert "seqLength=3" in archive.read("seqinfo.ini").decode()
    assert api.delete(f"/api/tasks/{task['id']}/annotations/").status_code == 204

    result = import_file(api, f"/api/jobs/{job['id']}/annotations/", data, name, format="MOT 1.1")
    assert result["status"] == "finished", result
    back = api.get(f"/api/tasks/{task['id']}/annotations/").json()
    assert [(s["frame"], s["points"]) for s in back["shapes"]] == [(3, [0.0, 0.0, 5.0, 5.0])]
    (imported,) = back["tracks"]
    assert [(s["frame"], s["outside"]) for s in imported["shapes"]] == [(4, False), (5, True)]

    # the same file into the task: frame 1 is the task's frame 0
    result = import_file(api, f"/api/tasks/{task['id']}/annotations/", data, name, format="MOT 1.1")
    assert result["status"] == "finished", result
    back = api.get(f"/api/tasks/{task['id']}/annotations/").json()
    assert [s["frame"] for s in back["shapes"]] == [0]
    assert [(s["frame"], s["outside"]) for s in back["tracks"][0]["shapes"]] == [(1, False), (2, True)]


def _cvat_xml(frames: int, boxes: int, bad_at: tuple[int, int] | None = None) -> bytes:
    lines = ["<annotations>", "<version>1.1</version>"]
    for f in range(frames):
        lines.append(f"<image id='{f}' name='frame_{f:03d}.png' width='64' height='48'>")
        for b in range(boxes):
            label = "nowhere" if (f, b) == bad_at else "car"
            lines.append(f"<box label='{label}' xtl='{b}' ytl='1' xbr='{b + 5}' ybr='9' occluded='0'/>")
        lines.append("</image>")
    lines.append("</annotations>")
    return "\n".join(lines).encode()


def test_imports_stream_in_batches_and_a_late_error_rolls_every_batch_back(
        api: APIClient, annotated: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from inklab.server.annotations import services
    from inklab.server.datasets import importing

    monkeypatch.setattr(importing, "BATCH_OBJECTS", 4)
    batches: list[int] = []
    add = services.BatchWriter.add

    def counting(self: Any, payload: dict[str, Any]) -> int:
        batches.append(sum(len(payload[key]) for key in ("tags", "shapes", "tracks")))
        return add(self, payload)

    monkeypatch.setattr(services.BatchWriter, "add", counting)
    before = _annotations(api, annotated["id"])
    # 6 frames x 3 boxes, the last box of the last frame has a label the task lacks
    data = _cvat_xml(6, 3, bad_at=(5, 2))
    result = import_file(api, f"/api/tasks/{annotated['id']}/annotations/", data, "annotations.xml",
                         format="CVAT 1.1")
    assert result["status"] == "failed", result
    assert result["message"].startswith("annotations.xml: frame 'frame_005.png': rectangle of label 'nowhere': "
                                        "label 'nowhere' is not defined here")
    assert batches == [6, 6]  # written before the error was found (a batch is full after the frame that fills it)
    assert _annotations(api, annotated["id"]) == before  # ... and rolled back with the deletion

    batches.clear()
    result = import_file(api, f"/api/tasks/{annotated['id']}/annotations/", _cvat_xml(6, 3), "annotations.xml",
                         format="CVAT 1.1")
    assert result["status"] == "finished", result
    assert batches == [6, 6, 6]  # 18 boxes: a batch per two frames
    shapes = api.get(f"/api/tasks/{annotated['id']}/annotations/").json()["shapes"]
    assert len(shapes) == 18 and {s["frame"] for s in shapes} == set(range(6))
