"""Background entry points: exports, imports and backups (queued by :mod:`.services`).

Each handler reads what it needs from the request's ids and ``params``, is safe to run again
(an export rewrites its file; an import replaces or appends in one transaction), and turns
format errors into failed requests whose message names the file and place at fault. Uploaded
files are removed once the request ends, whatever the outcome.
"""

from __future__ import annotations

import logging
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
from inklab.server.annotations.services import Scope
from inklab.server.datasets import backups, services
from inklab.server.datasets.importing import FrameMatcher, write_dataset
from inklab.server.datasets.projectimport import import_project_dataset
from inklab.server.datasets.source import label_specs, project_dataset, task_dataset
from inklab.server.errors import InvalidInput, NotFound
from inklab.server.media import tus
from inklab.server.media.storage import atomic_write
from inklab.server.projects.models import Job, Project, Task, touch
from inklab.server.requests.models import BackgroundRequest
from inklab.server.requests.progress import Progress
from inklab.server.requests.registry import handler

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


def _finish_file(request: BackgroundRequest, write: Callable[[Path], None], filename: str) -> None:
    path = services.export_dir() / f"{request.pk}.zip"
    with atomic_write(path) as tmp:
        write(tmp)
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


handler(services.EXPORT_DATASET, lease_seconds=1800)(_export)
handler(services.EXPORT_ANNOTATIONS, lease_seconds=1800)(_export)


@contextmanager
def _uploaded(request: BackgroundRequest) -> Iterator[Path]:
    path = tus.import_file(_owner(request), request.params["filename"])
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


@handler(services.IMPORT_ANNOTATIONS, lease_seconds=1800)
def import_annotations(request: BackgroundRequest, progress: Progress) -> None:
    target = _target(request)
    scope = Scope(target.task, target) if isinstance(target, Job) else Scope(target)  # type: ignore[arg-type]
    fmt = get_importer(request.format or "")
    matcher = FrameMatcher(scope.task, scope.first, scope.last)
    options = ImportOptions(conv_mask_to_poly=bool(request.params.get("conv_mask_to_poly")),
                            image_size=matcher.size_of, labels=label_specs(scope.task), first_frame=scope.first)
    with _uploaded(request) as path, _user_errors():
        name = services.original_name(path.name)
        with open_input(path, name) as source:
            dataset = fmt.load(source, options)
            progress(0.3, force=True)
            write_dataset(_owner(request), scope, dataset, replace=request.params.get("mode") != "append",
                          conv_mask_to_poly=bool(request.params.get("conv_mask_to_poly")), file=name)
    touch(scope.task)


@handler(services.IMPORT_DATASET, lease_seconds=3600)
def import_dataset(request: BackgroundRequest, progress: Progress) -> None:
    project = _target(request)
    assert isinstance(project, Project)
    fmt = get_importer(request.format or "")
    with _uploaded(request) as path, _user_errors():
        name = services.original_name(path.name)
        with open_input(path, name) as source:
            dataset = fmt.load(source, ImportOptions(conv_mask_to_poly=bool(request.params.get("conv_mask_to_poly"))))
            import_project_dataset(_owner(request), project, dataset, file=name, progress=progress,
                                   conv_mask_to_poly=bool(request.params.get("conv_mask_to_poly")))
    touch(project)


@handler(services.EXPORT_BACKUP, lease_seconds=1800)
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


@handler(services.IMPORT_BACKUP, lease_seconds=3600)
def import_backup(request: BackgroundRequest, progress: Progress) -> None:
    with _uploaded(request) as path, _user_errors():
        with backups.open_backup(path, services.original_name(path.name)) as source:
            if request.params.get("kind") == "project":
                created: Task | Project = backups.restore_project(_owner(request), source, progress)
            else:
                created = backups.restore_task(_owner(request), source, progress)
    BackgroundRequest.objects.filter(pk=request.pk).update(result_id=created.pk)
