"""Where exports and backups go, and where imports come from: ``location=local`` (a download, an
upload) or ``location=cloud_storage`` with ``cloud_storage_id`` and ``filename`` (an object of a
cloud storage the user may use).

A request without ``location`` uses the target's default (its ``target_storage`` for results,
``source_storage`` for imports: :mod:`inklab.server.cloud.defaults`), else local.

Nothing here talks to a storage in a web request: an export's result is uploaded, and an
import's file downloaded (into the request's directory under ``<data>/tmp``), by the
background request.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inklab.server.cloud import services as cloud
from inklab.server.cloud.defaults import default_location
from inklab.server.cloud.models import CloudStorage
from inklab.server.cloud.permissions import visible_storage
from inklab.server.errors import InvalidInput, NotFound
from inklab.server.media.sources import Limits
from inklab.server.media.storage import safe_basename
from inklab.server.projects.models import Job, Project, Task

__all__ = ["LOCAL", "CLOUD_STORAGE", "CloudSource", "deliver", "destination", "fetch_import", "import_source"]

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


@dataclass(frozen=True)
class CloudSource:
    """The object of a cloud storage an import reads, checked in the request thread (the user may
    use the storage, the name is valid) but only downloaded by the background request."""

    storage_id: int
    filename: str

    def params(self) -> dict[str, Any]:
        return {"cloud_storage_id": self.storage_id, "cloud_filename": self.filename}


def import_source(user: Any, obj: Task | Job | Project | None, params: Any) -> CloudSource | None:
    """For an import from a cloud storage: which object (no network here: a slow bucket must not
    hold a web thread); None for a local import."""
    storage = _resolve(user, obj, params, "source")
    if storage is None:
        return None
    filename = params.get("filename")
    if not filename:
        raise InvalidInput({"filename": ["An import from a cloud storage needs the object's filename."]})
    cloud.full_key(storage, str(filename))  # a bad name is a 400 now
    return CloudSource(storage.pk, str(filename))


def fetch_import(params: dict[str, Any], directory: Path) -> Path | None:
    """In the background request: download the object its ``params`` name (see
    :meth:`CloudSource.params`) into ``directory`` and return the file, named as an upload
    (``<12 hex>_<name>``); None when the import's file was uploaded."""
    storage_id, filename = params.get("cloud_storage_id"), params.get("cloud_filename")
    if not storage_id or not filename:
        return None
    storage = CloudStorage.objects.filter(pk=storage_id).first()
    if storage is None:
        raise InvalidInput(f"Cloud storage {storage_id} was deleted before '{filename}' could be read from it.")
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{uuid.uuid4().hex[:12]}_{safe_basename(str(filename))}"
    try:
        cloud.download(storage, str(filename), target, [Limits().max_remote_bytes])
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    logger.info("Import file read from cloud storage %s", storage.pk)
    return target
