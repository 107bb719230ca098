"""The client side of the export, import and backup flows, driven with the Django test client
exactly as the CVAT SDK drives them (Upload-Start, TUS create and PATCH, Upload-Finish, polling)."""

from __future__ import annotations

import base64
import io
import zipfile
from typing import Any
from urllib.parse import urlencode

from rest_framework.test import APIClient

from tests.server.conftest import run_requests

__all__ = ["download", "export", "import_file", "queue_import", "status_of", "upload"]


def status_of(client: APIClient, rq_id: str) -> dict[str, Any]:
    run_requests()
    body = client.get(f"/api/requests/{rq_id}").json()
    assert body["status"] in ("finished", "failed"), body
    return body


def export(client: APIClient, path: str, **query: Any) -> dict[str, Any]:
    """POST an export, run it, return the request body."""
    response = client.post(f"{path}?{urlencode(query)}", format="json")
    assert response.status_code == 202, response.content
    return status_of(client, response.json()["rq_id"])


def download(client: APIClient, request: dict[str, Any]) -> tuple[bytes, str]:
    """The finished export's bytes and the file name from Content-Disposition."""
    assert request["status"] == "finished", request
    response = client.get(request["result_url"])
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    return b"".join(response.streaming_content), disposition.split("filename=", 1)[1].strip('"')


def import_file(client: APIClient, endpoint: str, data: bytes, filename: str, **query: Any) -> dict[str, Any]:
    """The SDK's import flow on ``endpoint`` (with a trailing slash); returns the request body."""
    queued = queue_import(client, endpoint, data, filename, **query)
    if "rq_id" not in queued:
        return queued
    return status_of(client, queued["rq_id"])


def upload(client: APIClient, endpoint: str, data: bytes, filename: str) -> str:
    """A TUS upload to ``endpoint``; returns the stored name (``Upload-Filename``)."""
    meta = "filename " + base64.b64encode(filename.encode()).decode()
    created = client.post(endpoint, HTTP_TUS_RESUMABLE="1.0.0", HTTP_UPLOAD_LENGTH=str(len(data)),
                          HTTP_UPLOAD_METADATA=meta, content_type="application/json")
    assert created.status_code == 201, created.content
    location, stored = created["Location"], created["Upload-Filename"]
    for offset in range(0, max(len(data), 1), 1 << 20):
        chunk = data[offset:offset + (1 << 20)]
        patched = client.generic("PATCH", location, chunk, content_type="application/offset+octet-stream",
                                 HTTP_TUS_RESUMABLE="1.0.0", HTTP_UPLOAD_OFFSET=str(offset))
        assert patched.status_code == 204, patched.content
    return str(stored)


def queue_import(client: APIClient, endpoint: str, data: bytes, filename: str, **query: Any) -> dict[str, Any]:
    """The SDK's import flow up to ``Upload-Finish``, without running the request: ``{"rq_id": ...}``,
    or the refusal (``status_code`` and ``body``)."""
    start = client.post(f"{endpoint}?{urlencode({**query, 'filename': filename})}", HTTP_UPLOAD_START="",
                        format="json")
    if start.status_code != 202:
        return {"status_code": start.status_code, "body": start.json()}
    stored = upload(client, endpoint, data, filename)
    finish = client.post(f"{endpoint}?{urlencode({**query, 'filename': stored})}", HTTP_UPLOAD_FINISH="",
                         format="json")
    if finish.status_code != 202:
        return {"status_code": finish.status_code, "body": finish.json()}
    return {"rq_id": finish.json()["rq_id"]}


def zip_bytes(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buffer.getvalue()
