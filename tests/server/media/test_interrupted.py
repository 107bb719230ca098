"""Task data whose processing was interrupted: the task is released, nothing is left on disk."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from inklab.server.requests import liveness, queue
from inklab.server.requests.models import BackgroundRequest, WorkerProcess
from tests.server.conftest import png_bytes, run_requests, upload_files
from tests.server.media.test_bad_uploads import new_task

pytestmark = pytest.mark.django_db


def _pending(api: APIClient, task_id: int) -> str:
    """Upload two frames and Upload-Finish, without running the request; returns its id."""
    path = f"/api/tasks/{task_id}/data/"
    assert api.post(path, HTTP_UPLOAD_START="", format="json").status_code == 202
    files = {f"client_files[{i}]": SimpleUploadedFile(f"f{i}.png", png_bytes(i)) for i in range(2)}
    assert api.post(path, files, HTTP_UPLOAD_MULTIPLE="", format="multipart").status_code == 200
    response = api.post(path, {"image_quality": 70}, HTTP_UPLOAD_FINISH="", format="json")
    assert response.status_code == 202, response.content
    return str(response.json()["rq_id"])


def _task_files(task_id: int) -> list[str]:
    root = Path(settings.MEDIA_ROOT) / "tasks" / str(task_id)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _as_if_a_dead_worker_ran_it(rq_id: str, task_id: int) -> None:
    """What ``kill -9`` leaves: the request started by a process that is gone, a half-done staging."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    WorkerProcess.objects.create(pk="dead", host=liveness._HOST, pid=process.pid)
    BackgroundRequest.objects.filter(pk=rq_id).update(status="started", process="dead", worker="dead/0")
    staging = Path(settings.MEDIA_ROOT) / "tasks" / str(task_id) / "staging" / "frames"
    staging.mkdir(parents=True)
    (staging / "0.png").write_bytes(png_bytes(0))


def test_retrying_data_is_not_refused_because_of_a_dead_worker(api: APIClient) -> None:
    task_id = new_task(api)
    rq_id = _pending(api, task_id)
    _as_if_a_dead_worker_ran_it(rq_id, task_id)
    status = upload_files(api, task_id, {"a.png": png_bytes(5), "b.png": png_bytes(6)})  # no 409
    assert status["status"] == "finished"
    old = api.get(f"/api/requests/{rq_id}").json()
    assert (old["status"], old["message"]) == ("failed", queue.LOST)
    meta = api.get(f"/api/tasks/{task_id}/data/meta").json()
    assert [f["name"] for f in meta["frames"]] == ["a.png", "b.png"]


def test_a_live_worker_still_holds_the_task(api: APIClient) -> None:
    task_id = new_task(api)
    rq_id = _pending(api, task_id)
    BackgroundRequest.objects.filter(pk=rq_id).update(status="started", process=liveness.identity())
    response = api.post(f"/api/tasks/{task_id}/data/", HTTP_UPLOAD_START="", format="json")
    assert response.status_code == 409


def test_a_lost_task_creation_leaves_no_files(api: APIClient) -> None:
    task_id = new_task(api)
    rq_id = _pending(api, task_id)
    _as_if_a_dead_worker_ran_it(rq_id, task_id)
    assert _task_files(task_id) == ["staging/frames/0.png", "upload/0000000_f0.png", "upload/0000001_f1.png"]
    queue.reap_lost()
    assert api.get(f"/api/requests/{rq_id}").json()["status"] == "failed"
    assert _task_files(task_id) == []


def test_a_cancelled_task_creation_leaves_no_files(api: APIClient) -> None:
    task_id = new_task(api)
    rq_id = _pending(api, task_id)
    assert api.post(f"/api/requests/{rq_id}/cancel").json()["status"] == "failed"
    assert _task_files(task_id) == []
    assert run_requests() == 0


def test_abandoned_task_uploads_are_swept(api: APIClient, settings: Any) -> None:
    task_id = new_task(api)
    path = f"/api/tasks/{task_id}/data/"
    api.post(path, HTTP_UPLOAD_START="", format="json")
    api.post(path, {"client_files[0]": SimpleUploadedFile("f.png", png_bytes(0))}, HTTP_UPLOAD_MULTIPLE="",
             format="multipart")
    queue.housekeeping()
    assert _task_files(task_id) == ["upload/0000000_f.png"]
    settings.UPLOAD_TTL_SECONDS = 60
    past = time.time() - 120
    for item in (Path(settings.MEDIA_ROOT) / "tasks" / str(task_id)).rglob("*"):
        os.utime(item, (past, past))
    queue.housekeeping()
    assert _task_files(task_id) == []


def test_a_bad_image_message_names_the_file_not_the_server_path(api: APIClient) -> None:
    task_id = new_task(api)
    status = upload_files(api, task_id, {"cat.png": b"this is no image at all"})
    assert status["status"] == "failed" and "'cat.png'" in status["message"]
    assert str(settings.MEDIA_ROOT) not in status["message"] and "/tasks/" not in status["message"]
