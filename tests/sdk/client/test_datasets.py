"""Dataset exports, imports and backups through the SDK against a live server.

Exports are checked with readers inklab did not write (pycocotools, ElementTree); imports use
files written by hand from the CVAT XML format description; backups are restored and compared
field by field with the original.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pytest

from inklab.sdk import ApiError, BackgroundRequestError, BadRequestError, NotFoundError, ProgressReporter
from inklab.sdk.client import _uploading
from inklab.sdk.client._transport import HttpRequest, HttpResponse

pytestmark = pytest.mark.live

# A hand-written CVAT for images 1.1 file for the first three frames of the SDK fixtures' tasks
# (images img_000.png … of 40×30, labels of tests/sdk/conftest.py).
HAND_WRITTEN_XML = """<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <image id="0" name="img_000.png" width="40" height="30">
    <box label="car" source="manual" occluded="1" xtl="2.5" ytl="3" xbr="20" ybr="25.5" z_order="2">
      <attribute name="color">green</attribute>
      <attribute name="parked">true</attribute>
    </box>
    <tag label="day" source="manual"></tag>
  </image>
  <image id="1" name="img_001.png" width="40" height="30">
    <polygon label="road" source="manual" occluded="0" points="1.0,1.0;30.0,2.0;15.5,20.0" z_order="0">
    </polygon>
  </image>
  <image id="2" name="img_002.png" width="40" height="30">
    <skeleton label="person" source="manual" z_order="0">
      <points label="head" occluded="0" outside="0" points="10.0,5.0"></points>
      <points label="left" occluded="1" outside="0" points="6.0,12.0"></points>
      <points label="right" occluded="0" outside="1" points="14.0,12.0"></points>
    </skeleton>
  </image>
</annotations>
"""


class Recorder(ProgressReporter):
    def __init__(self) -> None:
        self.operations: list[dict[str, Any]] = []

    def start2(self, total: int | None, *, desc: str | None = None, **kwargs: Any) -> None:
        self.operations.append({"desc": desc, "total": total, "advanced": 0, "status": None})

    def advance(self, delta: int) -> None:
        self.operations[-1]["advanced"] += delta

    def report_status(self, progress: int) -> None:
        self.operations[-1]["status"] = progress


class Spy:
    """A transport that passes everything to the real one and remembers what was sent."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.sent: list[HttpRequest] = []

    def send(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.sent.append(request)
        return self.inner.send(request, **kwargs)

    def close(self) -> None:
        self.inner.close()


def _names(task: Any) -> tuple[dict[int, str], dict[int, str]]:
    """Label names and attribute names by id (sublabels and their attributes included)."""
    labels: dict[int, str] = {}
    attributes: dict[int, str] = {}
    for label in task.get_labels():
        for item in [label, *label.sublabels]:
            labels[item.id] = item.name
            attributes.update((a.id, a.name) for a in item.attributes)
    return labels, attributes


def comparable(owner: Any) -> dict[str, Any]:
    """A task's or job's annotations with names instead of ids, in a stable order."""
    labels, attributes = _names(owner if hasattr(owner, "get_jobs") else owner._client.tasks.retrieve(owner.task_id))

    def clean(obj: Any) -> Any:
        if isinstance(obj, list) and obj and isinstance(obj[0], dict):
            return sorted((clean(v) for v in obj), key=lambda v: json.dumps(v, sort_keys=True))
        if isinstance(obj, dict):
            out = {k: clean(v) for k, v in obj.items() if k not in ("id", "version")}
            if "label_id" in out:
                out["label_id"] = labels[out["label_id"]]
            if "spec_id" in out:
                out["spec_id"] = attributes[out["spec_id"]]
            return out
        return obj

    data = owner.get_annotations().to_dict()
    return clean({k: data[k] for k in ("tags", "shapes", "tracks")})


def _label_ids(task: Any) -> dict[str, Any]:
    return {label.name: label for label in task.get_labels()}


def _annotate(task: Any) -> None:
    labels = _label_ids(task)
    car, road, person, day = labels["car"], labels["road"], labels["person"], labels["day"]
    color = car.attributes[0].id
    head, left, right = person.sublabels
    task.set_annotations({
        "tags": [{"frame": 1, "label_id": day.id}],
        "shapes": [
            {"type": "rectangle", "frame": 0, "label_id": car.id, "points": [1, 2, 21, 12], "occluded": True,
             "z_order": 1, "attributes": [{"spec_id": color, "value": "green"}]},
            {"type": "rectangle", "frame": 3, "label_id": car.id, "points": [5, 5, 15, 25], "rotation": 30},
            {"type": "polygon", "frame": 2, "label_id": road.id, "points": [0, 0, 20, 0, 20, 10, 0, 10]},
            {"type": "skeleton", "frame": 1, "label_id": person.id, "points": [], "elements": [
                {"type": "points", "frame": 1, "label_id": head.id, "points": [4, 4]},
                {"type": "points", "frame": 1, "label_id": left.id, "points": [2, 8], "occluded": True},
                {"type": "points", "frame": 1, "label_id": right.id, "points": [6, 8], "outside": True}]},
        ],
        "tracks": [{"frame": 0, "label_id": car.id, "group": 3, "shapes": [
            {"type": "rectangle", "frame": 0, "points": [10, 10, 20, 20]},
            {"type": "rectangle", "frame": 2, "points": [14, 12, 24, 22]},
            {"type": "rectangle", "frame": 3, "points": [14, 12, 24, 22], "outside": True}]}],
    })


# -- exports --------------------------------------------------------------------------------------


def test_coco_export_read_by_pycocotools(make_task: Callable[..., Any], image_dir: Path, tmp_path: Path) -> None:
    from pycocotools.coco import COCO

    task = make_task(4)
    _annotate(task)
    recorder = Recorder()
    target = tmp_path / "exports"
    target.mkdir()
    path = task.export_dataset("COCO 1.0", target, include_images=True, pbar=recorder)
    assert path == target / f"task_{task.id}_dataset_coco_1.0.zip" and path.is_file()
    assert [p.name for p in target.iterdir()] == [path.name]  # no temporary file left over
    download = next(op for op in recorder.operations if op["desc"] == "Downloading the dataset")
    assert download["total"] == download["advanced"] == path.stat().st_size
    assert recorder.operations[0]["status"] == 100  # the server's progress, while it prepared the file

    archive = zipfile.ZipFile(path)
    for number in range(4):
        name = f"img_{number:03d}.png"
        assert archive.read(f"images/default/{name}") == (image_dir / name).read_bytes()
    archive.extract("annotations/instances_default.json", tmp_path)
    coco = COCO(str(tmp_path / "annotations/instances_default.json"))
    assert sorted(c["name"] for c in coco.loadCats(coco.getCatIds())) == ["car", "road"]  # labels COCO can hold
    images = {img["file_name"]: img for img in coco.loadImgs(coco.getImgIds())}
    assert sorted(images) == [f"img_{n:03d}.png" for n in range(4)]
    assert {(img["width"], img["height"]) for img in images.values()} == {(40, 30)}

    def on(frame: int, category: str) -> list[dict[str, Any]]:
        image_id = images[f"img_{frame:03d}.png"]["id"]
        return coco.loadAnns(coco.getAnnIds(imgIds=[image_id], catIds=coco.getCatIds(catNms=[category])))

    # frame 0: the box and the track's first box; frame 2: the interpolated track box and the polygon
    assert sorted(a["bbox"] for a in on(0, "car")) == [[1, 2, 20, 10], [10, 10, 10, 10]]
    assert [a["bbox"] for a in on(2, "car")] == [[14, 12, 10, 10]]
    assert on(3, "car")[0]["attributes"]["rotation"] == pytest.approx(30)
    (road,) = on(2, "road")
    assert road["segmentation"] == [[0, 0, 20, 0, 20, 10, 0, 10]]
    assert road["area"] == pytest.approx(200)
    mask = coco.annToMask(road)
    assert mask.shape == (30, 40) and abs(int(mask.sum()) - 200) <= 31  # rasterised edges
    (drawn,) = [a for a in on(0, "car") if a["bbox"] == [1, 2, 20, 10]]
    assert drawn["attributes"]["color"] == "green" and drawn["attributes"]["occluded"] is True
    assert len(on(1, "car")) == 1  # the track, interpolated
    # 3 boxes of the track, 2 boxes, 1 polygon; the skeleton and the tag have no COCO form
    assert len(coco.getAnnIds()) == 6


def test_cvat_xml_export_parsed_with_the_standard_library(make_task: Callable[..., Any], tmp_path: Path) -> None:
    task = make_task(4)
    _annotate(task)
    path = task.export_dataset("CVAT for images 1.1", tmp_path / "cvat.zip", include_images=False)
    archive = zipfile.ZipFile(path)
    assert archive.namelist() == ["annotations.xml"]
    root = ElementTree.fromstring(archive.read("annotations.xml"))
    images = {int(img.get("id", "-1")): img for img in root.iter("image")}
    assert sorted(images) == [0, 1, 2, 3]
    boxes = [b for b in images[0].iter("box") if b.get("label") == "car" and b.get("occluded") == "1"]
    (box,) = boxes
    assert [float(box.get(k, "nan")) for k in ("xtl", "ytl", "xbr", "ybr")] == [1, 2, 21, 12]
    assert {a.get("name"): a.text for a in box.iter("attribute")}["color"] == "green"
    (skeleton,) = images[1].iter("skeleton")
    points = {p.get("label"): (p.get("points"), p.get("occluded"), p.get("outside")) for p in skeleton.iter("points")}
    assert points == {"head": ("4.00,4.00", "0", "0"), "left": ("2.00,8.00", "1", "0"),
                      "right": ("6.00,8.00", "0", "1")}
    assert [t.get("label") for t in images[1].iter("tag")] == ["day"]
    (polygon,) = images[2].iter("polygon")
    assert polygon.get("points") == "0.00,0.00;20.00,0.00;20.00,10.00;0.00,10.00"


def test_export_refuses_to_overwrite_and_reports_server_errors(make_task: Callable[..., Any],
                                                               tmp_path: Path) -> None:
    task = make_task(2)
    existing = tmp_path / "keep.zip"
    existing.write_bytes(b"precious")
    with pytest.raises(FileExistsError, match="keep.zip already exists"):
        task.export_dataset("COCO 1.0", existing)
    assert existing.read_bytes() == b"precious"
    with pytest.raises(ApiError, match="Unknown export format 'YOLO 9000'") as info:
        task.export_dataset("YOLO 9000", tmp_path / "x.zip")
    assert info.value.status == 405 and "COCO 1.0" in info.value.detail  # the server lists what it knows
    with pytest.raises(ValueError, match="cloud_storage_id"):
        task.export_dataset("COCO 1.0", tmp_path / "x.zip", location="cloud_storage")
    with pytest.raises(BadRequestError, match="Cloud storage 1 does not exist"):
        task.export_dataset("COCO 1.0", tmp_path / "x.zip", location="cloud_storage", cloud_storage_id=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.zip"]
    # a directory given as a string ending with a separator is created
    path = task.export_dataset("Datumaro 1.0", f"{tmp_path}/new/", include_images=False)
    assert path == tmp_path / "new" / f"task_{task.id}_annotations_datumaro_1.0.zip"
    assert path is not None and zipfile.is_zipfile(path)


def test_job_export_holds_the_jobs_frames_only(make_task: Callable[..., Any], tmp_path: Path) -> None:
    task = make_task(4, segment_size=2)
    _annotate(task)
    second = next(j for j in task.get_jobs() if j.start_frame == 2)
    path = second.export_dataset("CVAT for images 1.1", tmp_path / "job.zip", include_images=True)
    archive = zipfile.ZipFile(path)
    assert sorted(n for n in archive.namelist() if n.startswith("images/")) == ["images/img_002.png",
                                                                                "images/img_003.png"]
    root = ElementTree.fromstring(archive.read("annotations.xml"))
    assert sorted(img.get("name") for img in root.iter("image")) == ["img_002.png", "img_003.png"]
    assert sorted(b.get("label") for b in root.iter("polygon")) == ["road"]


# -- imports --------------------------------------------------------------------------------------


def test_import_a_hand_written_cvat_file_in_tus_pieces(make_task: Callable[..., Any], client: Any,
                                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    task = make_task(3)
    source = tmp_path / "annotations.xml"
    source.write_text(HAND_WRITTEN_XML)
    monkeypatch.setattr(_uploading, "TUS_CHUNK_SIZE", 500)
    spy = Spy(client._transport)
    client._transport = spy
    recorder = Recorder()
    before = task.updated_date
    request = task.import_annotations("CVAT 1.1", source, pbar=recorder)
    assert request.status == "finished" and request.operation is not None
    assert request.operation.type == "import:annotations"
    pieces = [r for r in spy.sent if r.method == "PATCH"]
    assert len(pieces) == math.ceil(source.stat().st_size / 500)
    assert b"".join(r.body or b"" for r in pieces) == source.read_bytes()
    upload = next(op for op in recorder.operations if op["desc"] == "Uploading annotations.xml")
    assert upload["total"] == upload["advanced"] == source.stat().st_size
    assert task.updated_date > before  # the entity was refreshed

    got = comparable(task)
    assert got["tags"] == [{"frame": 0, "label_id": "day", "group": 0, "source": "manual", "attributes": []}]
    box, polygon, skeleton = sorted(got["shapes"], key=lambda s: s["frame"])
    assert box["type"] == "rectangle" and box["label_id"] == "car" and box["points"] == [2.5, 3, 20, 25.5]
    assert box["occluded"] is True and box["z_order"] == 2
    assert sorted((a["spec_id"], a["value"]) for a in box["attributes"]) == [("color", "green"), ("parked", "true")]
    assert polygon["label_id"] == "road" and polygon["points"] == [1, 1, 30, 2, 15.5, 20]
    elements = {e["label_id"]: (e["points"], e["occluded"], e["outside"]) for e in skeleton["elements"]}
    assert elements == {"head": ([10, 5], False, False), "left": ([6, 12], True, False),
                        "right": ([14, 12], False, True)}
    assert got["tracks"] == []


def test_a_bad_file_leaves_the_annotations_untouched(make_task: Callable[..., Any], tmp_path: Path) -> None:
    task = make_task(4)
    _annotate(task)
    before = comparable(task)
    unknown_label = tmp_path / "dragon.xml"
    unknown_label.write_text(HAND_WRITTEN_XML.replace('label="road"', 'label="dragon"'))
    with pytest.raises(BackgroundRequestError, match="dragon"):
        task.import_annotations("CVAT 1.1", unknown_label)
    broken = tmp_path / "broken.xml"
    broken.write_text(HAND_WRITTEN_XML.replace("</polygon>", ""))
    with pytest.raises(BackgroundRequestError, match=r"broken\.xml, line \d+") as info:
        task.import_annotations("CVAT 1.1", broken)
    assert info.value.request_id
    outside = tmp_path / "outside.xml"
    outside.write_text(HAND_WRITTEN_XML.replace('xbr="20"', 'xbr="400"'))
    with pytest.raises(BackgroundRequestError, match="outside.xml"):
        task.import_annotations("CVAT 1.1", outside)
    with pytest.raises(ApiError, match="Unknown import format 'CVAT 9.9'"):
        task.import_annotations("CVAT 9.9", unknown_label)
    with pytest.raises(FileNotFoundError, match="nothing.xml"):
        task.import_annotations("CVAT 1.1", tmp_path / "nothing.xml")
    with pytest.raises(ValueError, match="import_mode"):
        task.import_annotations("CVAT 1.1", unknown_label, import_mode="merge")
    assert comparable(task) == before


def test_append_and_replace(make_task: Callable[..., Any], tmp_path: Path) -> None:
    task = make_task(3)
    source = tmp_path / "annotations.xml"
    source.write_text(HAND_WRITTEN_XML)
    task.import_annotations("CVAT 1.1", source)
    task.import_annotations("CVAT 1.1", source, import_mode="append")
    assert len(task.get_annotations().shapes) == 6
    task.import_annotations("CVAT 1.1", source, import_mode="replace")
    assert len(task.get_annotations().shapes) == 3


def test_job_import_changes_the_jobs_frames_only(make_task: Callable[..., Any], tmp_path: Path) -> None:
    task = make_task(4, segment_size=2)
    _annotate(task)
    first, second = sorted(task.get_jobs(), key=lambda j: j.start_frame)
    # (the track starts in the first job, so it is the first job's to replace)
    second_before = {k: v for k, v in comparable(second).items() if k != "tracks"}
    source = tmp_path / "annotations.xml"
    source.write_text(HAND_WRITTEN_XML.split('  <image id="2"')[0] + "</annotations>\n")  # the job's frames
    first.import_annotations("CVAT 1.1", source)
    assert {k: v for k, v in comparable(second).items() if k != "tracks"} == second_before
    assert second_before["shapes"] and second_before["tags"] == []
    shapes = first.get_annotations().shapes
    assert sorted((s.frame, s.type.value) for s in shapes) == [(0, "rectangle"), (1, "polygon")]


def test_create_from_data_with_annotations(client: Any, image_dir: Path, tmp_path: Path) -> None:
    from tests.sdk.conftest import LABELS

    files = sorted(image_dir.glob("*.png"))[:3]
    source = tmp_path / "annotations.xml"
    source.write_text(HAND_WRITTEN_XML)
    task = client.tasks.create_from_data({"name": "with annotations", "labels": LABELS}, files,
                                         annotation_path=source)  # the default format, "CVAT XML 1.1"
    assert task.size == 3
    assert sorted(s.type.value for s in task.get_annotations().shapes) == ["polygon", "rectangle", "skeleton"]

    bad = tmp_path / "bad.xml"
    bad.write_text(HAND_WRITTEN_XML.replace('label="car"', 'label="dragon"'))
    with pytest.raises(BackgroundRequestError, match="dragon"):
        client.tasks.create_from_data({"name": "bad annotations", "labels": LABELS}, files, annotation_path=bad,
                                      annotation_format="CVAT 1.1")
    assert client.tasks.list(name="bad annotations") == []  # the half-made task is gone
    with pytest.raises(FileNotFoundError, match="missing.xml"):
        client.tasks.create_from_data({"name": "missing", "labels": LABELS}, files,
                                      annotation_path=tmp_path / "missing.xml")
    assert client.tasks.list(name="missing") == []


# -- backups --------------------------------------------------------------------------------------


def _task_fields(task: Any) -> dict[str, Any]:
    labels = [label.to_dict() for label in task.get_labels()]

    def strip(obj: Any) -> Any:
        if isinstance(obj, list):
            return [strip(v) for v in obj]
        if isinstance(obj, dict):
            return {k: strip(v) for k, v in obj.items() if k not in ("id", "parent_id", "project_id", "task_id")}
        return obj

    meta = task.get_meta()
    return {
        "name": task.name, "size": task.size, "subset": task.subset, "segment_size": task.segment_size,
        "overlap": task.overlap, "mode": task.mode, "data_chunk_size": task.data_chunk_size,
        "bug_tracker": task.bug_tracker, "labels": strip(labels),
        "jobs": sorted((j.start_frame, j.stop_frame, j.stage, j.state) for j in task.get_jobs()),
        "frames": [(f.name, f.width, f.height) for f in meta.frames], "deleted": meta.deleted_frames,
        "annotations": comparable(task),
    }


def test_task_backup_restores_an_equal_task(client: Any, make_task: Callable[..., Any], tmp_path: Path) -> None:
    task = make_task(4, segment_size=2, chunk_size=3, subset="Train", bug_tracker="https://bugs.example/1")
    _annotate(task)
    first = min(task.get_jobs(), key=lambda j: j.start_frame)
    first.update({"stage": "validation", "state": "completed"})
    task.remove_frames_by_ids([3])
    task.fetch()
    recorder = Recorder()
    path = task.download_backup(f"{tmp_path}/", pbar=recorder)
    assert path is not None and path.parent == tmp_path and path.suffix == ".zip"
    assert recorder.operations[-1]["advanced"] == path.stat().st_size

    restored = client.tasks.create_from_backup(path, pbar=recorder)
    assert restored.id != task.id
    assert _task_fields(restored) == _task_fields(task)
    assert _task_fields(restored)["deleted"] == [3]
    for number in range(4):
        assert restored.get_frame(number, quality="original").read() == task.get_frame(number,
                                                                                        quality="original").read()


def test_bad_backups_are_refused_with_the_servers_message(client: Any, make_task: Callable[..., Any],
                                                          tmp_path: Path) -> None:
    count = len(client.tasks.list())
    not_a_backup = tmp_path / "photo.zip"
    with zipfile.ZipFile(not_a_backup, "w") as archive:
        archive.writestr("photo.txt", "hello")
    # a backup's documents are checked when its upload finishes: a 400 with the server's message
    with pytest.raises(BadRequestError, match="not an inklab backup"):
        client.tasks.create_from_backup(not_a_backup)

    task = make_task(2)
    path = task.download_backup(tmp_path / "task.zip")
    assert path is not None
    future = tmp_path / "future.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(future, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "inklab-backup.json":
                marker = json.loads(data)
                data = json.dumps({**marker, "version": marker["version"] + 1, "inklab": "99.0"}).encode()
            target.writestr(item, data)
    with pytest.raises(BadRequestError, match="made by inklab 99.0"):
        client.tasks.create_from_backup(future)
    with pytest.raises(BadRequestError, match="task backup, not a project backup"):
        client.projects.create_from_backup(path)
    assert len(client.tasks.list()) == count + 1  # only make_task's
    with pytest.raises(NotFoundError):
        client.tasks.retrieve(987654).download_backup(tmp_path / "none.zip")


# -- projects -------------------------------------------------------------------------------------


def _project_with_tasks(client: Any, image_dir: Path, name: str) -> Any:
    from tests.sdk.conftest import LABELS

    project = client.projects.create({"name": name, "labels": LABELS})
    files = sorted(image_dir.glob("*.png"))
    for subset, chosen in (("Train", files[:4]), ("Validation", files[4:8])):
        task = client.tasks.create_from_data({"name": f"{name}-{subset}", "project_id": project.id,
                                              "subset": subset}, chosen)
        _annotate(task)
    return project.fetch()


def _project_fields(project: Any) -> dict[str, Any]:
    tasks = sorted(project.get_tasks(), key=lambda t: t.subset)
    return {"name": project.name, "labels": sorted(label.name for label in project.get_labels()),
            "tasks": [(t.subset, t.size, [f.name for f in t.get_meta().frames], comparable(t)) for t in tasks]}


def test_project_export_import_and_create_from_dataset(client: Any, image_dir: Path, tmp_path: Path) -> None:
    from tests.sdk.conftest import LABELS

    project = _project_with_tasks(client, image_dir, "export-me")
    path = project.export_dataset("CVAT for images 1.1", f"{tmp_path}/", include_images=True)
    assert path is not None and path.name == f"project_{project.id}_dataset_cvat_for_images_1.1.zip"
    archive = zipfile.ZipFile(path)
    root = ElementTree.fromstring(archive.read("annotations.xml"))
    subsets = sorted({img.get("subset") for img in root.iter("image")})
    assert subsets == ["Train", "Validation"] and len(list(root.iter("image"))) == 8
    assert sum(1 for n in archive.namelist() if n.startswith("images/")) == 8

    target = client.projects.create({"name": "import-into", "labels": LABELS})
    request = target.import_dataset("CVAT 1.1", path)
    assert request.operation is not None and request.operation.type == "import:dataset"
    assert target.tasks is not None and target.tasks.count == 2  # the entity was refreshed
    made = sorted(target.get_tasks(), key=lambda t: t.subset)
    assert [(t.subset, t.size) for t in made] == [("Train", 4), ("Validation", 4)]
    originals = sorted(project.get_tasks(), key=lambda t: t.subset)
    for copy, original in zip(made, originals, strict=True):
        assert [f.name for f in copy.get_meta().frames] == [f.name for f in original.get_meta().frames]
        assert comparable(copy) == comparable(original)

    created = client.projects.create_from_dataset({"name": "from-dataset", "labels": LABELS}, dataset_path=path)
    assert sorted((t.subset, t.size) for t in created.get_tasks()) == [("Train", 4), ("Validation", 4)]

    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            out.writestr(item, data[: len(data) // 2] if item.filename.endswith(".xml") else data)  # cut short
    with pytest.raises(BackgroundRequestError, match=r"annotations\.xml, line \d+"):
        target.import_dataset("CVAT 1.1", broken)
    assert len(target.get_tasks()) == 2  # nothing added
    with pytest.raises(BackgroundRequestError, match=r"annotations\.xml, line \d+"):
        client.projects.create_from_dataset({"name": "from-broken", "labels": LABELS}, dataset_path=broken,
                                            dataset_format="CVAT 1.1")
    assert client.projects.list(name="from-broken") == []  # the new project was removed again
    with pytest.raises(ApiError, match="Unknown import format"):
        target.import_dataset("Nope 1.0", path)


def test_project_backup_round_trip(client: Any, image_dir: Path, tmp_path: Path) -> None:
    project = _project_with_tasks(client, image_dir, "backed-up")
    path = project.download_backup(tmp_path / "project.zip")
    assert path == tmp_path / "project.zip" and zipfile.is_zipfile(path)
    restored = client.projects.create_from_backup(path)
    assert restored.id != project.id
    assert _project_fields(restored) == _project_fields(project)


# -- what a live server cannot do: broken downloads -------------------------------------------------


def _mock_client(result: Callable[[HttpRequest], Any], result_url: str | None = "http://x/api/requests/r/download"
                 ) -> Any:
    from inklab.sdk import Client, Config
    from inklab.sdk.client import MockTransport

    def handler(request: HttpRequest) -> Any:
        if request.method == "POST" and "/dataset/export" in request.url:
            return 202, {"Content-Type": "application/json"}, b'{"rq_id": "r"}'
        if request.url.endswith("/api/requests/r"):
            body = {"id": "r", "status": "finished", "message": "", "result_url": result_url}
            return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()
        if "/download" in request.url:
            return result(request)
        return 404, {}, b'{"detail": "no"}'

    client = Client("http://x", config=Config(status_check_period=0), check_server_version=False,
                    transport=MockTransport(handler))
    return client


def _task_entity(client: Any) -> Any:
    from inklab.sdk import Task

    return Task._wrap(client, {"id": 5, "name": "t"})


def test_a_broken_download_leaves_no_file(tmp_path: Path) -> None:
    class Truncated:
        def stream(self, amount: int, decode_content: bool = False) -> Any:
            yield b"x" * 10
            raise OSError("connection reset by peer")

        def release_conn(self) -> None:
            pass

    def truncated(request: HttpRequest) -> HttpResponse:
        return HttpResponse(200, {"Content-Length": "1000"}, request, raw=Truncated())

    from inklab.sdk import TransportError

    with pytest.raises(TransportError, match="connection broke"):
        _task_entity(_mock_client(truncated)).export_dataset("COCO 1.0", tmp_path / "a.zip")
    short = _mock_client(lambda r: (200, {"Content-Length": "1000"}, b"x" * 10))
    with pytest.raises(TransportError, match="after 10 of 1000 bytes"):
        _task_entity(short).export_dataset("COCO 1.0", tmp_path / "a.zip")
    assert list(tmp_path.iterdir()) == []


def test_unsafe_or_missing_server_file_names(tmp_path: Path) -> None:
    from inklab.sdk import SdkError
    from inklab.sdk.client._downloading import server_filename

    evil = _mock_client(lambda r: (200, {"Content-Disposition": 'attachment; filename="../../evil.zip"'}, b"z"))
    with pytest.raises(SdkError, match="no usable file name"):
        _task_entity(evil).export_dataset("COCO 1.0", tmp_path)
    no_url = _mock_client(lambda r: (200, {}, b""), result_url=None)
    with pytest.raises(SdkError, match="gave no URL"):
        _task_entity(no_url).export_dataset("COCO 1.0", tmp_path / "a.zip")
    assert list(tmp_path.iterdir()) == []
    assert server_filename('attachment; filename="task_1_dataset_coco_1.0.zip"') == "task_1_dataset_coco_1.0.zip"
    assert server_filename("attachment; filename=plain.zip") == "plain.zip"
    for bad in ('attachment; filename=".hidden.zip"', 'attachment; filename="noext"', "attachment",
                "attachment; filename*=UTF-8''x.zip", 'attachment; filename="a/b.zip"'):
        assert server_filename(bad) is None, bad


def test_masks_survive_coco_rle(make_task: Callable[..., Any], tmp_path: Path) -> None:
    """A mask exported to COCO decodes, with pycocotools, to the pixels that were drawn."""
    from pycocotools import mask as coco_mask

    task = make_task(1)
    car = _label_ids(task)["car"]
    drawn = np.zeros((30, 40), dtype=bool)
    drawn[5:15, 10:30] = True
    drawn[5:10, 20:30] = False  # an L shape: its box is still columns 10..29, rows 5..14
    # CVAT's mask encoding: run lengths over the box, then the box (left, top, right, bottom).
    box = drawn[5:15, 10:30].ravel()
    runs = [int(len(list(group))) for group in _runs(box)]
    task.set_annotations({"shapes": [{"type": "mask", "frame": 0, "label_id": car.id,
                                      "points": [*runs, 10, 5, 29, 14]}]})
    path = task.export_dataset("COCO 1.0", tmp_path / "coco.zip", include_images=False)
    document = json.loads(zipfile.ZipFile(io.BytesIO(path.read_bytes())).read("annotations/instances_default.json"))
    (annotation,) = document["annotations"]
    rle = annotation["segmentation"]
    if isinstance(rle["counts"], list):
        rle = coco_mask.frPyObjects(rle, rle["size"][0], rle["size"][1])
    decoded = coco_mask.decode(rle).astype(bool)
    assert decoded.shape == (30, 40) and (decoded == drawn).all()
    assert annotation["area"] == 150 and annotation["bbox"] == [10, 5, 20, 10]


def _runs(values: np.ndarray) -> list[list[bool]]:
    """Runs of equal values, starting with a run of False (possibly empty)."""
    runs: list[list[bool]] = [[]]
    current = False
    for value in values.tolist():
        if value != current:
            runs.append([])
            current = value
        runs[-1].append(value)
    return runs
