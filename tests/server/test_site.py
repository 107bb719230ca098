"""The non-API pages: schema, Swagger UI, admin, UI index, health, formats list."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_schema_and_docs(api: APIClient) -> None:
    schema = APIClient().get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/tasks" in paths and "/api/tasks/{id}/data/" in paths  # CVAT's spelling (see test_schema)
    docs = APIClient().get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_admin_and_health(client, admin) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/admin/").status_code == 302
    client.force_login(admin)
    assert client.get("/admin/projects/task/").status_code == 200
    assert APIClient().get("/api/server/health").json()["status"] == "ok"


def test_ui_index_sets_csrf_cookie(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert response.status_code == 200 and b'type="module"' in response.content
    assert "csrftoken" in response.cookies


def test_formats_list_shape(api: APIClient) -> None:
    body = api.get("/api/server/annotation/formats").json()
    assert set(body) == {"importers", "exporters"}
    for entry in body["importers"] + body["exporters"]:
        assert set(entry) == {"name", "ext", "version", "enabled", "dimension"}
