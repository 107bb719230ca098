"""Dataset exports, annotation and dataset imports and backups, shared by tasks, jobs and projects.

Exports (``export_dataset``, ``download_backup``) ask the server to build a file in the
background, wait, then stream it to disk (:mod:`inklab.sdk.client._downloading`). Imports
(``import_annotations``, ``import_dataset``, ``create_from_backup``) send the file through the
TUS upload flow and wait until the server has applied it; a failed import raises
:class:`BackgroundRequestError` with the server's message (which names the file and the line or
element at fault), and the target's annotations are then as they were.

``location`` may be ``"local"`` (the default: the file comes back here) or ``"cloud_storage"``
with ``cloud_storage_id`` on servers that have cloud storage; then nothing is downloaded and the
methods return None.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from inklab.sdk import models
from inklab.sdk.client._downloading import download_file, prepare_file
from inklab.sdk.client._errors import SdkError
from inklab.sdk.client._progress import ProgressReporter
from inklab.sdk.client._uploading import upload_for_import
from inklab.sdk.client.resources._base import E, Entity, Repo

if TYPE_CHECKING:
    from inklab.sdk.client._client import Client

__all__ = [
    "CLOUD_STORAGE",
    "DEFAULT_IMPORT_FORMAT",
    "LOCAL",
    "BackupMixin",
    "BackupRepoMixin",
    "ExportDatasetMixin",
    "ImportAnnotationsMixin",
    "bool_param",
    "import_file",
]

LOCAL: Final = "local"
CLOUD_STORAGE: Final = "cloud_storage"
#: What ``create_from_data`` and ``create_from_dataset`` import by default (CVAT SDK's default
#: name; servers treat it as "CVAT 1.1").
DEFAULT_IMPORT_FORMAT: Final = "CVAT XML 1.1"


def _location_value(location: Any) -> str | None:
    """``location`` as the query value: strings and CVAT's ``Location`` enum alike."""
    if location is None:
        return None
    value = str(getattr(location, "value", location))
    if value not in (LOCAL, CLOUD_STORAGE):
        raise ValueError(f"location must be '{LOCAL}' or '{CLOUD_STORAGE}', not {location!r}")
    return value


def bool_param(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


def import_file(client: Client, endpoint: str, filename: str | os.PathLike[str], params: Mapping[str, Any], *,
                status_check_period: float | None = None, pbar: ProgressReporter | None = None,
                log_prefix: str) -> models.Request:
    """Upload ``filename`` to an import ``endpoint`` and wait until the server has applied it
    (``pbar`` shows the upload, then the server's progress)."""
    rq_id = upload_for_import(client, endpoint, Path(filename), params, pbar=pbar)
    return client.wait_for_completion(rq_id, status_check_period=status_check_period, log_prefix=log_prefix,
                                      pbar=pbar)


class _ExportMixin(Entity):
    def _export(self, endpoint: str, filename: str | os.PathLike[str], params: dict[str, Any], *,
                pbar: ProgressReporter | None, status_check_period: float | None, location: Any,
                cloud_storage_id: int | None, what: str) -> Path | None:
        value = _location_value(location)
        if value == CLOUD_STORAGE:
            if not cloud_storage_id:
                raise ValueError("location='cloud_storage' needs cloud_storage_id")
            params.update(location=value, cloud_storage_id=cloud_storage_id, filename=os.fspath(filename))
        elif value is not None:
            params["location"] = value
        name = type(self).__name__.lower()
        request = prepare_file(self._client, f"{self._path}/{endpoint}", params,
                               status_check_period=status_check_period, pbar=pbar,
                               log_prefix=f"Preparing the {what} of {name} {self.__dict__['id']}")
        if value == CLOUD_STORAGE:
            self._client.logger.info("%s of %s %s saved to cloud storage %s as %s", what.capitalize(), name,
                                     self.__dict__["id"], cloud_storage_id, filename)
            return None
        if not request.result_url:
            raise SdkError(f"The server finished the {what} of {name} {self.__dict__['id']} but gave no "
                           f"URL to download it from (request {request.id}).")
        path = download_file(self._client, request.result_url, filename, pbar=pbar, desc=f"Downloading the {what}")
        self._client.logger.info("%s of %s %s downloaded to %s", what.capitalize(), name, self.__dict__["id"], path)
        return path


class ExportDatasetMixin(_ExportMixin):
    """``export_dataset`` for tasks, jobs and projects."""

    def export_dataset(self, format_name: str, filename: str | os.PathLike[str], *,
                       pbar: ProgressReporter | None = None, status_check_period: float | None = None,
                       include_images: bool = True, location: Any = None,
                       cloud_storage_id: int | None = None) -> Path | None:
        """Export the annotations in ``format_name`` (``"COCO 1.0"``, ``"CVAT for images 1.1"`` …),
        with the images when ``include_images``, and download the archive to ``filename``.

        ``filename`` is a file path, or a directory (existing, or ending with ``/``) where the
        file gets the server's name. Returns the path written (None for cloud storage). ``pbar``
        shows the server's progress, then the download's. Raises ``FileExistsError`` rather than
        overwrite a file, :class:`ApiError` when the server refuses the export (an unknown
        format: the message is the server's), :class:`BackgroundRequestError` when it fails.
        """
        params: dict[str, Any] = {"format": format_name, "save_images": bool(include_images)}
        return self._export("dataset/export", filename, params, pbar=pbar, status_check_period=status_check_period,
                            location=location, cloud_storage_id=cloud_storage_id, what="dataset")


class BackupMixin(_ExportMixin):
    """``download_backup`` for tasks and projects."""

    def download_backup(self, filename: str | os.PathLike[str], *, status_check_period: float | None = None,
                        pbar: ProgressReporter | None = None, location: Any = None,
                        cloud_storage_id: int | None = None, lightweight: bool = False) -> Path | None:
        """Make a backup (data, labels, jobs, annotations) and download it to ``filename``.

        ``filename`` is handled as in :meth:`ExportDatasetMixin.export_dataset`; ``lightweight``
        leaves out media that the server reads from cloud storage. Returns the path written.
        Restore it with ``client.tasks.create_from_backup`` (or ``client.projects``).
        """
        params: dict[str, Any] = {"lightweight": bool(lightweight)}
        return self._export("backup/export", filename, params, pbar=pbar, status_check_period=status_check_period,
                            location=location, cloud_storage_id=cloud_storage_id, what="backup")


class BackupRepoMixin(Repo[E]):
    """``create_from_backup`` for ``client.tasks`` and ``client.projects``."""

    def create_from_backup(self, filename: str | os.PathLike[str], *, status_check_period: float | None = None,
                           pbar: ProgressReporter | None = None) -> E:
        """Restore a task, or a project with its tasks, from a backup made by ``download_backup``
        (or by CVAT).

        Returns the new object. Raises ``FileNotFoundError``, and :class:`BackgroundRequestError`
        with the server's message for a file that is not a usable backup (nothing is created).
        """
        name = Path(filename).name
        request = import_file(self._client, f"{self._collection}/backup/", filename, {},
                              status_check_period=status_check_period, pbar=pbar, log_prefix=f"Restoring {name}")
        if request.result_id is None:
            raise SdkError(f"The server restored {name} but did not say what it created "
                           f"(request {request.id} has no result_id).")
        obj_id = int(request.result_id)
        self._client.logger.info("Restored %s as %s #%s", name, self._entity.__name__.lower(), obj_id)
        return self.retrieve(obj_id)


class ImportAnnotationsMixin(Entity):
    """``import_annotations`` for tasks and jobs."""

    def import_annotations(self, format_name: str, filename: str | os.PathLike[str], *,
                           conv_mask_to_poly: bool | None = None, import_mode: str | None = None,
                           status_check_period: float | None = None,
                           pbar: ProgressReporter | None = None) -> models.Request:
        """Import annotations from ``filename`` in ``format_name`` (``"CVAT 1.1"``, ``"COCO 1.0"`` …).

        ``import_mode`` ``"replace"`` (the server's default) replaces the annotations on the
        frames concerned, ``"append"`` adds to them; ``conv_mask_to_poly`` turns masks into
        polygons. Returns the finished request. Raises ``FileNotFoundError``,
        :class:`ApiError` when the server refuses the import before it starts (unknown format)
        and :class:`BackgroundRequestError` with the server's message when the file is bad; the
        annotations are then unchanged.
        """
        if import_mode is not None and import_mode not in ("replace", "append"):
            raise ValueError(f"import_mode must be 'replace' or 'append', not {import_mode!r}")
        name = type(self).__name__.lower()
        request = import_file(self._client, f"{self._path}/annotations/", filename,
                              {"format": format_name, "conv_mask_to_poly": bool_param(conv_mask_to_poly),
                               "import_mode": import_mode},
                              status_check_period=status_check_period, pbar=pbar,
                              log_prefix=f"Importing {Path(filename).name} into {name} {self.__dict__['id']}")
        self._client.logger.info("Imported %s into %s %s", Path(filename).name, name, self.__dict__["id"])
        self.fetch()
        return request
