"""Dataset export/import and backup endpoints, in the request flows of the CVAT clients.

Imports follow the SDK's upload protocol on one endpoint: ``Upload-Start`` (202), a TUS
upload (create, then PATCH/HEAD on ``<endpoint><upload id>``), ``Upload-Finish`` with the
stored ``filename`` (202 with ``rq_id``). A single multipart request with the file also works.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from rest_framework import status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inklab.server.annotations.views import JobAnnotationsView, TaskAnnotationsView
from inklab.server.datasets import locations, schema, services
from inklab.server.errors import InvalidInput
from inklab.server.iam.context import context_of
from inklab.server.media import blobstore, tus
from inklab.server.media.storage import safe_basename, user_upload_dir
from inklab.server.projects import permissions as perms
from inklab.server.projects.models import Job, Project, Task
from inklab.server.requests.models import BackgroundRequest

__all__ = ["BackupExportView", "BackupImportView", "DatasetNegotiation", "ExportView", "ImportUploadView",
           "JobAnnotationsImportView",
           "ProjectDatasetView", "TaskAnnotationsImportView"]

IMPORT_SCOPE = "import"


class DatasetNegotiation(DefaultContentNegotiation):
    """Content negotiation that leaves ``?format=`` alone: here it names a dataset format."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)


class _DatasetView(APIView):
    content_negotiation_class = DatasetNegotiation


def _queued(bg: BackgroundRequest) -> Response:
    return Response({"rq_id": bg.pk}, status=status.HTTP_202_ACCEPTED)


def _single_upload(request: Request) -> str | None:
    """A file sent in one multipart request: store it like a finished TUS upload."""
    files = [f for key in request.FILES for f in request.FILES.getlist(key)]
    if not files:
        return None
    uploaded = files[0]
    stored = f"{uuid.uuid4().hex[:12]}_{safe_basename(uploaded.name or 'upload')}"
    path = user_upload_dir(request.user.pk) / stored
    with path.open("wb") as fh:
        for block in uploaded.chunks():
            fh.write(block)
    blobstore.publish(path)  # the import may run on another machine
    return stored


Finish = Callable[[Any, locations.CloudSource | None], BackgroundRequest]


def _finish_or_discard(request: Request, finish: Finish, params: Any,
                       cloud: locations.CloudSource | None = None) -> Response:
    """Queue the import; if it is refused, the uploaded file goes (no request will ever use it)."""
    try:
        return _queued(finish(params, cloud))
    except Exception:
        services.discard_unclaimed_upload(request.user, params.get("filename"))
        raise


def import_flow(request: Request, check: Callable[[], None], finish: Finish,
                format_required: bool = True, target: Task | Job | Project | None = None) -> Response:
    """The upload protocol shared by every import endpoint; without an upload, the file may come
    from a cloud storage (``location=cloud_storage``, ``cloud_storage_id``, ``filename``, or the
    target's ``source_storage``): the background request downloads it."""
    if tus.is_tus_create(request):
        check()
        return tus.create(request, IMPORT_SCOPE)
    params = request.query_params
    if "Upload-Start" in request.headers:
        check()
        if format_required:
            services.importer_name(params.get("format"))
        return tus.upload_started()
    if "Upload-Finish" in request.headers:
        return _finish_or_discard(request, finish, params)
    stored = _single_upload(request)
    if stored is None and (params.get("location") or target is not None) and params.get("location") != "local":
        check()
        if format_required:
            services.importer_name(params.get("format"))
        cloud = locations.import_source(request.user, target, params)
        if cloud is not None:
            return _queued(finish({k: params.get(k) for k in params if k != "filename"}, cloud))
    if stored is None:
        raise InvalidInput("Send the file: use the upload protocol (Upload-Start, a TUS upload, Upload-Finish) "
                           "or one multipart request with the file.")
    merged = {**{k: params.get(k) for k in params}, "filename": stored}
    return _finish_or_discard(request, finish, merged)


@schema.dataset_export
class ExportView(_DatasetView):
    """``POST /api/{tasks,jobs,projects}/{id}/dataset/export?format=&save_images=``."""

    kind = "task"

    def post(self, request: Request, pk: Any) -> Response:
        target: Task | Job | Project
        if self.kind == "task":
            target = perms.visible_task(request.user, pk, context_of(request))
        elif self.kind == "job":
            target = perms.visible_job(request.user, pk, context_of(request))
        else:
            target = perms.visible_project(request.user, pk, context_of(request))
        return _queued(services.request_export(request.user, target, request.query_params))


@schema.annotations_import
class TaskAnnotationsImportView(TaskAnnotationsView):
    """``/api/tasks/{id}/annotations/``: the annotation endpoints plus imports (POST)."""

    content_negotiation_class = DatasetNegotiation

    def post(self, request: Request, pk: Any) -> Response:
        task = perms.visible_task(request.user, pk, context_of(request))
        return import_flow(request, lambda: perms.check_manage_task(request.user, task),
                           lambda params, cloud: services.request_annotations_import(request.user, task, params, cloud),
                           target=task)


@schema.annotations_import
class JobAnnotationsImportView(JobAnnotationsView):
    content_negotiation_class = DatasetNegotiation

    def post(self, request: Request, pk: Any) -> Response:
        job = perms.visible_job(request.user, pk, context_of(request))
        return import_flow(request, lambda: perms.check_annotate_job(request.user, job),
                           lambda params, cloud: services.request_annotations_import(request.user, job, params, cloud),
                           target=job)


@schema.dataset_import
class ProjectDatasetView(_DatasetView):
    """``POST /api/projects/{id}/dataset/``: a dataset import."""

    def post(self, request: Request, pk: Any) -> Response:
        project = perms.visible_project(request.user, pk, context_of(request))
        return import_flow(request, lambda: perms.check_manage_project(request.user, project),
                           lambda params, cloud: services.request_dataset_import(request.user, project, params, cloud),
                           target=project)


@schema.backup_export
class BackupExportView(_DatasetView):
    """``POST /api/{tasks,projects}/{id}/backup/export``."""

    kind = "task"

    def post(self, request: Request, pk: Any) -> Response:
        obj = perms.visible_task(request.user, pk, context_of(request)) if self.kind == "task" else perms.visible_project(request.user, pk, context_of(request))
        return _queued(services.request_backup(request.user, obj, request.query_params))


@schema.backup_import
class BackupImportView(_DatasetView):
    """``POST /api/{tasks,projects}/backup/``: create a task or project from a backup."""

    kind = "task"

    def post(self, request: Request) -> Response:
        return import_flow(request, lambda: None,
                           lambda params, cloud: services.request_restore(request.user, self.kind, params,
                                                                          context_of(request), cloud),
                           format_required=False)


@schema.import_upload
class ImportUploadView(_DatasetView):
    """TUS ``PATCH``/``HEAD`` on ``<import endpoint><upload id>``."""

    def patch(self, request: Request, upload: Any, pk: Any = None) -> Response:
        return tus.append(request, upload, IMPORT_SCOPE)

    def head(self, request: Request, upload: Any, pk: Any = None) -> Response:
        return tus.head(request, upload, IMPORT_SCOPE)
