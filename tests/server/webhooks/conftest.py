"""Fixtures of the webhook tests."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def project(api: APIClient) -> dict[str, Any]:
    """A project (label "car") whose webhooks the tests make."""
    response = api.post("/api/projects", {"name": "p", "labels": [{"name": "car"}]}, format="json")
    assert response.status_code == 201, response.content
    return response.json()
