"""The unmodified cvat-sdk 2.80: projects, TUS uploads, frames, annotations, PyTorch datasets."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tests.support.images import make_images
from tests.support.live import LiveServer

pytestmark = pytest.mark.live

LABELS = [
    {"name": "car", "attributes": [
        {"name": "color", "mutable": False, "input_type": "select", "values": ["red", "green"]},
        {"name": "moving", "mutable": True, "input_type": "checkbox", "values": ["false"]},
        {"name": "lane", "mutable": True, "input_type": "number", "values": ["1", "4", "1"]},
        {"name": "note", "mutable": False, "input_type": "text", "values": [""]},
        {"name": "make", "mutable": False, "input_type": "radio", "values": ["ford", "fiat"]},
    ]},
    {"name": "person", "type": "skeleton", "svg": '<line x1="10" y1="10" x2="30" y2="30" data-node-from="1" '
     'data-node-to="2"/><circle r="1" cx="10" cy="10" data-node-id="1"/><circle r="1" cx="30" cy="30" data-node-id="2"/>',
     "sublabels": [{"name": "head", "type": "points"}, {"name": "tail", "type": "points"}]},
    {"name": "weather", "type": "tag"},
]


def test_make_client_accepts_the_server_without_warnings(live_server: LiveServer, caplog: Any) -> None:
    from cvat_sdk import make_client

    with caplog.at_level(logging.WARNING), make_client(live_server.url, credentials=live_server.admin) as client:
        about = client.api_client.server_api.retrieve_about()[0]
        me = client.users.retrieve_current_user()
    assert about.version.startswith("2.80.0") and me.username == live_server.admin[0]
    assert not [r for r in caplog.records if "compatib" in r.getMessage() or "version" in r.getMessage()]


@pytest.fixture(scope="module")
def project_setup(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A project with two 30-image tasks (train, val) uploaded through TUS, 10 frames per job."""
    from cvat_sdk import make_client, models
    from cvat_sdk.core.proxies.tasks import ResourceType
    from cvat_sdk.core.uploading import DataUploader

    images = make_images(tmp_path_factory.mktemp("imgs"), 30, size=(40, 30))
    kwdefaults = DataUploader.__init__.__kwdefaults__
    DataUploader.__init__.__kwdefaults__ = {"max_request_size": 1}  # every file goes through TUS
    try:
        with make_client(live_server.url, credentials=live_server.admin) as client:
            client.config.status_check_period = 0.1
            project = client.projects.create(models.ProjectWriteRequest(name="traffic", labels=LABELS))
            tasks = {}
            for subset, files in (("train", images[:30]), ("val", images[::-1])):
                tasks[subset] = client.tasks.create_from_data(
                    spec=models.TaskWriteRequest(name=f"traffic-{subset}", project_id=project.id, subset=subset,
                                                 segment_size=10),
                    resources=files, resource_type=ResourceType.LOCAL,
                    data_params={"sorting_method": "natural", "chunk_size": 8},
                ).id
    finally:
        DataUploader.__init__.__kwdefaults__ = kwdefaults
    return {"project": project.id, "tasks": tasks, "images": images}


def test_tasks_have_30_frames_and_jobs_by_segment_size(sdk: Any, project_setup: dict[str, Any]) -> None:
    task = sdk.tasks.retrieve(project_setup["tasks"]["train"])
    assert task.size == 30 and task.project_id == project_setup["project"] and task.subset == "train"
    jobs = sorted(task.get_jobs(), key=lambda j: j.start_frame)
    assert [(j.start_frame, j.stop_frame) for j in jobs] == [(0, 9), (10, 19), (20, 29)]
    labels = task.get_labels()
    assert [label.name for label in labels] == ["car", "person", "weather"]
    assert [s.name for s in labels[1].sublabels] == ["head", "tail"]
    meta = task.get_meta()
    assert [f.name for f in meta.frames] == [p.name for p in project_setup["images"]]


def test_original_frames_are_pixel_identical(sdk: Any, project_setup: dict[str, Any], tmp_path: Path) -> None:
    task = sdk.tasks.retrieve(project_setup["tasks"]["train"])
    sources = project_setup["images"]
    for number in (0, 13, 29):
        frame = Image.open(task.get_frame(number, quality="original"))
        assert np.array_equal(np.asarray(frame), np.asarray(Image.open(sources[number])))
    task.download_frames(range(30), outdir=tmp_path, quality="original")
    for number, source in enumerate(sources):
        got = Image.open(tmp_path / f"frame_{number:06d}.png")
        assert np.array_equal(np.asarray(got), np.asarray(Image.open(source))), number
    compressed = Image.open(task.get_frame(3, quality="compressed"))
    assert compressed.format == "JPEG" and compressed.size == (40, 30)
    reversed_task = sdk.tasks.retrieve(project_setup["tasks"]["val"])
    assert [f.name for f in reversed_task.get_meta().frames] == [p.name for p in sources]  # natural sort


def _every_shape(labels: Any) -> Any:
    from cvat_sdk import models

    car, person, weather = labels
    spec = {a.name: a.id for a in car.attributes}
    head, tail = person.sublabels
    attrs = [models.AttributeValRequest(spec_id=spec["color"], value="green"),
             models.AttributeValRequest(spec_id=spec["lane"], value="3")]
    shape = models.LabeledShapeRequest
    return models.LabeledDataRequest(
        tags=[models.LabeledImageRequest(frame=2, label_id=weather.id)],
        shapes=[
            shape(type="rectangle", frame=0, label_id=car.id, points=[1, 2, 20, 15], rotation=30, attributes=attrs),
            shape(type="polygon", frame=1, label_id=car.id, points=[1, 1, 9, 1, 9, 9, 1, 9], z_order=2),
            shape(type="polyline", frame=1, label_id=car.id, points=[0, 0, 5, 5, 9, 2]),
            shape(type="points", frame=2, label_id=car.id, points=[3, 3, 4, 4], occluded=True),
            shape(type="ellipse", frame=3, label_id=car.id, points=[10, 10, 15, 6]),
            shape(type="cuboid", frame=3, label_id=car.id, points=[float(v) for v in range(16)]),
            shape(type="mask", frame=4, label_id=car.id, points=[0, 6, 1, 1, 3, 2]),
            shape(type="skeleton", frame=5, label_id=person.id, elements=[
                models.SubLabeledShapeRequest(type="points", frame=5, label_id=head.id, points=[2, 2]),
                models.SubLabeledShapeRequest(type="points", frame=5, label_id=tail.id, points=[8, 8], outside=True),
            ]),
        ],
        tracks=[models.LabeledTrackRequest(frame=0, label_id=car.id, shapes=[
            models.TrackedShapeRequest(type="rectangle", frame=0, points=[0, 0, 10, 10]),
            models.TrackedShapeRequest(type="rectangle", frame=6, points=[6, 6, 16, 16]),
            models.TrackedShapeRequest(type="rectangle", frame=9, points=[9, 9, 19, 19], outside=True),
        ])],
    )


def test_every_shape_type_and_a_track(sdk: Any, project_setup: dict[str, Any]) -> None:
    task = sdk.tasks.retrieve(project_setup["tasks"]["train"])
    payload = _every_shape(task.get_labels())
    task.set_annotations(payload)
    data = task.get_annotations()
    assert [s.type.value for s in data.shapes] == [s.type.value for s in payload.shapes]
    for sent, got in zip(payload.shapes, data.shapes, strict=True):
        assert got.frame == sent.frame and got.label_id == sent.label_id
        assert list(got.points) == [float(p) for p in getattr(sent, "points", [])]
    assert data.shapes[0].rotation == 30 and data.shapes[0].attributes[0].value == "green"
    assert data.shapes[1].z_order == 2 and data.shapes[3].occluded is True
    assert [e.outside for e in data.shapes[-1].elements] == [False, True]
    assert [s.frame for s in data.tracks[0].shapes] == [0, 6, 9] and data.tracks[0].shapes[-1].outside
    assert data.tags[0].frame == 2
    # Job views split by frame ranges.
    jobs = sorted(task.get_jobs(), key=lambda j: j.start_frame)
    assert len(jobs[0].get_annotations().shapes) == 8 and jobs[1].get_annotations().shapes == []
    # update and remove by ids
    from cvat_sdk import models

    box = data.shapes[0]
    task.update_annotations(models.PatchedLabeledDataRequest(shapes=[models.LabeledShapeRequest(
        id=box.id, type="rectangle", frame=0, label_id=box.label_id, points=[5, 5, 6, 6])]))
    assert list(task.get_annotations().shapes[0].points) == [5, 5, 6, 6]
    task.remove_annotations(ids=[box.id])
    assert box.id not in [s.id for s in task.get_annotations().shapes]
    task.remove_annotations()
    assert task.get_annotations().shapes == []


def test_update_annotations_adds_objects_without_an_id(sdk: Any, project_setup: dict[str, Any]) -> None:
    """``update_annotations`` (default action ``update``) with new objects, as CVAT takes it: the
    object with an id is replaced, those without one are added."""
    from cvat_sdk import models

    task = sdk.tasks.retrieve(project_setup["tasks"]["val"])
    car, weather = task.get_labels()[0], task.get_labels()[2]
    task.set_annotations(models.LabeledDataRequest(shapes=[
        models.LabeledShapeRequest(type="rectangle", frame=0, label_id=car.id, points=[1, 1, 2, 2])]))
    old = task.get_annotations().shapes[0]
    task.update_annotations(models.PatchedLabeledDataRequest(
        shapes=[models.LabeledShapeRequest(id=old.id, type="rectangle", frame=0, label_id=car.id, points=[3, 3, 4, 4]),
                models.LabeledShapeRequest(type="polygon", frame=12, label_id=car.id, points=[0, 0, 5, 0, 5, 5])],
        tags=[models.LabeledImageRequest(frame=5, label_id=weather.id)]))
    data = task.get_annotations()
    assert sorted((s.id == old.id, s.type.value, s.frame, list(s.points)) for s in data.shapes) == [
        (False, "polygon", 12, [0, 0, 5, 0, 5, 5]), (True, "rectangle", 0, [3, 3, 4, 4])]
    assert [(t.frame, t.label_id) for t in data.tags] == [(5, weather.id)]
    job = next(j for j in task.get_jobs() if j.start_frame == 10)
    job.update_annotations(models.PatchedLabeledDataRequest(
        shapes=[models.LabeledShapeRequest(type="points", frame=15, label_id=car.id, points=[7, 7])]))
    assert sorted(s.frame for s in task.get_annotations().shapes) == [0, 12, 15]
    task.remove_annotations()


def test_pytorch_task_and_project_datasets(sdk: Any, project_setup: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    from cvat_sdk import models
    from cvat_sdk.pytorch import ExtractBoundingBoxes, ProjectVisionDataset, TaskVisionDataset

    train = sdk.tasks.retrieve(project_setup["tasks"]["train"])
    car = train.get_labels()[0]
    train.set_annotations(models.LabeledDataRequest(shapes=[
        models.LabeledShapeRequest(type="rectangle", frame=7, label_id=car.id, points=[1, 2, 3, 4])]))
    train.remove_frames_by_ids([29])
    dataset = TaskVisionDataset(sdk, train.id, target_transform=ExtractBoundingBoxes(include_shape_types=["rectangle"]))
    assert len(dataset) == 29
    image, target = dataset[7]
    assert np.array_equal(np.asarray(image), np.asarray(Image.open(project_setup["images"][7])))
    assert torch.equal(target["boxes"], torch.tensor([[1.0, 2.0, 3.0, 4.0]])) and target["labels"].tolist() == [0]
    project = ProjectVisionDataset(sdk, project_setup["project"], include_subsets=["train"])
    assert len(project) == 29
    both = ProjectVisionDataset(sdk, project_setup["project"])
    assert len(both) == 59


def test_bulk_delete_reports_missing_ids(sdk: Any, live_server: LiveServer, caplog: Any) -> None:
    from cvat_sdk import models

    task = sdk.tasks.create(models.TaskWriteRequest(name="doomed", labels=[{"name": "a"}]))
    with caplog.at_level(logging.INFO):
        sdk.tasks.remove_by_ids([task.id, 987654])
    assert task.id not in [t.id for t in sdk.tasks.list()]
    from cvat_sdk.api_client.exceptions import NotFoundException

    with pytest.raises(NotFoundException):
        sdk.tasks.retrieve(task.id)


def test_personal_access_token(live_server: LiveServer, sdk: Any) -> None:
    from cvat_sdk import make_client

    response = sdk.api_client.rest_client.POST(
        f"{live_server.url}/api/auth/access_tokens", body={"name": "compat"},
        headers={"Content-Type": "application/json", **_auth_headers(sdk)})
    token = __import__("json").loads(response.data)["value"]
    with make_client(live_server.url, access_token=token) as client:
        assert client.users.retrieve_current_user().username == live_server.admin[0]
        assert client.projects.create({"name": "by-token"}).name == "by-token"


def _auth_headers(client: Any) -> dict[str, str]:
    from cvat_sdk.core.helpers import make_request_headers

    return make_request_headers(client.api_client)


def test_preview(sdk: Any, project_setup: dict[str, Any]) -> None:
    task = sdk.tasks.retrieve(project_setup["tasks"]["train"])
    preview = Image.open(io.BytesIO(task.get_preview().read()))
    assert preview.format == "JPEG" and max(preview.size) <= 256


def test_an_unknown_organization_is_refused_not_ignored(sdk: Any) -> None:
    from cvat_sdk import models
    from cvat_sdk.api_client import exceptions

    before = sdk.tasks.list()
    sdk.organization_slug = "acme-unknown"
    with pytest.raises(exceptions.ApiException) as caught:
        sdk.tasks.create(models.TaskWriteRequest(name="in-acme", labels=[{"name": "car"}]))
    body = caught.value.body.decode() if isinstance(caught.value.body, bytes) else caught.value.body
    assert caught.value.status == 403
    assert "X-Organization" in body and "'acme-unknown'" in body
    sdk.organization_slug = None
    assert [t.id for t in sdk.tasks.list()] == [t.id for t in before]  # nothing was created


def test_unsupported_data_options_are_refused(sdk: Any, tmp_path: Path) -> None:
    from cvat_sdk import models
    from cvat_sdk.api_client import exceptions
    from cvat_sdk.core.proxies.tasks import ResourceType

    images = make_images(tmp_path, 2, size=(20, 10))
    task = sdk.tasks.create(models.TaskWriteRequest(name="validation", labels=[{"name": "car"}]))
    params = {"validation_params": {"mode": "gt_pool", "frame_selection_method": "random_uniform",
                                    "frame_count": 1}}
    with pytest.raises(exceptions.ApiException) as caught:
        task.upload_data(images, resource_type=ResourceType.LOCAL, params=params)
    body = caught.value.body.decode() if isinstance(caught.value.body, bytes) else caught.value.body
    assert caught.value.status == 400 and "validation_params" in body and "not supported" in body
    task.fetch()
    assert task.size == 0
    task.remove()
