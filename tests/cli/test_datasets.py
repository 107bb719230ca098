"""``inklab task|project export-dataset|import-dataset|backup|create-from-backup`` and the dataset
options of ``create``, against a live server."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from tests.support.images import make_images
from tests.support.live import LiveServer, free_port

pytestmark = pytest.mark.live

LABELS = [{"name": "car", "attributes": [{"name": "color", "mutable": False, "input_type": "select",
                                           "values": ["red", "blue"]}]},
          {"name": "bus"}]
FAST = ("--completion_verification_period", "0.05")

# Written by hand from the CVAT for images 1.1 description, for make_images' img_000.png … (64×48).
HAND_WRITTEN_XML = """<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <image id="0" name="img_000.png" width="64" height="48">
    <box label="bus" occluded="0" xtl="4" ytl="5" xbr="40" ybr="30" z_order="0"></box>
  </image>
  <image id="1" name="img_001.png" width="64" height="48">
    <polygon label="car" occluded="1" points="1,1;50,1;25,40" z_order="1">
      <attribute name="color">blue</attribute>
    </polygon>
  </image>
</annotations>
"""


def _error_line(result: Any) -> str:
    lines = [line for line in result.err.splitlines() if line.strip() and not _is_progress(line)]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: "), result.err
    return lines[0]


def _is_progress(line: str) -> bool:
    return "|" in line and ("%" in line or "it/s" in line or "B/s" in line)


@pytest.fixture
def sdk(live_server: LiveServer) -> Iterator[Any]:
    from inklab.sdk import Config, make_client

    with make_client(live_server.url, credentials=live_server.admin, config=Config(status_check_period=0.05)) as c:
        yield c


@pytest.fixture
def images(tmp_path: Path) -> list[Path]:
    return make_images(tmp_path / "images", 3)


def _task(sdk: Any, images: list[Path], name: str = "cli-data", **spec: Any) -> Any:
    if "project_id" not in spec:
        spec["labels"] = LABELS
    return sdk.tasks.create_from_data({"name": name, "segment_size": 2, **spec}, images)


def _annotate(task: Any) -> None:
    labels = {label.name: label for label in task.get_labels()}
    car, bus = labels["car"], labels["bus"]
    task.set_annotations({"shapes": [
        {"type": "rectangle", "frame": 0, "label_id": car.id, "points": [2, 3, 22, 13],
         "attributes": [{"spec_id": car.attributes[0].id, "value": "red"}]},
        {"type": "rectangle", "frame": 2, "label_id": bus.id, "points": [10, 10, 30, 40]},
        {"type": "polygon", "frame": 1, "label_id": bus.id, "points": [0, 0, 10, 0, 10, 10]},
    ]})


def _by_name(task: Any) -> list[tuple[Any, ...]]:
    names = {label.id: label.name for label in task.get_labels()}
    return sorted((s.frame, s.type.value, names[s.label_id], tuple(s.points), s.occluded, len(s.attributes))
                  for s in task.get_annotations().shapes)


def test_task_export_import_backup(inklab: Callable[..., Any], sdk: Any, images: list[Path], tmp_path: Path) -> None:
    task = _task(sdk, images)
    _annotate(task)
    out = tmp_path / "out"
    out.mkdir()
    coco = inklab("task", "export-dataset", str(task.id), f"{out}/", "--format", "COCO 1.0", "--with-images", "yes",
                  *FAST)
    assert coco.status == 0, coco.err
    path = Path(coco.out.strip())
    assert path == out / f"task_{task.id}_dataset_coco_1.0.zip" and list(out.iterdir()) == [path]
    assert "Downloading the dataset" in coco.err  # the progress bar
    archive = zipfile.ZipFile(path)
    assert archive.read("images/default/img_002.png") == images[2].read_bytes()
    document = json.loads(archive.read("annotations/instances_default.json"))
    categories = {c["id"]: c["name"] for c in document["categories"]}
    files = {i["id"]: i["file_name"] for i in document["images"]}
    boxes = sorted((files[a["image_id"]], categories[a["category_id"]], a["bbox"]) for a in document["annotations"]
                   if not a["segmentation"])
    assert boxes == [("img_000.png", "car", [2, 3, 20, 10]), ("img_002.png", "bus", [10, 10, 20, 30])]

    cvat = tmp_path / "cvat.zip"
    default = inklab("task", "export-dataset", str(task.id), str(cvat), *FAST)  # CVAT for images 1.1, no images
    assert default.status == 0, default.err
    assert zipfile.ZipFile(cvat).namelist() == ["annotations.xml"]
    root = ElementTree.fromstring(zipfile.ZipFile(cvat).read("annotations.xml"))
    assert sorted((img.get("name"), box.get("label")) for img in root.iter("image") for box in img.iter("box")) == [
        ("img_000.png", "car"), ("img_002.png", "bus")]

    copy = _task(sdk, images, "copy")
    imported = inklab("task", "import-dataset", str(copy.id), str(cvat), *FAST)  # the default format, CVAT 1.1
    assert imported.status == 0, imported.err
    assert imported.out.strip() == f"imported cvat.zip into task {copy.id}"
    assert "Uploading cvat.zip" in imported.err
    assert _by_name(copy) == _by_name(task)
    hand = tmp_path / "hand.xml"
    hand.write_text(HAND_WRITTEN_XML)
    appended = inklab("task", "import-dataset", str(copy.id), str(hand), "--import-mode", "append", *FAST)
    assert appended.status == 0, appended.err
    assert _by_name(copy) == sorted([*_by_name(task), (0, "rectangle", "bus", (4, 5, 40, 30), False, 0),
                                     (1, "polygon", "car", (1, 1, 50, 1, 25, 40), True, 1)])

    backup = inklab("task", "backup", str(task.id), f"{out}/", *FAST)
    assert backup.status == 0, backup.err
    backup_path = Path(backup.out.strip())
    assert backup_path.parent == out and zipfile.is_zipfile(backup_path)
    restored = inklab("task", "create-from-backup", str(backup_path), *FAST)
    assert restored.status == 0, restored.err
    again = sdk.tasks.retrieve(int(restored.out.strip()))
    assert (again.name, again.size, again.segment_size) == (task.name, task.size, task.segment_size)
    assert [f.name for f in again.get_meta().frames] == [f.name for f in task.get_meta().frames]
    assert sorted((j.start_frame, j.stop_frame) for j in again.get_jobs()) == [(0, 1), (2, 2)]
    assert _by_name(again) == _by_name(task)


def test_task_create_with_annotations(inklab: Callable[..., Any], sdk: Any, images: list[Path],
                                      tmp_path: Path) -> None:
    hand = tmp_path / "hand.xml"
    hand.write_text(HAND_WRITTEN_XML)
    created = inklab("task", "create", "annotated", "local", *map(str, images), "--labels", json.dumps(LABELS),
                     "--annotation_path", str(hand), *FAST)
    assert created.status == 0, created.err
    task = sdk.tasks.retrieve(int(created.out.strip()))
    assert _by_name(task) == [(0, "rectangle", "bus", (4, 5, 40, 30), False, 0),
                              (1, "polygon", "car", (1, 1, 50, 1, 25, 40), True, 1)]
    bad = tmp_path / "bad.xml"
    bad.write_text(HAND_WRITTEN_XML.replace('label="bus"', 'label="tram"'))
    failed = inklab("task", "create", "badly annotated", "local", *map(str, images), "--labels", json.dumps(LABELS),
                    "--annotation-path", str(bad), "--annotation-format", "CVAT 1.1", *FAST)
    assert failed.status == 1 and "tram" in _error_line(failed)
    assert sdk.tasks.list(name="badly annotated") == []


def test_project_commands(inklab: Callable[..., Any], sdk: Any, images: list[Path], tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    project = sdk.projects.create({"name": "cli-project", "labels": LABELS})
    for subset in ("Train", "Test"):
        _annotate(_task(sdk, images, f"cli-{subset}", project_id=project.id, subset=subset))

    exported = inklab("project", "export-dataset", str(project.id), str(tmp_path / "dataset.zip"),
                      "--with-images", "true", *FAST)
    assert exported.status == 0, exported.err
    dataset = Path(exported.out.strip())
    root = ElementTree.fromstring(zipfile.ZipFile(dataset).read("annotations.xml"))
    assert sorted({img.get("subset") for img in root.iter("image")}) == ["Test", "Train"]
    assert len(list(root.iter("box"))) == 4

    created = inklab("project", "create", "from-dataset", "--labels", json.dumps(LABELS), "--dataset_path",
                     str(dataset), *FAST)
    assert created.status == 0, created.err
    made = sdk.projects.retrieve(int(created.out.strip()))
    assert sorted((t.subset, t.size, len(t.get_annotations().shapes)) for t in made.get_tasks()) == [
        ("Test", 3, 3), ("Train", 3, 3)]

    empty = sdk.projects.create({"name": "empty", "labels": LABELS})
    imported = inklab("project", "import-dataset", str(empty.id), str(dataset), *FAST)
    assert imported.status == 0, imported.err
    assert imported.out.strip() == f"imported dataset.zip into project {empty.id}"
    assert sorted(t.subset for t in empty.get_tasks()) == ["Test", "Train"]

    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    backup = inklab("project", "backup", str(project.id), *FAST)  # into the current directory
    assert backup.status == 0, backup.err
    assert backup.out.strip() == f"project_{project.id}_backup.zip"
    assert [p.name for p in here.iterdir()] == [f"project_{project.id}_backup.zip"]
    restored = inklab("project", "create-from-backup", f"project_{project.id}_backup.zip", *FAST)
    assert restored.status == 0, restored.err
    again = sdk.projects.retrieve(int(restored.out.strip()))
    assert again.name == "cli-project" and [x.name for x in again.get_labels()] == ["car", "bus"]
    assert sorted((t.name, t.subset, _by_name(t) == _by_name(sdk.tasks.list(name=t.name)[0]))
                  for t in again.get_tasks()) == [("cli-Test", "Test", True), ("cli-Train", "Train", True)]


def test_errors_are_one_line_and_lose_nothing(inklab: Callable[..., Any], sdk: Any, images: list[Path],
                                              tmp_path: Path) -> None:
    task = _task(sdk, images)
    _annotate(task)
    before = _by_name(task)

    unknown_format = inklab("task", "export-dataset", str(task.id), str(tmp_path / "x.zip"), "--format", "YOLO 9000")
    assert unknown_format.status == 1 and "Unknown export format 'YOLO 9000'" in _error_line(unknown_format)
    hand = tmp_path / "hand.xml"
    hand.write_text(HAND_WRITTEN_XML)
    unknown_import = inklab("task", "import-dataset", str(task.id), str(hand), "--format", "CVAT 0.1")
    assert unknown_import.status == 1 and "Unknown import format 'CVAT 0.1'" in _error_line(unknown_import)
    for group in ("task", "project"):
        unknown_id = inklab(group, "export-dataset", "987654", str(tmp_path / "y.zip"))
        assert unknown_id.status == 1 and f"no {group} 987654" in _error_line(unknown_id)
        no_backup = inklab(group, "backup", "987654", str(tmp_path / "y.zip"))
        assert no_backup.status == 1 and f"no {group} 987654" in _error_line(no_backup)
    missing = inklab("task", "import-dataset", str(task.id), str(tmp_path / "nothing.xml"))
    assert missing.status == 1 and "No such file" in _error_line(missing) and "nothing.xml" in missing.err
    missing_backup = inklab("project", "create-from-backup", str(tmp_path / "nothing.zip"))
    assert missing_backup.status == 1 and "nothing.zip" in _error_line(missing_backup)

    broken = tmp_path / "broken.xml"
    broken.write_text(HAND_WRITTEN_XML.replace("</polygon>", ""))
    malformed = inklab("task", "import-dataset", str(task.id), str(broken), *FAST)
    assert malformed.status == 1
    assert "broken.xml, line" in _error_line(malformed) and "invalid XML" in malformed.err
    unknown_label = tmp_path / "tram.xml"
    unknown_label.write_text(HAND_WRITTEN_XML.replace('label="bus"', 'label="tram"'))
    wrong_label = inklab("task", "import-dataset", str(task.id), str(unknown_label), *FAST)
    assert wrong_label.status == 1 and "'tram'" in _error_line(wrong_label)
    not_a_backup = inklab("task", "create-from-backup", str(hand), *FAST)
    assert not_a_backup.status == 1 and "hand.xml" in _error_line(not_a_backup)
    assert _by_name(task) == before

    existing = tmp_path / "keep.zip"
    existing.write_bytes(b"keep me")
    overwrite = inklab("task", "backup", str(task.id), str(existing), *FAST)
    assert overwrite.status == 1 and "already exists" in _error_line(overwrite)
    assert existing.read_bytes() == b"keep me"
    bad_flag = inklab("task", "export-dataset", str(task.id), "--with-images", "maybe")
    assert bad_flag.status == 2 and "--with-images" in bad_flag.err

    projects = len(sdk.projects.list())
    bad_dataset = inklab("project", "create", "doomed", "--labels", json.dumps(LABELS), "--dataset-path", str(broken),
                         *FAST)
    assert bad_dataset.status == 1 and "broken.xml" in _error_line(bad_dataset)
    assert len(sdk.projects.list()) == projects  # the new project was removed again

    port = free_port()
    unreachable = inklab("task", "export-dataset", "1", host=f"http://127.0.0.1:{port}")
    assert unreachable.status == 1 and "Cannot reach the server" in _error_line(unreachable)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.xml", "hand.xml", "images", "keep.zip", "tram.xml"]
