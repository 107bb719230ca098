"""Fixtures for the functions app: a registered detector and a task whose labels it matches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient


def detector_labels() -> list[dict[str, Any]]:
    """What ``cvat-cli function create-native`` sends for a function with these labels."""
    return [
        {"name": "car", "attributes": [{"name": "color", "input_type": "select", "values": ["red", "blue"]}]},
        {"name": "person", "type": "skeleton", "attributes": [], "sublabels": [
            {"name": "head", "attributes": []},
            {"name": "hand", "attributes": [{"name": "side", "input_type": "select", "values": ["left", "right"]}]},
        ]},
        {"name": "bicycle", "attributes": []},
    ]


@pytest.fixture
def make_function(api: APIClient) -> Callable[..., dict[str, Any]]:
    def make(*, client: APIClient | None = None, **fields: Any) -> dict[str, Any]:
        body = {"provider": "native", "name": "detector", "kind": "detector", "visibility": "private",
                "labels_v2": detector_labels(), **fields}
        response = (client or api).post("/api/functions", body, format="json")
        assert response.status_code == 201, response.content
        return response.json()

    return make


def queue_url(function_id: int, tail: str) -> str:
    # Agents URL-encode the colon; Django decodes the path before routing.
    return f"/api/functions/queues/function%3A{function_id}/{tail}"


def request_annotation(client: APIClient, function_id: int, task_id: int, **fields: Any) -> Any:
    return client.post("/api/lambda/requests", {"function": str(function_id), "task": task_id, **fields},
                       format="json")


def acquire(client: APIClient, function_id: int, agent: str, category: str = "batch") -> Any:
    response = client.post(queue_url(function_id, "requests/acquire"),
                           {"agent_id": agent, "request_category": category}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["ar_assignment"]


def post_result(client: APIClient, function_id: int, ar_id: str, action: str, **body: Any) -> Any:
    return client.post(queue_url(function_id, f"requests/{ar_id}/{action}"), body, format="json")
