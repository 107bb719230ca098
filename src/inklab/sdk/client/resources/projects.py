"""Projects: ``client.projects`` and the :class:`Project` entity."""

from __future__ import annotations

import io

from inklab.sdk.client.resources._base import CreatableRepo, DeletableEntity, DeletableRepo, UpdatableEntity
from inklab.sdk.client.resources.tasks import Task
from inklab.sdk.models import Label, ProjectRead

__all__ = ["Project", "ProjectsRepo"]


class Project(ProjectRead, UpdatableEntity, DeletableEntity):
    """A project (fields of :class:`~inklab.sdk.models.ProjectRead`)."""

    _collection = "/api/projects"

    def get_tasks(self) -> list[Task]:
        return [Task._wrap(self._client, t) for t in self._sub_collection("/api/tasks", {"project_id": self.id})]

    def get_labels(self) -> list[Label]:
        return [Label.from_dict(x) for x in self._sub_collection("/api/labels", {"project_id": self.id})]

    def get_preview(self) -> io.BytesIO:
        return io.BytesIO(self._client.request("GET", f"{self._path}/preview").data)


class ProjectsRepo(CreatableRepo[Project], DeletableRepo[Project]):
    """``client.projects``."""

    _entity = Project
