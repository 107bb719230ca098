"""No upload or temporary file outlives the request it was for: refused, failed, cancelled,
abandoned, or left by a crashed process."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from inklab.server.requests import queue
from inklab.server.requests.models import BackgroundRequest
from tests.server.datasets.flows import export, queue_import, status_of, upload
from tests.server.datasets.test_export_import import _cvat_xml

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_data_dir(settings: Any, tmp_path: Path) -> None:
    """Exports and temporary files of this test only."""
    settings.DATA_DIR = tmp_path / "data"
    settings.TEMP_DIR = tmp_path / "data" / "tmp"
    settings.TEMP_DIR.mkdir(parents=True)


@pytest.fixture
def task(make_task) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return make_task(3)


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def _uploads() -> list[str]:
    return _files(Path(settings.MEDIA_ROOT) / "uploads")


def _exports() -> list[str]:
    return _files(Path(settings.DATA_DIR) / "exports")


def _age(path: Path, seconds: float) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_a_one_shot_import_refused_for_its_format_keeps_no_file(api: APIClient, task: dict[str, Any]) -> None:
    response = api.post(f"/api/tasks/{task['id']}/annotations/?format=Nope+1.0",
                        {"annotation_file": SimpleUploadedFile("a.xml", _cvat_xml(3, 1))}, format="multipart")
    assert response.status_code == 405
    assert _uploads() == []


def test_an_upload_finish_refused_keeps_no_file(api: APIClient, task: dict[str, Any]) -> None:
    endpoint = f"/api/tasks/{task['id']}/annotations/"
    result = queue_import(api, endpoint, _cvat_xml(3, 1), "a.xml", format="CVAT 1.1", import_mode="merge")
    assert result["status_code"] == 400 and "import_mode" in result["body"]["detail"]
    assert _uploads() == []


def test_a_refusal_keeps_the_file_of_a_queued_import(api: APIClient, task: dict[str, Any]) -> None:
    """Upload-Finish sent twice for one file: refusing the second must not take the first one's file."""
    endpoint = f"/api/tasks/{task['id']}/annotations/"
    stored = upload(api, endpoint, _cvat_xml(3, 1), "a.xml")
    first = api.post(f"{endpoint}?format=CVAT+1.1&filename={stored}", HTTP_UPLOAD_FINISH="", format="json")
    assert first.status_code == 202
    second = api.post(f"{endpoint}?format=CVAT+1.1&filename={stored}&import_mode=merge", HTTP_UPLOAD_FINISH="",
                      format="json")
    assert second.status_code == 400
    assert status_of(api, first.json()["rq_id"])["status"] == "finished"
    assert _uploads() == []


@pytest.mark.parametrize("how", ["cancelled", "task deleted"])
def test_an_import_that_never_runs_keeps_no_file(api: APIClient, task: dict[str, Any], how: str) -> None:
    queued = queue_import(api, f"/api/tasks/{task['id']}/annotations/", _cvat_xml(3, 1), "a.xml", format="CVAT 1.1")
    assert len(_uploads()) == 1
    if how == "cancelled":
        api.post(f"/api/requests/{queued['rq_id']}/cancel")
    else:
        assert api.delete(f"/api/tasks/{task['id']}").status_code == 204
    assert status_of(api, queued["rq_id"])["status"] == "failed"
    assert _uploads() == []


def test_a_backup_restore_refused_keeps_no_file(api: APIClient) -> None:
    response = api.post("/api/tasks/backup/", {"task_file": SimpleUploadedFile("b.zip", b"not a zip")},
                        format="multipart")
    # The backup's documents are checked when the upload ends: refused at once, its file removed.
    assert response.status_code == 400 and "b.zip" in response.json()["detail"]
    assert _uploads() == []


def test_abandoned_uploads_are_swept(api: APIClient, task: dict[str, Any], settings: Any) -> None:
    endpoint = f"/api/tasks/{task['id']}/annotations/"
    finished = upload(api, endpoint, _cvat_xml(3, 1), "finished.xml")  # never claimed by Upload-Finish
    import base64

    meta = "filename " + base64.b64encode(b"partial.xml").decode()
    created = api.post(endpoint, HTTP_TUS_RESUMABLE="1.0.0", HTTP_UPLOAD_LENGTH="100", HTTP_UPLOAD_METADATA=meta,
                       content_type="application/json")
    assert created.status_code == 201
    claimed = queue_import(api, endpoint, _cvat_xml(3, 1), "claimed.xml", format="CVAT 1.1")
    assert len(_uploads()) == 3

    queue.housekeeping()
    assert len(_uploads()) == 3  # all recent
    settings.UPLOAD_TTL_SECONDS = 60
    for path in (Path(settings.MEDIA_ROOT) / "uploads").rglob("*"):
        if path.is_file():
            _age(path, 120)
    queue.housekeeping()
    left = _uploads()
    assert len(left) == 1 and left[0].endswith("_claimed.xml") and finished not in left[0]
    assert api.head(created["Location"], HTTP_TUS_RESUMABLE="1.0.0").status_code == 404
    assert status_of(api, claimed["rq_id"])["status"] == "finished"


def test_orphan_export_files_are_swept(api: APIClient, task: dict[str, Any]) -> None:
    done = export(api, f"/api/tasks/{task['id']}/dataset/export", format="CVAT for images 1.1")
    kept = f"{done['id']}.zip"
    assert _exports() == [kept]
    exports = Path(settings.DATA_DIR) / "exports"
    failed = queue.enqueue(None, "export:annotations", "task", task_id=task["id"], format="CVAT for images 1.1")
    BackgroundRequest.objects.filter(pk=failed.pk).update(status="failed")
    running = queue.enqueue(None, "export:annotations", "task", task_id=task["id"], format="CVAT for images 1.1")
    from inklab.server.requests import liveness

    BackgroundRequest.objects.filter(pk=running.pk).update(status="started", process=liveness.identity(),
                                                           worker=f"{liveness.identity()}/0")
    for name in (f".{failed.pk}.zip.abc123.tmp", f"{failed.pk}.zip", f".{running.pk}.zip.def456.tmp",
                 ".0b8e7c2e-1111-4222-8333-944455556666.zip.x.tmp", "0b8e7c2e-1111-4222-8333-944455556666.zip"):
        (exports / name).write_bytes(b"partial")
    queue.housekeeping()
    assert _exports() == sorted([kept, f".{running.pk}.zip.def456.tmp"])


def test_a_cancelled_export_leaves_no_file(api: APIClient, task: dict[str, Any]) -> None:
    response = api.post(f"/api/tasks/{task['id']}/dataset/export?format=CVAT+for+images+1.1", format="json")
    rq_id = response.json()["rq_id"]
    BackgroundRequest.objects.filter(pk=rq_id).update(cancel_requested=True)  # as if cancelled while it ran
    BackgroundRequest.objects.filter(pk=rq_id).update(status="queued")
    result = status_of(api, rq_id)
    assert (result["status"], result["message"]) == ("failed", "The request was cancelled.")
    assert _exports() == []


def test_stale_temporary_files_are_swept(settings: Any) -> None:
    spool = Path(settings.TEMP_DIR) / "tmpabc.upload.zip"
    spool.write_bytes(b"x")
    workdir = Path(settings.TEMP_DIR) / "inklab-import-xyz"
    workdir.mkdir()
    (workdir / "0").write_bytes(b"x")
    chunk = Path(settings.MEDIA_ROOT) / "tasks" / "1" / "chunks" / "original" / ".0-9.zip.q1w2.tmp"
    chunk.parent.mkdir(parents=True)
    chunk.write_bytes(b"x")
    fresh = Path(settings.TEMP_DIR) / "tmpnew.upload.png"
    fresh.write_bytes(b"x")
    for path in (spool, workdir / "0", workdir, chunk):
        _age(path, 7200)
    queue.housekeeping()
    assert not spool.exists() and not workdir.exists() and not chunk.exists() and fresh.exists()
    fresh.unlink()


def test_task_directories_left_by_a_crashed_restore_are_swept(task: dict[str, Any]) -> None:
    """A restore writes its tasks' media before its transaction commits; a crash leaves the media only."""
    tasks = Path(settings.MEDIA_ROOT) / "tasks"
    old_orphan, new_orphan = tasks / "9001", tasks / "9002"
    for directory in (old_orphan, new_orphan):
        (directory / "frames").mkdir(parents=True)
        (directory / "frames" / "0.png").write_bytes(b"x")
    for path in (old_orphan / "frames" / "0.png", old_orphan / "frames", old_orphan,
                 *(tasks / str(task["id"])).rglob("*"), tasks / str(task["id"])):
        _age(path, 7200)
    queue.housekeeping()
    assert sorted(p.name for p in tasks.iterdir()) == sorted([str(task["id"]), "9002"])
