"""Error bodies name the user's field or file, never server paths, exception classes or SQL."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.server.conftest import run_requests

pytestmark = pytest.mark.django_db

_INTERNALS = ("Error:", "Traceback", "/tmp", "/media/", "UNIQUE", "constraint", "null byte", "KeyError")


def _clean(text: str) -> bool:
    return not any(marker in text for marker in _INTERNALS)


def test_an_unexpected_exception_is_a_generic_500(api: APIClient, monkeypatch: Any, caplog: Any,
                                                   make_task: Any) -> None:
    task = make_task(0)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise KeyError("file")  # a bug, as seen in the wild

    monkeypatch.setattr("inklab.server.projects.services.update_task", broken)
    api.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="inklab.server.api.errors"):
        response = api.patch(f"/api/tasks/{task['id']}", {"name": "x"}, format="json")
    assert response.status_code == 500
    assert response.json() == {"detail": "The server failed to handle this request; the error was logged. "
                                         "Please report it if it persists."}
    logged = [r for r in caplog.records if r.name == "inklab.server.api.errors"]
    assert logged and logged[0].exc_info[0] is KeyError  # the traceback is in the server's log


def test_a_unique_constraint_hit_by_a_race_is_a_409(api: APIClient, monkeypatch: Any, make_task: Any) -> None:
    task = make_task(0)  # has a label 'car'
    # Another request adds 'truck' between this request's check and its insert: simulate it by
    # hiding the existing labels from the check.
    monkeypatch.setattr("inklab.server.projects.labels.labels_of", lambda owner: [])
    response = api.patch(f"/api/tasks/{task['id']}", {"labels": [{"name": "car"}]}, format="json")
    assert response.status_code == 409
    assert "conflicts with data saved meanwhile" in response.json()["detail"] and _clean(response.content.decode())


def test_nul_characters_in_names_are_refused_by_field(api: APIClient, make_task: Any) -> None:
    task = make_task(0)
    share = api.get("/api/server/share", {"directory": "a\x00b"})
    assert share.status_code == 400 and share.json() == {
        "directory": ["A directory name cannot contain NUL characters."]}
    data = api.post(f"/api/tasks/{task['id']}/data/", {"image_quality": 70, "server_files": ["a\x00.png"]},
                    format="json")
    assert data.status_code == 400
    assert data.json() == {"server_files": ["Item 0 must be a non-empty string without NUL characters."]}
    assert api.get("/api/requests").json()["count"] == 0  # nothing was queued


@pytest.mark.parametrize(("body", "field"), [
    ({"server_files": [1]}, "server_files"), ({"server_files": "a.png"}, "server_files"),
    ({"remote_files": [None]}, "remote_files"), ({"image_quality": "high"}, "image_quality"),
    ({"chunk_size": 10**30}, "chunk_size"), ({"start_frame": 1.5}, "start_frame"),
])
def test_bad_data_parameters_name_their_field(api: APIClient, make_task: Any, body: dict[str, Any],
                                              field: str) -> None:
    task = make_task(0)
    response = api.post(f"/api/tasks/{task['id']}/data/", {"image_quality": 70, "server_files": ["a.png"], **body},
                        format="json")
    assert response.status_code == 400 and list(response.json()) == [field]
    assert _clean(response.content.decode())


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("a.png", b"not an image", "'a.png' is not a valid image: it cannot be decoded"),
    ("a.mp4", b"\x00\x00\x00\x18ftypmp42garbage", "'a.mp4' is not a readable video: it cannot be decoded"),
    ("a.tar", b"x" * 600, "'a.tar' is not a readable zip or tar archive."),
])
def test_undecodable_uploads_name_the_file_not_its_stored_path(api: APIClient, make_task: Any, name: str,
                                                               content: bytes, expected: str) -> None:
    task = make_task(0)
    upload = io.BytesIO(content)
    upload.name = name
    response = api.post(f"/api/tasks/{task['id']}/data/", {"image_quality": 70, "client_files[0]": upload},
                        format="multipart")
    assert response.status_code == 202, response.content
    run_requests()
    message = api.get(f"/api/requests/{response.json()['rq_id']}").json()["message"]
    assert message.startswith(expected) and _clean(message), message
