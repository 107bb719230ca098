"""``JobRead`` and ``PatchedJobWriteRequest``."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from inklab.server.api.integers import id_field
from inklab.server.api.strict import StrictFields
from inklab.server.projects.models import Job
from inklab.server.projects.serializers._common import (
    GUIDE_ID,
    ORGANIZATION_ID,
    BasicUserSerializer,
    absolute,
    collection_url,
    storage_of,
)
from inklab.vocabulary import JobStage, JobState, JobType

__all__ = ["JobReadSerializer", "JobWriteSerializer"]


class JobReadSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    task_id = serializers.IntegerField(read_only=True)
    task_name = serializers.CharField(source="task.name", read_only=True)
    project_id = serializers.IntegerField(source="task.project_id", read_only=True, allow_null=True)
    project_name = serializers.SerializerMethodField()
    assignee = BasicUserSerializer(read_only=True, allow_null=True)
    guide_id = serializers.SerializerMethodField()
    dimension = serializers.SerializerMethodField()
    bug_tracker = serializers.CharField(source="task.bug_tracker", read_only=True)
    status = serializers.CharField(read_only=True)
    frame_count = serializers.IntegerField(read_only=True)
    mode = serializers.CharField(source="task.mode", read_only=True)
    media_type = serializers.CharField(source="task.media_type", read_only=True)
    data_chunk_size = serializers.SerializerMethodField()
    data_compressed_chunk_type = serializers.CharField(source="task.compressed_chunk_type", read_only=True)
    data_original_chunk_type = serializers.CharField(source="task.original_chunk_type", read_only=True)
    organization = serializers.SerializerMethodField()
    target_storage = serializers.SerializerMethodField()
    source_storage = serializers.SerializerMethodField()
    parent_job_id = serializers.SerializerMethodField()
    issues = serializers.SerializerMethodField()
    labels = serializers.SerializerMethodField()
    consensus_replicas = serializers.SerializerMethodField()
    replicas_count = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "url", "id", "task_id", "task_name", "project_id", "project_name", "assignee", "guide_id",
            "dimension", "bug_tracker", "status", "stage", "state", "mode", "frame_count", "start_frame",
            "stop_frame", "data_chunk_size", "data_compressed_chunk_type", "data_original_chunk_type",
            "created_date", "updated_date", "issues", "labels", "type", "organization", "target_storage",
            "source_storage", "assignee_updated_date", "parent_job_id", "consensus_replicas",
            "replicas_count", "media_type",
        ]
        read_only_fields = fields

    def get_url(self, job: Job) -> str:
        return absolute(self.context, "job-detail", job.pk)

    def get_project_name(self, job: Job) -> str | None:
        return job.task.project.name if job.task.project_id else None

    def get_dimension(self, job: Job) -> str:
        return "2d"

    def get_data_chunk_size(self, job: Job) -> int | None:
        return job.task.chunk_size

    def get_issues(self, job: Job) -> dict[str, Any]:
        count = getattr(job, "issue_count", None)
        if count is None:
            count = job.issues.count()  # the review app's issues of the job
        return {"count": count, "url": collection_url(self.context, "issues", job_id=job.pk)}

    def get_labels(self, job: Job) -> dict[str, str]:
        return {"url": collection_url(self.context, "labels", job_id=job.pk)}

    get_organization = ORGANIZATION_ID
    get_guide_id = GUIDE_ID

    def get_parent_job_id(self, job: Job) -> int | None:
        return job.parent_job_id
    get_target_storage = storage_of("target")
    get_source_storage = storage_of("source")

    def get_consensus_replicas(self, job: Job) -> int:
        return job.task.consensus_replicas if job.type == JobType.ANNOTATION else 0

    get_replicas_count = get_consensus_replicas


class JobWriteSerializer(StrictFields, serializers.Serializer):
    """``PatchedJobWriteRequest``."""

    assignee = id_field(required=False, allow_null=True)
    stage = serializers.ChoiceField(choices=[s.value for s in JobStage], required=False)
    state = serializers.ChoiceField(choices=[s.value for s in JobState], required=False)
