"""Every bad upload ends the request as failed, names the file, and leaves no frames behind."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from inklab.server.media.models import Frame
from tests.server.conftest import png_bytes, run_requests, upload_files
from tests.support.images import png_header

pytestmark = pytest.mark.django_db


def new_task(api: APIClient) -> int:
    return api.post("/api/tasks", {"name": "t", "labels": [{"name": "car"}]}, format="json").json()["id"]


def assert_failed_cleanly(api: APIClient, task_id: int, status: dict, *fragments: str) -> None:  # type: ignore[type-arg]
    assert status["status"] == "failed", status
    for fragment in fragments:
        assert fragment in status["message"], status["message"]
    task = api.get(f"/api/tasks/{task_id}").json()
    assert task["size"] == 0 and task["data"] is None and task["jobs"]["count"] == 0
    assert not Frame.objects.filter(task_id=task_id).exists()
    task_dir = Path(settings.MEDIA_ROOT) / "tasks" / str(task_id)
    leftovers = [p for p in task_dir.rglob("*") if p.is_file()] if task_dir.exists() else []
    assert leftovers == [], leftovers


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_corrupt_image(api: APIClient) -> None:
    task_id = new_task(api)
    broken = png_bytes(1)[:60]
    status = upload_files(api, task_id, {"good.png": png_bytes(0), "broken.png": broken})
    assert_failed_cleanly(api, task_id, status, "'broken.png'", "not a valid image")


def test_not_an_image(api: APIClient) -> None:
    task_id = new_task(api)
    status = upload_files(api, task_id, {"a.png": png_bytes(0), "notes.txt": b"hello"})
    assert_failed_cleanly(api, task_id, status, "'notes.txt'", "neither an image")


def test_image_with_a_lying_extension(api: APIClient) -> None:
    task_id = new_task(api)
    status = upload_files(api, task_id, {"photo.jpg": b"%PDF-1.4 not an image at all"})
    assert_failed_cleanly(api, task_id, status, "'photo.jpg'")


@pytest.mark.parametrize("member", ["../escape.png", "/etc/evil.png", "a/../../escape.png"])
def test_path_traversal_in_zip(api: APIClient, member: str, tmp_path: Path) -> None:
    task_id = new_task(api)
    status = upload_files(api, task_id, {"evil.zip": zip_bytes({"ok.png": png_bytes(0), member: png_bytes(1)})})
    assert_failed_cleanly(api, task_id, status, "'evil.zip'", "path")
    assert not (Path(settings.MEDIA_ROOT).parent / "escape.png").exists()
    assert not Path("/etc/evil.png").exists()


def test_symlink_in_tar(api: APIClient) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        link = tarfile.TarInfo("link.png")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tar.addfile(link)
    task_id = new_task(api)
    status = upload_files(api, task_id, {"links.tar": buffer.getvalue()})
    assert_failed_cleanly(api, task_id, status, "'links.tar'", "link")


def test_archive_bomb_limits(api: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # A small zip that unpacks to far more than the limit: stopped while unpacking.
    monkeypatch.setenv("INKLAB_MAX_ARCHIVE_BYTES", str(1024 * 1024))
    bomb = zip_bytes({"zeros.png": b"\0" * (8 * 1024 * 1024)})
    assert len(bomb) < 64 * 1024
    task_id = new_task(api)
    status = upload_files(api, task_id, {"bomb.zip": bomb})
    assert_failed_cleanly(api, task_id, status, "'bomb.zip'", "more than the allowed size")

    monkeypatch.setenv("INKLAB_MAX_ARCHIVE_MEMBERS", "3")
    many = zip_bytes({f"{i}.png": png_bytes(0) for i in range(5)})
    task_id = new_task(api)
    status = upload_files(api, task_id, {"many.zip": many})
    assert_failed_cleanly(api, task_id, status, "'many.zip'", "5 members")


def test_corrupt_archive(api: APIClient) -> None:
    task_id = new_task(api)
    status = upload_files(api, task_id, {"cut.zip": zip_bytes({"a.png": png_bytes(0)})[:-30]})
    assert_failed_cleanly(api, task_id, status, "'cut.zip'")


def test_share_paths_cannot_escape(api: APIClient) -> None:
    share = Path(settings.SHARE_ROOT)
    outside = share.parent / "outside.png"
    outside.write_bytes(png_bytes(0))
    os.symlink(outside, share / "link.png")
    for entry, message in [("../outside.png", "outside the server share"),
                           ("link.png", "outside the server share"),
                           ("missing.png", "does not exist")]:
        task_id = new_task(api)
        api.post(f"/api/tasks/{task_id}/data/", {"image_quality": 70, "server_files": [entry]}, format="json")
        run_requests()
        status = api.get("/api/requests", {"task_id": task_id}).json()["results"][0]
        assert_failed_cleanly(api, task_id, status, message)
    assert api.get("/api/server/share", {"directory": "../"}).status_code == 400


def test_remote_files_must_be_public(api: APIClient) -> None:
    task_id = new_task(api)
    api.post(f"/api/tasks/{task_id}/data/", {"image_quality": 70, "remote_files": ["http://127.0.0.1:1/a.png"]},
             format="json")
    run_requests()
    status = api.get("/api/requests", {"task_id": task_id}).json()["results"][0]
    assert_failed_cleanly(api, task_id, status, "private address")
    task_id = new_task(api)
    api.post(f"/api/tasks/{task_id}/data/", {"image_quality": 70, "remote_files": ["file:///etc/passwd"]},
             format="json")
    run_requests()
    status = api.get("/api/requests", {"task_id": task_id}).json()["results"][0]
    assert_failed_cleanly(api, task_id, status, "not an http(s) URL")


@pytest.mark.parametrize("params, message", [
    ({"image_quality": 0}, "image_quality"),
    ({"image_quality": 70, "sorting_method": "sideways"}, "sorting_method"),
    ({"image_quality": 70, "frame_filter": "every=2"}, "frame_filter"),
    ({"image_quality": 70, "start_frame": 5, "stop_frame": 2}, "frame range"),
    ({"image_quality": 70, "chunk_size": 0}, "chunk_size"),
])
def test_bad_data_parameters_are_400(api: APIClient, params: dict, message: str) -> None:  # type: ignore[type-arg]
    from django.core.files.uploadedfile import SimpleUploadedFile

    task_id = new_task(api)
    api.post(f"/api/tasks/{task_id}/data/", HTTP_UPLOAD_START="", format="json")
    api.post(f"/api/tasks/{task_id}/data/", {"client_files[0]": SimpleUploadedFile("a.png", png_bytes(0))},
             HTTP_UPLOAD_MULTIPLE="", format="multipart")
    response = api.post(f"/api/tasks/{task_id}/data/", params, HTTP_UPLOAD_FINISH="", format="json")
    assert response.status_code == 400 and message in response.content.decode()


def test_finish_without_files_is_400(api: APIClient) -> None:
    task_id = new_task(api)
    api.post(f"/api/tasks/{task_id}/data/", HTTP_UPLOAD_START="", format="json")
    response = api.post(f"/api/tasks/{task_id}/data/", {"image_quality": 70}, HTTP_UPLOAD_FINISH="", format="json")
    assert response.status_code == 400 and "No files" in response.json()["detail"]


def test_a_failed_upload_can_be_retried(api: APIClient) -> None:
    task_id = new_task(api)
    assert upload_files(api, task_id, {"x.txt": b"text"})["status"] == "failed"
    assert upload_files(api, task_id, {"a.png": png_bytes(0)})["status"] == "finished"
    assert api.get(f"/api/tasks/{task_id}").json()["size"] == 1


def test_duplicate_names_are_refused(api: APIClient) -> None:
    task_id = new_task(api)
    status = upload_files(api, task_id, {"pack.zip": zip_bytes({"a/x.png": png_bytes(0)}),
                                         "x.png": png_bytes(1)})
    assert status["status"] == "finished"  # different paths: a/x.png and x.png
    task_id = new_task(api)
    double = zip_bytes({"x.png": png_bytes(0)})
    status = upload_files(api, task_id, {"one.zip": double, "two.zip": double})
    assert_failed_cleanly(api, task_id, status, "Several files are named 'x.png'")


def test_an_image_over_the_pixel_limit_is_refused_from_its_header(api: APIClient) -> None:
    # 68 bytes claiming 13000 x 13000 = 169 million pixels: over the default limit of 150 million
    bomb = png_header(13000, 13000)
    assert len(bomb) < 100
    task_id = new_task(api)
    status = upload_files(api, task_id, {"a.png": png_bytes(0), "huge.png": bomb})
    assert_failed_cleanly(api, task_id, status,
                          "'huge.png' is too large to be a frame: it has more than the limit of 150,000,000 pixels")


def test_the_pixel_limit_is_a_setting(api: APIClient, settings: Any) -> None:
    settings.MAX_IMAGE_PIXELS = 2000
    task_id = new_task(api)
    status = upload_files(api, task_id, {"small.png": png_bytes(0, (40, 50)), "big.png": png_bytes(1, (64, 48))})
    assert_failed_cleanly(api, task_id, status, "'big.png' is too large to be a frame",
                          "more than the limit of 2,000 pixels")
    assert upload_files(api, task_id, {"small.png": png_bytes(0, (40, 50))})["status"] == "finished"
    settings.MAX_IMAGE_PIXELS = 1500
    from PIL import Image

    assert Image.MAX_IMAGE_PIXELS == 750  # Pillow refuses what the server refuses


def test_frames_are_images_of_the_frame_formats(api: APIClient, tmp_path: Path) -> None:
    from PIL import Image

    icon = io.BytesIO()
    Image.new("RGB", (16, 16)).save(icon, format="ICO")
    task_id = new_task(api)
    status = upload_files(api, task_id, {"icon.png": icon.getvalue()})
    assert_failed_cleanly(api, task_id, status, "'icon.png' is an image in ICO format; frames are BMP, GIF, JPEG, PNG")
