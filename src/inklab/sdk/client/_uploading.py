"""The CVAT upload protocol for task data, and TUS for single large files.

Local files go to ``POST /api/tasks/{id}/data/`` as:

1. ``Upload-Start`` (empty JSON body) → 202;
2. ``Upload-Multiple`` multipart batches of files up to :data:`MAX_REQUEST_SIZE` in all → 200;
3. files larger than that, each through TUS (create → ``PATCH`` pieces of
   :data:`TUS_CHUNK_SIZE` → done when the offset reaches the length), resuming after a failed
   piece from the offset the server reports (``HEAD``), up to :data:`MAX_TUS_ERRORS` times;
4. ``Upload-Finish`` with the data parameters as JSON → 202 ``{"rq_id": …}``.

Imports (annotations into a task or job, a dataset into a project, backups) always send their
one file through TUS, between an ``Upload-Start`` and an ``Upload-Finish`` that carry the
import's parameters in the query string (:func:`upload_for_import`).

Frame order is decided by the server from ``sorting_method`` (``upload_file_order`` carries the
caller's order for ``predefined``), since batches and TUS files do not arrive in that order.
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from urllib3.filepost import encode_multipart_formdata

from inklab.sdk.client._errors import ApiError, SdkError, TransportError
from inklab.sdk.client._progress import NullProgressReporter, ProgressReporter

if TYPE_CHECKING:
    from inklab.sdk.client._client import Client

__all__ = ["MAX_REQUEST_SIZE", "TUS_CHUNK_SIZE", "upload_for_import", "upload_task_files", "upload_with_tus"]

MAX_REQUEST_SIZE = 100 * 2**20
TUS_CHUNK_SIZE = 10 * 2**20
MAX_TUS_ERRORS = 3


def _batches(files: Sequence[Path], limit: int) -> tuple[list[list[Path]], list[Path]]:
    """Multipart batches of small files (in the given order) and the files to send alone."""
    batches: list[list[Path]] = []
    large: list[Path] = []
    current: list[Path] = []
    size = 0
    for path in files:
        file_size = path.stat().st_size
        if file_size > limit:
            large.append(path)
            continue
        if current and size + file_size > limit:
            batches.append(current)
            current, size = [], 0
        current.append(path)
        size += file_size
    if current:
        batches.append(current)
    return batches, large


def upload_task_files(client: Client, url: str, files: Sequence[Path], params: Mapping[str, Any], *,
                      pbar: ProgressReporter | None = None, max_request_size: int = MAX_REQUEST_SIZE) -> str:
    """Send local ``files`` to a task's data endpoint ``url``; return the processing request id.

    Raises ``FileNotFoundError`` before sending anything when a file is missing.
    """
    paths = [Path(f) for f in files]
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"No such file: {path}")
    reporter = pbar or NullProgressReporter()
    batches, large = _batches(paths, max_request_size)
    total = sum(p.stat().st_size for p in paths)
    with reporter.task(total=total, desc="Uploading data", unit="B", unit_scale=True, unit_divisor=1024):
        client.request("POST", url, json=None, headers={"Upload-Start": ""}, expect=(202,))
        for batch in batches:
            fields: list[tuple[str, Any]] = [("image_quality", str(params.get("image_quality", 70)))]
            for i, path in enumerate(batch):
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                fields.append((f"client_files[{i}]", (path.name, path.read_bytes(), mime)))
            body, content_type = encode_multipart_formdata(fields)
            client.request("POST", url, body=body, headers={"Upload-Multiple": "", "Content-Type": content_type},
                           expect=(200,))
            reporter.advance(sum(p.stat().st_size for p in batch))
        for path in large:
            upload_with_tus(client, url, path, pbar=reporter)
        response = client.request("POST", url, json=dict(params), headers={"Upload-Finish": ""}, expect=(202,))
    rq_id = response.json().get("rq_id")
    if not rq_id:
        raise SdkError(f"The server accepted the upload to {url} but named no request to wait for.")
    return str(rq_id)


def upload_for_import(client: Client, endpoint: str, path: Path, params: Mapping[str, Any], *,
                      pbar: ProgressReporter | None = None) -> str:
    """Send ``path`` to an import ``endpoint`` (``/api/tasks/7/annotations/`` …); return the id of
    the import request to wait for.

    ``params`` (``format``, ``conv_mask_to_poly`` …) go in the query of ``Upload-Start`` and
    ``Upload-Finish``; ``filename`` is the local name on the first and the name the server stored
    the upload under on the second. The server checks the parameters on ``Upload-Start``, so an
    unknown format fails before any byte is sent. Raises ``FileNotFoundError`` for a missing file.
    """
    if not path.is_file():
        raise FileNotFoundError(f"No such file: {path}")
    reporter = pbar or NullProgressReporter()
    query = {key: value for key, value in params.items() if value is not None}
    client.request("POST", endpoint, params={**query, "filename": path.name}, json=None,
                   headers={"Upload-Start": ""}, expect=(202,))
    with reporter.task(total=path.stat().st_size, desc=f"Uploading {path.name}", unit="B", unit_scale=True,
                       unit_divisor=1024):
        stored = upload_with_tus(client, endpoint, path, pbar=reporter)
    response = client.request("POST", endpoint, params={**query, "filename": stored}, json=None,
                              headers={"Upload-Finish": ""}, expect=(202,))
    rq_id = response.json().get("rq_id")
    if not rq_id:
        raise SdkError(f"The server accepted the upload of {path.name} but named no request to wait for.")
    return str(rq_id)


def upload_with_tus(client: Client, collection_url: str, path: Path, *,
                    pbar: ProgressReporter | None = None, chunk_size: int | None = None) -> str:
    """Upload one file with TUS to ``collection_url``; return the name the server stored it under.

    The file goes in pieces of ``chunk_size`` bytes (default :data:`TUS_CHUNK_SIZE`).
    """
    chunk_size = chunk_size or TUS_CHUNK_SIZE
    reporter = pbar or NullProgressReporter()
    length = path.stat().st_size
    tus = {"Tus-Resumable": "1.0.0"}
    metadata = "filename " + base64.b64encode(path.name.encode()).decode()
    created = client.request("POST", collection_url.rstrip("/") + "/", json=None,
                             headers={**tus, "Upload-Length": str(length), "Upload-Metadata": metadata})
    stored_name = created.headers.get("Upload-Filename")
    location = created.headers.get("Location")
    if not stored_name or not location:
        raise SdkError(f"The server did not start a TUS upload at {collection_url} (no Location/Upload-Filename).")
    offset = 0
    errors = 0
    with path.open("rb") as source:
        while True:
            source.seek(offset)
            piece = source.read(chunk_size)
            new_offset: int | None = None
            try:
                answer = client.request("PATCH", location, body=piece, headers={
                    **tus, "Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset)})
                new_offset = int(answer.headers.get("Upload-Offset", -1))
                if new_offset < offset + len(piece):
                    raise SdkError(f"The server acknowledged a wrong offset ({new_offset}) uploading {path.name}.")
            except ApiError as exc:
                if exc.status < 500 and exc.status != 409:
                    raise
                errors += 1
                header = exc.response.headers.get("Upload-Offset")
                new_offset = int(header) if header is not None else None
            except TransportError:
                errors += 1
            if errors >= MAX_TUS_ERRORS:
                raise SdkError(f"Uploading {path.name} failed {errors} times; giving up.")
            if new_offset is None:
                head = client.request("HEAD", location, headers=tus)
                new_offset = int(head.headers.get("Upload-Offset", offset))
            if not 0 <= new_offset <= length:
                raise SdkError(f"The server reported an impossible upload offset {new_offset} for {path.name}.")
            reporter.advance(new_offset - offset)
            offset = new_offset
            if offset == length:
                return str(stored_name)


