"""Task and project backups: a restored task equals the original; bad and future backups fail clearly."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from inklab.server.media.storage import user_upload_dir
from tests.server.datasets.flows import download, export, import_file, zip_bytes
from tests.server.datasets.test_export_import import _annotations, annotated, task  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

_TASK_KEYS = ("name", "subset", "size", "mode", "overlap", "segment_size", "image_quality", "bug_tracker",
              "dimension", "data_chunk_size", "data_original_chunk_type", "data_compressed_chunk_type",
              "status")


def _frames(api: APIClient, task_id: int) -> list[tuple[str, int, int, bytes]]:
    meta = api.get(f"/api/tasks/{task_id}/data/meta").json()
    result = []
    for number, frame in enumerate(meta["frames"]):
        response = api.get(f"/api/tasks/{task_id}/data/", {"type": "frame", "number": number, "quality": "original"})
        result.append((frame["name"], frame["width"], frame["height"], b"".join(response.streaming_content)))
    return result


def _labels(api: APIClient, task_id: int) -> list[Any]:
    def clean(label: dict[str, Any]) -> dict[str, Any]:
        return {"name": label["name"], "type": label["type"], "color": label["color"], "svg": label.get("svg"),
                "attributes": [{k: a[k] for k in ("name", "mutable", "input_type", "values", "default_value")}
                               for a in label["attributes"]],
                "sublabels": [clean(s) for s in label.get("sublabels", [])]}

    return [clean(label) for label in api.get("/api/labels", {"task_id": task_id}).json()["results"]]


def _jobs(api: APIClient, task_id: int) -> list[tuple[Any, ...]]:
    jobs = api.get("/api/jobs", {"task_id": task_id}).json()["results"]
    return sorted((j["start_frame"], j["stop_frame"], j["stage"], j["state"], j["type"]) for j in jobs)


def refused(api: APIClient, data: bytes, name: str, endpoint: str = "/api/tasks/backup/") -> str:
    """The message of the 400 that refuses a backup when its upload finishes (and its upload is gone)."""
    result = import_file(api, endpoint, data, name)
    assert result.get("status_code") == 400, result
    assert not [p for p in user_upload_dir(User.objects.get(username="admin").pk).iterdir() if p.is_file()]
    return str(result["body"]["detail"])


def _backup(api: APIClient, task_id: int) -> bytes:
    request = export(api, f"/api/tasks/{task_id}/backup/export", lightweight="False", location="local")
    data, name = download(api, request)
    assert name == f"task_{task_id}_backup.zip"
    return data


def test_restored_task_equals_the_original(api: APIClient, annotated: dict[str, Any]) -> None:  # noqa: F811
    job = annotated["jobs"][1]
    assert api.patch(f"/api/jobs/{job['id']}", {"stage": "validation", "state": "completed"},
                     format="json").status_code == 200
    assert api.patch(f"/api/tasks/{annotated['id']}/data/meta", {"deleted_frames": [2]},
                     format="json").status_code == 200
    data = _backup(api, annotated["id"])
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert {"inklab-backup.json", "task.json", "annotations.jsonl"} <= set(names)
    result = import_file(api, "/api/tasks/backup/", data, "backup.zip")
    assert result["status"] == "finished", result
    restored = result["result_id"]
    assert isinstance(restored, int) and restored != annotated["id"]
    original, copy = api.get(f"/api/tasks/{annotated['id']}").json(), api.get(f"/api/tasks/{restored}").json()
    assert {k: copy[k] for k in _TASK_KEYS} == {k: original[k] for k in _TASK_KEYS}
    assert copy["subset"] == "train"
    assert _frames(api, restored) == _frames(api, annotated["id"])
    assert api.get(f"/api/tasks/{restored}/data/meta").json()["deleted_frames"] == [2]
    assert _labels(api, restored) == _labels(api, annotated["id"])
    assert _jobs(api, restored) == _jobs(api, annotated["id"])
    assert ("validation", "completed") in [(j[2], j[3]) for j in _jobs(api, restored)]
    original_annotations = api.get(f"/api/tasks/{annotated['id']}/annotations/").json()
    assert len(original_annotations["shapes"]) == 8 and len(original_annotations["tracks"]) == 2
    assert _annotations(api, restored) == _annotations(api, annotated["id"])


def test_backups_from_the_future_and_foreign_files_are_refused(api: APIClient,
                                                              annotated: dict[str, Any]) -> None:  # noqa: F811
    data = _backup(api, annotated["id"])
    source = zipfile.ZipFile(io.BytesIO(data))
    files = {name: source.read(name) for name in source.namelist()}
    marker = json.loads(files["inklab-backup.json"])
    future = zip_bytes({**files, "inklab-backup.json": json.dumps({**marker, "version": 99, "inklab": "9.0"})})
    count = len(api.get("/api/tasks").json()["results"])
    message = refused(api, future, "future.zip")
    assert "future.zip is a backup of format version 99, made by inklab 9.0" in message
    assert "reads versions up to 3" in message
    cases = {
        "cvat.zip": (zip_bytes({"task.json": "{}", "annotations.json": "[]"}), "looks like a CVAT backup"),
        "random.zip": (zip_bytes({"a.txt": "x"}), "not an inklab backup"),
        "plain.json": (b"{}", "a backup is a zip archive"),
        "project.zip": (zip_bytes({**files, "inklab-backup.json": json.dumps({**marker, "kind": "project"})}),
                        "is a project backup, not a task backup"),
    }
    for name, (content, expected) in cases.items():
        message = refused(api, content, name)
        assert expected in message, (name, message)
    broken = zip_bytes({**files, "annotations.jsonl": b"{not json}\n"})
    result = import_file(api, "/api/tasks/backup/", broken, "broken.zip")  # read as the task is restored
    assert result["status"] == "failed" and "annotations.jsonl, line 1: invalid JSON" in result["message"]
    assert len(api.get("/api/tasks").json()["results"]) == count  # nothing half-restored


def test_project_backup_restores_its_tasks(api: APIClient, make_task) -> None:  # type: ignore[no-untyped-def]
    from tests.server.conftest import default_labels

    project = api.post("/api/projects", {"name": "proj", "labels": default_labels()}, format="json").json()
    first = make_task(2, project_id=project["id"], subset="train")
    make_task(3, project_id=project["id"], subset="val")
    car = next(label for label in api.get("/api/labels", {"project_id": project["id"]}).json()["results"]
               if label["name"] == "car")
    api.put(f"/api/tasks/{first['id']}/annotations/", {"shapes": [
        {"type": "rectangle", "frame": 1, "label_id": car["id"], "points": [1, 2, 3, 4]}]}, format="json")
    data, name = download(api, export(api, f"/api/projects/{project['id']}/backup/export", lightweight="False"))
    assert name == f"project_{project['id']}_backup.zip"
    result = import_file(api, "/api/projects/backup/", data, name)
    assert result["status"] == "finished", result
    restored = api.get(f"/api/projects/{result['result_id']}").json()
    assert restored["name"] == "proj"
    tasks = api.get("/api/tasks", {"project_id": restored["id"]}).json()["results"]
    assert sorted((t["subset"], t["size"]) for t in tasks) == [("train", 2), ("val", 3)]
    train = next(t for t in tasks if t["subset"] == "train")
    shapes = api.get(f"/api/tasks/{train['id']}/annotations/").json()["shapes"]
    new_car = next(label for label in api.get("/api/labels", {"project_id": restored["id"]}).json()["results"]
                   if label["name"] == "car")
    assert [(s["frame"], s["points"], s["label_id"]) for s in shapes] == [(1, [1, 2, 3, 4], new_car["id"])]


def test_a_task_of_a_project_backs_up_as_a_task_of_its_own(api: APIClient, make_task) -> None:  # type: ignore[no-untyped-def]
    from tests.server.conftest import default_labels

    project = api.post("/api/projects", {"name": "proj", "labels": default_labels()}, format="json").json()
    member = make_task(3, project_id=project["id"])
    labels = {label["name"]: label for label in api.get("/api/labels", {"project_id": project["id"]}).json()["results"]}
    car, person = labels["car"], labels["person"]
    color = next(a["id"] for a in car["attributes"] if a["name"] == "color")
    head, hand = person["sublabels"]
    assert api.put(f"/api/tasks/{member['id']}/annotations/", {
        "tags": [{"frame": 0, "label_id": labels["scene"]["id"]}],
        "shapes": [{"type": "rectangle", "frame": 1, "label_id": car["id"], "points": [1, 2, 3, 4],
                    "attributes": [{"spec_id": color, "value": "blue"}]},
                   {"type": "skeleton", "frame": 2, "label_id": person["id"], "elements": [
                       {"type": "points", "frame": 2, "label_id": head["id"], "points": [5, 5]},
                       {"type": "points", "frame": 2, "label_id": hand["id"], "points": [7, 9]}]}]},
        format="json").status_code == 200
    data = _backup(api, member["id"])
    document = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("task.json"))
    assert [label["name"] for label in document["labels"]] == ["car", "person", "scene"]
    result = import_file(api, "/api/tasks/backup/", data, "backup.zip")
    assert result["status"] == "finished", result
    restored = api.get(f"/api/tasks/{result['result_id']}").json()
    assert restored["project_id"] is None
    assert _labels(api, restored["id"]) == _labels(api, member["id"])
    assert {label["task_id"] for label in api.get("/api/labels", {"task_id": restored["id"]}).json()["results"]} == {
        restored["id"]}
    assert _annotations(api, restored["id"]) == _annotations(api, member["id"])
    assert len(_annotations(api, restored["id"])["shapes"]) == 2


def test_what_a_restore_made_is_removed_even_when_its_own_undo_never_ran(
        api: APIClient, make_task, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """A restore commits each task before it writes the task's annotations (short transactions);
    it records what it made in its request, so that the request's cleanup removes it when the
    restore itself could not (its process died): here its own undo is switched off and the last
    task's annotations fail."""
    from pathlib import Path

    from django.conf import settings

    from inklab.server.datasets import backups
    from inklab.server.errors import InvalidInput
    from inklab.server.projects.models import Project, Task
    from tests.server.conftest import default_labels

    project = api.post("/api/projects", {"name": "proj", "labels": default_labels()}, format="json").json()
    make_task(2, project_id=project["id"], subset="train")
    make_task(2, project_id=project["id"], subset="val")
    data, name = download(api, export(api, f"/api/projects/{project['id']}/backup/export", lightweight="False"))
    projects, tasks = Project.objects.count(), Task.objects.count()
    task_dirs = {p.name for p in (Path(settings.MEDIA_ROOT) / "tasks").iterdir()}
    restore_annotations = backups._restore_annotations
    made: list[int] = []

    def fail_on_the_second(user: Any, source: Any, prefix: str, restored: Any, *args: Any) -> None:
        made.append(restored.pk)
        if len(made) == 2:
            raise InvalidInput("annotations.jsonl, line 1: broken on purpose.")
        restore_annotations(user, source, prefix, restored, *args)

    monkeypatch.setattr(backups, "_restore_annotations", fail_on_the_second)
    monkeypatch.setattr(backups._Created, "remove", lambda self: None)
    result = import_file(api, "/api/projects/backup/", data, name)
    assert (result["status"], result["message"]) == ("failed", "annotations.jsonl, line 1: broken on purpose.")
    assert len(made) == 2
    assert (Project.objects.count(), Task.objects.count()) == (projects, tasks)
    assert {p.name for p in (Path(settings.MEDIA_ROOT) / "tasks").iterdir()} == task_dirs
    assert not any(Path(settings.TEMP_DIR).glob("request-*"))


def _layers(api: APIClient, task_id: int) -> dict[str, Any]:
    """The ground-truth and replica jobs of a task, what each holds and how they hang together."""
    jobs = api.get("/api/jobs", {"task_id": task_id}).json()["results"]
    by_id = {j["id"]: j for j in jobs}

    def shapes(job: dict[str, Any]) -> list[tuple[int, list[float]]]:
        found = api.get(f"/api/jobs/{job['id']}/annotations").json()["shapes"]
        return sorted((s["frame"], s["points"]) for s in found)

    truth = [j for j in jobs if j["type"] == "ground_truth"]
    replicas = sorted(((by_id[j["parent_job_id"]]["start_frame"], shapes(j)) for j in jobs if j["type"] == "replica"),
                      key=repr)
    return {
        "layout": api.get(f"/api/tasks/{task_id}/validation_layout").json(),
        "truth": [(api.get(f"/api/jobs/{j['id']}/data/meta").json()["included_frames"], shapes(j)) for j in truth],
        "replicas": replicas,
        "replicas_per_job": sorted(j["consensus_replicas"] for j in jobs if j["type"] == "annotation"),
        "task": shapes_of_task(api, task_id),
    }


def shapes_of_task(api: APIClient, task_id: int) -> list[tuple[int, list[float]]]:
    return sorted((s["frame"], s["points"]) for s in api.get(f"/api/tasks/{task_id}/annotations").json()["shapes"])


@pytest.fixture
def layered(api: APIClient, make_task: Any) -> dict[str, Any]:
    """A task with two replicas per job, a ground-truth job on frames 0 and 3 (3 disabled) and
    objects in every layer: the task's, the ground truth's and each replica's."""
    made = make_task(4, segment_size=2, consensus_replicas=2)
    label = api.get("/api/labels", {"task_id": made["id"], "name": "car"}).json()["results"][0]["id"]

    def box(frame: int, x: float) -> dict[str, Any]:
        return {"type": "rectangle", "frame": frame, "label_id": label, "points": [x, 2.0, x + 20, 22.0]}

    gt = api.post("/api/jobs", {"task_id": made["id"], "type": "ground_truth", "frame_selection_method": "manual",
                                "frames": [0, 3]}, format="json")
    assert gt.status_code == 201, gt.content
    assert api.patch(f"/api/tasks/{made['id']}/validation_layout", {"disabled_frames": [3]},
                     format="json").status_code == 200
    writes = {gt.json()["id"]: [box(0, 5.0), box(3, 6.0)]}
    jobs = api.get("/api/jobs", {"task_id": made["id"], "type": "replica"}).json()["results"]
    for i, job in enumerate(jobs):
        writes[job["id"]] = [box(job["start_frame"], 30.0 + i)]
    for job_id, shapes in writes.items():
        response = api.put(f"/api/jobs/{job_id}/annotations", {"shapes": shapes, "tags": [], "tracks": []},
                           format="json")
        assert response.status_code == 200, response.content
    assert api.put(f"/api/tasks/{made['id']}/annotations", {"shapes": [box(1, 1.0)], "tags": [], "tracks": []},
                   format="json").status_code == 200
    return made


def test_ground_truth_and_replica_jobs_survive_a_backup(api: APIClient, layered: dict[str, Any]) -> None:
    before = _layers(api, layered["id"])
    assert before["truth"] == [([0, 3], [(0, [5.0, 2.0, 25.0, 22.0]), (3, [6.0, 2.0, 26.0, 22.0])])]
    assert before["layout"]["disabled_frames"] == [3] and len(before["replicas"]) == 4
    result = import_file(api, "/api/tasks/backup/", _backup(api, layered["id"]), "backup.zip")
    assert result["status"] == "finished", result
    restored = result["result_id"]
    assert _layers(api, restored) == before
    assert _jobs(api, restored) == _jobs(api, layered["id"])
    assert api.get(f"/api/tasks/{restored}").json()["validation_mode"] == "gt"


def _rewritten(data: bytes, change: Any) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    files = {name: source.read(name) for name in source.namelist()}
    change(files)
    return zip_bytes(files)


def test_crafted_layers_are_refused_and_version_1_backups_restore(api: APIClient, layered: dict[str, Any]) -> None:
    data = _backup(api, layered["id"])
    document = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("task.json"))
    truth = next(i for i, j in enumerate(document["jobs"]) if j["type"] == "ground_truth")
    replica = next(i for i, j in enumerate(document["jobs"]) if j["type"] == "replica")

    def with_job(index: int, **fields: Any) -> bytes:
        jobs = [dict(j, **fields) if i == index else j for i, j in enumerate(document["jobs"])]
        return _rewritten(data, lambda files: files.update({"task.json": json.dumps({**document, "jobs": jobs})}))

    cases = {
        "replica-of-truth.zip": (with_job(replica, parent=truth), "parent is not the index of an annotation job"),
        "orphan.zip": (with_job(replica, parent=None), "A replica job names its annotation job"),
        "frames-outside.zip": (with_job(truth, frames=[0, 99]), "lie between its start_frame and stop_frame"),
        "frames-on-annotation.zip": (with_job(0, frames=[0]), "Only a ground-truth job lists frames"),
        "mode.zip": (_rewritten(data, lambda files: files.update(
            {"task.json": json.dumps({**document, "validation_mode": ""})})), "validation_mode"),
    }
    count = api.get("/api/tasks").json()["count"]
    for name, (content, expected) in cases.items():
        message = refused(api, content, name)
        assert "task.json" in message and expected in message, (name, message)
    # an object that names an annotation job as its layer
    lines = zipfile.ZipFile(io.BytesIO(data)).read("annotations.jsonl").splitlines()
    wrong = b"\n".join([*lines, json.dumps({**json.loads(lines[-1]), "job": 0}).encode()])
    result = import_file(api, "/api/tasks/backup/", _rewritten(data, lambda f: f.update({"annotations.jsonl": wrong})),
                         "wrong-layer.zip")
    assert result["status"] == "failed"
    assert f"annotations.jsonl, line {len(lines) + 1}: job is not the index of a ground-truth" in result["message"]
    assert api.get("/api/tasks").json()["count"] == count  # nothing half-restored

    # a version 1 backup (no layers) still restores, as the task's own annotations
    def version_1(files: dict[str, bytes]) -> None:
        plain = [j for j in document["jobs"] if j["type"] == "annotation"]
        old = {k: v for k, v in document.items()
               if k not in {"validation_mode", "validation_disabled_frames", "consensus_replicas"}}
        old["jobs"] = [{k: v for k, v in j.items() if k not in {"frames", "parent"}} for j in plain]
        files["task.json"] = json.dumps(old).encode()
        files["annotations.jsonl"] = b"\n".join(line for line in lines if b'"job"' not in line)
        files["inklab-backup.json"] = json.dumps({**json.loads(files["inklab-backup.json"]), "version": 1}).encode()

    result = import_file(api, "/api/tasks/backup/", _rewritten(data, version_1), "v1.zip")
    assert result["status"] == "finished", result
    assert [j["type"] for j in api.get("/api/jobs", {"task_id": result["result_id"]}).json()["results"]] == [
        "annotation", "annotation"]
    assert shapes_of_task(api, result["result_id"]) == shapes_of_task(api, layered["id"])


_QUALITY = {"target_metric": "recall", "target_metric_threshold": 0.95, "max_validations_per_job": 3,
            "iou_threshold": 0.65, "oks_sigma": 0.2, "point_size_base": "image_size", "line_thickness": 0.05,
            "low_overlap_threshold": 0.6, "compare_line_orientation": False, "line_orientation_threshold": 0.3,
            "compare_groups": False, "group_match_threshold": 0.7, "check_covered_annotations": False,
            "object_visibility_threshold": 0.15, "panoptic_comparison": False, "compare_attributes": False,
            "empty_is_annotated": True}
_CONSENSUS = {"iou_threshold": 0.75, "quorum": 0.8}


def _settings(api: APIClient, kind: str, task_id: int) -> dict[str, Any]:
    """A task's quality or consensus settings as the API serves them, without ``id`` and ``task_id``."""
    found = api.get(f"/api/{kind}/settings", {"task_id": task_id}).json()["results"]
    assert len(found) == 1 and found[0]["task_id"] == task_id, found
    return {k: v for k, v in found[0].items() if k not in {"id", "task_id"}}


def _set(api: APIClient, kind: str, task_id: int, values: dict[str, Any]) -> None:
    pk = api.get(f"/api/{kind}/settings", {"task_id": task_id}).json()["results"][0]["id"]
    response = api.patch(f"/api/{kind}/settings/{pk}", values, format="json")
    assert response.status_code == 200, response.content


@pytest.fixture
def tuned(api: APIClient, make_task: Any) -> dict[str, Any]:
    """A task whose quality and consensus settings all differ from the defaults."""
    made = make_task(3)
    defaults = _settings(api, "quality", made["id"]), _settings(api, "consensus", made["id"])
    assert all(defaults[0][k] != v for k, v in _QUALITY.items())
    assert all(defaults[1][k] != v for k, v in _CONSENSUS.items())
    _set(api, "quality", made["id"], _QUALITY)
    _set(api, "consensus", made["id"], _CONSENSUS)
    return made


def test_quality_and_consensus_settings_survive_a_backup(api: APIClient, tuned: dict[str, Any]) -> None:
    data = _backup(api, tuned["id"])
    document = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("task.json"))
    assert document["quality_settings"] == _QUALITY
    assert document["consensus_settings"] == _CONSENSUS
    assert json.loads(zipfile.ZipFile(io.BytesIO(data)).read("inklab-backup.json"))["version"] == 3
    result = import_file(api, "/api/tasks/backup/", data, "backup.zip")
    assert result["status"] == "finished", result
    restored = result["result_id"]
    assert _settings(api, "quality", restored) == _QUALITY
    assert _settings(api, "consensus", restored) == _CONSENSUS
    # the original keeps its own rows: the restored task has new ones
    assert _settings(api, "quality", tuned["id"]) == _QUALITY


def test_a_task_whose_settings_were_never_set_backs_up_the_defaults(api: APIClient, make_task: Any) -> None:
    from inklab.server.quality.models import QualitySettings

    made = make_task(2)
    data = _backup(api, made["id"])
    assert not QualitySettings.objects.filter(task_id=made["id"]).exists()  # a backup writes nothing
    document = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("task.json"))
    assert document["consensus_settings"] == {"iou_threshold": 0.4, "quorum": 0.5}
    assert document["quality_settings"]["target_metric"] == "accuracy"
    assert document["quality_settings"]["point_size_base"] == "group_bbox_size"
    result = import_file(api, "/api/tasks/backup/", data, "backup.zip")
    assert result["status"] == "finished", result
    assert _settings(api, "quality", result["result_id"]) == _settings(api, "quality", made["id"])


def test_a_backup_without_settings_restores_with_the_defaults(api: APIClient, tuned: dict[str, Any],
                                                             make_task: Any) -> None:
    """A version 2 backup (made before the settings were kept) restores; the task's settings are
    the defaults, as for a new task."""
    data = _backup(api, tuned["id"])

    def version_2(files: dict[str, bytes]) -> None:
        document = json.loads(files["task.json"])
        del document["quality_settings"], document["consensus_settings"]
        files["task.json"] = json.dumps(document).encode()
        files["inklab-backup.json"] = json.dumps({**json.loads(files["inklab-backup.json"]), "version": 2}).encode()

    result = import_file(api, "/api/tasks/backup/", _rewritten(data, version_2), "v2.zip")
    assert result["status"] == "finished", result
    fresh = make_task(1)["id"]
    assert _settings(api, "quality", result["result_id"]) == _settings(api, "quality", fresh)
    assert _settings(api, "consensus", result["result_id"]) == {"iou_threshold": 0.4, "quorum": 0.5}
    # a settings object may leave fields out: those keep their defaults
    partial = _rewritten(data, lambda files: files.update({"task.json": json.dumps(
        {**json.loads(files["task.json"]), "quality_settings": {"target_metric_threshold": 0.9}}).encode()}))
    result = import_file(api, "/api/tasks/backup/", partial, "partial.zip")
    assert result["status"] == "finished", result
    assert _settings(api, "quality", result["result_id"]) == {
        **_settings(api, "quality", fresh), "target_metric_threshold": 0.9}
    assert _settings(api, "consensus", result["result_id"]) == _CONSENSUS


def test_crafted_settings_are_refused_naming_the_field(api: APIClient, tuned: dict[str, Any]) -> None:
    from inklab.server.consensus.models import ConsensusSettings
    from inklab.server.quality.models import QualitySettings

    data = _backup(api, tuned["id"])
    document = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("task.json"))

    def with_settings(key: str, value: Any) -> bytes:
        return _rewritten(data, lambda files: files.update({"task.json": json.dumps({**document, key: value})}))

    cases = {
        "threshold.zip": (with_settings("quality_settings", {**_QUALITY, "target_metric_threshold": 1.5}),
                          "task.json: quality_settings.target_metric_threshold: "),
        "metric.zip": (with_settings("quality_settings", {**_QUALITY, "target_metric": "f1"}),
                       "task.json: quality_settings.target_metric: "),
        "unknown.zip": (with_settings("quality_settings", {**_QUALITY, "strictness": 2}),
                        "task.json: quality_settings.strictness: "),
        "ids.zip": (with_settings("consensus_settings", {**_CONSENSUS, "task_id": 1}),
                    "task.json: consensus_settings.task_id: "),
        "quorum.zip": (with_settings("consensus_settings", {**_CONSENSUS, "quorum": -0.1}),
                       "task.json: consensus_settings.quorum: "),
        "text.zip": (with_settings("consensus_settings", "strict"), "task.json: consensus_settings: "),
        "null.zip": (with_settings("quality_settings", None), "task.json: quality_settings: "),
    }
    tasks, rows = api.get("/api/tasks").json()["count"], (QualitySettings.objects.count(),
                                                           ConsensusSettings.objects.count())
    for name, (content, expected) in cases.items():
        message = refused(api, content, name)
        assert expected in message, (name, message)
    assert "less than or equal to 1" in refused(api, cases["threshold.zip"][0], "threshold.zip")
    assert api.get("/api/tasks").json()["count"] == tasks
    assert (QualitySettings.objects.count(), ConsensusSettings.objects.count()) == rows


def test_the_tasks_of_a_project_backup_keep_their_settings(api: APIClient, make_task: Any) -> None:
    from tests.server.conftest import default_labels

    project = api.post("/api/projects", {"name": "proj", "labels": default_labels()}, format="json").json()
    tuned, plain = make_task(2, project_id=project["id"], subset="a"), make_task(2, project_id=project["id"], subset="b")
    _set(api, "quality", tuned["id"], {"target_metric": "precision", "iou_threshold": 0.55})
    _set(api, "consensus", tuned["id"], {"quorum": 0.9})
    data, name = download(api, export(api, f"/api/projects/{project['id']}/backup/export", lightweight="False"))
    result = import_file(api, "/api/projects/backup/", data, name)
    assert result["status"] == "finished", result
    tasks = {t["subset"]: t["id"] for t in api.get("/api/tasks", {"project_id": result["result_id"]}).json()["results"]}
    assert _settings(api, "quality", tasks["a"]) == _settings(api, "quality", tuned["id"])
    assert _settings(api, "quality", tasks["a"])["target_metric"] == "precision"
    assert _settings(api, "consensus", tasks["a"]) == {"iou_threshold": 0.4, "quorum": 0.9}
    assert _settings(api, "quality", tasks["b"]) == _settings(api, "quality", plain["id"])
    assert _settings(api, "quality", tasks["b"])["target_metric"] == "accuracy"
