"""``/api/guides`` and ``/api/assets`` in process: guides of projects and tasks, ``guide_id`` on
projects, tasks and jobs, images validated and served as images, permissions and bad input."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.server.conftest import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(api: APIClient) -> dict[str, Any]:
    return api.post("/api/projects", {"name": "p", "labels": [{"name": "car"}]}, format="json").json()


def _upload(client: APIClient, guide_id: Any, data: bytes, name: str = "a.png", **extra: Any) -> Any:
    return client.post("/api/assets", {"file": SimpleUploadedFile(name, data), "guide_id": guide_id, **extra},
                       format="multipart")


def test_project_guide_and_guide_ids(api: APIClient, project: dict[str, Any],
                                     make_task: Callable[..., dict[str, Any]]) -> None:
    assert project["guide_id"] is None
    created = api.post("/api/guides", {"project_id": project["id"], "markdown": "# Rules\nBox every *car*."},
                       format="json")
    assert created.status_code == 201, created.content
    guide = created.json()
    assert guide["project_id"] == project["id"] and guide["task_id"] is None
    assert guide["markdown"] == "# Rules\nBox every *car*."
    assert api.get(f"/api/projects/{project['id']}").json()["guide_id"] == guide["id"]
    assert api.get("/api/projects").json()["results"][0]["guide_id"] == guide["id"]
    task = make_task(1, project_id=project["id"])
    job = api.get("/api/jobs", {"task_id": task["id"]}).json()["results"][0]
    assert task["guide_id"] is None and job["guide_id"] == guide["id"]  # a job shows its project's guide

    task_guide = api.post("/api/guides", {"task_id": task["id"], "markdown": "task rules"}, format="json").json()
    assert api.get(f"/api/jobs/{job['id']}").json()["guide_id"] == task_guide["id"]  # the task's comes first
    assert api.get(f"/api/tasks/{task['id']}").json()["guide_id"] == task_guide["id"]

    patched = api.patch(f"/api/guides/{guide['id']}", {"markdown": "new"}, format="json")
    assert patched.status_code == 200 and patched.json()["markdown"] == "new"
    assert api.get(f"/api/guides/{guide['id']}").json()["markdown"] == "new"
    assert api.delete(f"/api/guides/{guide['id']}").status_code == 204
    assert api.get(f"/api/guides/{guide['id']}").status_code == 404
    assert api.get(f"/api/projects/{project['id']}").json()["guide_id"] is None


@pytest.mark.parametrize(("body", "field"), [
    ({"markdown": "x"}, "project_id"),
    ({"project_id": 1, "task_id": 1, "markdown": "x"}, "project_id"),
    ({"project_id": "abc"}, "project_id"),
    ({"project_id": 1, "markdown": 5 * ["x"]}, "markdown"),
    ({"project_id": 1, "markdown": "x" * 200_001}, "markdown"),
    ({"project_id": 1, "html": "<b>"}, "html"),
])
def test_bad_guide_input(api: APIClient, project: dict[str, Any], body: dict[str, Any], field: str) -> None:
    body = {k: (project["id"] if v == 1 else v) for k, v in body.items()}
    response = api.post("/api/guides", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()


def test_one_guide_per_target_and_missing_targets(api: APIClient, project: dict[str, Any]) -> None:
    guide = api.post("/api/guides", {"project_id": project["id"]}, format="json").json()
    again = api.post("/api/guides", {"project_id": project["id"]}, format="json")
    assert again.status_code == 409 and "already has a guide" in again.json()["detail"]
    assert api.post("/api/guides", {"project_id": 987654}, format="json").status_code == 404
    assert api.post("/api/guides", {"task_id": 987654}, format="json").status_code == 404
    moved = api.patch(f"/api/guides/{guide['id']}", {"project_id": 987654}, format="json")
    assert moved.status_code == 400 and "project_id" in moved.json()
    assert api.get("/api/guides/987654").status_code == 404


def test_assets_are_images_served_as_images(api: APIClient, project: dict[str, Any], settings: Any,
                                            django_capture_on_commit_callbacks: Any) -> None:
    guide = api.post("/api/guides", {"project_id": project["id"]}, format="json").json()
    data = png_bytes(1)
    response = _upload(api, guide["id"], data, name="../../etc/diagram.html")
    assert response.status_code == 201, response.content
    asset = response.json()
    assert asset["guide_id"] == guide["id"] and asset["filename"] == "diagram.html"
    assert asset["owner"]["username"] == "admin"
    served = api.get(f"/api/assets/{asset['uuid']}")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == data

    html = b"<html><script>alert(1)</script></html>"
    refused = _upload(api, guide["id"], html, name="x.png")
    assert refused.status_code == 400 and "file" in refused.json()
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert _upload(api, guide["id"], svg, name="x.svg").status_code == 400
    buffer = io.BytesIO()
    from PIL import Image
    Image.new("RGB", (4, 4)).save(buffer, format="TIFF")
    tiff = _upload(api, guide["id"], buffer.getvalue(), name="x.tiff")
    assert tiff.status_code == 400 and "TIFF" in str(tiff.json()["file"])

    settings.GUIDE_ASSET_MAX_BYTES = 100
    big = _upload(api, guide["id"], data)
    assert big.status_code == 400 and "at most 100 bytes" in str(big.json()["file"])

    with django_capture_on_commit_callbacks(execute=True):  # the file goes when the deletion commits
        assert api.delete(f"/api/assets/{asset['uuid']}").status_code == 204
    assert api.get(f"/api/assets/{asset['uuid']}").status_code == 404
    assert list((settings.MEDIA_ROOT / "assets").iterdir()) == []


def test_bad_asset_requests(api: APIClient, project: dict[str, Any]) -> None:
    guide = api.post("/api/guides", {"project_id": project["id"]}, format="json").json()
    no_file = api.post("/api/assets", {"guide_id": guide["id"]}, format="multipart")
    assert no_file.status_code == 400 and "file" in no_file.json()
    no_guide = api.post("/api/assets", {"file": SimpleUploadedFile("a.png", png_bytes(0))}, format="multipart")
    assert no_guide.status_code == 400 and "guide_id" in no_guide.json()
    assert _upload(api, 987654, png_bytes(0)).status_code == 404
    bad = _upload(api, "x" * 30, png_bytes(0))
    assert bad.status_code == 400 and "guide_id" in str(bad.json())
    extra = _upload(api, guide["id"], png_bytes(0), color="red")
    assert extra.status_code == 400 and "color" in extra.json()
    assert api.get("/api/assets/00000000-0000-0000-0000-000000000000").status_code == 404
    assert api.get("/api/assets/not-a-uuid").status_code == 404
    assert api.get("/api/assets/" + "0" * 36).status_code == 404  # the right length, not a UUID


def test_permissions(api: APIClient, project: dict[str, Any], make_user: Callable[..., Any],
                     client_for: Callable[[Any], APIClient], make_task: Callable[..., dict[str, Any]]) -> None:
    guide = api.post("/api/guides", {"project_id": project["id"], "markdown": "m"}, format="json").json()
    asset = _upload(api, guide["id"], png_bytes(0)).json()
    stranger = client_for(make_user("stranger"))
    assert stranger.get(f"/api/guides/{guide['id']}").status_code == 404
    assert stranger.get(f"/api/assets/{asset['uuid']}").status_code == 404
    assert stranger.post("/api/guides", {"project_id": project["id"]}, format="json").status_code == 404

    annotator = make_user("annotator")
    task = make_task(1, project_id=project["id"])
    job = api.get("/api/jobs", {"task_id": task["id"]}).json()["results"][0]
    api.patch(f"/api/jobs/{job['id']}", {"assignee": annotator.pk}, format="json")
    reader = client_for(annotator)  # reads the guide and its images, changes nothing
    assert reader.get(f"/api/guides/{guide['id']}").json()["markdown"] == "m"
    assert reader.get(f"/api/assets/{asset['uuid']}").status_code == 200
    assert reader.patch(f"/api/guides/{guide['id']}", {"markdown": "x"}, format="json").status_code == 403
    assert reader.delete(f"/api/guides/{guide['id']}").status_code == 403
    assert _upload(reader, guide["id"], png_bytes(1)).status_code == 403
    assert reader.delete(f"/api/assets/{asset['uuid']}").status_code == 403
    assert reader.post("/api/guides", {"task_id": task["id"]}, format="json").status_code == 403


def test_guides_follow_the_organization_context(api: APIClient, project: dict[str, Any]) -> None:
    personal = api.post("/api/guides", {"project_id": project["id"], "markdown": "mine"}, format="json").json()
    assert api.post("/api/organizations", {"slug": "acme"}, format="json").status_code == 201
    team_project = api.post("/api/projects", {"name": "team", "labels": [{"name": "car"}]}, format="json",
                            HTTP_X_ORGANIZATION="acme").json()
    team = api.post("/api/guides", {"project_id": team_project["id"], "markdown": "ours"}, format="json").json()
    for headers, seen, unseen in (({"HTTP_X_ORGANIZATION": ""}, personal, team),
                                  ({"HTTP_X_ORGANIZATION": "acme"}, team, personal)):
        assert api.get(f"/api/guides/{seen['id']}", **headers).json()["markdown"] == seen["markdown"]
        assert api.get(f"/api/guides/{unseen['id']}", **headers).status_code == 404
    assert api.get(f"/api/guides/{team['id']}").status_code == 200  # no context: everything visible
