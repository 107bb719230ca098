"""The local cache of task and project data, and the policies that keep it.

Layout under ``Config.cache_dir`` (one directory per server, named by the base64 of its URL)::

    servers/<server>/tasks/<id>/task.json           the task, its labels and job ranges
    servers/<server>/tasks/<id>/data_meta.json      frame names and deleted frames (as served)
    servers/<server>/tasks/<id>/annotations.json    tags, shapes and tracks (as served)
    servers/<server>/tasks/<id>/chunks/<k>.zip      original-quality chunks
    servers/<server>/projects/<id>/project.json     the project, its task ids and labels

    servers/<server>/tasks/<id>/chunks/stamp.json   the ``chunks_updated_date`` the chunks belong to

Staleness rule: on every online construction the task is fetched; when the cached copy's
``updated_date`` is older than the server's, the task's cached documents are discarded (the
server moves ``updated_date`` forward on any change to annotations, frames or labels).
Chunks depend only on the task's data: they are kept as long as the frame meta's
``chunks_updated_date`` is the one recorded in ``chunks/stamp.json`` (so uploading
annotations, e.g. by the auto-annotation driver, does not make the frames download again).
Labels and job ranges are refreshed every time. Files are written to a temporary name and
renamed, so a crash or a parallel process never leaves half a file.
"""

from __future__ import annotations

import base64
import logging
import shutil
from enum import Enum, auto
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from inklab.sdk._atomic import atomic_write_bytes
from inklab.sdk.datasets.common import CacheMissError, UnsupportedDatasetError
from inklab.sdk.models._base import parse_datetime

if TYPE_CHECKING:
    from inklab.sdk.client import Client

__all__ = [
    "CacheLayout",
    "UpdatePolicy",
    "cached_file",
    "check_chunks",
    "fetch_project",
    "load_json",
    "load_task_record",
    "org_params",
    "refresh_task",
    "save_json",
    "save_task_record",
]

_FORMAT = 1
PAGE = {"page_size": 500}
_CHUNK_STAMP = "stamp.json"
_NO_STAMP: Any = object()


class UpdatePolicy(Enum):
    """When the cache is updated from the server."""

    IF_MISSING_OR_STALE = auto()
    """Check the server; discard stale data; download what is missing. The default."""

    NEVER = auto()
    """No network access at all; raise :class:`CacheMissError` when something is not cached.
    Stale data may be used."""


class CacheLayout:
    """Paths of the cache for one server (picklable, no I/O)."""

    def __init__(self, cache_dir: Path, server_url: str) -> None:
        name = base64.urlsafe_b64encode(server_url.encode()).rstrip(b"=").decode()
        self.server_dir = Path(cache_dir) / "servers" / name

    def task_dir(self, task_id: int) -> Path:
        return self.server_dir / "tasks" / str(int(task_id))

    def chunk_dir(self, task_id: int) -> Path:
        return self.task_dir(task_id) / "chunks"

    def project_dir(self, project_id: int) -> Path:
        return self.server_dir / "projects" / str(int(project_id))


def save_json(path: Path, data: Any) -> None:
    save_bytes(path, data if isinstance(data, bytes) else orjson.dumps(data))


def save_bytes(path: Path, data: bytes) -> None:
    atomic_write_bytes(path, data)


def load_json(path: Path) -> Any:
    """The decoded file; raises ``FileNotFoundError`` or :class:`UnsupportedDatasetError` (corrupt)."""
    data = path.read_bytes()
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise UnsupportedDatasetError(f"The cache file {path} is damaged: {exc}") from exc


def _load_cached(path: Path, what: str) -> Any:
    try:
        return load_json(path)
    except FileNotFoundError:
        raise CacheMissError(f"{what} is not in the cache ({path}); build the dataset online once first.") from None


def load_task_record(layout: CacheLayout, task_id: int) -> dict[str, Any]:
    """The cached ``task.json`` (``{"task", "labels", "segments"}``); :class:`CacheMissError` if absent."""
    return _load_cached(layout.task_dir(task_id) / "task.json", f"Task {task_id}")  # type: ignore[no-any-return]


def refresh_task(client: Client, layout: CacheLayout, task_id: int, logger: logging.Logger) -> dict[str, Any]:
    """Fetch the task; discard its cached data when stale (or unreadable). Returns the task JSON."""
    path = layout.task_dir(task_id) / "task.json"
    logger.info("Fetching task %s", task_id)
    task: dict[str, Any] = client.get_json(f"/api/tasks/{int(task_id)}")
    try:
        cached = load_json(path)
        stale = cached.get("format") != _FORMAT or (
            parse_datetime(cached["task"]["updated_date"]) < parse_datetime(task["updated_date"]))
    except FileNotFoundError:
        stale = layout.task_dir(task_id).exists()  # leftovers of an interrupted construction
    except (UnsupportedDatasetError, KeyError, TypeError, AttributeError):
        stale = True
    if stale:
        logger.info("Task %s changed on the server since it was cached; discarding the cached copy", task_id)
        task_dir = layout.task_dir(task_id)
        keep_chunks = _recorded_chunks_date(layout.chunk_dir(task_id)) is not None
        for entry in task_dir.iterdir() if task_dir.is_dir() else ():
            if entry.name == "chunks" and entry.is_dir() and keep_chunks:
                continue  # kept or discarded by check_chunks, once the frame meta is known
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
    return task


def check_chunks(layout: CacheLayout, task_id: int, meta: dict[str, Any], logger: logging.Logger) -> None:
    """Discard the cached chunks unless they were downloaded for the data the server has now.

    ``meta`` is the frame meta just fetched (or still current); its ``chunks_updated_date``
    must equal the one in ``chunks/stamp.json``. Afterwards the stamp records it.
    """
    chunk_dir = layout.chunk_dir(task_id)
    current = meta.get("chunks_updated_date")
    recorded = _recorded_chunks_date(chunk_dir)
    if recorded is not _NO_STAMP and recorded == current:
        return
    if chunk_dir.is_dir() and any(chunk_dir.glob("*.zip")):
        logger.info("The frames of task %s changed on the server; discarding the cached chunks", task_id)
    shutil.rmtree(chunk_dir, ignore_errors=True)
    save_json(chunk_dir / _CHUNK_STAMP, {"chunks_updated_date": current})


def _recorded_chunks_date(chunk_dir: Path) -> Any:
    """The date in the chunks' stamp (None for a server that gives none), or ``_NO_STAMP``."""
    try:
        recorded = load_json(chunk_dir / _CHUNK_STAMP)
    except (FileNotFoundError, NotADirectoryError, UnsupportedDatasetError):
        return _NO_STAMP
    if not isinstance(recorded, dict) or "chunks_updated_date" not in recorded:
        return _NO_STAMP
    return recorded["chunks_updated_date"]


def org_params(obj: dict[str, Any]) -> dict[str, Any]:
    """Sub-collection parameters that keep a request in the object's organization."""
    return {"org": ""} if obj.get("organization") is None else {"org_id": obj["organization"]}


def save_task_record(layout: CacheLayout, task: dict[str, Any], labels: list[Any], jobs: list[Any]) -> dict[str, Any]:
    """Write ``task.json`` last, once everything it vouches for is cached."""
    segments = sorted({(j["start_frame"], j["stop_frame"]) for j in jobs if j.get("type") != "ground_truth"})
    record = {"format": _FORMAT, "task": task, "labels": labels, "segments": segments}
    save_json(layout.task_dir(task["id"]) / "task.json", record)
    return record


def cached_file(client: Client | None, path: Path, url: str, policy: UpdatePolicy, what: str,
                logger: logging.Logger) -> bytes:
    """The bytes of a cached server document, downloaded first when missing (unless ``NEVER``)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        if policy is UpdatePolicy.NEVER or client is None:
            raise CacheMissError(f"{what} is not in the cache ({path}); build the dataset online once first.") from None
    logger.info("Downloading %s", what)
    data = client.request("GET", url).data
    save_bytes(path, data)
    return data


def fetch_project(client: Client | None, layout: CacheLayout, project_id: int, policy: UpdatePolicy,
                  logger: logging.Logger) -> dict[str, Any]:
    """``project.json``: the project, its tasks (as listed) and its labels; refreshed unless ``NEVER``."""
    path = layout.project_dir(project_id) / "project.json"
    if policy is UpdatePolicy.NEVER or client is None:
        return _load_cached(path, f"Project {project_id}")  # type: ignore[no-any-return]
    logger.info("Fetching project %s", project_id)
    project = client.get_json(f"/api/projects/{int(project_id)}")
    org = org_params(project)
    tasks = client.paginate("/api/tasks", {"project_id": project_id, **org, **PAGE})
    labels = client.paginate("/api/labels", {"project_id": project_id, **org, **PAGE})
    record = {"format": _FORMAT, "project": project, "tasks": tasks, "labels": labels}
    save_json(path, record)
    return record
