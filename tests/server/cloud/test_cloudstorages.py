"""``/api/cloudstorages`` against each provider's API (see backends.py): S3, Azure, GCS."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image
from rest_framework.test import APIClient

from inklab.server.cloud.models import CloudStorage
from inklab.server.cloud.services import SECRET_FIELDS
from tests.server.cloud.backends import Backend

pytestmark = pytest.mark.django_db


def test_create_read_and_list_never_show_secrets(api: APIClient, make_storage: Callable[..., Any],
                                                 cloud: Backend, bucket: str,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)  # every logger, the client libraries' too
    created = make_storage(description="images", manifests=["manifest.jsonl"])
    assert created["resource"] == bucket
    assert created["provider_type"] == cloud.provider_type
    assert created["credentials_type"] == cloud.credentials_type
    assert created["manifests"] == ["manifest.jsonl"]
    assert created["owner"]["username"] == "admin"
    assert created["organization"] is None
    for body in (created, api.get(f"/api/cloudstorages/{created['id']}").json(),
                 api.get("/api/cloudstorages").json()["results"][0]):
        text = str(body)
        assert not [secret for secret in cloud.secret_texts() if secret in text]
        assert not set(SECRET_FIELDS) & set(body)
    stored = CloudStorage.objects.get(pk=created["id"]).credentials
    assert stored and not [secret for secret in cloud.secret_texts() if secret in stored]  # encrypted at rest
    assert api.get(f"/api/cloudstorages/{created['id']}/status").json() == "AVAILABLE"
    assert api.get(f"/api/cloudstorages/{created['id']}/actions").json() == ["read", "write"]
    assert caplog.records and not [secret for secret in cloud.secret_texts() if secret in caplog.text]


def test_content_browses_by_prefix_with_pages(api: APIClient, make_storage: Callable[..., Any]) -> None:
    storage = make_storage()
    url = f"/api/cloudstorages/{storage['id']}/content-v2"
    top = api.get(url).json()
    assert top["next"] is None
    assert top["content"] == [
        {"name": "images", "type": "DIR", "mime_type": "DIR"},
        {"name": "manifest.jsonl", "type": "REG", "mime_type": "unknown"},
        {"name": "top.png", "type": "REG", "mime_type": "image"},
    ]
    first = api.get(url, {"prefix": "images/", "page_size": 2}).json()
    assert [e["name"] for e in first["content"]] == ["img_0.png", "img_1.png"]
    assert first["next"]
    second = api.get(url, {"prefix": "images/", "page_size": 2, "next_token": first["next"]}).json()
    assert [e["name"] for e in second["content"]] == ["img_2.png"]
    assert second["next"] is None


def test_content_from_manifest(api: APIClient, make_storage: Callable[..., Any]) -> None:
    storage = make_storage(manifests=["manifest.jsonl"])
    url = f"/api/cloudstorages/{storage['id']}/content-v2"
    body = api.get(url, {"manifest_path": "manifest.jsonl", "prefix": "images/"}).json()
    assert [e["name"] for e in body["content"]] == ["img_0.png", "img_2.png"]
    response = api.get(url, {"manifest_path": "other.jsonl"})
    assert response.status_code == 400
    assert "manifest_path" in response.json()


def test_prefix_attribute_roots_the_storage(api: APIClient, make_storage: Callable[..., Any],
                                            storage_body: dict[str, Any]) -> None:
    storage = make_storage(specific_attributes=storage_body["specific_attributes"] + "&prefix=images")
    body = api.get(f"/api/cloudstorages/{storage['id']}/content-v2").json()
    assert [e["name"] for e in body["content"]] == ["img_0.png", "img_1.png", "img_2.png"]


def test_preview_is_a_thumbnail_of_the_first_image(api: APIClient, make_storage: Callable[..., Any]) -> None:
    storage = make_storage()
    response = api.get(f"/api/cloudstorages/{storage['id']}/preview")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.size == (64, 48)


def test_update_keeps_secrets_unless_replaced(api: APIClient, make_storage: Callable[..., Any],
                                              cloud: Backend) -> None:
    storage = make_storage()
    url = f"/api/cloudstorages/{storage['id']}"
    response = api.patch(url, {"display_name": "Renamed", "description": "new"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["display_name"] == "Renamed"
    assert api.get(url + "/status").json() == "AVAILABLE"
    response = cloud.patch(api, url, cloud.wrong_secret())
    assert response.status_code == 400, response.content
    assert "denied" in response.json()["detail"]
    assert api.get(url + "/status").json() == "AVAILABLE"  # the refused change was not saved
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"resource": "no-such-bucket-here"}, None, "does not exist"),
    ({"manifests": ["missing.jsonl"]}, "manifests", "does not exist"),
    ({"manifests": ["images/img_0.png"]}, "manifests", "not a manifest"),
    ({"provider_type": "DROPBOX"}, "provider_type", "not a valid choice"),
    ({"specific_attributes": "colour=blue"}, "specific_attributes", "Unknown attribute 'colour'"),
    ({"specific_attributes": "endpoint_url=ftp://example.org"}, "specific_attributes", "http(s)"),
    ({"resource": "a/b"}, "resource", "without '/'"),
    ({"display_name": ""}, "display_name", "blank"),
    ({"owner_id": 5}, "owner_id", "not supported"),
])
def test_bad_storages_are_refused(api: APIClient, storage_body: dict[str, Any], cloud: Backend,
                                  changes: dict[str, Any], field: str | None, words: str) -> None:
    _assert_refused(api, cloud, {**storage_body, **changes}, field, words)


def test_wrong_credentials_are_refused(api: APIClient, storage_body: dict[str, Any], cloud: Backend,
                                       caplog: pytest.LogCaptureFixture) -> None:
    """Each provider's credentials types: wrong secrets, missing or extra fields, other types."""
    caplog.set_level(logging.INFO)
    for changes, field, words in cloud.refusals():
        _assert_refused(api, cloud, {**storage_body, **changes}, field, words)
    assert f"on {cloud.noun} {storage_body['resource']} failed" in caplog.text  # logged, without the secrets:
    assert not [secret for secret in cloud.secret_texts() if secret in caplog.text]


def _assert_refused(api: APIClient, cloud: Backend, body: dict[str, Any], field: str | None, words: str) -> None:
    response = cloud.post(api, body)
    assert response.status_code == 400, (body, response.content)
    answer = response.json()
    text = str(answer[field] if field else answer["detail"])
    assert words in text, (body, answer)
    assert not [secret for secret in cloud.secret_texts() if secret in str(answer)]
    for internal in ("Traceback", "Error(", "azure.", "google.", "botocore", "/site-packages/"):
        assert internal not in str(answer)
    if field is None:
        assert "Cloud storage 'Bucket'" in text
    assert CloudStorage.objects.count() == 0


def test_unreachable_endpoint(api: APIClient, storage_body: dict[str, Any], cloud: Backend) -> None:
    body = {**storage_body, "specific_attributes": cloud.unreachable_attributes()}
    response = cloud.post(api, body)
    assert response.status_code == 400
    assert "does not answer" in response.json()["detail"]


def test_private_endpoints_refused_by_default(api: APIClient, storage_body: dict[str, Any], cloud: Backend,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INKLAB_CLOUD_ALLOW_PRIVATE")
    response = cloud.post(api, storage_body)
    assert response.status_code == 400
    assert "private address" in str(response.json()["specific_attributes"])


def test_status_follows_the_bucket(api: APIClient, make_storage: Callable[..., Any], cloud: Backend,
                                   bucket: str) -> None:
    storage = make_storage()
    cloud.delete(bucket)
    assert api.get(f"/api/cloudstorages/{storage['id']}/status").json() == "NOT_FOUND"
    response = api.get(f"/api/cloudstorages/{storage['id']}/content-v2")
    assert response.status_code == 400
    assert f"Cloud storage {storage['id']} ('Bucket'): {cloud.noun} '{bucket}' does not exist" in \
        response.json()["detail"]


def test_storages_are_private_to_their_owner(make_user: Callable[..., Any], client_for: Callable[..., APIClient],
                                             make_storage: Callable[..., Any], api: APIClient) -> None:
    alice, bob = client_for(make_user("alice")), client_for(make_user("bob"))
    mine = make_storage(client=alice)
    assert mine["owner"]["username"] == "alice"
    assert bob.get("/api/cloudstorages").json()["count"] == 0
    for suffix in ("", "/status", "/content-v2", "/preview", "/actions"):
        assert bob.get(f"/api/cloudstorages/{mine['id']}{suffix}").status_code == 404
    assert bob.patch(f"/api/cloudstorages/{mine['id']}", {"description": "x"}, format="json").status_code == 404
    assert bob.delete(f"/api/cloudstorages/{mine['id']}").status_code == 404
    assert api.get(f"/api/cloudstorages/{mine['id']}").status_code == 200  # admins see everything
    assert api.get("/api/cloudstorages/99999").status_code == 404


def test_bad_listing_parameters(api: APIClient, make_storage: Callable[..., Any]) -> None:
    storage = make_storage()
    url = f"/api/cloudstorages/{storage['id']}/content-v2"
    assert "page_size" in api.get(url, {"page_size": "many"}).json()
    assert "page_size" in api.get(url, {"page_size": 0}).json()


@pytest.mark.parametrize("attributes", ["endpoint_url=http://[::1", "endpoint_url=http://127.0.0.1:99999",
                                        "region=not a region!", "endpoint_url=http://%00"])
def test_malformed_attributes_are_400(api: APIClient, storage_body: dict[str, Any], cloud: Backend,
                                     attributes: str) -> None:
    response = cloud.post(api, {**storage_body, "specific_attributes": attributes})
    assert response.status_code == 400, response.content
    assert CloudStorage.objects.count() == 0


def test_organization_storages_follow_the_roles(make_user: Callable[..., Any],
                                                client_for: Callable[[Any], APIClient],
                                                storage_body: dict[str, Any], cloud: Backend) -> None:
    """An organization's storage: maintainers and the owner make, change and delete it,
    supervisors see and browse it, workers and outsiders do not see it."""
    c = {name: client_for(make_user(name)) for name in ("alice", "bob", "carol", "dave", "eve")}
    assert c["alice"].post("/api/organizations", {"slug": "acme"}, format="json").status_code == 201
    for name, role in (("bob", "maintainer"), ("carol", "supervisor"), ("dave", "worker")):
        key = c["alice"].post("/api/invitations", {"email": f"{name}@x.org", "role": role}, format="json",
                              HTTP_X_ORGANIZATION="acme").json()["key"]
        assert c[name].post(f"/api/invitations/{key}/accept").status_code == 200
    acme = {"HTTP_X_ORGANIZATION": "acme"}
    refused = cloud.post(c["carol"], storage_body, **acme)
    assert refused.status_code == 403 and "acme" in str(refused.json())
    created = cloud.post(c["bob"], storage_body, **acme)
    assert created.status_code == 201, created.content
    storage = created.json()
    assert storage["organization"] == c["alice"].get("/api/organizations").json()["results"][0]["id"]
    path = f"/api/cloudstorages/{storage['id']}"
    assert [s["id"] for s in c["carol"].get("/api/cloudstorages", **acme).json()["results"]] == [storage["id"]]
    assert c["carol"].get(f"{path}/content-v2").status_code == 200
    assert c["carol"].patch(path, {"description": "mine now"}, format="json").status_code == 403
    assert c["carol"].delete(path).status_code == 403
    for outsider in ("dave", "eve"):
        assert c[outsider].get(path).status_code == 404
        assert c[outsider].get("/api/cloudstorages").json()["results"] == []
    assert c["bob"].get("/api/cloudstorages", HTTP_X_ORGANIZATION="").json()["results"] == []  # not personal
    assert c["alice"].patch(path, {"description": "shared"}, format="json").status_code == 200
    assert c["alice"].delete(path).status_code == 204
    assert CloudStorage.objects.count() == 0
