"""JSON bodies are objects: a list or a number is a 400 before any view reads it (views that read
``request.data.get`` used to fail with a 500 on ``[null, null]``)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("body", [b"[null, null]", b"3", b'"text"', b"true"])
def test_bodies_that_are_not_objects_are_400(api: APIClient, make_task, body: bytes) -> None:  # type: ignore[no-untyped-def]
    task = make_task(2)
    job = api.get("/api/jobs", {"task_id": task["id"]}).json()["results"][0]
    label = api.get("/api/labels", {"task_id": task["id"]}).json()["results"][0]
    for method, path in [("patch", f"/api/tasks/{task['id']}/data/meta"), ("patch", f"/api/jobs/{job['id']}/data/meta"),
                         ("patch", f"/api/labels/{label['id']}"), ("post", f"/api/tasks/{task['id']}/data/"),
                         ("patch", f"/api/tasks/{task['id']}"), ("put", f"/api/tasks/{task['id']}/annotations/")]:
        response = getattr(api, method)(path, body, content_type="application/json")
        assert response.status_code == 400, (path, response.content)
        assert "The body must be a JSON object" in response.json()["detail"]
    assert api.get(f"/api/tasks/{task['id']}/data/meta").json()["deleted_frames"] == []


def test_an_empty_body_is_an_empty_object(api: APIClient) -> None:
    response = api.post("/api/projects", b"", content_type="application/json")
    assert response.status_code == 400 and response.json() == {"name": ["This field is required."]}
