"""The ``source_storage`` / ``target_storage`` of projects and tasks: where their imports come
from and their exports go when a request does not say (CVAT's ``Storage``: ``location`` and
``cloud_storage_id``). Jobs use their task's; tasks without their own use their project's.

Kept here, beside the storages they name, so the projects app needs no migration; a storage
that is deleted takes its defaults with it (they become local).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from inklab.server.cloud.models import StorageDefault, TaskCloudData

__all__ = ["StorageDefault", "data_sources", "default_location", "load_defaults", "read_storage",
           "record_data_source", "set_storages"]

KINDS = ("source", "target")


def _own(obj: Any, kind: str) -> int | None:
    from inklab.server.projects.models import Project, Task

    if isinstance(obj, Project):
        rows = StorageDefault.objects.filter(project=obj, kind=kind)
    elif isinstance(obj, Task):
        rows = StorageDefault.objects.filter(task=obj, kind=kind)
    else:
        return None
    return rows.values_list("cloud_storage_id", flat=True).first()


def default_location(obj: Any, kind: str) -> int | None:
    """The id of the cloud storage ``obj`` (project, task or job) uses for ``kind``; None for local."""
    from inklab.server.projects.models import Job, Task

    if isinstance(obj, Job):
        obj = obj.task
    found = _own(obj, kind)
    if found is None and isinstance(obj, Task) and obj.project_id:
        found = _own(obj.project, kind)
    return found


def _keys(obj: Any) -> tuple[int | None, int | None]:
    """(task id, project id) whose defaults apply to ``obj``."""
    from inklab.server.projects.models import Job, Project

    if isinstance(obj, Project):
        return None, obj.pk
    task = obj.task if isinstance(obj, Job) else obj
    return task.pk, task.project_id


def load_defaults(objects: Iterable[Any]) -> dict[tuple[str, int, str], int]:
    """In one query, the defaults of ``objects`` (projects, tasks, jobs) and of their projects:
    ``("task" | "project", id, kind) -> cloud storage id``."""
    tasks, projects = set(), set()
    for obj in objects:
        task_id, project_id = _keys(obj)
        if task_id is not None:
            tasks.add(task_id)
        if project_id is not None:
            projects.add(project_id)
    rows = StorageDefault.objects.filter(Q(task_id__in=tasks) | Q(project_id__in=projects))
    found: dict[tuple[str, int, str], int] = {}
    for task_id, project_id, kind, storage_id in rows.values_list("task_id", "project_id", "kind",
                                                                  "cloud_storage_id"):
        found[("task", task_id, kind) if task_id else ("project", project_id, kind)] = storage_id
    return found


def read_storage(obj: Any, kind: str, loaded: dict[tuple[str, int, str], int] | None = None) -> dict[str, Any] | None:
    """The ``Storage`` body of ``obj``'s default for ``kind`` (None: local). ``loaded``: the result
    of :func:`load_defaults` for a page of objects that includes ``obj``."""
    if loaded is None:
        loaded = load_defaults([obj])
    task_id, project_id = _keys(obj)
    storage_id = loaded.get(("task", task_id, kind)) if task_id is not None else None
    if storage_id is None and project_id is not None:
        storage_id = loaded.get(("project", project_id, kind))
    if storage_id is None:
        return None
    return {"id": None, "location": "cloud_storage", "cloud_storage_id": storage_id}


def record_data_source(task_id: int, storage_id: int) -> None:
    """Remember that task ``task_id`` took its frames from cloud storage ``storage_id``."""
    TaskCloudData.objects.update_or_create(task_id=task_id, defaults={"cloud_storage_id": storage_id})


def data_sources(task_ids: Iterable[int]) -> dict[int, int]:
    """``data_cloud_storage_id`` of each of ``task_ids`` that has one, in one query."""
    rows = TaskCloudData.objects.filter(task_id__in=list(task_ids), cloud_storage__isnull=False)
    return dict(rows.values_list("task_id", "cloud_storage_id"))


def set_storages(user: Any, obj: Any, values: dict[str, Any]) -> None:
    """Store ``source_storage``/``target_storage`` bodies (already validated) given for ``obj``."""
    from inklab.server.cloud.permissions import visible_storage
    from inklab.server.errors import InvalidInput, NotFound
    from inklab.server.projects.models import Project

    for kind in KINDS:
        if f"{kind}_storage" not in values:
            continue
        body = values[f"{kind}_storage"] or {}
        owner = {"project": obj} if isinstance(obj, Project) else {"task": obj}
        StorageDefault.objects.filter(kind=kind, **owner).delete()
        if body.get("location") != "cloud_storage":
            continue
        try:
            storage = visible_storage(user, body.get("cloud_storage_id"))
        except NotFound as exc:
            raise InvalidInput({f"{kind}_storage": {"cloud_storage_id": [str(exc.detail)]}}) from exc
        StorageDefault.objects.create(kind=kind, cloud_storage=storage, **owner)
