"""Task data: uploads (multipart, TUS, archives, share), ordering, frames, chunks, meta."""

from __future__ import annotations

import base64
import io
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.conf import settings
from PIL import Image
from rest_framework.test import APIClient

from tests.server.conftest import png_bytes, run_requests, upload_files

pytestmark = pytest.mark.django_db


def new_task(api: APIClient, **fields: Any) -> int:
    response = api.post("/api/tasks", {"name": "t", "labels": [{"name": "car"}], **fields}, format="json")
    assert response.status_code == 201
    return response.json()["id"]


def frame_names(api: APIClient, task_id: int) -> list[str]:
    return [f["name"] for f in api.get(f"/api/tasks/{task_id}/data/meta").json()["frames"]]


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_multipart_upload_and_original_bytes(api: APIClient) -> None:
    task_id = new_task(api)
    files = {f"im{i}.png": png_bytes(i) for i in range(3)}
    assert upload_files(api, task_id, files)["status"] == "finished"
    meta = api.get(f"/api/tasks/{task_id}/data/meta").json()
    assert [f["name"] for f in meta["frames"]] == ["im0.png", "im1.png", "im2.png"]
    assert meta["frames"][0] | {} == {"name": "im0.png", "width": 64, "height": 48, "related_files": 0,
                                      "has_related_context": False}
    assert meta["deleted_frames"] == [] and meta["size"] == 3 and meta["chunks_updated_date"].endswith("Z")
    for i in range(3):
        response = api.get(f"/api/tasks/{task_id}/data/", {"type": "frame", "number": i, "quality": "original"})
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == files[f"im{i}.png"]


def test_chunks_hold_frames_by_position_and_compressed_quality(api: APIClient) -> None:
    task_id = new_task(api)
    files = {f"f{i}.png": png_bytes(i, (80, 60)) for i in range(5)}
    upload_files(api, task_id, files, chunk_size=2, image_quality=30)
    assert api.get(f"/api/tasks/{task_id}").json()["data_chunk_size"] == 2
    api.patch(f"/api/tasks/{task_id}/data/meta", {"deleted_frames": [1]}, format="json")
    chunk = api.get(f"/api/tasks/{task_id}/data/", {"type": "chunk", "number": 0, "quality": "original"})
    with zipfile.ZipFile(io.BytesIO(b"".join(chunk.streaming_content))) as zf:
        members = zf.infolist()
        assert len(members) == 2  # the deleted frame keeps its position
        assert all(m.compress_type == zipfile.ZIP_STORED for m in members)
        assert [zf.read(m) for m in members] == [files["f0.png"], files["f1.png"]]
    last = api.get(f"/api/tasks/{task_id}/data/", {"type": "chunk", "number": 2, "quality": "compressed"})
    with zipfile.ZipFile(io.BytesIO(b"".join(last.streaming_content))) as zf:
        (member,) = zf.infolist()
        image = Image.open(io.BytesIO(zf.read(member)))
        assert image.format == "JPEG" and image.size == (80, 60)
    original = np.asarray(Image.open(io.BytesIO(files["f4.png"])).convert("RGB"), dtype=float)
    assert np.abs(np.asarray(image.convert("RGB"), dtype=float) - original).mean() > 1  # really recompressed
    assert api.get(f"/api/tasks/{task_id}/data/", {"type": "chunk", "number": 3}).status_code == 400
    frame = api.get(f"/api/tasks/{task_id}/data/", {"type": "frame", "number": 0})  # default: compressed
    assert frame["Content-Type"] == "image/jpeg"


def test_job_data_uses_job_relative_chunks(api: APIClient) -> None:
    task_id = new_task(api, segment_size=3)
    upload_files(api, task_id, {f"f{i}.png": png_bytes(i) for i in range(5)}, chunk_size=2)
    jobs = api.get("/api/jobs", {"task_id": task_id}).json()["results"]
    second = jobs[1]
    assert (second["start_frame"], second["stop_frame"]) == (3, 4)
    chunk = api.get(f"/api/jobs/{second['id']}/data", {"type": "chunk", "index": 0, "quality": "original"})
    with zipfile.ZipFile(io.BytesIO(b"".join(chunk.streaming_content))) as zf:
        assert [zf.read(m) for m in zf.infolist()] == [png_bytes(3), png_bytes(4)]
    meta = api.get(f"/api/jobs/{second['id']}/data/meta").json()
    assert [f["name"] for f in meta["frames"]] == ["f3.png", "f4.png"] and meta["start_frame"] == 3
    assert api.get(f"/api/jobs/{second['id']}/data", {"type": "frame", "number": 0}).status_code == 400
    assert api.get(f"/api/jobs/{second['id']}/data", {"type": "frame", "number": 4,
                                                      "quality": "original"}).status_code == 200
    assert api.get(f"/api/jobs/{second['id']}/preview")["Content-Type"] == "image/jpeg"


def test_tus_upload_with_resume(api: APIClient) -> None:
    task_id = new_task(api)
    data = png_bytes(7)
    assert api.post(f"/api/tasks/{task_id}/data/", HTTP_UPLOAD_START="", format="json").status_code == 202
    created = api.post(f"/api/tasks/{task_id}/data/", HTTP_TUS_RESUMABLE="1.0.0",
                       HTTP_UPLOAD_LENGTH=str(len(data)),
                       HTTP_UPLOAD_METADATA="filename " + base64.b64encode(b"big.png").decode(), format="json")
    assert created.status_code == 201
    location, stored = created["Location"], created["Upload-Filename"]
    assert location.startswith(f"http://testserver/api/tasks/{task_id}/data/") and stored == "big.png"
    half = len(data) // 2
    first = api.generic("PATCH", location, data[:half], content_type="application/offset+octet-stream",
                        HTTP_UPLOAD_OFFSET="0", HTTP_TUS_RESUMABLE="1.0.0")
    assert first.status_code == 204 and first["Upload-Offset"] == str(half)
    stale = api.generic("PATCH", location, data[:half], content_type="application/offset+octet-stream",
                        HTTP_UPLOAD_OFFSET="0", HTTP_TUS_RESUMABLE="1.0.0")
    assert stale.status_code == 409 and stale["Upload-Offset"] == str(half)
    assert api.head(location, HTTP_TUS_RESUMABLE="1.0.0")["Upload-Offset"] == str(half)
    rest = api.generic("PATCH", location, data[half:], content_type="application/offset+octet-stream",
                       HTTP_UPLOAD_OFFSET=str(half), HTTP_TUS_RESUMABLE="1.0.0")
    assert rest["Upload-Offset"] == str(len(data))
    finish = api.post(f"/api/tasks/{task_id}/data/", {"image_quality": 70}, HTTP_UPLOAD_FINISH="", format="json")
    run_requests()
    assert api.get(f"/api/requests/{finish.json()['rq_id']}").json()["status"] == "finished"
    response = api.get(f"/api/tasks/{task_id}/data/", {"type": "frame", "number": 0, "quality": "original"})
    assert b"".join(response.streaming_content) == data


def test_archives_sorting_and_frame_selection(api: APIClient) -> None:
    names = ["img10.png", "img2.png", "img1.png", "sub/img3.png"]
    archive = zip_of({name: png_bytes(i) for i, name in enumerate(names)})
    task_id = new_task(api)
    assert upload_files(api, task_id, {"pack.zip": archive}, sorting_method="natural")["status"] == "finished"
    assert frame_names(api, task_id) == ["img1.png", "img2.png", "img10.png", "sub/img3.png"]

    task_id = new_task(api)
    upload_files(api, task_id, {"pack.zip": archive}, sorting_method="lexicographical", start_frame=1,
                 stop_frame=3, frame_filter="step=2")
    assert frame_names(api, task_id) == ["img10.png", "sub/img3.png"]
    meta = api.get(f"/api/tasks/{task_id}/data/meta").json()
    assert (meta["start_frame"], meta["stop_frame"], meta["frame_filter"]) == (1, 3, "step=2")

    tar_buffer = io.BytesIO()
    with tarfile.open(fileobj=tar_buffer, mode="w:gz") as tar:
        for i, name in enumerate(["b.png", "a.png"]):
            data = png_bytes(i)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    task_id = new_task(api)
    upload_files(api, task_id, {"pack.tar.gz": tar_buffer.getvalue()})
    assert frame_names(api, task_id) == ["a.png", "b.png"]


def test_predefined_order(api: APIClient) -> None:
    task_id = new_task(api)
    files = {"a.png": png_bytes(0), "b.png": png_bytes(1), "c.png": png_bytes(2)}
    upload_files(api, task_id, files, sorting_method="predefined", upload_file_order=["c.png", "a.png", "b.png"])
    assert frame_names(api, task_id) == ["c.png", "a.png", "b.png"]


def test_server_share(api: APIClient) -> None:
    share = Path(settings.SHARE_ROOT)
    (share / "set").mkdir()
    for i in range(2):
        (share / "set" / f"s{i}.png").write_bytes(png_bytes(i))
    (share / "one.png").write_bytes(png_bytes(5))
    listing = api.get("/api/server/share", {"directory": "/"}).json()
    assert {"name": "set", "type": "DIR", "mime_type": "DIR"} in listing
    task_id = new_task(api)
    response = api.post(f"/api/tasks/{task_id}/data/", {"image_quality": 70, "server_files": ["set/", "one.png"]},
                        format="json")
    assert response.status_code == 202
    run_requests()
    assert frame_names(api, task_id) == ["one.png", "set/s0.png", "set/s1.png"]
    assert (share / "one.png").exists()  # the share is left as it was


def test_deleted_frames_bump_updated_date(api: APIClient) -> None:
    task_id = new_task(api)
    upload_files(api, task_id, {f"f{i}.png": png_bytes(i) for i in range(4)})
    before = api.get(f"/api/tasks/{task_id}").json()["updated_date"]
    meta = api.patch(f"/api/tasks/{task_id}/data/meta", {"deleted_frames": [3, 1]}, format="json").json()
    assert meta["deleted_frames"] == [1, 3]
    assert api.get(f"/api/tasks/{task_id}").json()["updated_date"] > before
    assert api.patch(f"/api/tasks/{task_id}/data/meta", {"deleted_frames": [9]}, format="json").status_code == 400
    assert api.patch(f"/api/tasks/{task_id}/data/meta", {"deleted_frames": "1"}, format="json").status_code == 400


def test_data_cannot_be_replaced(api: APIClient) -> None:
    task_id = new_task(api)
    upload_files(api, task_id, {"a.png": png_bytes(0)})
    response = api.post(f"/api/tasks/{task_id}/data/", HTTP_UPLOAD_START="", format="json")
    assert response.status_code == 409 and "already has data" in response.json()["detail"]


def test_video_task_becomes_image_frames(api: APIClient, tmp_path: Path) -> None:
    av = pytest.importorskip("av")
    path = tmp_path / "clip.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(6):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 40, dtype=np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    task_id = new_task(api)
    assert upload_files(api, task_id, {"clip.mp4": path.read_bytes()}, frame_filter="step=2")["status"] == "finished"
    task = api.get(f"/api/tasks/{task_id}").json()
    assert (task["size"], task["mode"], task["media_type"]) == (3, "interpolation", "video")
    assert frame_names(api, task_id) == ["frame_000000.jpg", "frame_000002.jpg", "frame_000004.jpg"]
    frame = api.get(f"/api/tasks/{task_id}/data/", {"type": "frame", "number": 2, "quality": "original"})
    pixels = np.asarray(Image.open(io.BytesIO(b"".join(frame.streaming_content))))
    assert abs(pixels.mean() - 160) < 8  # the fifth source frame (value 4 * 40)


def test_server_share_of_a_fresh_install_is_empty(api: APIClient, settings: Any, tmp_path: Path) -> None:
    settings.SHARE_ROOT = tmp_path / "not-created-yet"
    response = api.get("/api/server/share")
    assert response.status_code == 200 and response.json() == []
    missing = api.get("/api/server/share", {"directory": "/sub"})
    assert missing.status_code == 404 and "'sub'" in missing.json()["detail"]


def test_upload_start_answers_with_json(api: APIClient, make_task) -> None:  # type: ignore[no-untyped-def]
    """Upload-Start answered 202 without a body or Content-Type, which the schema did not say."""
    task = make_task(0)
    for path in (f"/api/tasks/{task['id']}/data/", "/api/tasks/backup/", "/api/projects/backup/",
                 f"/api/tasks/{task['id']}/annotations/?format=COCO+1.0"):
        response = api.post(path, HTTP_UPLOAD_START="", format="json")
        assert response.status_code == 202, (path, response.content)
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "The upload has started: send the files, then Upload-Finish."}
