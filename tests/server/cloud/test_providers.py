"""What only some providers have: Azure's connection strings, access keys and public
containers, GCS's public buckets and large uploads, and the registry's refusal of a provider
whose client package is missing."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from inklab.server.cloud import providers
from tests.server.cloud.backends import KeyFile
from tests.server.conftest import png_bytes, run_requests
from tests.support.azurite import ACCOUNT, ACCOUNT_KEY, AzuriteServer
from tests.support.gcs import GCSServer

pytestmark = pytest.mark.django_db

_FILES = {"top.png": png_bytes(9), "images/img_0.png": png_bytes(0)}


@pytest.fixture(autouse=True)
def _allow_loopback_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INKLAB_CLOUD_ALLOW_PRIVATE", "1")


def _create(api: APIClient, body: dict[str, Any], request_format: str = "json") -> dict[str, Any]:
    response = api.post("/api/cloudstorages", {"display_name": "Shared", **body}, format=request_format)
    assert response.status_code == 201, response.content
    storage = response.json()
    assert api.get(f"/api/cloudstorages/{storage['id']}/status").json() == "AVAILABLE"
    listing = api.get(f"/api/cloudstorages/{storage['id']}/content-v2").json()
    assert [(e["name"], e["type"]) for e in listing["content"]] == [("images", "DIR"), ("top.png", "REG")]
    return storage


@pytest.mark.parametrize("secrets", ["connection_string", "account_key"])
def test_azure_connection_string_and_access_key(api: APIClient, azurite_server: AzuriteServer,
                                                secrets: str) -> None:
    name = azurite_server.container(f"azure-{secrets.replace('_', '-')}", _FILES)
    if secrets == "connection_string":
        body = {"credentials_type": "CONNECTION_STRING", "connection_string": azurite_server.connection_string}
    else:  # CVAT's manual: the account's access key may stand in the SAS token field
        body = {"credentials_type": "ACCOUNT_NAME_TOKEN_PAIR", "account_name": ACCOUNT, "session_token": ACCOUNT_KEY,
                "specific_attributes": f"endpoint_url={azurite_server.url}"}
    storage = _create(api, {"provider_type": "AZURE_CONTAINER", "resource": name, **body})
    assert ACCOUNT_KEY not in str(api.get(f"/api/cloudstorages/{storage['id']}").json())
    assert api.get(f"/api/cloudstorages/{storage['id']}/preview").status_code == 200


def test_azure_anonymous_access_to_a_public_container(api: APIClient, azurite_server: AzuriteServer) -> None:
    name = azurite_server.container("azure-public", _FILES, public=True)
    storage = _create(api, {"provider_type": "AZURE_CONTAINER", "resource": name,
                            "credentials_type": "ANONYMOUS_ACCESS", "account_name": ACCOUNT,
                            "specific_attributes": f"endpoint_url={azurite_server.url}"})
    task = api.post("/api/tasks", {"name": "public", "labels": [{"name": "car"}]}, format="json").json()
    response = api.post(f"/api/tasks/{task['id']}/data", {"image_quality": 70, "cloud_storage_id": storage["id"],
                                                          "server_files": ["top.png"]}, format="json")
    assert response.status_code == 202, response.content
    run_requests()
    assert api.get(f"/api/tasks/{task['id']}").json()["size"] == 1


def test_gcs_anonymous_access_to_a_public_bucket(api: APIClient, gcs_server: GCSServer) -> None:
    name = gcs_server.bucket("gcs-public", _FILES, public=True)
    storage = _create(api, {"provider_type": "GOOGLE_CLOUD_STORAGE", "resource": name,
                            "credentials_type": "ANONYMOUS_ACCESS",
                            "specific_attributes": f"endpoint_url={gcs_server.url}"})
    assert api.get(f"/api/cloudstorages/{storage['id']}/preview").status_code == 200


@pytest.fixture(params=["azure", "gcs"])
def connected(request: pytest.FixtureRequest) -> Iterator[tuple[Any, Any]]:
    """A provider on a fresh container of the session's server, and a function that reads an object there."""
    name = f"large-{request.param}"
    if request.param == "azure":
        azurite: AzuriteServer = request.getfixturevalue("azurite_server")
        azurite.container(name)
        config = providers.ProviderConfig(name, "CONNECTION_STRING", {"connection_string": azurite.connection_string})
        yield providers.connect("AZURE_CONTAINER", config), lambda key: azurite.read(name, key)
        azurite.delete(name)
    else:
        gcs: GCSServer = request.getfixturevalue("gcs_server")
        gcs.bucket(name)
        config = providers.ProviderConfig(name, "KEY_FILE_PATH", {"key_file": gcs.key_file()},
                                          {"endpoint_url": gcs.url})
        yield providers.connect("GOOGLE_CLOUD_STORAGE", config), lambda key: gcs.read(name, key)
        gcs.delete(name)


def test_large_objects_go_up_and_come_down_in_pieces(connected: tuple[Any, Any]) -> None:
    """20 MiB: more than one upload chunk and more than one ranged read of a stream."""
    provider, read = connected
    data = random.Random(7).randbytes(20 * 1024 * 1024 + 3)
    provider.write("big/blob.bin", io.BytesIO(data))
    assert read("big/blob.bin") == data
    assert provider.head("big/blob.bin").size == len(data)
    with provider.open("big/blob.bin") as stream:
        assert stream.read() == data
    assert provider.read("big/blob.bin", 5, 9) == data[5:10]
    with pytest.raises(providers.NoSuchObject, match="'big/none.bin' does not exist"):
        provider.open("big/none.bin")


def test_a_provider_without_its_package_names_the_extra(api: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(providers._BUILT_IN, "AZURE_CONTAINER",
                        ("azure", "inklab_no_such_package", providers._BUILT_IN["AZURE_CONTAINER"][2]))
    monkeypatch.delitem(providers._FACTORIES, "AZURE_CONTAINER", raising=False)
    monkeypatch.setattr(providers, "_missing", {})
    response = api.post("/api/cloudstorages", {
        "provider_type": "AZURE_CONTAINER", "resource": "c", "display_name": "C", "credentials_type": "ANONYMOUS_ACCESS",
        "account_name": "someaccount"}, format="json")
    assert response.status_code == 400
    assert "pip install 'inklab[azure]'" in str(response.json()["provider_type"])


def test_addresses_in_secrets_are_checked_as_endpoint_url(api: APIClient, azurite_server: AzuriteServer,
                                                          gcs_server: GCSServer,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A connection string's blob endpoint and a key file's token_uri may not point at private
    addresses either (unless INKLAB_CLOUD_ALLOW_PRIVATE=1), and an account name is only that."""
    monkeypatch.delenv("INKLAB_CLOUD_ALLOW_PRIVATE")
    for body, field, words in (
        ({"provider_type": "AZURE_CONTAINER", "credentials_type": "CONNECTION_STRING",
          "connection_string": azurite_server.connection_string}, "connection_string",
         f"the connection string's blob endpoint '{azurite_server.url}' points to a private address"),
        ({"provider_type": "AZURE_CONTAINER", "credentials_type": "CONNECTION_STRING",
          "connection_string": "DefaultEndpointsProtocol=ftp;AccountName=x;AccountKey=abc"}, "connection_string",
         "must be an http(s) URL"),
        ({"provider_type": "AZURE_CONTAINER", "credentials_type": "ANONYMOUS_ACCESS",
          "account_name": "evil.example/x"}, "detail", "is not an Azure storage account name"),
        ({"provider_type": "GOOGLE_CLOUD_STORAGE", "credentials_type": "KEY_FILE_PATH",
          "key_file": KeyFile("key.json", gcs_server.key_file().encode())}, "key_file",
         f"the key file's token_uri '{gcs_server.url}/token' points to a private address"),
    ):
        response = api.post("/api/cloudstorages", {"resource": "photos", "display_name": "P", **body},
                            format="multipart")
        assert response.status_code == 400, response.content
        assert words in str(response.json()[field])
    assert api.get("/api/cloudstorages").json()["count"] == 0
