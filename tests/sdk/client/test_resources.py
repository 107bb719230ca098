"""Tasks, projects, jobs and users through the SDK against a live server."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from inklab.sdk import BackgroundRequestError, NotFoundError, ProgressReporter, models
from inklab.sdk.client._uploading import upload_task_files
from tests.sdk.conftest import LABELS

pytestmark = pytest.mark.live


class Recorder(ProgressReporter):
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def start2(self, total: int | None, *, desc: str | None = None, **kwargs: Any) -> None:
        self.events.append(("start", (total, desc)))

    def advance(self, delta: int) -> None:
        self.events.append(("advance", delta))

    def finish(self) -> None:
        self.events.append(("finish", None))


def test_create_task_from_local_files(client: Any, image_dir: Path) -> None:
    files = sorted(image_dir.glob("*.png"))[:7]
    recorder = Recorder()
    task = client.tasks.create_from_data(
        models.TaskWriteRequest(name="local", labels=LABELS, segment_size=3), files,
        data_params={"chunk_size": 4, "sorting_method": "natural"}, pbar=recorder)
    assert task.size == 7 and task.data_chunk_size == 4 and task.data_original_chunk_type == "imageset"
    assert [f.name for f in task.get_meta().frames] == [f.name for f in files]
    assert sorted((j.start_frame, j.stop_frame) for j in task.get_jobs()) == [(0, 2), (3, 5), (6, 6)]
    total = sum(f.stat().st_size for f in files)
    assert recorder.events[0] == ("start", (total, "Uploading data"))
    assert sum(v for kind, v in recorder.events if kind == "advance") == total
    labels = task.get_labels()
    assert [label.name for label in labels] == [x["name"] for x in LABELS]
    assert [s.name for s in labels[1].sublabels] == ["head", "left", "right"]
    assert labels[0].attributes[0].values == ["red", "green"]


def test_large_files_go_through_tus(client: Any, image_dir: Path) -> None:
    files = sorted(image_dir.glob("*.png"))[:3]
    task = client.tasks.create({"name": "tus", "labels": [{"name": "a"}]})
    rq_id = upload_task_files(client, task._data_path, files, {"image_quality": 70}, max_request_size=1)
    client.wait_for_completion(rq_id)
    assert task.fetch().size == 3
    for number, source in enumerate(files):
        got = Image.open(task.get_frame(number, quality="original"))
        assert np.array_equal(np.asarray(got), np.asarray(Image.open(source)))


def test_frames_and_chunks(make_task: Any, image_dir: Path, tmp_path: Path) -> None:
    task = make_task(7, chunk_size=3)
    sources = sorted(image_dir.glob("*.png"))[:7]
    paths = task.download_frames([6, 0, 2], outdir=tmp_path / "frames")
    assert [p.name for p in paths] == ["frame_000006.png", "frame_000000.png", "frame_000002.png"]
    for path, number in zip(paths, (6, 0, 2), strict=True):
        assert path.read_bytes() == sources[number].read_bytes()  # the original bytes, not re-encoded
    jpeg = task.download_frames([1], outdir=tmp_path / "jpeg", image_extension="jpg")[0]
    assert jpeg.suffix == ".jpg" and Image.open(jpeg).format == "JPEG"
    compressed = Image.open(task.get_frame(1, quality="compressed"))
    assert compressed.format == "JPEG" and compressed.size == (40, 30)
    buffer = io.BytesIO()
    task.download_chunk(2, buffer, quality="original")
    with zipfile.ZipFile(buffer) as chunk:
        assert len(chunk.infolist()) == 1  # frames 6..6
        assert chunk.read(chunk.infolist()[0]) == sources[6].read_bytes()
    assert Image.open(task.get_preview()).format == "JPEG"
    job = task.get_jobs()[0]
    assert job.get_frame(4, quality="original").getvalue() == sources[4].read_bytes()
    assert len(job.get_meta().frames) == 7


def test_annotations_round_trip(make_task: Any) -> None:
    task = make_task(4)
    car, person, road, day, _night = task.get_labels()
    color = car.attributes[0]
    head, left, right = person.sublabels
    task.set_annotations(models.LabeledDataRequest(
        tags=[models.LabeledImageRequest(frame=0, label_id=day.id)],
        shapes=[
            models.LabeledShapeRequest(type="rectangle", frame=1, label_id=car.id, points=[1, 2, 10, 12],
                                       attributes=[models.AttributeValRequest(spec_id=color.id, value="red")]),
            {"type": "polygon", "frame": 2, "label_id": road.id, "points": [0, 0, 5, 0, 5, 5]},  # a plain dict
            models.LabeledShapeRequest(type="skeleton", frame=3, label_id=person.id, elements=[
                models.SubLabeledShapeRequest(type="points", frame=3, label_id=s.id, points=[i, i], outside=i == 2)
                for i, s in enumerate((head, left, right))]),
        ],
        tracks=[models.LabeledTrackRequest(frame=0, label_id=car.id, shapes=[
            models.TrackedShapeRequest(type="rectangle", frame=0, points=[0, 0, 4, 4]),
            models.TrackedShapeRequest(type="rectangle", frame=2, points=[2, 2, 6, 6], outside=True)])],
    ))
    data = task.get_annotations()
    assert [t.label_id for t in data.tags] == [day.id]
    assert [s.type.value for s in data.shapes] == ["rectangle", "polygon", "skeleton"]
    assert data.shapes[0].attributes[0].value == "red" and data.shapes[0].points == [1, 2, 10, 12]
    assert [e.outside for e in data.shapes[2].elements] == [False, False, True]
    assert [s.frame for s in data.tracks[0].shapes] == [0, 2]

    created = task.update_annotations(
        {"shapes": [{"type": "points", "frame": 0, "label_id": car.id, "points": [3, 3]}]}, action="create")
    assert created is not None and created.shapes[0].id is not None
    box = data.shapes[0]
    task.update_annotations(models.PatchedLabeledDataRequest(shapes=[models.LabeledShapeRequest(
        id=box.id, type="rectangle", frame=1, label_id=car.id, points=[5, 5, 9, 9])]))
    shapes = {s.id: s for s in task.get_annotations().shapes}
    assert shapes[box.id].points == [5, 5, 9, 9] and len(shapes) == 4
    added = task.update_annotations({"shapes": [{"type": "points", "frame": 2, "label_id": car.id, "points": [4, 4]}]})
    assert added is not None and added.shapes[0].id not in shapes  # update (the default) adds objects without id
    assert len(task.get_annotations().shapes) == 5
    task.remove_annotations(ids=[box.id, data.tags[0].id, data.tracks[0].id])
    after = task.get_annotations()
    assert box.id not in {s.id for s in after.shapes} and after.tags == [] and after.tracks == []
    task.remove_annotations()
    assert task.get_annotations().shapes == []


def test_job_annotations_are_a_view_of_the_task(make_task: Any) -> None:
    task = make_task(6, segment_size=3)
    car = task.get_labels()[0]
    first, second = sorted(task.get_jobs(), key=lambda j: j.start_frame)
    second.set_annotations({"shapes": [{"type": "rectangle", "frame": 4, "label_id": car.id,
                                        "points": [0, 0, 2, 2]}]})
    assert [s.frame for s in task.get_annotations().shapes] == [4]
    assert first.get_annotations().shapes == [] and len(second.get_annotations().shapes) == 1
    assert [label.name for label in second.get_labels()][:1] == ["car"]


def test_task_update_list_filter_and_delete(client: Any, make_task: Any) -> None:
    task = make_task(2, subset="train")
    before = task.updated_date
    task.update({"name": "renamed-task"})
    assert task.name == "renamed-task" and task.updated_date > before
    assert [t.id for t in client.tasks.list(name__contains="renamed-task")] == [task.id]
    assert task.id in [t.id for t in client.tasks.list(id__in=[task.id, 0], subset="train")]
    listed = client.tasks.list(return_json=True)
    assert f'"id":{task.id}' in listed
    task.remove_frames_by_ids([1])
    assert task.get_meta().deleted_frames == [1]
    assert client.tasks.remove_by_ids([task.id, 987654]) == [987654]
    with pytest.raises(NotFoundError):
        client.tasks.retrieve(task.id)


def test_projects(client: Any, make_task: Any) -> None:
    project = client.projects.create(models.ProjectWriteRequest(name="sdk-project", labels=[{"name": "cat"}]))
    task = make_task(2, project_id=project.id)
    assert [t.id for t in project.get_tasks()] == [task.id]
    assert [label.name for label in project.get_labels()] == ["cat"]
    assert [label.name for label in task.get_labels()] == ["cat"]
    project.update({"name": "sdk-project-2"})
    assert client.projects.retrieve(project.id).name == "sdk-project-2"
    with pytest.raises(ValueError, match="project's labels"):
        client.tasks.create_from_data({"name": "x", "project_id": project.id, "labels": [{"name": "a"}]}, [])
    project.remove()
    assert client.projects.remove_by_ids([project.id]) == [project.id]


def test_bad_data_raises_and_leaves_no_task(client: Any, tmp_path: Path) -> None:
    bogus = tmp_path / "not-an-image.jpg"
    bogus.write_bytes(b"this is text, not a JPEG")
    before = {t.id for t in client.tasks.list()}
    with pytest.raises(BackgroundRequestError) as caught:
        client.tasks.create_from_data({"name": "broken", "labels": [{"name": "a"}]}, [bogus])
    assert "not-an-image.jpg" in str(caught.value)
    assert {t.id for t in client.tasks.list()} == before
    with pytest.raises(FileNotFoundError):
        client.tasks.create_from_data({"name": "missing", "labels": [{"name": "a"}]}, [tmp_path / "nope.png"])
    assert {t.id for t in client.tasks.list()} == before


def test_users(client: Any) -> None:
    me = client.users.retrieve_current_user()
    assert me.is_superuser and me.username in [u.username for u in client.users.list()]
    assert client.users.retrieve(me.id).username == me.username
