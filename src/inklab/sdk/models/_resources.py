"""Resource models: users, projects, tasks, jobs, data meta, background requests, server info."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from inklab.sdk.models._base import Model, list_field
from inklab.sdk.models._labels import PatchedLabelRequest
from inklab.vocabulary import RequestStatus

__all__ = [
    "About",
    "BasicUser",
    "DataMetaRead",
    "DataRequest",
    "FrameMeta",
    "IssuesSummary",
    "JobRead",
    "JobsSummary",
    "LabelsSummary",
    "PatchedDataMetaWriteRequest",
    "PatchedJobWriteRequest",
    "PatchedProjectWriteRequest",
    "PatchedTaskWriteRequest",
    "ProjectRead",
    "ProjectWriteRequest",
    "Request",
    "RequestDataOperation",
    "Storage",
    "TaskRead",
    "TaskWriteRequest",
    "TasksSummary",
    "User",
]


class About(Model):
    """``GET /api/server/about``."""

    name: str = ""
    description: str = ""
    version: str = ""
    logo_url: str = ""
    subtitle: str = ""


class BasicUser(Model):
    username: str
    url: str = ""
    id: int | None = None
    first_name: str = ""
    last_name: str = ""


class User(BasicUser):
    """A user as ``/api/users/self`` (or an administrator's view of ``/api/users``) shows it."""

    email: str = ""
    groups: list[str] = list_field()
    is_staff: bool = False
    is_superuser: bool = False
    is_active: bool = True
    last_login: datetime | None = None
    date_joined: datetime | None = None


class Storage(Model):
    location: str = "local"
    cloud_storage_id: int | None = None
    id: int | None = None


class JobsSummary(Model):
    count: int = 0
    completed: int | None = None
    validation: int | None = None
    url: str = ""


class LabelsSummary(Model):
    url: str = ""


class TasksSummary(Model):
    count: int = 0
    url: str = ""


class IssuesSummary(Model):
    count: int = 0
    url: str = ""


class ProjectRead(Model):
    """A project (``GET /api/projects/{id}``)."""

    id: int
    name: str
    url: str = ""
    owner: BasicUser | None = None
    assignee: BasicUser | None = None
    bug_tracker: str = ""
    task_subsets: list[str] = list_field()
    created_date: datetime | None = None
    updated_date: datetime | None = None
    status: str = "annotation"
    dimension: str | None = None
    organization: int | None = None
    organization_id: int | None = None
    target_storage: Storage | None = None
    source_storage: Storage | None = None
    tasks: TasksSummary | None = None
    labels: LabelsSummary | None = None
    guide_id: int | None = None
    assignee_updated_date: datetime | None = None


class ProjectWriteRequest(Model):
    _required = ("name",)
    name: str
    labels: list[PatchedLabelRequest] = list_field()
    owner_id: int | None = None
    assignee_id: int | None = None
    bug_tracker: str = ""
    target_storage: Storage | None = None
    source_storage: Storage | None = None


class PatchedProjectWriteRequest(Model):
    name: str
    labels: list[PatchedLabelRequest] = list_field()
    owner_id: int | None = None
    assignee_id: int | None = None
    bug_tracker: str = ""


class TaskRead(Model):
    """A task (``GET /api/tasks/{id}``). ``size`` counts frames; ``data_chunk_size`` is None
    until data is attached."""

    id: int
    name: str
    url: str = ""
    project_id: int | None = None
    project_name: str | None = None
    mode: str = ""
    owner: BasicUser | None = None
    assignee: BasicUser | None = None
    bug_tracker: str = ""
    created_date: datetime | None = None
    updated_date: datetime | None = None
    overlap: int | None = None
    segment_size: int = 0
    status: str = "annotation"
    data_chunk_size: int | None = None
    data_compressed_chunk_type: str = "imageset"
    data_original_chunk_type: str = "imageset"
    size: int = 0
    image_quality: int = 70
    data: int | None = None
    dimension: str = "2d"
    subset: str = ""
    organization: int | None = None
    organization_id: int | None = None
    target_storage: Storage | None = None
    source_storage: Storage | None = None
    jobs: JobsSummary | None = None
    labels: LabelsSummary | None = None
    assignee_updated_date: datetime | None = None
    guide_id: int | None = None
    media_type: str | None = None


class TaskWriteRequest(Model):
    """``POST /api/tasks``. A task in a project takes the project's labels (leave ``labels`` empty)."""

    _required = ("name",)
    name: str
    project_id: int | None = None
    owner_id: int | None = None
    assignee_id: int | None = None
    bug_tracker: str = ""
    overlap: int | None = None
    segment_size: int = 0
    labels: list[PatchedLabelRequest] = list_field()
    subset: str = ""
    target_storage: Storage | None = None
    source_storage: Storage | None = None


class PatchedTaskWriteRequest(Model):
    name: str
    project_id: int | None = None
    owner_id: int | None = None
    assignee_id: int | None = None
    bug_tracker: str = ""
    labels: list[PatchedLabelRequest] = list_field()
    subset: str = ""


class JobRead(Model):
    """A job: the frames ``start_frame``..``stop_frame`` (inclusive, task numbering) of a task."""

    id: int
    task_id: int
    url: str = ""
    task_name: str | None = None
    project_id: int | None = None
    project_name: str | None = None
    assignee: BasicUser | None = None
    dimension: str = "2d"
    mode: str = ""
    bug_tracker: str | None = None
    status: str = "annotation"
    stage: str = "annotation"
    state: str = "new"
    frame_count: int = 0
    start_frame: int = 0
    stop_frame: int = 0
    data_chunk_size: int | None = None
    data_compressed_chunk_type: str = "imageset"
    data_original_chunk_type: str = "imageset"
    created_date: datetime | None = None
    updated_date: datetime | None = None
    type: str = "annotation"
    organization: int | None = None
    target_storage: Storage | None = None
    source_storage: Storage | None = None
    issues: IssuesSummary | None = None
    labels: LabelsSummary | None = None


class PatchedJobWriteRequest(Model):
    assignee: int | None = None
    stage: str = "annotation"
    state: str = "new"


class FrameMeta(Model):
    name: str
    width: int = 0
    height: int = 0
    related_files: int = 0
    has_related_context: bool = False


class DataMetaRead(Model):
    """``GET /api/tasks/{id}/data/meta``: one ``frames`` entry per frame, deleted ones included."""

    chunks_updated_date: datetime | None = None
    chunk_size: int | None = None
    size: int = 0
    image_quality: int = 70
    start_frame: int = 0
    stop_frame: int = 0
    frame_filter: str = ""
    frames: list[FrameMeta] = list_field()
    deleted_frames: list[int] = list_field()
    included_frames: list[int] | None = None


class PatchedDataMetaWriteRequest(Model):
    deleted_frames: list[int] = list_field()


class DataRequest(Model):
    """Data parameters of a task (``POST /api/tasks/{id}/data/``)."""

    image_quality: int = 70
    chunk_size: int | None = None
    sorting_method: str = "lexicographical"
    start_frame: int = 0
    stop_frame: int | None = None
    frame_filter: str = ""
    server_files: list[str] = list_field()
    remote_files: list[str] = list_field()
    upload_file_order: list[str] = list_field()
    use_zip_chunks: bool = False
    use_cache: bool = False
    copy_data: bool = False
    job_file_mapping: list[list[str]] = list_field()
    filename_pattern: str | None = None
    cloud_storage_id: int | None = None
    server_files_exclude: list[str] = list_field()
    validation_params: dict[str, Any] | None = None


class RequestDataOperation(Model):
    type: str = ""
    target: str = ""
    project_id: int | None = None
    task_id: int | None = None
    job_id: int | None = None
    format: str | None = None
    function_id: str | None = None


class Request(Model):
    """A background request (``GET /api/requests/{id}``); ``progress`` is a fraction."""

    id: str
    status: RequestStatus
    operation: RequestDataOperation | None = None
    message: str = ""
    progress: float | None = None
    created_date: datetime | None = None
    started_date: datetime | None = None
    finished_date: datetime | None = None
    expiry_date: datetime | None = None
    owner: BasicUser | None = None
    result_url: str | None = None
    result_id: int | None = None
