"""The unmodified cvat-sdk and cvat-cli 2.80 exporting, importing and backing up through a live server."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.compat.test_cvat_cli import cli
from tests.support.images import make_images
from tests.support.live import LiveServer

pytestmark = pytest.mark.live

LABELS = [{"name": "car", "attributes": [{"name": "color", "mutable": False, "input_type": "select",
                                           "values": ["red", "blue"]}]},
          {"name": "person", "type": "skeleton", "sublabels": [{"name": "head"}, {"name": "hand"}],
           "svg": '<line x1="1" y1="1" x2="2" y2="2" data-type="edge" data-node-from="1" data-node-to="2"></line>'}]


def _task(sdk: Any, images: list[Path], name: str = "task") -> Any:
    from cvat_sdk.core.proxies.tasks import ResourceType

    return sdk.tasks.create_from_data(spec={"name": name, "labels": LABELS, "segment_size": 2},
                                      resource_type=ResourceType.LOCAL, resources=[str(p) for p in images])


def _annotate(task: Any) -> None:
    from cvat_sdk import models

    labels = {label.name: label for label in task.get_labels()}
    car, person = labels["car"], labels["person"]
    head, hand = person.sublabels
    color = car.attributes[0].id
    task.set_annotations(models.LabeledDataRequest(
        shapes=[
            models.LabeledShapeRequest(type="rectangle", frame=0, label_id=car.id, points=[1, 2, 30, 40],
                                       rotation=15.0, z_order=1, occluded=True,
                                       attributes=[models.AttributeValRequest(spec_id=color, value="blue")]),
            models.LabeledShapeRequest(type="ellipse", frame=1, label_id=car.id, points=[20, 20, 30, 15]),
            models.LabeledShapeRequest(type="skeleton", frame=2, label_id=person.id, points=[], elements=[
                models.SubLabeledShapeRequest(type="points", frame=2, label_id=head.id, points=[5, 5]),
                models.SubLabeledShapeRequest(type="points", frame=2, label_id=hand.id, points=[9, 9],
                                              outside=True)]),
        ],
        tracks=[models.LabeledTrackRequest(frame=0, label_id=car.id, shapes=[
            models.TrackedShapeRequest(type="polygon", frame=0, points=[0, 0, 10, 0, 10, 10]),
            models.TrackedShapeRequest(type="polygon", frame=2, points=[5, 5, 15, 5, 15, 15], outside=True)])],
        tags=[]))


def _by_name(task: Any) -> dict[str, Any]:
    """The task's annotations with labels by name and without ids, to compare two tasks."""
    names = {}
    for label in task.get_labels():
        names[label.id] = label.name
        for sub in label.sublabels:
            names[sub.id] = sub.name
    data = task.get_annotations().to_dict()

    def clean(obj: Any) -> Any:
        if isinstance(obj, list):
            return sorted((clean(v) for v in obj), key=json.dumps)
        if isinstance(obj, dict):
            out = {k: clean(v) for k, v in obj.items() if k not in ("id", "spec_id", "version")}
            if "label_id" in out:
                out["label_id"] = names[out["label_id"]]
            if out.get("outside") and "points" in out and "elements" not in out:
                out["points"] = None  # an outside keyframe's state is invisible
            return out
        return obj

    return clean({k: data[k] for k in ("tags", "shapes", "tracks")})


def test_sdk_export_import_and_backup(sdk: Any, tmp_path: Path) -> None:
    images = make_images(tmp_path / "img", 4)
    task = _task(sdk, images)
    _annotate(task)
    exported = tmp_path / "cvat.zip"
    task.export_dataset("CVAT for images 1.1", exported, include_images=True)
    assert {"annotations.xml", "images/img_000.png"} <= set(zipfile.ZipFile(exported).namelist())
    copy = _task(sdk, images, "copy")
    copy.import_annotations("CVAT 1.1", exported)
    assert _by_name(copy) == _by_name(task)

    coco = tmp_path / "coco.zip"
    task.export_dataset("COCO 1.0", coco, include_images=False)
    document = json.loads(zipfile.ZipFile(coco).read("annotations/instances_default.json"))
    assert len(document["images"]) == 4 and {a["category_id"] for a in document["annotations"]} == {1}

    backup = tmp_path / "backup.zip"
    task.download_backup(backup)
    restored = sdk.tasks.create_from_backup(backup)
    assert restored.id != task.id and restored.size == 4 and restored.name == "task"
    assert [(j.start_frame, j.stop_frame) for j in restored.get_jobs()] == [(0, 1), (2, 3)]
    assert _by_name(restored) == _by_name(task)


def test_sdk_backup_of_a_project_task_restores_as_a_task_of_its_own(sdk: Any, tmp_path: Path) -> None:
    from cvat_sdk.core.proxies.tasks import ResourceType

    project = sdk.projects.create({"name": "labelled", "labels": LABELS})
    task = sdk.tasks.create_from_data(spec={"name": "in a project", "project_id": project.id},
                                      resource_type=ResourceType.LOCAL,
                                      resources=[str(p) for p in make_images(tmp_path / "img", 3)])
    _annotate(task)
    backup = tmp_path / "backup.zip"
    task.download_backup(backup)
    restored = sdk.tasks.create_from_backup(backup)
    assert restored.project_id is None and restored.name == "in a project"
    labels = {label.name: label for label in restored.get_labels()}
    assert sorted(labels) == ["car", "person"] and all(label.task_id == restored.id for label in labels.values())
    assert [a.name for a in labels["car"].attributes] == ["color"]
    assert sorted(s.name for s in labels["person"].sublabels) == ["hand", "head"]
    assert _by_name(restored) == _by_name(task)


def test_sdk_failed_import_raises_with_the_message(sdk: Any, tmp_path: Path) -> None:
    from cvat_sdk.core.exceptions import BackgroundRequestException

    task = _task(sdk, make_images(tmp_path / "img", 2))
    bad = tmp_path / "annotations.xml"
    bad.write_text("<annotations>\n<image id='0' name='img_000.png'>\n<box label='dragon' xtl='1' "
                                 "ytl='1' xbr='2' ybr='2'/></image></annotations>")
    with pytest.raises(BackgroundRequestException, match="label 'dragon' is not defined"):
        task.import_annotations("CVAT 1.1", bad)
    assert task.get_annotations().shapes == []


def test_sdk_project_from_dataset_with_the_default_format(sdk: Any, tmp_path: Path) -> None:
    images = make_images(tmp_path / "img", 3)
    task = _task(sdk, images)
    _annotate(task)
    dataset = tmp_path / "dataset.zip"
    task.export_dataset("CVAT for images 1.1", dataset, include_images=True)
    project = sdk.projects.create_from_dataset({"name": "from dataset", "labels": LABELS},
                                               dataset_path=str(dataset))  # "CVAT XML 1.1", the SDK default
    (made,) = project.get_tasks()
    assert made.size == 3
    assert len(made.get_annotations().shapes) == 3


def test_cli_dataset_and_backup_commands(live_server: LiveServer, sdk: Any, tmp_path: Path) -> None:
    images = make_images(tmp_path / "img", 4)
    task = _task(sdk, images)
    _annotate(task)
    out = tmp_path / "out"
    out.mkdir()
    cli(live_server, "task", "export-dataset", str(task.id), f"{out}/", "--format", "COCO 1.0",
        "--with-images", "true", "--completion_verification_period", "0.1")
    (exported,) = out.iterdir()
    assert exported.name == f"task_{task.id}_dataset_coco_1.0.zip"
    copy = _task(sdk, images, "copy")
    cli(live_server, "task", "import-dataset", str(copy.id), str(exported), "--format", "COCO 1.0")
    assert len(copy.get_annotations().shapes) == 4  # box, ellipse (as a polygon), the track on frames 0 and 1
    cvat = tmp_path / "cvat.zip"
    cli(live_server, "task", "export-dataset", str(task.id), str(cvat), "--completion_verification_period", "0.1")
    cli(live_server, "task", "import-dataset", str(copy.id), str(cvat))  # the default format, CVAT 1.1
    assert _by_name(copy) == _by_name(task)

    backup = tmp_path / "task-backup.zip"
    cli(live_server, "task", "backup", str(task.id), str(backup), "--completion_verification_period", "0.1")
    restored_id = int(cli(live_server, "task", "create-from-backup", str(backup),
                          "--completion_verification_period", "0.1").stdout.strip().splitlines()[-1])
    assert _by_name(sdk.tasks.retrieve(restored_id)) == _by_name(task)

    project = sdk.projects.create({"name": "p", "labels": LABELS})
    project_dataset = tmp_path / "project.zip"
    task.export_dataset("CVAT for images 1.1", project_dataset, include_images=True)
    cli(live_server, "project", "import-dataset", str(project.id), str(project_dataset), "--format", "CVAT 1.1")
    assert [t.size for t in sdk.projects.retrieve(project.id).get_tasks()] == [4]
    exported_project = tmp_path / "exported-project.zip"
    cli(live_server, "project", "export-dataset", str(project.id), str(exported_project), "--format",
        "COCO 1.0", "--completion_verification_period", "0.1")
    assert "annotations/instances_default.json" in zipfile.ZipFile(exported_project).namelist()
    project_backup = tmp_path / "project-backup.zip"
    cli(live_server, "project", "backup", str(project.id), str(project_backup),
        "--completion_verification_period", "0.1")
    new_project = int(cli(live_server, "project", "create-from-backup", str(project_backup),
                          "--completion_verification_period", "0.1").stdout.strip().splitlines()[-1])
    assert [t.size for t in sdk.projects.retrieve(new_project).get_tasks()] == [4]
