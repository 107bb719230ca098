"""Ground-truth jobs: frame selection, their own annotation layer, deletion, validation layouts and
``validation_params`` at task creation."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from inklab.server.projects.validation import FrameSelection, select_frames
from inklab.vocabulary import FrameSelectionMethod
from tests.server.conftest import png_bytes, upload_files

pytestmark = pytest.mark.django_db


def _gt(api: APIClient, task_id: int, **fields: Any) -> Any:
    return api.post("/api/jobs", {"task_id": task_id, "type": "ground_truth", **fields}, format="json")


def _box(frame: int, x: float = 1.0) -> dict[str, Any]:
    return {"type": "rectangle", "frame": frame, "label_id": 0, "points": [x, 1.0, x + 10, 11.0]}


def test_manual_ground_truth_job(api: APIClient, make_task: Any) -> None:
    task = make_task(8, segment_size=4)
    response = _gt(api, task["id"], frame_selection_method="manual", frames=[6, 0])
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["type"] == "ground_truth" and job["task_id"] == task["id"]
    assert (job["start_frame"], job["stop_frame"], job["frame_count"]) == (0, 6, 2)
    assert api.get(f"/api/jobs/{job['id']}/data/meta").json()["included_frames"] == [0, 6]
    assert api.get(f"/api/tasks/{task['id']}").json()["validation_mode"] == "gt"
    assert [j["type"] for j in api.get("/api/jobs", {"task_id": task["id"]}).json()["results"]] == [
        "annotation", "annotation", "ground_truth"]
    assert api.get("/api/jobs", {"type": "ground_truth"}).json()["count"] == 1
    layout = api.get(f"/api/tasks/{task['id']}/validation_layout").json()
    assert layout["mode"] == "gt" and layout["validation_frames"] == [0, 6] and layout["disabled_frames"] == []
    assert api.get(f"/api/jobs/{job['id']}/validation_layout").json() == {
        "honeypot_count": 0, "honeypot_frames": [], "honeypot_real_frames": []}
    # one per task
    again = _gt(api, task["id"], frame_selection_method="manual", frames=[1])
    assert again.status_code == 409


def test_ground_truth_annotations_are_a_layer_of_their_own(api: APIClient, make_task: Any) -> None:
    task = make_task(8, segment_size=4)
    label = api.get("/api/labels", {"task_id": task["id"]}).json()["results"][0]["id"]
    gt = _gt(api, task["id"], frame_selection_method="manual", frames=[0, 6]).json()
    jobs = api.get("/api/jobs", {"task_id": task["id"], "type": "annotation"}).json()["results"]
    normal = {"shapes": [{**_box(0), "label_id": label}, {**_box(6, 20), "label_id": label}], "tags": [], "tracks": []}
    assert api.put(f"/api/tasks/{task['id']}/annotations", normal, format="json").status_code == 200
    truth = {"shapes": [{**_box(0, 5), "label_id": label}], "tags": [], "tracks": []}
    written = api.put(f"/api/jobs/{gt['id']}/annotations", truth, format="json")
    assert written.status_code == 200, written.content
    assert [s["points"][0] for s in api.get(f"/api/jobs/{gt['id']}/annotations").json()["shapes"]] == [5.0]
    assert [s["points"][0] for s in api.get(f"/api/tasks/{task['id']}/annotations").json()["shapes"]] == [1.0, 20.0]
    assert [s["points"][0] for s in api.get(f"/api/jobs/{jobs[0]['id']}/annotations").json()["shapes"]] == [1.0]
    # a frame of the ground-truth job's range that it does not hold
    outside = {"shapes": [{**_box(3), "label_id": label}], "tags": [], "tracks": []}
    refused = api.patch(f"/api/jobs/{gt['id']}/annotations?action=create", outside, format="json")
    assert refused.status_code == 400 and "frame" in refused.content.decode()
    # deleting the ground-truth job deletes its layer only
    assert api.delete(f"/api/jobs/{gt['id']}").status_code == 204
    assert len(api.get(f"/api/tasks/{task['id']}/annotations").json()["shapes"]) == 2
    assert api.get(f"/api/tasks/{task['id']}").json()["validation_mode"] is None
    assert api.get(f"/api/tasks/{task['id']}/validation_layout").json()["mode"] is None


def test_random_uniform_is_reproducible(api: APIClient, make_task: Any) -> None:
    task = make_task(10, segment_size=5)
    first = _gt(api, task["id"], frame_selection_method="random_uniform", frame_count=4, random_seed=7).json()
    frames = api.get(f"/api/jobs/{first['id']}/data/meta").json()["included_frames"]
    assert len(frames) == 4 and frames == sorted(set(frames)) and all(0 <= f < 10 for f in frames)
    assert api.delete(f"/api/jobs/{first['id']}").status_code == 204
    second = _gt(api, task["id"], frame_selection_method="random_uniform", frame_count=4, random_seed=7).json()
    assert api.get(f"/api/jobs/{second['id']}/data/meta").json()["included_frames"] == frames
    assert api.delete(f"/api/jobs/{second['id']}").status_code == 204
    share = _gt(api, task["id"], frame_selection_method="random_uniform", frame_share=0.3, seed=1).json()
    assert share["frame_count"] == 3


def test_select_frames_unit() -> None:
    per_job = FrameSelection.from_data({"frame_selection_method": "random_per_job", "frames_per_job_count": 2,
                                        "random_seed": 3})
    frames = select_frames(per_job, range(10), [(0, 4), (5, 9)])
    assert len([f for f in frames if f < 5]) == 2 and len([f for f in frames if f >= 5]) == 2
    uniform = FrameSelection(FrameSelectionMethod.RANDOM_UNIFORM, frame_count=3, random_seed=5)
    assert select_frames(uniform, [0, 2, 4, 6], []) == select_frames(uniform, [6, 4, 2, 0], [])
    assert set(select_frames(uniform, [0, 2, 4, 6], [])) <= {0, 2, 4, 6}
    by_name = FrameSelection(FrameSelectionMethod.MANUAL, frames=("b.png",), by_name=True)
    assert select_frames(by_name, range(3), [], {"a.png": 0, "b.png": 1}) == [1]


@pytest.mark.parametrize(("body", "field"), [
    ({"frame_selection_method": "manual", "frames": []}, "frames"),
    ({"frame_selection_method": "manual", "frames": [1, 1]}, "frames"),
    ({"frame_selection_method": "manual", "frames": [99]}, "frames"),
    ({"frame_selection_method": "manual", "frames": [-1]}, "frames"),
    ({"frame_selection_method": "manual", "frames": [1], "frame_count": 2}, "frame_count"),
    ({"frame_selection_method": "random_uniform"}, "frame_count"),
    ({"frame_selection_method": "random_uniform", "frame_count": 2, "frame_share": 0.5}, "frame_count"),
    ({"frame_selection_method": "random_uniform", "frame_count": 99}, "frame_count"),
    ({"frame_selection_method": "random_uniform", "frame_count": 0}, "frame_count"),
    ({"frame_selection_method": "random_uniform", "frame_share": 1.5}, "frame_share"),
    ({"frame_selection_method": "random_uniform", "frame_count": 1, "frames": [1]}, "frames"),
    ({"frame_selection_method": "random_per_job", "frame_count": 1}, "frame_count"),
    ({"frame_selection_method": "sometimes", "frames": [1]}, "frame_selection_method"),
    ({"frames": [1]}, "frame_selection_method"),
    ({"frame_selection_method": "manual", "frames": [1], "type": "annotation"}, "type"),
    ({"frame_selection_method": "manual", "frames": [1], "task_id": 10**6}, "task_id"),
    ({"frame_selection_method": "manual", "frames": [1], "assignee": 10**6}, "assignee"),
    ({"frame_selection_method": "manual", "frames": [1], "colour": "red"}, "colour"),
])
def test_bad_ground_truth_requests(api: APIClient, make_task: Any, body: dict[str, Any], field: str) -> None:
    task = make_task(4)
    response = api.post("/api/jobs", {"task_id": task["id"], "type": "ground_truth", **body}, format="json")
    assert response.status_code in {400, 404}, response.content
    assert field in response.json(), response.json()
    assert api.get("/api/jobs", {"task_id": task["id"]}).json()["count"] == 1


def test_who_may_create_and_delete(make_user: Any, client_for: Any, make_task: Any, api: APIClient) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    a, b = client_for(alice), client_for(bob)
    task = make_task(4, client=a, segment_size=2)
    jobs = a.get("/api/jobs", {"task_id": task["id"]}).json()["results"]
    a.patch(f"/api/jobs/{jobs[0]['id']}", {"assignee": bob.pk}, format="json")
    assert _gt(b, task["id"], frame_selection_method="manual", frames=[0]).status_code == 403
    no_data = make_task(0, client=a)
    assert _gt(a, no_data["id"], frame_selection_method="manual", frames=[0]).status_code == 400
    gt = _gt(a, task["id"], frame_selection_method="manual", frames=[0, 3], assignee=bob.pk)
    assert gt.status_code == 201 and gt.json()["assignee"]["username"] == "bob"
    assert b.delete(f"/api/jobs/{gt.json()['id']}").status_code == 403
    assert a.delete(f"/api/jobs/{jobs[0]['id']}").status_code == 400  # annotation jobs stay
    assert a.delete(f"/api/jobs/{gt.json()['id']}").status_code == 204


def test_validation_layout_patch(api: APIClient, make_task: Any) -> None:
    task = make_task(6)
    path = f"/api/tasks/{task['id']}/validation_layout"
    assert api.patch(path, {"disabled_frames": [1]}, format="json").status_code == 400  # no GT job yet
    gt = _gt(api, task["id"], frame_selection_method="manual", frames=[1, 4]).json()
    patched = api.patch(path, {"disabled_frames": [4]}, format="json")
    assert patched.status_code == 200 and patched.json()["disabled_frames"] == [4]
    assert api.get(path).json()["disabled_frames"] == [4]
    bad = api.patch(path, {"disabled_frames": [2]}, format="json")
    assert bad.status_code == 400 and "disabled_frames" in bad.json()
    honeypots = api.patch(path, {"honeypot_real_frames": [1]}, format="json")
    assert honeypots.status_code == 400 and "Honeypots" in honeypots.json()["honeypot_real_frames"][0]
    job_patch = api.patch(f"/api/jobs/{gt['id']}/validation_layout", {"frame_selection_method": "manual"},
                          format="json")
    assert job_patch.status_code == 400 and "frame_selection_method" in job_patch.json()


def test_validation_params_at_creation(api: APIClient) -> None:
    task = api.post("/api/tasks", {"name": "v", "labels": [{"name": "car"}], "segment_size": 3}, format="json").json()
    files = {f"f{i}.png": png_bytes(i) for i in range(9)}
    status = upload_files(api, task["id"], files, validation_params={
        "mode": "gt", "frame_selection_method": "random_uniform", "frame_count": 4, "random_seed": 2})
    assert status["status"] == "finished", status
    jobs = api.get("/api/jobs", {"task_id": task["id"], "type": "ground_truth"}).json()["results"]
    assert len(jobs) == 1 and jobs[0]["frame_count"] == 4
    assert len(api.get(f"/api/tasks/{task['id']}/validation_layout").json()["validation_frames"]) == 4

    by_name = api.post("/api/tasks", {"name": "w", "labels": [{"name": "car"}]}, format="json").json()
    status = upload_files(api, by_name["id"], {"a.png": png_bytes(0), "b.png": png_bytes(1), "c.png": png_bytes(2)},
                          validation_params={"mode": "gt", "frame_selection_method": "manual", "frames": ["c.png"]})
    assert status["status"] == "finished", status
    assert api.get(f"/api/tasks/{by_name['id']}/validation_layout").json()["validation_frames"] == [2]


@pytest.mark.parametrize(("params", "field"), [
    ({"mode": "gt", "frame_selection_method": "random_uniform"}, "frame_count"),
    ({"mode": "gt", "frame_selection_method": "manual", "frames": [""]}, "frames"),
    ({"mode": "gt", "frame_selection_method": "manual", "frames": ["a.png"], "frame_share": 0.5}, "frame_share"),
    ({"mode": "gt"}, "frame_selection_method"),
    ({"mode": "nope", "frame_selection_method": "manual", "frames": ["a.png"]}, "mode"),
    ({"mode": "gt", "frame_selection_method": "manual", "frames": ["a.png"], "extra": 1}, "extra"),
])
def test_bad_validation_params(api: APIClient, make_task: Any, params: dict[str, Any], field: str) -> None:
    task = make_task(0)
    response = api.post(f"/api/tasks/{task['id']}/data/",
                        {"image_quality": 70, "server_files": ["a.png"], "validation_params": params}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["validation_params"], response.json()


def test_unknown_frame_name_fails_the_request_clearly(api: APIClient) -> None:
    task = api.post("/api/tasks", {"name": "v", "labels": [{"name": "car"}]}, format="json").json()
    status = upload_files(api, task["id"], {"a.png": png_bytes(0)}, validation_params={
        "mode": "gt", "frame_selection_method": "manual", "frames": ["zzz.png"]})
    assert status["status"] == "failed" and "zzz.png" in status["message"], status
    assert api.get(f"/api/tasks/{task['id']}").json()["size"] == 0


def test_ground_truth_export_and_import_use_its_layer(api: APIClient, make_task: Any) -> None:
    import io
    import json
    import zipfile

    from tests.server.datasets.flows import download, export, import_file

    task = make_task(8, segment_size=4)
    label = api.get("/api/labels", {"task_id": task["id"]}).json()["results"][0]["id"]
    gt = _gt(api, task["id"], frame_selection_method="manual", frames=[1, 5]).json()
    api.put(f"/api/tasks/{task['id']}/annotations",
            {"shapes": [{**_box(1, 30), "label_id": label}, {**_box(2), "label_id": label}]}, format="json")
    api.put(f"/api/jobs/{gt['id']}/annotations", {"shapes": [{**_box(5, 7), "label_id": label}]}, format="json")
    data, name = download(api, export(api, f"/api/jobs/{gt['id']}/dataset/export", format="COCO 1.0",
                                      save_images="False"))
    document = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("annotations/instances_default.json"))
    assert [image["file_name"] for image in document["images"]] == ["frame_001.png", "frame_005.png"]
    assert [a["bbox"][0] for a in document["annotations"]] == [7.0]
    api.delete(f"/api/jobs/{gt['id']}/annotations")
    assert api.get(f"/api/jobs/{gt['id']}/annotations").json()["shapes"] == []
    assert len(api.get(f"/api/tasks/{task['id']}/annotations").json()["shapes"]) == 2
    result = import_file(api, f"/api/jobs/{gt['id']}/annotations/", data, name, format="COCO 1.0")
    assert result["status"] == "finished", result
    assert [s["points"][0] for s in api.get(f"/api/jobs/{gt['id']}/annotations").json()["shapes"]] == [7.0]
    assert sorted(s["points"][0] for s in api.get(f"/api/tasks/{task['id']}/annotations").json()["shapes"]) == [
        1.0, 30.0]
