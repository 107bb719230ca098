"""Every response carries nosniff and a Content-Security-Policy; stored files the strictest one."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from inklab.server.headers import MEDIA_POLICY, POLICY
from inklab.server.media.models import Frame
from inklab.server.media.storage import TaskStorage
from tests.server.datasets.flows import export

pytestmark = pytest.mark.django_db


def _headers(response: Any) -> tuple[str | None, str | None]:
    return response.get("X-Content-Type-Options"), response.get("Content-Security-Policy")


def test_every_page_and_answer_has_the_policy(api: APIClient, admin: Any) -> None:
    anonymous = Client()
    responses = {
        "ui": anonymous.get("/"),
        "ui route": anonymous.get("/tasks/1"),
        "admin": anonymous.get("/admin/login/"),
        "docs": anonymous.get("/api/docs/"),
        "docs script": anonymous.get("/api/docs/?script="),
        "schema": anonymous.get("/api/schema/"),
        "static": anonymous.get("/static/ui/main.js"),
        "unknown page": anonymous.get("/no/such/page"),
        "unauthenticated": anonymous.get("/api/tasks"),
        "api": api.get("/api/tasks"),
        "api 404": api.get("/api/tasks/424242"),
        "api 400": api.get("/api/tasks/424242/data/?type=sideways"),
    }
    for name, response in responses.items():
        assert _headers(response) == ("nosniff", POLICY), name
    assert responses["docs"].status_code == 200 and b"<script>" not in responses["docs"].content
    assert b"<style>" not in responses["docs"].content
    assert responses["docs script"]["Content-Type"] == "application/javascript"
    assert "script-src 'self'" in POLICY and "unsafe-inline" not in POLICY and "object-src 'none'" in POLICY


def test_stored_files_are_served_as_images_or_zips_under_the_media_policy(
        api: APIClient, make_task) -> None:  # type: ignore[no-untyped-def]
    task = make_task(2)
    url = f"/api/tasks/{task['id']}/data/"
    job = api.get("/api/jobs", {"task_id": task["id"]}).json()["results"][0]
    cases = {
        "original": (api.get(url, {"type": "frame", "number": 0, "quality": "original"}), "image/png"),
        "compressed": (api.get(url, {"type": "frame", "number": 1}), "image/jpeg"),
        "chunk": (api.get(url, {"type": "chunk", "number": 0, "quality": "original"}), "application/zip"),
        "preview": (api.get(url, {"type": "preview"}), "image/jpeg"),
        "task preview": (api.get(f"/api/tasks/{task['id']}/preview"), "image/jpeg"),
        "job frame": (api.get(f"/api/jobs/{job['id']}/data", {"type": "frame", "number": 0,
                                                               "quality": "original"}), "image/png"),
    }
    backup = export(api, f"/api/tasks/{task['id']}/backup/export")
    cases["download"] = (api.get(backup["result_url"]), "application/zip")
    for name, (response, content_type) in cases.items():
        assert response.status_code == 200, (name, response.content)
        assert response["Content-Type"] == content_type, name
        assert _headers(response) == ("nosniff", MEDIA_POLICY), name


@pytest.mark.parametrize(("stored", "served"), [
    ("text/html", None), ("image/svg+xml", None), ("application/octet-stream", None), ("", None),
    ("image/mpo", "image/jpeg"),  # what Pillow called camera JPEGs, kept in older rows
])
def test_a_frame_is_served_only_with_an_image_type(api: APIClient, make_task, stored: str,
                                                   served: str | None) -> None:  # type: ignore[no-untyped-def]
    task = make_task(1)
    frame = Frame.objects.get(task_id=task["id"], number=0)
    if served is None:  # as a crafted backup could store it before backups were checked
        TaskStorage(task["id"]).frame_path(frame.file).write_bytes(b"<script>alert(document.cookie)</script>")
    Frame.objects.filter(pk=frame.pk).update(mime_type=stored)
    url = f"/api/tasks/{task['id']}/data/"
    response = api.get(url, {"type": "frame", "number": 0, "quality": "original"})
    if served is None:
        assert response.status_code == 409
        assert response.json()["detail"] == (f"Frame 0 of task {task['id']} is not an image this server can "
                                             "show; create the task again from its images.")
        response = api.get(url, {"type": "frame", "number": 0})  # the compressed frame: not decodable
        assert response.status_code == 409
        assert "is not an image this server can show" in response.json()["detail"]
    else:
        assert response.status_code == 200 and response["Content-Type"] == served
