"""Where exports and backups go, and where imports come from: ``location=local`` (a download, an
upload) or ``location=cloud_storage`` with ``cloud_storage_id`` and ``filename`` (an object of a
cloud storage the user may use).

A request without ``location`` uses the target's default (its ``target_storage`` for results,
``source_storage`` for imports: :mod:`inklab.server.cloud.defaults`), else local.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from inklab.server.cloud import services as cloud
from inklab.server.cloud.defaults import default_location
from inklab.server.cloud.models import CloudStorage
from inklab.server.cloud.permissions import visible_storage
from inklab.server.errors import InvalidInput, NotFound
from inklab.server.media import blobstore
from inklab.server.media.sources import Limits
from inklab.server.media.storage import safe_basename, user_upload_dir
from inklab.server.projects.models import Job, Project, Task

__all__ = ["LOCAL", "CLOUD_STORAGE", "deliver", "destination", "fetch_import"]

logger = logging.getLogger(__name__)

LOCAL = "local"
CLOUD_STORAGE = "cloud_storage"


def _storage(user: Any, value: Any) -> CloudStorage:
    if value in (None, ""):
        raise InvalidInput({"cloud_storage_id": ["location=cloud_storage needs cloud_storage_id."]})
    try:
        return visible_storage(user, value)
    except NotFound as exc:
        raise InvalidInput({"cloud_storage_id": [str(exc.detail)]}) from exc


def _resolve(user: Any, obj: Task | Job | Project | None, params: Any, kind: str) -> CloudStorage | None:
    """The cloud storage the request names (or defaults to); None for local."""
    location = params.get("location")
    storage_id = params.get("cloud_storage_id")
    if location in (None, "") and obj is not None:
        default = default_location(obj, kind)
        if default is not None:
            location, storage_id = CLOUD_STORAGE, storage_id or default
    if location in (None, "", LOCAL):
        return None
    if location != CLOUD_STORAGE:
        raise InvalidInput({"location": [f"Expected 'local' or 'cloud_storage', got '{location}'."]})
    return _storage(user, storage_id)


def destination(user: Any, obj: Task | Job | Project, params: Any) -> dict[str, Any]:
    """The request parameters that send an export's result to a cloud storage ({} for local)."""
    storage = _resolve(user, obj, params, "target")
    if storage is None:
        return {}
    filename = params.get("filename") or ""
    if filename:
        cloud.full_key(storage, str(filename))  # a bad name is a 400 now
    return {"cloud_storage_id": storage.pk, "cloud_filename": str(filename)}


def deliver(params: dict[str, Any], path: Path, default_name: str) -> str | None:
    """Upload a finished result to the cloud storage ``params`` name; returns the object name,
    or None when the result stays local."""
    storage_id = params.get("cloud_storage_id")
    if not storage_id:
        return None
    storage = CloudStorage.objects.filter(pk=storage_id).first()
    if storage is None:
        raise InvalidInput(f"Cloud storage {storage_id} was deleted before the result could be saved to it.")
    name = params.get("cloud_filename") or default_name
    with open(path, "rb") as stream:
        cloud.upload(storage, name, stream)
    logger.info("Result saved to cloud storage %s", storage.pk)
    return str(name)


def fetch_import(user: Any, obj: Task | Job | Project | None, params: Any) -> str | None:
    """For an import from a cloud storage: copy the object ``filename`` into the user's upload
    area and return the stored name (as an upload's); None for a local import."""
    storage = _resolve(user, obj, params, "source")
    if storage is None:
        return None
    filename = params.get("filename")
    if not filename:
        raise InvalidInput({"filename": ["An import from a cloud storage needs the object's filename."]})
    stored = f"{uuid.uuid4().hex[:12]}_{safe_basename(str(filename))}"
    target = user_upload_dir(user.pk) / stored
    try:
        cloud.download(storage, str(filename), target, [Limits().max_remote_bytes])
        blobstore.publish(target)  # the import may run on another machine
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return stored
