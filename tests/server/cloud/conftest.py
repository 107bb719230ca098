"""Fixtures of the cloud storage API tests: a bucket on the session's moto S3 server."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.server.conftest import png_bytes
from tests.support.s3 import S3Server

_numbers = itertools.count()


@pytest.fixture(autouse=True)
def _allow_loopback_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    """The moto server listens on loopback, which the server refuses by default."""
    monkeypatch.setenv("INKLAB_CLOUD_ALLOW_PRIVATE", "1")


@pytest.fixture
def bucket(s3_server: S3Server) -> str:
    """A fresh bucket with three images under ``images/``, one at the top and a manifest."""
    name = f"inklab-test-{next(_numbers)}"
    manifest = "\n".join(['{"version":"1.1"}', '{"type":"images"}',
                          '{"name":"images/img_0","extension":".png","width":64,"height":48}',
                          '{"name":"images/img_2","extension":".png","width":64,"height":48}'])
    return s3_server.bucket(name, {
        "top.png": png_bytes(9),
        **{f"images/img_{i}.png": png_bytes(i) for i in range(3)},
        "manifest.jsonl": manifest.encode(),
    })


@pytest.fixture
def storage_body(s3_server: S3Server, bucket: str) -> dict[str, Any]:
    return {"provider_type": "AWS_S3_BUCKET", "resource": bucket, "display_name": "Bucket",
            "credentials_type": "KEY_SECRET_KEY_PAIR", "key": s3_server.key, "secret_key": s3_server.secret,
            "specific_attributes": f"endpoint_url={s3_server.url}&region=us-east-1"}


@pytest.fixture
def make_storage(api: APIClient, storage_body: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    def make(client: APIClient | None = None, **changes: Any) -> dict[str, Any]:
        response = (client or api).post("/api/cloudstorages", {**storage_body, **changes}, format="json")
        assert response.status_code == 201, response.content
        return response.json()

    return make
