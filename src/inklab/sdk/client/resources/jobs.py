"""Jobs: ``client.jobs`` and the :class:`Job` entity."""

from __future__ import annotations

from inklab.sdk.client.resources._annotations import AnnotationCrudMixin
from inklab.sdk.client.resources._base import Repo, UpdatableEntity
from inklab.sdk.client.resources._datasets import ExportDatasetMixin, ImportAnnotationsMixin
from inklab.sdk.client.resources._media import FramesMixin
from inklab.sdk.models import JobRead, Label

__all__ = ["Job", "JobsRepo"]


class Job(JobRead, UpdatableEntity, AnnotationCrudMixin, FramesMixin, ExportDatasetMixin, ImportAnnotationsMixin):
    """A job: frames ``start_frame``..``stop_frame`` of its task (fields of ``JobRead``).

    ``export_dataset`` exports the job's frames only; ``import_annotations`` changes them only.
    """

    _collection = "/api/jobs"

    @property
    def _data_path(self) -> str:
        return f"{self._path}/data"

    def get_labels(self) -> list[Label]:
        return [Label.from_dict(x) for x in self._sub_collection("/api/labels", {"job_id": self.id})]


class JobsRepo(Repo[Job]):
    """``client.jobs``."""

    _entity = Job
