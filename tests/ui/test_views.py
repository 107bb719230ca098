"""The UI page is served at ``/`` and at every client-side route; its modules as JavaScript."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/tasks", "/tasks/create", "/tasks/12",
                                  "/projects", "/projects/3", "/jobs", "/jobs/7?frame=4"])
def test_routes_serve_the_page_with_a_csrf_cookie(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert b'<script type="module" src="/static/ui/main.js"></script>' in response.content
    assert "csrftoken" in response.cookies


def test_other_paths_are_not_the_ui(client: Any) -> None:
    assert client.get("/nowhere").status_code == 404
    assert client.get("/api/tasks").status_code == 401  # the API is not shadowed by the UI


@pytest.mark.parametrize("path", ["/static/ui/main.js", "/static/ui/views/workspace.js", "/static/ui/app.css"])
def test_static_files_are_served(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    expected = "text/css" if path.endswith(".css") else "javascript"
    assert expected in response["Content-Type"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert len(body) > 100
