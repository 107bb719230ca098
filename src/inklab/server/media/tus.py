"""The TUS 1.0 resumable-upload protocol as the CVAT clients speak it.

``create`` answers ``POST <collection>`` (``Upload-Length``, ``Upload-Metadata: filename <b64>``)
with ``Location: <collection><uuid>`` and ``Upload-Filename``; ``append`` answers
``PATCH <Location>`` (``Upload-Offset`` must match what the server has, else 409 with the
right offset, which the client resumes from); ``head`` reports the offset. When the last
byte arrives the file is moved to its destination and the upload row disappears.

Scopes say where finished files go:

* ``task-data:<task id>`` – the task's pending upload set (name: the client's basename);
* ``import`` – the owner's import area, under a unique name returned as ``Upload-Filename``,
  which the client sends back as the ``filename`` parameter of ``Upload-Finish``.

With a shared media store (:mod:`.blobstore`) the PATCHes of one upload may reach servers on
different machines: each part but the last is also kept in the store, and a server whose own
partial file falls short of the upload's offset rebuilds it from the stored parts first.

Nothing stays for ever: uploads that receive no data for ``UPLOAD_TTL_SECONDS``, and finished
imports that no request claims within that time, are removed by the housekeeping sweeps
(:func:`sweep_abandoned_uploads`, :func:`sweep_finished_imports`).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from inklab.server.errors import Conflict, InvalidInput, NotFound
from inklab.server.media import blobstore
from inklab.server.media.models import Upload
from inklab.server.media.storage import TaskStorage, safe_basename, user_upload_dir

__all__ = ["append", "create", "discard_import", "head", "import_file", "is_tus_create", "store_in_task",
           "sweep_abandoned_uploads", "sweep_finished_imports", "upload_started"]

TUS_VERSION = "1.0.0"
MAX_UPLOAD_BYTES = int(os.environ.get("INKLAB_MAX_UPLOAD_BYTES", 64 * 1024**3))


def upload_started() -> Response:
    """The answer to CVAT's ``Upload-Start`` (which comes before the TUS uploads): 202, saying so."""
    return Response({"detail": "The upload has started: send the files, then Upload-Finish."},
                    status=status.HTTP_202_ACCEPTED)


def is_tus_create(request: Request) -> bool:
    return "Upload-Length" in request.headers and "Tus-Resumable" in request.headers


def _headers(**extra: Any) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, **{k.replace("_", "-"): str(v) for k, v in extra.items()}}


def _metadata_filename(header: str) -> str:
    for item in header.split(","):
        key, _, value = item.strip().partition(" ")
        if key == "filename":
            try:
                return base64.b64decode(value.strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError) as exc:
                raise InvalidInput("Upload-Metadata: the filename is not valid base64.") from exc
    raise InvalidInput("Upload-Metadata must carry a 'filename'.")


def _partial_path(upload: Upload) -> Path:
    return user_upload_dir(upload.owner_id) / ".tus" / f"{upload.pk}.part"


def _parts_dir(upload: Upload) -> Path:
    """Where the parts of an upload are kept in the shared media store (never on disk for long)."""
    return user_upload_dir(upload.owner_id) / ".tus" / f"{upload.pk}.parts"


def _publish_part(upload: Upload, offset: int, body: bytes) -> None:
    part = _parts_dir(upload) / f"{offset:015d}"
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(body)
    try:
        blobstore.publish(part)
    finally:
        shutil.rmtree(part.parent, ignore_errors=True)


def _catch_up(upload: Upload, path: Path) -> None:
    """Make the partial file here hold the upload's first ``offset`` bytes, from the parts that
    servers on other machines received (no-op when it does already)."""
    if path.exists() and path.stat().st_size == upload.offset:
        return
    parts = _parts_dir(upload)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "wb") as out:
            for name in sorted(blobstore.stored_names(parts)):
                with open(blobstore.local(parts / name), "rb") as part:
                    shutil.copyfileobj(part, out, 1 << 20)
    finally:
        shutil.rmtree(parts, ignore_errors=True)
    if path.stat().st_size != upload.offset:
        raise Conflict("The first parts of this upload cannot be found any more; start the upload again.")


def create(request: Request, scope: str) -> Response:
    try:
        length = int(request.headers["Upload-Length"])
    except ValueError as exc:
        raise InvalidInput("Upload-Length must be an integer.") from exc
    if length < 0 or length > MAX_UPLOAD_BYTES:
        raise InvalidInput(f"Upload-Length must be between 0 and {MAX_UPLOAD_BYTES} bytes.")
    name = safe_basename(_metadata_filename(request.headers.get("Upload-Metadata", "")))
    stored = name if scope.startswith("task-data:") else f"{uuid.uuid4().hex[:12]}_{name}"
    upload = Upload.objects.create(owner=request.user, scope=scope, filename=stored, length=length)
    path = _partial_path(upload)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    url = request.build_absolute_uri(request.path.rstrip("/") + "/" + str(upload.pk))
    return Response(status=status.HTTP_201_CREATED,
                    headers=_headers(Location=url, Upload_Filename=stored, Upload_Offset=0))


def _get(upload_id: Any, scope: str, user: Any) -> Upload:
    upload = Upload.objects.filter(pk=upload_id, scope=scope, owner=user).first()
    if upload is None:
        raise NotFound("No such upload (it may have finished or expired).")
    return upload


def head(request: Request, upload_id: Any, scope: str) -> Response:
    upload = _get(upload_id, scope, request.user)
    return Response(status=status.HTTP_200_OK,
                    headers=_headers(Upload_Offset=upload.offset, Upload_Length=upload.length,
                                     Cache_Control="no-store"))


def append(request: Request, upload_id: Any, scope: str) -> Response:
    if request.content_type != "application/offset+octet-stream":
        raise InvalidInput("A TUS PATCH needs Content-Type: application/offset+octet-stream.")
    try:
        offset = int(request.headers["Upload-Offset"])
    except (KeyError, ValueError) as exc:
        raise InvalidInput("A TUS PATCH needs an integer Upload-Offset header.") from exc
    body = request.body
    with transaction.atomic():
        upload = Upload.objects.select_for_update().filter(pk=upload_id, scope=scope, owner=request.user).first()
        if upload is None:
            raise NotFound("No such upload (it may have finished or expired).")
        if offset != upload.offset:
            return Response({"detail": f"Upload-Offset {offset} does not match the server's {upload.offset}."},
                            status=status.HTTP_409_CONFLICT, headers=_headers(Upload_Offset=upload.offset))
        if upload.offset + len(body) > upload.length:
            raise InvalidInput("The data goes past Upload-Length.")
        path = _partial_path(upload)
        shared = blobstore.is_shared()
        if shared:
            _catch_up(upload, path)
        with open(path, "r+b") as fh:
            fh.seek(upload.offset)
            fh.write(body)
        done = upload.offset + len(body) == upload.length
        if shared and not done:  # the next part may reach another machine's server
            _publish_part(upload, upload.offset, body)
        upload.offset += len(body)
        if done:
            parts = _parts_dir(upload)
            _finish(upload, path)
            upload.delete()  # (its pk is None from here on)
            if shared:
                blobstore.forget_tree(parts)
        else:
            upload.save(update_fields=["offset"])
    return Response(status=status.HTTP_204_NO_CONTENT, headers=_headers(Upload_Offset=upload.offset))


def _finish(upload: Upload, path: Path) -> None:
    kind, _, ident = upload.scope.partition(":")
    if kind == "task-data":
        blobstore.local_tree(TaskStorage(int(ident)).upload_dir)  # as in services.save_client_files
        store_in_task(int(ident), upload.filename, path)
    else:
        target = user_upload_dir(upload.owner_id) / upload.filename
        os.replace(path, target)
        blobstore.publish(target)  # the import may run on another machine


def store_in_task(task_id: int, name: str, source: Path | Any, *, publish: bool = True) -> Path:
    """Add a file to a task's pending upload set, keeping arrival order in the stored name.

    ``source`` is a path (moved) or a Django ``UploadedFile`` (streamed). ``publish``: keep it in
    the shared media store too, for the worker that will process it (on any machine).
    """
    directory = TaskStorage(task_id).upload_dir
    directory.mkdir(parents=True, exist_ok=True)
    name = safe_basename(name)
    index = sum(1 for _ in directory.iterdir())
    while True:
        target = directory / f"{index:07d}_{name}"
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            break
        except FileExistsError:
            index += 1
    if isinstance(source, Path):
        os.close(fd)
        os.replace(source, target)
    else:
        with os.fdopen(fd, "wb") as fh:
            for block in source.chunks():
                fh.write(block)
    if publish:
        blobstore.publish(target)
    return target


def import_file(user: Any, filename: str) -> Path:
    """The finished upload named by an ``Upload-Finish`` ``filename`` parameter."""
    name = safe_basename(filename)
    path = blobstore.local(user_upload_dir(user.pk) / name)
    if not path.is_file():
        raise NotFound(f"No uploaded file named '{filename}'; upload it first.")
    return path


def discard_import(user_id: int, filename: str) -> None:
    """Remove a finished upload of the user's import area, if it is there."""
    try:
        name = safe_basename(filename)
    except InvalidInput:
        return
    path = user_upload_dir(user_id) / name
    path.unlink(missing_ok=True)
    blobstore.forget(path)


def _ttl() -> float:
    return float(getattr(settings, "UPLOAD_TTL_SECONDS", 24 * 3600))


def _upload_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads"


def sweep_abandoned_uploads() -> int:
    """Remove TUS uploads that received no data for ``UPLOAD_TTL_SECONDS``, and partial files
    whose upload is gone (a process died between moving the file and deleting its row)."""
    cutoff = time.time() - _ttl()
    shared = blobstore.is_shared()
    removed = 0
    for upload in Upload.objects.all().iterator():
        path = _partial_path(upload)
        try:
            if shared:  # its parts may be arriving at another machine: only its age tells
                idle = upload.created_date.timestamp() < cutoff
            else:
                idle = not path.exists() or path.stat().st_mtime < cutoff
        except OSError:
            continue
        if idle and Upload.objects.filter(pk=upload.pk, offset=upload.offset).delete()[0]:
            path.unlink(missing_ok=True)
            if shared:
                blobstore.forget_tree(_parts_dir(upload))
            removed += 1
    if not _upload_root().is_dir():
        return removed
    known = {str(pk) for pk in Upload.objects.values_list("pk", flat=True)}
    recent = time.time() - 60  # a partial file is created just after its row
    for path in _upload_root().glob("*/.tus/*.part"):
        try:
            if path.stem not in known and path.stat().st_mtime < recent:
                path.unlink(missing_ok=True)
                removed += 1
        except OSError:
            continue
    return removed


_STORED_IMPORT = re.compile(r"^[0-9a-f]{12}_.+")


def sweep_finished_imports(waiting: Callable[[int, str], bool]) -> int:
    """Remove finished imports older than ``UPLOAD_TTL_SECONDS`` unless ``waiting(owner id,
    file name)`` says that a request still needs them."""
    cutoff = time.time() - _ttl()
    removed = 0
    root = _upload_root()
    for path in root.glob("*/*") if root.is_dir() else ():
        if not (path.parent.name.isdigit() and _STORED_IMPORT.match(path.name) and path.is_file()):
            continue
        try:
            if path.stat().st_mtime < cutoff and not waiting(int(path.parent.name), path.name):
                path.unlink(missing_ok=True)
                blobstore.forget(path)
                removed += 1
        except OSError:
            continue
    return removed
