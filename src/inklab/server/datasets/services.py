"""Queueing dataset exports, imports and backups (the work runs in :mod:`.jobs`).

Each function checks what can be checked at once – permissions, the format name, the
parameters, that the uploaded file exists – so that mistakes are 4xx answers, not failed
background requests, and then enqueues a request whose id the client polls.

Operations (``Request.operation.type``): ``export:dataset`` (with images),
``export:annotations`` (without), ``import:annotations`` (task or job), ``import:dataset``
(project), ``export:backup``, ``import:backup``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from inklab.formats import UnknownFormat, get_exporter, get_importer
from inklab.server.annotations import services as annotation_services
from inklab.server.datasets import backups, locations
from inklab.server.errors import InvalidInput, Unsupported
from inklab.server.iam.context import NO_CONTEXT, OrgContext
from inklab.server.iam.rules import Resource
from inklab.server.media import tus
from inklab.server.projects import permissions as perms
from inklab.server.projects.models import Job, Project, Task
from inklab.server.requests import queue
from inklab.server.requests.models import BackgroundRequest
from inklab.vocabulary import RequestStatus

__all__ = [
    "EXPORT_ANNOTATIONS",
    "EXPORT_BACKUP",
    "EXPORT_DATASET",
    "IMPORT_ANNOTATIONS",
    "IMPORT_BACKUP",
    "IMPORT_DATASET",
    "discard_unclaimed_upload",
    "export_dir",
    "original_name",
    "parse_bool",
    "request_annotations_import",
    "request_backup",
    "request_dataset_import",
    "request_export",
    "request_restore",
    "result_filename",
]

EXPORT_DATASET = "export:dataset"
EXPORT_ANNOTATIONS = "export:annotations"
IMPORT_ANNOTATIONS = "import:annotations"
IMPORT_DATASET = "import:dataset"
EXPORT_BACKUP = "export:backup"
IMPORT_BACKUP = "import:backup"

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


def parse_bool(value: Any, name: str, default: bool = False) -> bool:
    """A boolean query parameter as the clients send it (``True``/``False``, ``true``, ``1``...)."""
    if value is None:
        return default
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidInput(f"'{name}' must be true or false, got '{value}'.")


def export_dir() -> Path:
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def result_filename(target: str, pk: int, kind: str, fmt: str | None = None) -> str:
    """The download's file name, in the characters the CVAT SDK accepts (``A-Za-z0-9_-.`` and space)."""
    name = f"{target}_{pk}_{kind}"
    if fmt:
        name += "_" + re.sub(r"[^A-Za-z0-9_.-]+", "_", fmt.lower()).strip("_")
    return name + ".zip"


def _format_name(name: Any, lookup: Callable[[str], object]) -> str:
    if not name:
        raise InvalidInput("The 'format' parameter is required (see /api/server/annotation/formats).")
    try:
        lookup(str(name))
    except UnknownFormat as exc:
        raise Unsupported(str(exc)) from exc
    return str(name)


def _exporter_name(name: Any) -> str:
    return _format_name(name, get_exporter)


def importer_name(name: Any) -> str:
    """Check an import format name; unknown ones are refused with the list of known ones."""
    return _format_name(name, get_importer)


def _ids(obj: Task | Job | Project) -> dict[str, Any]:
    if isinstance(obj, Job):
        return {"job_id": obj.pk, "task_id": obj.task_id, "project_id": obj.task.project_id}
    if isinstance(obj, Task):
        return {"task_id": obj.pk, "project_id": obj.project_id}
    return {"project_id": obj.pk}


def _target(obj: Task | Job | Project) -> str:
    return "job" if isinstance(obj, Job) else "task" if isinstance(obj, Task) else "project"


def request_export(user: Any, obj: Task | Job | Project, params: Any) -> BackgroundRequest:
    """``POST /api/{tasks,jobs,projects}/{id}/dataset/export?format=&save_images=``."""
    fmt = _exporter_name(params.get("format"))
    save_images = parse_bool(params.get("save_images"), "save_images")
    operation = EXPORT_DATASET if save_images else EXPORT_ANNOTATIONS
    perms.check_export(user, obj)
    job_params = {"save_images": save_images, **locations.destination(user, obj, params)}
    with transaction.atomic():
        return queue.enqueue(user, operation, _target(obj), format=fmt, params=job_params, **_ids(obj))


def _upload(user: Any, params: Any) -> str:
    filename = params.get("filename")
    if not filename:
        raise InvalidInput("Upload-Finish needs the 'filename' parameter (the Upload-Filename of the upload).")
    tus.import_file(user, str(filename))  # 404 now if it is not there
    return str(filename)


def _source(user: Any, params: Any, cloud: locations.CloudSource | None) -> dict[str, Any]:
    """Where an import's file is: an upload (``filename``), or an object for the background
    request to download (checked by :func:`.locations.import_source`, never taken from the
    client's parameters)."""
    if cloud is not None:
        return cloud.params()
    return {"filename": _upload(user, params)}


def discard_unclaimed_upload(user: Any, filename: Any) -> None:
    """Remove the user's finished upload ``filename`` unless a queued or running import uses it
    (an import refused after the upload must not leave the file on the server)."""
    if not filename or not getattr(user, "pk", None):
        return
    in_use = BackgroundRequest.objects.filter(
        owner=user, operation__in=(IMPORT_ANNOTATIONS, IMPORT_DATASET, IMPORT_BACKUP), params__filename=str(filename),
        status__in=[RequestStatus.QUEUED, RequestStatus.STARTED]).exists()
    if not in_use:
        tus.discard_import(user.pk, str(filename))


def request_annotations_import(user: Any, obj: Task | Job, params: Any,
                               cloud: locations.CloudSource | None = None) -> BackgroundRequest:
    """``Upload-Finish`` on ``/api/{tasks,jobs}/{id}/annotations/``."""
    fmt = importer_name(params.get("format"))
    if isinstance(obj, Job):
        perms.check_annotate_job(user, obj)
    else:
        perms.check_manage_task(user, obj)
    mode = params.get("import_mode") or "replace"
    if mode not in ("replace", "append"):
        raise InvalidInput(f"import_mode must be 'replace' or 'append', got '{mode}'.")
    task = obj.task if isinstance(obj, Job) else obj
    if not task.has_data:
        raise InvalidInput(f"Task {task.pk} has no data yet; annotations need frames to go on.")
    job_params = {**_source(user, params, cloud), "mode": mode,
                  "conv_mask_to_poly": parse_bool(params.get("conv_mask_to_poly"), "conv_mask_to_poly")}
    with transaction.atomic():
        # The import applies to the annotations as they are now, never to newer ones.
        job_params["base_version"] = annotation_services.version_of(obj)
        return queue.enqueue(user, IMPORT_ANNOTATIONS, _target(obj), format=fmt, params=job_params, **_ids(obj))


def request_dataset_import(user: Any, project: Project, params: Any,
                           cloud: locations.CloudSource | None = None) -> BackgroundRequest:
    """``Upload-Finish`` on ``/api/projects/{id}/dataset/``."""
    fmt = importer_name(params.get("format"))
    perms.check_manage_project(user, project)
    job_params = {**_source(user, params, cloud),
                  "conv_mask_to_poly": parse_bool(params.get("conv_mask_to_poly"), "conv_mask_to_poly")}
    with transaction.atomic():
        return queue.enqueue(user, IMPORT_DATASET, "project", format=fmt, params=job_params, project_id=project.pk)


def request_backup(user: Any, obj: Task | Project, params: Any) -> BackgroundRequest:
    """``POST /api/{tasks,projects}/{id}/backup/export``."""
    lightweight = parse_bool(params.get("lightweight"), "lightweight")
    perms.check_export(user, obj)
    job_params = {"lightweight": lightweight, **locations.destination(user, obj, params)}
    with transaction.atomic():
        return queue.enqueue(user, EXPORT_BACKUP, _target(obj), params=job_params, **_ids(obj))


def original_name(stored: str) -> str:
    """The client's file name inside the stored upload name ``<12 hex>_<name>``."""
    head, _, rest = stored.partition("_")
    return rest if len(head) == 12 and rest else stored


def request_restore(user: Any, kind: str, params: Any, context: OrgContext = NO_CONTEXT,
                    cloud: locations.CloudSource | None = None) -> BackgroundRequest:
    """``Upload-Finish`` on ``/api/{tasks,projects}/backup/``: the backup's documents are checked
    now (a 400 naming the file and field, and the upload is dropped); its frames and annotations
    as the request restores it, in the request's workspace (``context``). A backup in a cloud
    storage is read, and so checked, by the request."""
    slug = context.organization.slug if context.organization else ""
    perms.check_create(user, Resource.PROJECT if kind == "project" else Resource.TASK, context.organization_id, slug)
    if cloud is not None:
        with transaction.atomic():
            return queue.enqueue(user, IMPORT_BACKUP, kind, params={**cloud.params(), "kind": kind,
                                                                    "organization_id": context.organization_id})
    filename = _upload(user, params)
    path = tus.import_file(user, filename)
    try:
        with backups.open_backup(path, original_name(path.name)) as source:
            backups.check_backup(source, kind)
    except InvalidInput:
        path.unlink(missing_ok=True)
        raise
    job_params = {"filename": filename, "kind": kind, "organization_id": context.organization_id}
    with transaction.atomic():
        return queue.enqueue(user, IMPORT_BACKUP, kind, params=job_params)
