"""The UI page is served at ``/`` and at every client-side route; its modules as JavaScript."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import inklab.ui

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/tasks", "/tasks/create", "/tasks/12",
                                  "/projects", "/projects/3", "/jobs", "/jobs/7?frame=4", "/tasks/12/", "/login/",
                                  "/organization", "/invitations/"])
def test_routes_serve_the_page_with_a_csrf_cookie(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert b'<script type="module" src="/static/ui/main.js"></script>' in response.content
    assert "csrftoken" in response.cookies


@pytest.mark.parametrize("path", ["/nowhere", "/tasksx", "/a/b/c.html",
                                  # under the app's routes, but none of them (issue 16, item 13)
                                  "/tasks/3/extra", "/tasks/3/extra/part", "/login/oops", "/projects/abc",
                                  "/jobs/0", "/tasks/create/now", "/tasks/99999999999999999999999",
                                  "/organization/3", "/organizations", "/invitations/abc"])
def test_unknown_paths_get_the_ui_page_with_404(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert b'<script type="module" src="/static/ui/main.js"></script>' in response.content  # it says "Nothing here"
    assert "csrftoken" in response.cookies


def test_the_server_knows_every_route_of_the_browsers_router(client: Any) -> None:
    """The routes of main.js and those the server answers with 200 are the same."""
    main = (Path(inklab.ui.__file__).parent / "static" / "ui" / "main.js").read_text()
    patterns = re.findall(r"\.on\(\s*[\"`]([^\"`]+)[\"`]", main)
    assert len(patterns) >= 10
    for pattern in patterns:
        path = re.sub(r":\w+\(\$\{ID\}\)", "12", pattern)
        assert ":" not in path, f"a route parameter this test does not know: {pattern}"
        assert client.get(path).status_code == 200, path
        assert client.get(path.rstrip("/") + "/more").status_code == 404, path


@pytest.mark.parametrize("path", ["/api/nowhere", "/api/tasks/abc", "/api/tasks/1/nothing"])
def test_unknown_api_paths_are_json_404(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and response.json() == {"detail": "Not found."}


def test_other_paths_are_not_the_ui(client: Any) -> None:
    assert client.get("/api/tasks").status_code == 401  # the API is not shadowed by the UI
    missing = client.get("/static/ui/nothing.js")
    assert missing.status_code == 404 and b"main.js" not in missing.content


@pytest.mark.parametrize("path", ["/static/ui/main.js", "/static/ui/views/workspace.js", "/static/ui/app.css"])
def test_static_files_are_served(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    expected = "text/css" if path.endswith(".css") else "javascript"
    assert expected in response["Content-Type"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert len(body) > 100
