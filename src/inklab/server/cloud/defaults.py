"""The ``source_storage`` / ``target_storage`` of projects and tasks: where their imports come
from and their exports go when a request does not say (CVAT's ``Storage``: ``location`` and
``cloud_storage_id``). Jobs use their task's; tasks without their own use their project's.

Kept here, beside the storages they name, so the projects app needs no migration; a storage
that is deleted takes its defaults with it (they become local).
"""

from __future__ import annotations

from typing import Any

from inklab.server.cloud.models import StorageDefault

__all__ = ["StorageDefault", "default_location", "read_storage", "set_storages"]

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


def read_storage(obj: Any, kind: str) -> dict[str, Any] | None:
    """The ``Storage`` body of ``obj``'s own default (None when it has none: local)."""
    storage_id = default_location(obj, kind)
    if storage_id is None:
        return None
    return {"id": None, "location": "cloud_storage", "cloud_storage_id": storage_id}


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
