"""Tasks: ``client.tasks`` and the :class:`Task` entity."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import IO, Any

from inklab.sdk.client._progress import ProgressReporter
from inklab.sdk.client._uploading import upload_task_files
from inklab.sdk.client.resources._annotations import AnnotationCrudMixin
from inklab.sdk.client.resources._base import CreatableRepo, DeletableEntity, DeletableRepo, UpdatableEntity
from inklab.sdk.client.resources._datasets import (
    DEFAULT_IMPORT_FORMAT,
    BackupMixin,
    BackupRepoMixin,
    ExportDatasetMixin,
    ImportAnnotationsMixin,
)
from inklab.sdk.client.resources._media import FramesMixin
from inklab.sdk.client.resources.jobs import Job
from inklab.sdk.models import Label, Model, TaskRead

__all__ = ["ResourceType", "Task", "TasksRepo"]

#: The data parameters ``upload_data`` passes on (others are refused by name).
DATA_PARAMS = frozenset({
    "chunk_size", "copy_data", "image_quality", "sorting_method", "start_frame", "stop_frame", "use_cache",
    "use_zip_chunks", "job_file_mapping", "filename_pattern", "cloud_storage_id", "server_files_exclude",
    "validation_params", "frame_step", "upload_file_order",
})


class ResourceType(Enum):
    """Where task data comes from: files here, the server's share, or URLs the server fetches."""

    LOCAL = 0
    SHARE = 1
    REMOTE = 2

    def __str__(self) -> str:
        return self.name.lower()


def _data_request(params: Mapping[str, Any] | None) -> dict[str, Any]:
    params = dict(params or {})
    unknown = set(params) - DATA_PARAMS
    if unknown:
        raise ValueError(f"Unknown data parameters: {', '.join(sorted(unknown))}")
    data: dict[str, Any] = {"image_quality": 70}
    step = params.pop("frame_step", None)
    data.update({k: v for k, v in params.items() if v is not None})
    if step is not None:
        data["frame_filter"] = f"step={int(step)}"
    return data


class Task(TaskRead, UpdatableEntity, DeletableEntity, AnnotationCrudMixin, FramesMixin, ExportDatasetMixin,
           BackupMixin, ImportAnnotationsMixin):
    """A task on the server (fields of :class:`~inklab.sdk.models.TaskRead`).

    Datasets and backups: ``export_dataset``, ``import_annotations``, ``download_backup``
    (see :mod:`inklab.sdk.client.resources._datasets`).
    """

    _collection = "/api/tasks"

    @property
    def _data_path(self) -> str:
        return f"{self._path}/data/"

    # -- data -------------------------------------------------------------------------------

    def upload_data(self, resources: Sequence[str | os.PathLike[str]], *,
                    resource_type: ResourceType = ResourceType.LOCAL, pbar: ProgressReporter | None = None,
                    params: Mapping[str, Any] | None = None, wait_for_completion: bool = True,
                    status_check_period: float | None = None) -> str:
        """Attach data (images, a video, archives) and, by default, wait until it is processed.

        ``params`` are data parameters (``chunk_size``, ``sorting_method``, ``frame_step`` …).
        Returns the id of the processing request. Raises :class:`BackgroundRequestError` when
        the server cannot use the data.
        """
        data = _data_request(params)
        if resource_type is ResourceType.LOCAL:
            files = [Path(r) for r in resources]
            if str(data.get("sorting_method", "")).lower() == "predefined":
                data.setdefault("upload_file_order", [f.name for f in files])
            rq_id = upload_task_files(self._client, self._data_path, files, data, pbar=pbar)
        else:
            key = "server_files" if resource_type is ResourceType.SHARE else "remote_files"
            data[key] = [os.fspath(r) for r in resources]
            rq_id = str(self._client.send_json("POST", self._data_path, data)["rq_id"])
        if wait_for_completion:
            self._client.wait_for_completion(rq_id, status_check_period=status_check_period,
                                             log_prefix=f"Task {self.id} data processing")
            self.fetch()
        return rq_id

    def download_chunk(self, chunk_id: int, output_file: IO[bytes], *, quality: str | None = None) -> None:
        """Stream chunk ``chunk_id`` (a zip of frames ``chunk_id * data_chunk_size`` onwards)."""
        params: dict[str, Any] = {"type": "chunk", "number": int(chunk_id)}
        if quality:
            params["quality"] = quality
        with self._client.request("GET", self._data_path, params=params, stream=True) as response:
            for piece in response.iter_bytes():
                output_file.write(piece)

    # -- related objects --------------------------------------------------------------------

    def get_jobs(self) -> list[Job]:
        return [Job._wrap(self._client, j) for j in self._sub_collection("/api/jobs", {"task_id": self.id})]

    def get_labels(self) -> list[Label]:
        """The task's labels (its project's, when it is in one), skeleton points nested."""
        return [Label.from_dict(x) for x in self._sub_collection("/api/labels", {"task_id": self.id})]


class TasksRepo(CreatableRepo[Task], DeletableRepo[Task], BackupRepoMixin[Task]):
    """``client.tasks``."""

    _entity = Task

    def create_from_data(self, spec: Mapping[str, Any] | Model, resources: Sequence[str | os.PathLike[str]], *,
                         resource_type: ResourceType = ResourceType.LOCAL,
                         data_params: Mapping[str, Any] | None = None,
                         annotation_path: str | os.PathLike[str] = "",
                         annotation_format: str = DEFAULT_IMPORT_FORMAT,
                         status_check_period: float | None = None,
                         pbar: ProgressReporter | None = None) -> Task:
        """Create a task from ``spec`` (``TaskWriteRequest``), attach ``resources``, wait until
        the data is processed and, with ``annotation_path``, import that file in
        ``annotation_format``. Returns the task with its frames (and annotations).

        When the data or the annotation file cannot be used, the half-made task is deleted and
        the error raised (the server's message in a :class:`BackgroundRequestError`).
        """
        payload = spec.to_dict() if isinstance(spec, Model) else dict(spec)
        if payload.get("project_id") and payload.get("labels"):
            raise ValueError("A task in a project uses the project's labels; do not pass labels too.")
        missing = [os.fspath(r) for r in resources if resource_type is ResourceType.LOCAL and not Path(r).is_file()]
        if annotation_path and not Path(annotation_path).is_file():
            missing.append(os.fspath(annotation_path))
        if missing:
            raise FileNotFoundError(f"No such file: {missing[0]}")
        task = self.create(payload)
        self._client.logger.info("Created task #%s '%s'", task.id, task.name)
        with task._removed_on_failure():
            task.upload_data(resources, resource_type=resource_type, pbar=pbar, params=data_params,
                             status_check_period=status_check_period)
            if annotation_path:
                task.import_annotations(annotation_format, annotation_path, pbar=pbar,
                                        status_check_period=status_check_period)
        return task
