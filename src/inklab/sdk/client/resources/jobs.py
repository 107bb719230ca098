"""Jobs: ``client.jobs`` and the :class:`Job` entity."""

from __future__ import annotations

import io
from collections.abc import Sequence

from inklab.sdk.client.resources._annotations import AnnotationCrudMixin
from inklab.sdk.client.resources._base import Repo, UpdatableEntity
from inklab.sdk.client.resources._datasets import ExportDatasetMixin, ImportAnnotationsMixin
from inklab.sdk.client.resources._media import FramesMixin
from inklab.sdk.models import DataMetaRead, FrameMeta, JobRead, Label

__all__ = ["Job", "JobsRepo"]


class Job(JobRead, UpdatableEntity, AnnotationCrudMixin, FramesMixin, ExportDatasetMixin, ImportAnnotationsMixin):
    """A job: frames ``start_frame``..``stop_frame`` of its task (fields of ``JobRead``).

    ``export_dataset`` exports the job's frames only; ``import_annotations`` changes them only.
    """

    _collection = "/api/jobs"

    @property
    def _data_path(self) -> str:
        return f"{self._path}/data"

    def get_meta(self) -> DataMetaRead:
        """Meta of the job's frames."""
        return DataMetaRead.from_dict(self._client.get_json(f"{self._path}/data/meta"))

    def get_frames_info(self) -> list[FrameMeta]:
        return self.get_meta().frames

    def remove_frames_by_ids(self, ids: Sequence[int]) -> None:
        """Set the deleted frames within this job's range."""
        self._client.send_json("PATCH", f"{self._path}/data/meta", {"deleted_frames": [int(i) for i in ids]})

    def get_preview(self) -> io.BytesIO:
        return io.BytesIO(self._client.request("GET", f"{self._path}/preview").data)

    def get_labels(self) -> list[Label]:
        return [Label.from_dict(x) for x in self._sub_collection("/api/labels", {"job_id": self.id})]


class JobsRepo(Repo[Job]):
    """``client.jobs``."""

    _entity = Job
