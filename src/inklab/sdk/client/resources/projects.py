"""Projects: ``client.projects`` and the :class:`Project` entity."""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from inklab.sdk import models
from inklab.sdk.client._progress import ProgressReporter
from inklab.sdk.client.resources._base import (
    CreatableRepo,
    DeletableEntity,
    DeletableRepo,
    UpdatableEntity,
    as_payload,
)
from inklab.sdk.client.resources._datasets import (
    DEFAULT_IMPORT_FORMAT,
    BackupMixin,
    BackupRepoMixin,
    ExportDatasetMixin,
    bool_param,
    import_file,
)
from inklab.sdk.client.resources.tasks import Task
from inklab.sdk.models import Label, Model, ProjectRead

__all__ = ["Project", "ProjectsRepo"]


class Project(ProjectRead, UpdatableEntity, DeletableEntity, ExportDatasetMixin, BackupMixin):
    """A project (fields of :class:`~inklab.sdk.models.ProjectRead`).

    Datasets and backups: ``export_dataset`` (every task), ``import_dataset`` (new tasks from an
    archive with images), ``download_backup``.
    """

    _collection = "/api/projects"

    def get_tasks(self) -> list[Task]:
        return [Task._wrap(self._client, t) for t in self._sub_collection("/api/tasks", {"project_id": self.id})]

    def get_labels(self) -> list[Label]:
        return [Label.from_dict(x) for x in self._sub_collection("/api/labels", {"project_id": self.id})]

    def get_preview(self) -> io.BytesIO:
        return io.BytesIO(self._client.request("GET", f"{self._path}/preview").data)

    def import_dataset(self, format_name: str, filename: str | os.PathLike[str], *,
                       conv_mask_to_poly: bool | None = None, status_check_period: float | None = None,
                       pbar: ProgressReporter | None = None) -> models.Request:
        """Import a dataset archive (images and annotations) in ``format_name``: the server makes
        tasks in this project from it (one per subset).

        Returns the finished request; the project is refreshed. Raises ``FileNotFoundError``,
        :class:`ApiError` when the server refuses the import (an unknown format) and
        :class:`BackgroundRequestError` with the server's message for a bad archive (no task is
        then added).
        """
        request = import_file(self._client, f"{self._path}/dataset/", filename,
                              {"format": format_name, "conv_mask_to_poly": bool_param(conv_mask_to_poly)},
                              status_check_period=status_check_period, pbar=pbar,
                              log_prefix=f"Importing {Path(filename).name} into project {self.id}")
        self._client.logger.info("Imported %s into project %s", Path(filename).name, self.id)
        self.fetch()
        return request


class ProjectsRepo(CreatableRepo[Project], DeletableRepo[Project], BackupRepoMixin[Project]):
    """``client.projects``."""

    _entity = Project

    def create_from_dataset(self, spec: Mapping[str, Any] | Model, *, dataset_path: str | os.PathLike[str] = "",
                            dataset_format: str = DEFAULT_IMPORT_FORMAT, status_check_period: float | None = None,
                            pbar: ProgressReporter | None = None,
                            conv_mask_to_poly: bool | None = None) -> Project:
        """Create a project from ``spec`` (``ProjectWriteRequest``) and, with ``dataset_path``,
        import that dataset into it (:meth:`Project.import_dataset`).

        When the import fails, the new project is deleted and the error raised.
        """
        if dataset_path and not Path(dataset_path).is_file():
            raise FileNotFoundError(f"No such file: {os.fspath(dataset_path)}")
        project = self.create(as_payload(spec))
        self._client.logger.info("Created project #%s '%s'", project.id, project.name)
        if dataset_path:
            with project._removed_on_failure():
                project.import_dataset(dataset_format, dataset_path, pbar=pbar, conv_mask_to_poly=conv_mask_to_poly,
                                       status_check_period=status_check_period)
        return project
