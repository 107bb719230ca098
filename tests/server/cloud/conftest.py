"""Fixtures of the cloud storage API tests, run once per provider (``cloud``): S3 on moto's
server, Azure on Azurite, Google Cloud Storage on a local JSON API (see backends.py)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.server.cloud.backends import BACKENDS, AzureBackend, Backend, GCSBackend, S3Backend
from tests.server.conftest import png_bytes

_numbers = itertools.count()


@pytest.fixture(autouse=True)
def _allow_loopback_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    """The storage servers listen on loopback, which the server refuses by default."""
    monkeypatch.setenv("INKLAB_CLOUD_ALLOW_PRIVATE", "1")


@pytest.fixture(params=BACKENDS)
def cloud(request: pytest.FixtureRequest) -> Backend:
    """The provider under test, on its session's server."""
    if request.param == "s3":
        return S3Backend(request.getfixturevalue("s3_server"))
    if request.param == "azure":
        return AzureBackend(request.getfixturevalue("azurite_server"))
    return GCSBackend(request.getfixturevalue("gcs_server"))


@pytest.fixture
def bucket(cloud: Backend) -> str:
    """A fresh bucket (container) with three images under ``images/``, one at the top and a manifest."""
    name = f"inklab-test-{next(_numbers)}"
    manifest = "\n".join(['{"version":"1.1"}', '{"type":"images"}',
                          '{"name":"images/img_0","extension":".png","width":64,"height":48}',
                          '{"name":"images/img_2","extension":".png","width":64,"height":48}'])
    return cloud.make(name, {
        "top.png": png_bytes(9),
        **{f"images/img_{i}.png": png_bytes(i) for i in range(3)},
        "manifest.jsonl": manifest.encode(),
    })


@pytest.fixture
def storage_body(cloud: Backend, bucket: str) -> dict[str, Any]:
    return cloud.body(bucket)


@pytest.fixture
def make_storage(api: APIClient, cloud: Backend, storage_body: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    def make(client: APIClient | None = None, **changes: Any) -> dict[str, Any]:
        response = cloud.post(client or api, {**storage_body, **changes})
        assert response.status_code == 201, response.content
        return response.json()

    return make
