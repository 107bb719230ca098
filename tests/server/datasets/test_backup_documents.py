"""Crafted backups: every field and every frame is checked before anything is restored.

What the documents say is refused when the upload finishes (400, naming the file and the field);
what the frames and annotations hold, as the restore reads them (the request fails, naming the
file). Either way nothing is left: no task, no row, no file, no upload.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from inklab.server.media.models import Frame
from inklab.server.projects.models import Task
from tests.server.conftest import default_labels
from tests.server.datasets.flows import download, export, import_file, zip_bytes
from tests.server.datasets.test_backups import refused
from tests.support.images import make_image, png_header

pytestmark = pytest.mark.django_db

HTML = b"<html><body><script>fetch('/api/auth/access_tokens', {method: 'POST'})</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"/>'


def _files(data: bytes) -> dict[str, bytes]:
    source = zipfile.ZipFile(io.BytesIO(data))
    return {name: source.read(name) for name in source.namelist()}


_BACKUP: dict[str, bytes] = {}


@pytest.fixture
def backup(api: APIClient, make_task: Callable[..., dict[str, Any]]) -> dict[str, bytes]:
    """The files of a real backup of a 3-frame task (PNG frames 0.png..2.png of 64x48), annotated;
    made once (a backup stands on its own), restored by each test into its own database."""
    if not _BACKUP:
        _BACKUP.update(_make_backup(api, make_task))
    return dict(_BACKUP)


def _make_backup(api: APIClient, make_task: Callable[..., dict[str, Any]]) -> dict[str, bytes]:
    task = make_task(3)
    car = next(label for label in api.get("/api/labels", {"task_id": task["id"]}).json()["results"]
               if label["name"] == "car")
    assert api.put(f"/api/tasks/{task['id']}/annotations/", {"shapes": [
        {"type": "mask", "frame": 0, "label_id": car["id"], "points": [0, 6, 1, 1, 3, 2]}]},
        format="json").status_code == 200
    data, _ = download(api, export(api, f"/api/tasks/{task['id']}/backup/export"))
    return _files(data)


def _crafted(files: dict[str, bytes], change: Callable[[dict[str, Any]], Any] | None = None,
             **replace: bytes | None) -> bytes:
    doc = json.loads(files["task.json"])
    if change is not None:
        change(doc)
    result = {**files, "task.json": json.dumps(doc).encode()}
    for name, content in replace.items():
        name = name.replace("__", "/").replace("_png", ".png")
        if content is None:
            result.pop(name)
        else:
            result[name] = content
    return zip_bytes(result)


def _task_dirs() -> set[str]:
    root = Path(settings.MEDIA_ROOT) / "tasks"
    return {p.name for p in root.iterdir()} if root.is_dir() else set()


def _nothing_left(api: APIClient, tasks: int, frames: int, dirs: set[str]) -> None:
    assert Task.objects.count() == tasks and Frame.objects.count() == frames
    assert _task_dirs() == dirs


def _frame(index: int, **fields: Any) -> Callable[[dict[str, Any]], None]:
    return lambda doc: doc["frames"][index].update(fields)


def _set(**fields: Any) -> Callable[[dict[str, Any]], None]:
    return lambda doc: doc.update(fields)


@pytest.mark.parametrize(("change", "replace", "expected"), [
    # stored XSS: a frame that is a web page or a script-bearing SVG
    (_frame(0, mime_type="text/html"), {"data__0_png": HTML},
     "task.json: frames[0].mime_type: 'text/html' is not the type of a frame (one of image/bmp, image/gif"),
    (_frame(1, mime_type="image/svg+xml"), {"data__1_png": SVG},
     "task.json: frames[1].mime_type: 'image/svg+xml' is not the type of a frame"),
    # out of range, of the wrong type, inconsistent
    (_set(chunk_size=-1), {}, "task.json: chunk_size: Ensure this value is greater than or equal to 1."),
    (_set(chunk_size=None), {}, "task.json: chunk_size: A task with frames needs a chunk_size."),
    (_set(size=99), {}, "task.json: size: 99 is not the number of frames (3)."),
    (_set(deleted_frames=[1, 7]), {}, "task.json: deleted_frames: frame 7 is not a frame of the task (0..2)."),
    (_set(deleted_frames=[1, 1]), {}, "task.json: deleted_frames: a frame is listed twice."),
    (_frame(0, width=0), {}, "task.json: frames[0].width: Ensure this value is greater than or equal to 1."),
    (_frame(2, height="48"), {}, None),  # a number in a string is still that number
    (_frame(2, height=2**40), {}, "task.json: frames[2].height: Ensure this value is less than or equal to"),
    (_frame(1, number=5), {}, "task.json: frames: frames[1] has number 5"),
    (_frame(1, file="../../../escape.png"), {}, "task.json: frames[1].file: '../../../escape.png' is not the name"),
    (_frame(1, file="1.html"), {}, "task.json: frames[1].file: '1.html' is not the name of a stored frame"),
    (_frame(1, file="0.png"), {}, "task.json: frames: frames[1].file '0.png' is given twice."),
    (_frame(0, name="../../etc/passwd"), {}, "task.json: frames[0].name: '../../etc/passwd' is not a frame name"),
    (_frame(0, name="a\x00b.png"), {}, "task.json: frames[0].name:"),
    (_set(image_quality=0), {}, "task.json: image_quality: Ensure this value is greater than or equal to 1."),
    (_set(frame_filter="step=0"), {}, "task.json: frame_filter must look like 'step=N' with N >= 1"),
    (_set(start_frame=5, stop_frame=2), {}, "task.json: stop_frame: stop_frame comes before start_frame."),
    (_set(overlap="x"), {}, "task.json: overlap: A valid integer is required."),
    (_set(segment_size=2**40), {}, "task.json: segment_size: Ensure this value is less than or equal to 2147483647."),
    (_set(status="hacked"), {}, "task.json: status: \"hacked\" is not a valid choice."),
    (_set(media_type="text"), {}, "task.json: media_type:"),
    (_set(name="x" * 300), {}, "task.json: name: Ensure this field has no more than 256 characters."),
    (_set(jobs=[]), {}, "task.json: jobs: frame 0 is in no annotation job."),
    (lambda doc: doc["jobs"][0].update(stop_frame=10), {}, "task.json: jobs: jobs[0] ends at frame 10, after"),
    (lambda doc: doc["jobs"][0].update(start_frame=2, stop_frame=1), {},
     "task.json: jobs[0].stop_frame: A job's stop_frame comes before its start_frame."),
    (lambda doc: doc["jobs"][0].update(stage="hacked"), {}, "task.json: jobs[0].stage: \"hacked\" is not a valid"),
    (lambda doc: doc["labels"].append({"name": "x", "type": "hexagon"}), {}, "task.json: labels[3].type:"),
    (_set(owner_id=1), {}, "task.json: owner_id: This key is not part of a backup."),
    (lambda doc: doc.pop("frames"), {}, "task.json: frames: This field is required."),
    (lambda doc: doc["frames"].__setitem__(0, "0.png"), {}, "task.json: frames[0]:"),
])
def test_documents_out_of_range_are_refused_when_the_upload_finishes(
        api: APIClient, backup: dict[str, bytes], change: Any, replace: dict[str, bytes], expected: str | None) -> None:
    tasks, frames = Task.objects.count(), Frame.objects.count()
    dirs = _task_dirs()
    data = _crafted(backup, change, **replace)
    if expected is None:
        assert import_file(api, "/api/tasks/backup/", data, "crafted.zip")["status"] == "finished"
        return
    message = refused(api, data, "crafted.zip")
    assert message.startswith(f"crafted.zip: {expected}"), message
    _nothing_left(api, tasks, frames, dirs)


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    make_image(0, (64, 48)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    make_image(0, size).save(buffer, format="PNG")
    return buffer.getvalue()


def _annotation(obj: dict[str, Any]) -> bytes:
    return json.dumps({"kind": "shape", "object": obj}).encode() + b"\n"


_MASK = {"type": "mask", "frame": 0, "label": "car", "points": [0, 6, 1, 1, 3, 2]}


@pytest.mark.parametrize(("change", "replace", "expected"), [
    (None, {"data__0_png": _jpeg()}, "task.json: frames[0].mime_type: data/0.png is image/jpeg, not image/png."),
    (None, {"data__1_png": HTML}, "'data/1.png' is not a valid image"),
    (None, {"data__1_png": SVG}, "'data/1.png' is not a valid image"),
    (None, {"data__2_png": _png((64, 47))}, "task.json: frames[2]: data/2.png is 64x47, not 64x48 as its width"),
    (None, {"data__2_png": _png((64, 48))[:100]}, "'data/2.png' is not a valid image"),
    (None, {"data__1_png": None}, "task.json: frames[1].file: data/1.png is not in the backup."),
    (_frame(1, width=13000, height=13000), {"data__1_png": png_header(13000, 13000)},
     "'data/1.png' is too large to be a frame: it has more than the limit of 150,000,000 pixels"),
    (None, {"annotations.jsonl": _annotation({**_MASK, "points": [0, 10**14, 0, 0, 10**7 - 1, 10**7 - 1]})},
     "annotations.jsonl, line 1: shapes[0].points: a mask needs run lengths that cover its box"),
    (None, {"annotations.jsonl": _annotation({**_MASK, "frame": 3})},
     "annotations.jsonl, line 1: shapes[0].frame: 3 is outside the frames 0..2."),
    (None, {"annotations.jsonl": _annotation({**_MASK, "label": "unicorn"})},
     "annotations.jsonl, line 1: the backup's label 'unicorn' is not among its labels."),
    (None, {"annotations.jsonl": _annotation({**_MASK, "label_id": 1})},
     "annotations.jsonl, line 1: a backup names labels and attributes; ids are not allowed."),
    (None, {"annotations.jsonl": _annotation({**_MASK, "attributes": [{"name": "rank", "value": "1"}]})},
     "annotations.jsonl, line 1: attribute 'rank' is not an attribute of the object's label."),
    (None, {"annotations.jsonl": _annotation({**_MASK, "attributes": "plate"})},
     "annotations.jsonl, line 1: 'attributes' must be a list."),
    (None, {"annotations.jsonl": b'{"kind": "shape", "object": [1]}\n'},
     "annotations.jsonl, line 1: expected an object."),
    (None, {"annotations.jsonl": b'{"kind": "shape", "object": {}, "extra": 1}\n'},
     "annotations.jsonl, line 1: expected {\"kind\": tag|shape|track, \"object\": {...}}"),
])
def test_frames_and_annotations_are_checked_as_they_are_restored(
        api: APIClient, backup: dict[str, bytes], change: Any, replace: dict[str, bytes | None],
        expected: str) -> None:
    tasks, frames = Task.objects.count(), Frame.objects.count()
    dirs = _task_dirs()
    result = import_file(api, "/api/tasks/backup/", _crafted(backup, change, **replace), "crafted.zip")
    assert result["status"] == "failed", result
    assert expected in result["message"], result["message"]
    _nothing_left(api, tasks, frames, dirs)


def test_project_backups_are_checked_task_by_task(api: APIClient, make_task: Callable[..., dict[str, Any]]) -> None:
    project = api.post("/api/projects", {"name": "p", "labels": default_labels()}, format="json").json()
    make_task(2, project_id=project["id"])
    data, _ = download(api, export(api, f"/api/projects/{project['id']}/backup/export"))
    files = _files(data)
    doc = json.loads(files["tasks/0/task.json"])
    cases = {
        "html.zip": ({**files, "tasks/0/task.json": json.dumps({**doc, "frames": [
            {**doc["frames"][0], "mime_type": "text/html"}, doc["frames"][1]]})},
            "html.zip: tasks/0/task.json: frames[0].mime_type: 'text/html' is not the type of a frame"),
        "labels.zip": ({**files, "tasks/0/task.json": json.dumps({**doc, "labels": [{"name": "extra"}]})},
                       "labels.zip: tasks/0/task.json: labels: a task of a project backup has the project's labels"),
        "folder.zip": ({**files, "tasks/x/task.json": files["tasks/0/task.json"]},
                       "folder.zip: tasks/x/ is not a task of the backup"),
        "project.zip": ({**files, "project.json": json.dumps({**json.loads(files["project.json"]), "status": 5})},
                        "project.zip: project.json: status: \"5\" is not a valid choice."),
    }
    projects, tasks = api.get("/api/projects").json()["count"], Task.objects.count()
    for name, (content, expected) in cases.items():
        message = refused(api, zip_bytes(content), name, "/api/projects/backup/")
        assert message.startswith(expected), message
    assert api.get("/api/projects").json()["count"] == projects and Task.objects.count() == tasks
