"""The shared media store (``INKLAB_MEDIA_URL=s3://...``) against a real S3 API (moto in server mode).

"Another machine" is a fresh ``MEDIA_ROOT`` (each machine's own cache) on the same database: what
it serves must come from the bucket, equal to what the first machine served.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from rest_framework.test import APIClient

from inklab.server.media import blobstore
from tests.server.conftest import png_bytes, run_requests, upload_files
from tests.server.datasets.flows import download, export
from tests.support.s3 import S3Server

pytestmark = pytest.mark.django_db

PREFIX = "deploy"


@pytest.fixture
def bucket(s3_server: S3Server, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A new bucket configured as the media store (credentials from the AWS environment variables)."""
    name = s3_server.bucket(f"media-{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.secret)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    settings.MEDIA_STORE_URL = f"s3://{name}/{PREFIX}"
    settings.MEDIA_STORE_ENDPOINT_URL = s3_server.url
    blobstore._backend.cache_clear()
    yield name
    blobstore._backend.cache_clear()


def keys(s3_server: S3Server, bucket: str, prefix: str = "") -> list[str]:
    found = s3_server.client().list_objects_v2(Bucket=bucket, Prefix=f"{PREFIX}/{prefix}").get("Contents", [])
    return sorted(item["Key"][len(PREFIX) + 1:] for item in found)


def other_machine(settings: Any, tmp_path: Path) -> Path:
    """Point this process at a new, empty media cache, as a server on another machine has."""
    settings.MEDIA_ROOT = tmp_path / f"machine-{uuid.uuid4().hex[:6]}" / "media"
    return settings.MEDIA_ROOT


def new_task(api: APIClient) -> int:
    response = api.post("/api/tasks", {"name": "shared", "labels": [{"name": "car"}]}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def body(response: Any) -> bytes:
    assert response.status_code == 200, response.content if hasattr(response, "content") else response
    return b"".join(response.streaming_content)


def pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"))


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def everything(api: APIClient, task_id: int, frames: int, chunks: int) -> dict[str, bytes]:
    """Every file a client can read about the task: frames, chunks and previews."""
    url = f"/api/tasks/{task_id}/data/"
    got = {}
    for quality in ("original", "compressed"):
        for number in range(frames):
            got[f"frame-{quality}-{number}"] = body(api.get(url, {"type": "frame", "number": number,
                                                                  "quality": quality}))
        for number in range(chunks):
            got[f"chunk-{quality}-{number}"] = body(api.get(url, {"type": "chunk", "number": number,
                                                                  "quality": quality}))
    got["preview-task"] = body(api.get(f"/api/tasks/{task_id}/preview"))
    return got


def test_frames_chunks_and_previews_are_served_by_another_machine(api: APIClient, bucket: str, s3_server: S3Server,
                                                                  settings: Any, tmp_path: Path) -> None:
    files = {f"f{i}.png": png_bytes(i, (80, 60)) for i in range(5)}
    task_id = new_task(api)
    assert upload_files(api, task_id, files, chunk_size=2, image_quality=40)["status"] == "finished"
    assert keys(s3_server, bucket, f"media/tasks/{task_id}/frames/") == [
        f"media/tasks/{task_id}/frames/{i}.png" for i in range(5)]
    first = everything(api, task_id, frames=5, chunks=3)

    cache = other_machine(settings, tmp_path)
    second = everything(api, task_id, frames=5, chunks=3)
    assert (cache / "tasks" / str(task_id) / "frames" / "0.png").is_file()  # downloaded into this cache
    for number in range(5):
        assert second[f"frame-original-{number}"] == files[f"f{number}.png"]
        assert np.array_equal(pixels(second[f"frame-compressed-{number}"]), pixels(first[f"frame-compressed-{number}"]))
    for name in ("chunk-original-0", "chunk-original-2", "chunk-compressed-1"):
        theirs, ours = members(first[name]), members(second[name])
        assert list(ours) == list(theirs) and len(ours) in (1, 2)
        for member in ours:
            assert np.array_equal(pixels(ours[member]), pixels(theirs[member]))
    assert members(second["chunk-original-1"]) == {"000002.png": files["f2.png"], "000003.png": files["f3.png"]}
    assert np.array_equal(pixels(second["preview-task"]), pixels(first["preview-task"]))
    # the derived files the first machine made were kept in the bucket for the others
    assert f"media/tasks/{task_id}/chunks/compressed/2-3.zip" in keys(s3_server, bucket, f"media/tasks/{task_id}/")


def test_files_uploaded_through_one_machine_are_processed_on_another(api: APIClient, bucket: str,
                                                                     s3_server: S3Server, settings: Any,
                                                                     tmp_path: Path) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    task_id = new_task(api)
    url = f"/api/tasks/{task_id}/data/"
    assert api.post(url, HTTP_UPLOAD_START="", format="json").status_code == 202
    files = {"b.png": png_bytes(7), "a.png": png_bytes(8)}
    batch = {f"client_files[{i}]": SimpleUploadedFile(n, d) for i, (n, d) in enumerate(files.items())}
    assert api.post(url, batch, HTTP_UPLOAD_MULTIPLE="", format="multipart").status_code == 200
    assert len(keys(s3_server, bucket, f"media/tasks/{task_id}/upload/")) == 2

    other_machine(settings, tmp_path)  # Upload-Finish and the worker on another machine
    response = api.post(url, {"image_quality": 70, "sorting_method": "lexicographical"}, HTTP_UPLOAD_FINISH="",
                        format="json")
    assert response.status_code == 202, response.content
    run_requests()
    assert api.get(f"/api/requests/{response.json()['rq_id']}").json()["status"] == "finished"
    assert [f["name"] for f in api.get(f"{url}meta").json()["frames"]] == ["a.png", "b.png"]
    assert body(api.get(url, {"type": "frame", "number": 1, "quality": "original"})) == files["b.png"]
    assert keys(s3_server, bucket, f"media/tasks/{task_id}/upload/") == []  # consumed


def test_upload_batches_through_several_machines_keep_their_order(api: APIClient, bucket: str, settings: Any,
                                                                  tmp_path: Path) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    task_id = new_task(api)
    url = f"/api/tasks/{task_id}/data/"
    assert api.post(url, HTTP_UPLOAD_START="", format="json").status_code == 202
    batches = [{"z.png": png_bytes(1), "m.png": png_bytes(2)}, {"k.png": png_bytes(3)}, {"a.png": png_bytes(4)}]
    for files in batches:  # each batch through another machine's server
        other_machine(settings, tmp_path)
        batch = {f"client_files[{i}]": SimpleUploadedFile(n, d) for i, (n, d) in enumerate(files.items())}
        assert api.post(url, batch, HTTP_UPLOAD_MULTIPLE="", format="multipart").status_code == 200
    other_machine(settings, tmp_path)
    response = api.post(url, {"image_quality": 70, "sorting_method": "predefined"}, HTTP_UPLOAD_FINISH="",
                        format="json")
    assert response.status_code == 202, response.content
    run_requests()
    assert api.get(f"/api/requests/{response.json()['rq_id']}").json()["status"] == "finished"
    assert [f["name"] for f in api.get(f"{url}meta").json()["frames"]] == ["z.png", "m.png", "k.png", "a.png"]
    assert body(api.get(url, {"type": "frame", "number": 2, "quality": "original"})) == png_bytes(3)


def test_an_export_made_on_one_machine_downloads_on_another(api: APIClient, bucket: str, s3_server: S3Server,
                                                           settings: Any, tmp_path: Path) -> None:
    task_id = new_task(api)
    upload_files(api, task_id, {f"f{i}.png": png_bytes(i) for i in range(2)})
    request = export(api, f"/api/tasks/{task_id}/dataset/export", format="CVAT for images 1.1", save_images=True)
    stored = [k for k in keys(s3_server, bucket, "exports/") if k.endswith(".zip")]
    assert stored == [f"exports/{request['id']}.zip"]
    local = Path(settings.DATA_DIR) / stored[0]
    made = local.read_bytes()
    local.unlink()  # the server that answers the download is not the one whose worker made it
    data, filename = download(api, request)
    assert data == made and filename.endswith(".zip")
    assert sorted(n for n in members(data) if n.startswith("images/")) == ["images/f0.png", "images/f1.png"]


def test_deleting_a_task_removes_its_keys(api: APIClient, bucket: str, s3_server: S3Server,
                                          django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    kept, removed = new_task(api), new_task(api)
    for task_id in (kept, removed):
        upload_files(api, task_id, {f"f{i}.png": png_bytes(i) for i in range(2)})
        body(api.get(f"/api/tasks/{task_id}/data/", {"type": "chunk", "number": 0, "quality": "compressed"}))
    assert keys(s3_server, bucket, f"media/tasks/{removed}/")
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/tasks/{removed}").status_code == 204
    assert keys(s3_server, bucket, f"media/tasks/{removed}/") == []
    assert f"media/tasks/{kept}/frames/0.png" in keys(s3_server, bucket, f"media/tasks/{kept}/")


@pytest.mark.parametrize("fault", ["missing bucket", "wrong secret"])
def test_an_unusable_store_is_a_clear_503(api: APIClient, bucket: str, s3_server: S3Server, settings: Any,
                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str) -> None:
    task_id = new_task(api)
    upload_files(api, task_id, {"f0.png": png_bytes(0)})
    if fault == "missing bucket":
        settings.MEDIA_STORE_URL = f"s3://no-such-{bucket}/{PREFIX}"
    else:
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    blobstore._backend.cache_clear()
    other_machine(settings, tmp_path)
    response = api.get(f"/api/tasks/{task_id}/data/", {"type": "frame", "number": 0, "quality": "original"})
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert detail == blobstore.MEDIA_STORE_UNAVAILABLE
    assert "/" not in detail and "Error" not in detail and bucket not in detail
    with pytest.raises(blobstore.MediaStoreError) as raised:
        blobstore.check()
    assert raised.value.reason.endswith("NoSuchBucket" if fault == "missing bucket" else "SignatureDoesNotMatch")


def test_without_a_store_nothing_is_shared(api: APIClient, settings: Any) -> None:
    settings.MEDIA_STORE_URL = ""
    blobstore._backend.cache_clear()
    assert not blobstore.is_shared()
    task_id = new_task(api)
    upload_files(api, task_id, {"f0.png": png_bytes(0)})
    assert body(api.get(f"/api/tasks/{task_id}/data/", {"type": "frame", "number": 0, "quality": "original"})) == \
        png_bytes(0)


def test_guide_images_are_served_by_another_machine(api: APIClient, bucket: str, s3_server: S3Server,
                                                    settings: Any, tmp_path: Path,
                                                    django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    project = api.post("/api/projects", {"name": "p", "labels": [{"name": "car"}]}, format="json").json()
    guide = api.post("/api/guides", {"project_id": project["id"], "markdown": "rules"}, format="json").json()
    image = png_bytes(3)
    created = api.post("/api/assets", {"file": SimpleUploadedFile("a.png", image), "guide_id": guide["id"]},
                       format="multipart")
    assert created.status_code == 201, created.content
    uuid_ = created.json()["uuid"]
    assert keys(s3_server, bucket, "media/assets/") == [f"media/assets/{uuid_}"]
    other_machine(settings, tmp_path)
    assert body(api.get(f"/api/assets/{uuid_}")) == image
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/assets/{uuid_}").status_code == 204
    assert keys(s3_server, bucket, "media/assets/") == []


def test_the_housekeeping_removes_keys_no_task_or_request_owns(api: APIClient, bucket: str, s3_server: S3Server,
                                                              settings: Any) -> None:
    from inklab.server.datasets.jobs import sweep_stored_exports
    from inklab.server.media.jobs import sweep_deleted_task_keys

    task_id = new_task(api)
    upload_files(api, task_id, {"f0.png": png_bytes(0)})
    request = export(api, f"/api/tasks/{task_id}/dataset/export", format="CVAT for images 1.1")
    stray = {f"media/tasks/{task_id + 1000}/frames/0.png": b"left by a deletion the store missed",
             f"exports/{uuid.uuid4()}.zip": b"an export whose request is gone"}
    for key, data in stray.items():
        s3_server.client().put_object(Bucket=bucket, Key=f"{PREFIX}/{key}", Body=data)
    assert sweep_deleted_task_keys() == 1
    assert sweep_stored_exports() == 1
    remaining = keys(s3_server, bucket)
    assert not set(stray) & set(remaining)
    assert f"media/tasks/{task_id}/frames/0.png" in remaining and f"exports/{request['id']}.zip" in remaining
    assert sweep_deleted_task_keys() == 0 and sweep_stored_exports() == 0


def _patch(api: APIClient, location: str, data: bytes, offset: int) -> Any:
    return api.generic("PATCH", location, data, content_type="application/offset+octet-stream",
                       HTTP_UPLOAD_OFFSET=str(offset), HTTP_TUS_RESUMABLE="1.0.0")


def test_the_parts_of_one_tus_upload_may_reach_different_machines(api: APIClient, bucket: str,
                                                                  s3_server: S3Server, settings: Any,
                                                                  tmp_path: Path) -> None:
    import base64

    from inklab.server.media.tus import sweep_abandoned_uploads

    task_id = new_task(api)
    url = f"/api/tasks/{task_id}/data/"
    data = png_bytes(9, (120, 90))
    assert api.post(url, HTTP_UPLOAD_START="", format="json").status_code == 202
    created = api.post(url, HTTP_TUS_RESUMABLE="1.0.0", HTTP_UPLOAD_LENGTH=str(len(data)),
                       HTTP_UPLOAD_METADATA="filename " + base64.b64encode(b"big.png").decode(), format="json")
    assert created.status_code == 201
    location = created["Location"]
    cuts = [0, len(data) // 3, 2 * len(data) // 3, len(data)]
    machines = [other_machine(settings, tmp_path) for _ in range(3)]
    for index, machine in enumerate([machines[0], machines[1], machines[0]]):  # A, B, then A again
        settings.MEDIA_ROOT = machine
        patched = _patch(api, location, data[cuts[index]:cuts[index + 1]], cuts[index])
        assert patched.status_code == 204, patched.content
        assert patched["Upload-Offset"] == str(cuts[index + 1])
        if index == 0:  # the housekeeping of a machine that never saw the upload leaves it alone
            settings.MEDIA_ROOT = machines[2]
            assert sweep_abandoned_uploads() == 0
    assert keys(s3_server, bucket, "media/uploads/") == []  # the parts go once the file is whole
    assert keys(s3_server, bucket, f"media/tasks/{task_id}/upload/") == [
        f"media/tasks/{task_id}/upload/0000000_big.png"]
    settings.MEDIA_ROOT = machines[2]
    finish = api.post(url, {"image_quality": 70}, HTTP_UPLOAD_FINISH="", format="json")
    assert finish.status_code == 202, finish.content
    run_requests()
    assert api.get(f"/api/requests/{finish.json()['rq_id']}").json()["status"] == "finished"
    assert body(api.get(url, {"type": "frame", "number": 0, "quality": "original"})) == data
