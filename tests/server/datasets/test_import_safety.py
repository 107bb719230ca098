"""An import writes only over the annotations it was queued against, never over newer ones."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from inklab.server.annotations.services import STALE_IMPORT
from tests.server.datasets.flows import queue_import, status_of
from tests.server.datasets.test_export_import import _cvat_xml

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(api: APIClient, make_task) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    task = make_task(6, segment_size=3)
    task["car"] = next(label["id"] for label in api.get("/api/labels", {"task_id": task["id"]}).json()["results"]
                       if label["name"] == "car")
    task["jobs"] = [job["id"] for job in api.get("/api/jobs", {"task_id": task["id"]}).json()["results"]]
    return task


def _box(task: dict[str, Any], frame: int, x: float) -> dict[str, Any]:
    return {"type": "rectangle", "frame": frame, "label_id": task["car"], "points": [x, 1, x + 4, 5],
            "attributes": [], "group": 0, "source": "manual", "occluded": False, "z_order": 0}


def _boxes(api: APIClient, task: dict[str, Any]) -> list[tuple[int, list[float]]]:
    shapes = api.get(f"/api/tasks/{task['id']}/annotations/").json()["shapes"]
    return sorted((s["frame"], s["points"]) for s in shapes)


@pytest.mark.parametrize("mode", ["replace", "append"])
def test_an_edit_made_after_an_import_was_queued_is_never_overwritten(
        api: APIClient, task: dict[str, Any], mode: str) -> None:
    queued = queue_import(api, f"/api/tasks/{task['id']}/annotations/", _cvat_xml(6, 3), "big.xml",
                          format="CVAT 1.1", import_mode=mode)
    edit = api.patch(f"/api/tasks/{task['id']}/annotations/?action=create", {"shapes": [_box(task, 1, 20)]},
                     format="json")
    assert edit.status_code == 200, edit.content
    result = status_of(api, queued["rq_id"])
    assert (result["status"], result["message"]) == ("failed", STALE_IMPORT)
    assert _boxes(api, task) == [(1, [20.0, 1.0, 24.0, 5.0])]

    retry = queue_import(api, f"/api/tasks/{task['id']}/annotations/", _cvat_xml(6, 3), "big.xml",
                         format="CVAT 1.1", import_mode=mode)
    assert status_of(api, retry["rq_id"])["status"] == "finished"
    assert len(_boxes(api, task)) == 18 + (1 if mode == "append" else 0)


def test_a_job_import_minds_only_its_own_frames(api: APIClient, task: dict[str, Any]) -> None:
    first, second = task["jobs"]  # frames 0..2 and 3..5
    endpoint = f"/api/jobs/{first}/annotations/"
    queued = queue_import(api, endpoint, _cvat_xml(3, 2), "job.xml", format="CVAT 1.1")
    api.patch(f"/api/jobs/{second}/annotations/?action=create", {"shapes": [_box(task, 4, 30)]}, format="json")
    assert status_of(api, queued["rq_id"])["status"] == "finished"  # the other job's edit is no reason to fail

    queued = queue_import(api, endpoint, _cvat_xml(3, 1), "job.xml", format="CVAT 1.1")
    api.patch(f"/api/tasks/{task['id']}/annotations/?action=create", {"shapes": [_box(task, 2, 40)]}, format="json")
    result = status_of(api, queued["rq_id"])
    assert (result["status"], result["message"]) == ("failed", STALE_IMPORT)
    assert (2, [40.0, 1.0, 44.0, 5.0]) in _boxes(api, task) and (4, [30.0, 1.0, 34.0, 5.0]) in _boxes(api, task)


def _versions(api: APIClient, task: dict[str, Any]) -> list[int]:
    from inklab.server.projects.models import Job, Task

    return [Task.objects.get(pk=task["id"]).annotations_version,
            *(Job.objects.get(pk=pk).annotations_version for pk in task["jobs"])]


def test_every_annotation_change_bumps_the_versions(api: APIClient, task: dict[str, Any]) -> None:
    path = f"/api/tasks/{task['id']}/annotations/"
    before = _versions(api, task)
    api.put(path, {"shapes": [_box(task, 4, 1)]}, format="json")
    after_put = _versions(api, task)
    assert after_put == [before[0] + 1, before[1], before[2] + 1]
    api.delete(path)
    after_delete = _versions(api, task)
    assert after_delete == [after_put[0] + 1, after_put[1], after_put[2] + 1]
    label = api.post("/api/labels", {"name": "bike", "task_id": task["id"]}, format="json")
    if label.status_code == 201:  # when labels are created separately; else through a task PATCH
        assert api.delete(f"/api/labels/{label.json()['id']}").status_code == 204
    else:
        api.patch(f"/api/tasks/{task['id']}", {"labels": [{"name": "bike"}]}, format="json")
        bike = next(lb["id"] for lb in api.get("/api/labels", {"task_id": task["id"]}).json()["results"]
                    if lb["name"] == "bike")
        assert api.delete(f"/api/labels/{bike}").status_code == 204
    assert all(new > old for new, old in zip(_versions(api, task), after_delete, strict=True))


def test_the_write_transaction_checks_the_base_again(api: APIClient, task: dict[str, Any], admin: Any,
                                                    tmp_path: Path) -> None:
    """An edit that lands while the file is being read is caught where the import writes."""
    from inklab.server.annotations.services import BatchWriter, Scope, version_of
    from inklab.server.errors import Conflict
    from inklab.server.projects.models import Task

    stored = Task.objects.get(pk=task["id"])
    base = version_of(stored)
    with BatchWriter(admin, Scope(stored), tmp_path / "rows.spool", replace=True, base_version=base) as writer:
        writer.add({"shapes": [_box(task, 3, 7)]})
        api.patch(f"/api/tasks/{task['id']}/annotations/?action=create", {"shapes": [_box(task, 1, 20)]},
                  format="json")
        with pytest.raises(Conflict, match="changed after this import was queued"):
            writer.apply()
    assert _boxes(api, task) == [(1, [20.0, 1.0, 24.0, 5.0])]
    assert not (tmp_path / "rows.spool").exists()


def _lock_taken_at_once(task_id: int) -> bool:
    """Whether another connection gets, without waiting, the lock that a write to the task needs:
    SQLite's write lock (``BEGIN IMMEDIATE``), on PostgreSQL the task's row."""
    from django.db import OperationalError, connection

    from inklab.server.projects.models import Task

    other = connection.copy()
    try:
        with other.cursor() as cursor:
            try:
                if other.vendor == "sqlite":
                    cursor.execute("PRAGMA busy_timeout = 0")
                    cursor.execute("BEGIN IMMEDIATE")
                else:
                    cursor.execute("BEGIN")
                    cursor.execute(f'SELECT id FROM "{Task._meta.db_table}" WHERE id = %s FOR UPDATE NOWAIT',
                                   [task_id])
            except OperationalError:
                return False  # closing the connection ends what was begun
            cursor.execute("ROLLBACK")
            return True
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_others_write_while_an_import_reads_its_file_and_the_import_then_refuses_stale_work(
        api: APIClient, task: dict[str, Any], admin: Any) -> None:
    """Reading and checking the file hold no write lock (issue 16, item 8): while the import is
    between its phases, another connection takes the lock at once and edits the same task; the
    import then writes nothing over that edit."""
    from django.db import connection

    from inklab.formats import Dataset, Frame, Shape
    from inklab.server.annotations.services import Scope, version_of
    from inklab.server.datasets.importing import write_dataset
    from inklab.server.errors import Conflict
    from inklab.server.projects.models import Task
    from inklab.vocabulary import ShapeType

    stored = Task.objects.get(pk=task["id"])
    base = version_of(stored)
    read_all, resume = threading.Event(), threading.Event()

    def frames() -> Iterator[Frame]:  # the file's frames; then the import waits, as if the file went on
        for i in range(6):
            yield Frame(i, f"frame_{i:03d}.png", shapes=(Shape(ShapeType.RECTANGLE, "car", (1.0, 1.0, 5.0, 5.0)),))
        read_all.set()
        resume.wait(60)

    outcome: list[str] = []

    def run_import() -> None:
        try:
            write_dataset(admin, Scope(stored), Dataset((), frames()), base_version=base)
            outcome.append("written")
        except Conflict as exc:
            outcome.append(str(exc.detail))
        finally:
            connection.close()

    importer = threading.Thread(target=run_import)
    importer.start()
    try:
        assert read_all.wait(60)
        assert _lock_taken_at_once(task["id"])
        edit = api.patch(f"/api/tasks/{task['id']}/annotations/?action=create", {"shapes": [_box(task, 1, 20)]},
                         format="json")
        assert edit.status_code == 200, edit.content
    finally:
        resume.set()
        importer.join(60)
    assert outcome == [STALE_IMPORT]
    assert _boxes(api, task) == [(1, [20.0, 1.0, 24.0, 5.0])]


@pytest.mark.parametrize(("removed", "with_base", "expected"), [
    ("attribute", True, "labels"),  # no object used it: the annotations' version did not change
    ("label", True, "stale"),  # its objects went with it: the version changed
    ("label", False, "labels"),  # an import without a base (a project import's new task)
])
def test_labels_or_attributes_removed_between_the_phases_fail_clearly(
        api: APIClient, task: dict[str, Any], admin: Any, tmp_path: Path, removed: str, with_base: bool,
        expected: str) -> None:
    from inklab.server.annotations.services import LABELS_CHANGED, BatchWriter, Scope, version_of
    from inklab.server.errors import Conflict
    from inklab.server.projects.models import Task

    car = api.get(f"/api/labels/{task['car']}").json()
    color = next(a["id"] for a in car["attributes"] if a["name"] == "color")
    stored = Task.objects.get(pk=task["id"])
    base = version_of(stored) if with_base else None
    box = {**_box(task, 2, 3), "attributes": [{"spec_id": color, "value": "red"}]}
    with BatchWriter(admin, Scope(stored), tmp_path / "rows.spool", replace=True, base_version=base) as writer:
        writer.add({"shapes": [box]})
        if removed == "attribute":
            response = api.patch(f"/api/labels/{task['car']}", {"attributes": [{"id": color, "deleted": True}]},
                                 format="json")
            assert response.status_code == 200, response.content
        else:
            assert api.delete(f"/api/labels/{task['car']}").status_code == 204
        with pytest.raises(Conflict) as raised:
            writer.apply()
    assert raised.value.detail == (LABELS_CHANGED if expected == "labels" else STALE_IMPORT)
    assert api.get(f"/api/tasks/{task['id']}/annotations/").json()["shapes"] == []


def test_an_import_refused_before_it_reads_leaves_no_spool(api: APIClient, task: dict[str, Any],
                                                           make_user: Any, settings: Any) -> None:
    from inklab.formats import Dataset
    from inklab.server.annotations.services import Scope
    from inklab.server.datasets.importing import write_dataset
    from inklab.server.errors import ServiceError
    from inklab.server.projects.models import Task

    before = set(Path(settings.TEMP_DIR).iterdir())
    with pytest.raises(ServiceError):
        write_dataset(make_user("stranger"), Scope(Task.objects.get(pk=task["id"])), Dataset((), []))
    assert set(Path(settings.TEMP_DIR).iterdir()) == before
