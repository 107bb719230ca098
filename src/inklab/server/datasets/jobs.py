"""Background entry points: exports, imports and backups (queued by :mod:`.services`).

Each handler reads what it needs from the request's ids and ``params`` and turns format errors
into failed requests whose message names the file and place at fault. Exports only rewrite
their own file, so an export whose worker died is run again; anything else is failed.

An annotations import reads and checks its file outside any transaction, spooling the result
(:func:`_work_dir`), then writes it in one short transaction, and only over the annotations it
was queued against (``params["base_version"]``): if they changed meanwhile – an edit, another
import, a retry – it fails instead of replacing newer work. Uploaded files and partial results are
removed whenever a request ends, whatever the outcome (the handlers' ``cleanup``), and the
sweeps here remove what crashed processes left behind.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings

from inklab.formats import (
    ExportOptions,
    FormatError,
    ImportOptions,
    ZipOutput,
    get_exporter,
    get_importer,
    open_input,
)
from inklab.server.annotations import services as annotation_services
from inklab.server.annotations.services import Scope
from inklab.server.datasets import backups, locations, services
from inklab.server.datasets.importing import FrameMatcher, write_dataset
from inklab.server.datasets.projectimport import import_project_dataset
from inklab.server.datasets.source import label_specs, project_dataset, task_dataset
from inklab.server.errors import Conflict, InvalidInput, NotFound
from inklab.server.iam.models import Organization
from inklab.server.media import blobstore, tus
from inklab.server.media.storage import TaskStorage, atomic_write, temp_dir
from inklab.server.projects.models import Job, Project, Task, touch
from inklab.server.requests.models import BackgroundRequest
from inklab.server.requests.progress import Progress
from inklab.server.requests.registry import handler, sweep
from inklab.vocabulary import RequestStatus

__all__: list[str] = []

logger = logging.getLogger(__name__)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Format errors are the user's file at fault: report them as such, without a traceback."""
    try:
        yield
    except FormatError as exc:
        raise InvalidInput(str(exc)) from exc


def _owner(request: BackgroundRequest) -> Any:
    if request.owner is None:
        raise NotFound("The user who made this request no longer exists.")
    return request.owner


def _target(request: BackgroundRequest) -> Task | Job | Project:
    if request.job_id is not None:
        job = Job.objects.select_related("task", "task__project").filter(pk=request.job_id).first()
        if job is None:
            raise NotFound(f"Job {request.job_id} was deleted.")
        return job
    if request.task_id is not None:
        task = Task.objects.select_related("project", "owner").filter(pk=request.task_id).first()
        if task is None:
            raise NotFound(f"Task {request.task_id} was deleted.")
        return task
    project = Project.objects.filter(pk=request.project_id).first()
    if project is None:
        raise NotFound(f"Project {request.project_id} was deleted.")
    return project


def _result_path(request_id: str) -> Path:
    return services.export_dir() / f"{request_id}.zip"


def _remove_result(request: BackgroundRequest) -> None:
    """Cleanup of an export that did not finish: its file and the temporary files of its attempts."""
    _result_path(request.pk).unlink(missing_ok=True)
    blobstore.forget(_result_path(request.pk))
    for tmp in services.export_dir().glob(f".{request.pk}.zip.*.tmp"):
        tmp.unlink(missing_ok=True)


def _finish_file(request: BackgroundRequest, write: Callable[[Path], None], filename: str) -> None:
    path = _result_path(request.pk)
    with atomic_write(path) as tmp:
        write(tmp)
    try:
        saved = locations.deliver(request.params, path, filename)
        if saved is None:  # downloadable through any server: into the shared media store
            blobstore.publish(path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if saved is not None:  # the result is in the cloud storage: nothing to download here
        path.unlink(missing_ok=True)
        BackgroundRequest.objects.filter(pk=request.pk).update(result_file="", result_filename=saved)
        return
    BackgroundRequest.objects.filter(pk=request.pk).update(
        result_file=str(path.relative_to(settings.DATA_DIR)), result_filename=filename)


def _export(request: BackgroundRequest, progress: Progress) -> None:
    fmt = get_exporter(request.format or "")
    target = _target(request)
    save_images = bool(request.params.get("save_images"))

    def report(fraction: float) -> None:
        progress(0.95 * fraction)

    if isinstance(target, Project):
        dataset = project_dataset(target, report)
    elif isinstance(target, Job):
        dataset = task_dataset(target.task, target, report)
    else:
        dataset = task_dataset(target, None, report)

    def write(path: Path) -> None:
        with _user_errors(), ZipOutput(path) as out:
            fmt.export(dataset, out, ExportOptions(save_images=save_images))

    kind = "dataset" if save_images else "annotations"
    _finish_file(request, write, services.result_filename(request.target, target.pk, kind, fmt.info.name))


handler(services.EXPORT_DATASET, lease_seconds=1800, retry_lost=True, cleanup=_remove_result)(_export)
handler(services.EXPORT_ANNOTATIONS, lease_seconds=1800, retry_lost=True, cleanup=_remove_result)(_export)


@contextmanager
def _uploaded(request: BackgroundRequest) -> Iterator[Path]:
    """The import's file: the upload, or the object of a cloud storage, downloaded now into the
    request's work directory (removed with it)."""
    downloaded = locations.fetch_import(request.params, _work_dir(request))
    path = downloaded or tus.import_file(_owner(request), request.params["filename"])
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
        if downloaded is None:  # an upload may be in the shared media store; a download never is
            blobstore.forget(path)


def _work_dir(request: BackgroundRequest) -> Path:
    """The temporary directory of an import: checked annotations spooled before they are written,
    a restore's checked frames (named by request, so that the cleanup of a request whose process
    died finds it)."""
    return temp_dir() / f"request-{request.pk}"


@contextmanager
def _workspace(request: BackgroundRequest) -> Iterator[Path]:
    path = _work_dir(request)
    path.mkdir(parents=True, exist_ok=True)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _remove_upload(request: BackgroundRequest) -> None:
    """Cleanup of an import that did not finish: the uploaded file and the work directory."""
    filename = request.params.get("filename")
    if request.owner_id is not None and isinstance(filename, str):
        tus.discard_import(request.owner_id, filename)
    shutil.rmtree(_work_dir(request), ignore_errors=True)


def _check_base(request: BackgroundRequest, target: Task | Job) -> int | None:
    base = request.params.get("base_version")
    if base is not None and annotation_services.version_of(target) != base:
        raise Conflict(annotation_services.STALE_IMPORT)
    return base


@handler(services.IMPORT_ANNOTATIONS, lease_seconds=1800, cleanup=_remove_upload)
def import_annotations(request: BackgroundRequest, progress: Progress) -> None:
    target = _target(request)
    assert not isinstance(target, Project)
    scope = Scope(target.task, target) if isinstance(target, Job) else Scope(target)
    base = _check_base(request, target)  # before reading the file: it may take long
    fmt = get_importer(request.format or "")
    matcher = FrameMatcher(scope.task, scope.first, scope.last)
    options = ImportOptions(conv_mask_to_poly=bool(request.params.get("conv_mask_to_poly")),
                            image_size=matcher.size_of, labels=label_specs(scope.task), first_frame=scope.first)
    with _uploaded(request) as path, _user_errors(), _workspace(request) as workdir:
        name = services.original_name(path.name)
        with open_input(path, name) as source:
            dataset = fmt.load(source, options)
            progress(0.1, force=True)
            # The file is read and checked outside the write transaction; the annotations are
            # written only if this request is still ours to finish (progress.hold).
            write_dataset(_owner(request), scope, dataset, replace=request.params.get("mode") != "append",
                          conv_mask_to_poly=bool(request.params.get("conv_mask_to_poly")), file=name,
                          base_version=base, spool=workdir / "annotations.spool", progress=lambda f: progress(0.1 + 0.85 * f),
                          before_commit=progress.hold)
    touch(scope.task)


def _remove_created_tasks(request: BackgroundRequest) -> None:
    """Cleanup of a project import that did not finish: the tasks it had made so far."""
    _remove_upload(request)
    for pk in request.params.get("created_tasks") or []:
        storage = TaskStorage(pk)
        Task.objects.filter(pk=pk, project_id=request.project_id).delete()
        storage.remove()


@handler(services.IMPORT_DATASET, lease_seconds=3600, cleanup=_remove_created_tasks)
def import_dataset(request: BackgroundRequest, progress: Progress) -> None:
    project = _target(request)
    assert isinstance(project, Project)
    fmt = get_importer(request.format or "")

    def created(task: Task) -> None:  # remembered, so that a crash leaves no half-made task behind
        request.params["created_tasks"] = [*request.params.get("created_tasks", []), task.pk]
        BackgroundRequest.objects.filter(pk=request.pk).update(params=request.params)

    with _uploaded(request) as path, _user_errors(), _workspace(request) as workdir:
        name = services.original_name(path.name)
        with open_input(path, name) as source:
            dataset = fmt.load(source, ImportOptions(conv_mask_to_poly=bool(request.params.get("conv_mask_to_poly"))))
            import_project_dataset(_owner(request), project, dataset, file=name, progress=progress,
                                   conv_mask_to_poly=bool(request.params.get("conv_mask_to_poly")),
                                   spool=workdir / "annotations.spool", on_task_created=created)
    touch(project)


@handler(services.EXPORT_BACKUP, lease_seconds=1800, retry_lost=True, cleanup=_remove_result)
def export_backup(request: BackgroundRequest, progress: Progress) -> None:
    target = _target(request)
    if isinstance(target, Project):
        _finish_file(request, lambda p: backups.write_project_backup(target, p, progress),
                     services.result_filename("project", target.pk, "backup"))
    elif isinstance(target, Task):
        _finish_file(request, lambda p: backups.write_task_backup(target, p, progress),
                     services.result_filename("task", target.pk, "backup"))
    else:
        raise InvalidInput("Jobs have no backups; back up their task.")


def _remove_restored(request: BackgroundRequest) -> None:
    """Cleanup of a restore that did not finish: the upload, and what it had made so far (as the
    restore recorded it in the stored request)."""
    _remove_upload(request)
    params = BackgroundRequest.objects.filter(pk=request.pk).values_list("params", flat=True).first() or {}
    backups.remove_restored(params.get("created_project"), params.get("created_tasks") or [])


def _restore_organization(request: BackgroundRequest) -> int | None:
    """The organization a restore was asked in, if it (still) exists: else the request fails."""
    organization_id = request.params.get("organization_id")
    if organization_id is not None and not Organization.objects.filter(pk=organization_id).exists():
        raise InvalidInput("The organization this backup was to be restored in no longer exists.")
    return organization_id


@handler(services.IMPORT_BACKUP, lease_seconds=3600, cleanup=_remove_restored)
def import_backup(request: BackgroundRequest, progress: Progress) -> None:
    def record(made: dict[str, Any]) -> None:  # inside the transaction that makes them
        BackgroundRequest.objects.filter(pk=request.pk).update(params={**request.params, **made})

    with _uploaded(request) as path, _user_errors(), _workspace(request) as workdir:
        with backups.open_backup(path, services.original_name(path.name)) as source:
            organization_id = _restore_organization(request)
            if request.params.get("kind") == "project":
                created: Task | Project = backups.restore_project(_owner(request), source, progress, workdir=workdir,
                                                                  record=record, organization_id=organization_id)
            else:
                created = backups.restore_task(_owner(request), source, progress, workdir=workdir, record=record,
                                               organization_id=organization_id)
    BackgroundRequest.objects.filter(pk=request.pk).update(result_id=created.pk)


_EXPORT_NAME = re.compile(r"^\.?(?P<id>[0-9a-f-]{36})\.zip(?:\.[^/]+\.tmp)?$")


@sweep
def sweep_exports() -> int:
    """Remove export files (results and temporary files) that no request will serve or finish:
    those of requests that are gone, failed, expired, or no longer running."""
    removed = 0
    for path in services.export_dir().iterdir():
        match = _EXPORT_NAME.match(path.name)
        if match is None:
            continue
        request = BackgroundRequest.objects.filter(pk=match["id"]).values("status", "result_file").first()
        if request is not None and request["status"] == RequestStatus.STARTED:
            continue
        is_result = not path.name.startswith(".")
        if (request is not None and is_result
                and request["result_file"] == str(path.relative_to(settings.DATA_DIR))):
            continue
        path.unlink(missing_ok=True)
        removed += 1
    return removed


@sweep
def sweep_stored_exports() -> int:
    """Remove from the shared media store the export results that no request serves (their
    request is gone, or ended without this result) and that no running request is making."""
    names = [n for n in blobstore.stored_names(services.export_dir()) if _EXPORT_NAME.match(n)]
    ids = {_EXPORT_NAME.match(n)["id"] for n in names}  # type: ignore[index]
    requests = {pk: (status, result) for pk, status, result in BackgroundRequest.objects.filter(
        pk__in=ids).values_list("pk", "status", "result_file")}
    removed = 0
    for name in names:
        path = services.export_dir() / name
        status, result = requests.get(_EXPORT_NAME.match(name)["id"], (None, None))  # type: ignore[index]
        if status == RequestStatus.STARTED or result == str(path.relative_to(settings.DATA_DIR)):
            continue
        blobstore.forget(path)
        removed += 1
    return removed


_IMPORTS = (services.IMPORT_ANNOTATIONS, services.IMPORT_DATASET, services.IMPORT_BACKUP)


@sweep
def sweep_import_uploads() -> int:
    """Remove finished uploads that no import has claimed for ``UPLOAD_TTL_SECONDS`` (the client
    never sent ``Upload-Finish``), and task directories that a crashed restore left without a task."""
    waiting = {(owner, params.get("filename")) for owner, params in BackgroundRequest.objects.filter(
        operation__in=_IMPORTS, status__in=[RequestStatus.QUEUED, RequestStatus.STARTED]).values_list(
        "owner_id", "params")}
    removed = tus.sweep_finished_imports(lambda owner, name: (owner, name) in waiting)
    restoring = BackgroundRequest.objects.filter(operation__in=_IMPORTS, status=RequestStatus.STARTED).exists()
    if not restoring:  # conservative: an import running now may be making task directories
        removed += TaskStorage.remove_orphans(lambda pk: Task.objects.filter(pk=pk).exists())
    return removed
