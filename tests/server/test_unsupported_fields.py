"""A request field the server does not support is refused with a 400 naming it, never dropped."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.server.conftest import png_bytes, upload_files

pytestmark = pytest.mark.django_db

ORG = "An object's organization is not set in the body"


@pytest.mark.parametrize(("where", "kwargs"), [
    ("X-Organization", {"HTTP_X_ORGANIZATION": "acme"}),
    ("org", {"QUERY_STRING": "org=acme"}),
    ("org_id", {"QUERY_STRING": "org_id=3"}),
])
def test_an_unknown_organization_is_refused_and_nothing_is_created(api: APIClient, where: str,
                                                                   kwargs: dict[str, str]) -> None:
    response = api.post("/api/projects", {"name": "p"}, format="json", **kwargs)
    assert response.status_code == 403
    named = "3" if where == "org_id" else "acme"
    assert list(response.json()) == [where] and f"'{named}'" in response.json()[where][0]
    assert api.get("/api/projects", **kwargs).status_code == 403
    assert api.get("/api/projects").json()["count"] == 0


def test_the_personal_workspace_may_be_named_empty(api: APIClient) -> None:
    response = api.post("/api/projects?org=", {"name": "p"}, format="json", HTTP_X_ORGANIZATION="")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"name": "t", "labels": [{"name": "car"}], "colour": "red"}, "colour", "not supported by this server"),
    ({"name": "t", "labels": [{"name": "car"}], "organization_id": 4}, "organization_id", ORG),
    ({"name": "t", "labels": [{"name": "car"}], "consensus_replicas": 1}, "consensus_replicas", "at least 2"),
    ({"name": "t", "labels": [{"name": "car"}], "initial_replicas": 11}, "initial_replicas", "less than or equal"),
    ({"name": "t", "labels": [{"name": "car"}], "source_storage": {"location": "local", "cloud_storage_id": 2}},
     "source_storage", "Only location 'cloud_storage' takes cloud_storage_id"),
])
def test_task_fields_it_does_not_support_are_refused(api: APIClient, body: dict[str, Any], field: str,
                                                     message: str) -> None:
    response = api.post("/api/tasks", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.content
    assert message in str(response.json()[field])
    assert api.get("/api/tasks").json()["count"] == 0


def test_unknown_fields_are_refused_everywhere_even_nested(api: APIClient, make_task: Any, admin: Any) -> None:
    nested = api.post("/api/projects", {"name": "p", "labels": [{"name": "car", "shape": "box"}]}, format="json")
    assert nested.status_code == 400 and nested.json() == {
        "labels": {"0": {"shape": ["This field is not supported by this server."]}}}
    task = make_task(2)
    job = api.get("/api/jobs", {"task_id": task["id"]}).json()["results"][0]
    for path, body in ((f"/api/tasks/{task['id']}", {"name": "x", "priority": 1}),
                       (f"/api/jobs/{job['id']}", {"state": "completed", "priority": 1}),
                       (f"/api/users/{admin.pk}", {"first_name": "A", "priority": 1}),
                       (f"/api/tasks/{task['id']}/data/meta", {"deleted_frames": [1], "priority": 1})):
        response = api.patch(path, body, format="json")
        assert response.status_code == 400 and response.json() == {
            "priority": ["This field is not supported by this server."]}, path
    assert api.get(f"/api/tasks/{task['id']}").json()["name"] == "task"
    assert api.get(f"/api/tasks/{task['id']}/data/meta").json()["deleted_frames"] == []
    token = api.post("/api/auth/access_tokens", {"name": "ci", "scopes": ["all"]}, format="json")
    assert token.status_code == 400 and "scopes" in token.json()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("validation_params", {"mode": "gt_pool", "frame_selection_method": "random_uniform", "frame_count": 1},
     "Honeypots"),
    ("cloud_storage_id", 3, "Cloud storage 3 does not exist"),
    ("filename_pattern", "*.png", "server_files"),
    ("server_files_exclude", ["a.png"], "server_files"),
    ("unknown_option", True, "not supported by this server"),
])
def test_data_fields_it_does_not_support_are_refused(api: APIClient, make_task: Any, field: str, value: Any,
                                                     message: str) -> None:
    task = make_task(0)
    response = api.post(f"/api/tasks/{task['id']}/data/",
                        {"image_quality": 70, "server_files": ["a.png"], field: value}, format="json")
    assert response.status_code == 400 and list(response.json()) == [field]
    assert message in response.json()[field][0]
    assert api.get(f"/api/tasks/{task['id']}").json()["size"] == 0
    if field != "unknown_option":  # null means "not used" and is accepted
        assert upload_files(api, task["id"], {"a.png": png_bytes(0)}, **{field: None})["status"] == "finished"
