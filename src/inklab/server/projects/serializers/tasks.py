"""``TaskRead`` and ``TaskWriteRequest``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inklab.server.api.integers import UINT32, id_field, int_field
from inklab.server.api.strict import NO_ORGANIZATIONS, StrictFields
from inklab.server.projects.models import Task
from inklab.server.projects.serializers._common import (
    GUIDE_ID,
    ORGANIZATION_ID,
    BasicUserSerializer,
    absolute,
    collection_url,
    read_data_cloud_storage_id,
    storage_field,
    storage_of,
)
from inklab.server.projects.serializers.labels import LabelWriteSerializer

__all__ = ["MAX_REPLICAS", "TaskReadSerializer", "TaskWriteSerializer"]

#: the most consensus replicas a job may have
MAX_REPLICAS = 10


class TaskReadSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    owner = BasicUserSerializer(read_only=True, allow_null=True)
    assignee = BasicUserSerializer(read_only=True, allow_null=True)
    project_id = serializers.IntegerField(read_only=True, allow_null=True)
    project_name = serializers.SerializerMethodField()
    data_chunk_size = serializers.SerializerMethodField()
    data_original_chunk_type = serializers.CharField(source="original_chunk_type", read_only=True)
    data_compressed_chunk_type = serializers.CharField(source="compressed_chunk_type", read_only=True)
    data = serializers.SerializerMethodField()
    dimension = serializers.SerializerMethodField()
    jobs = serializers.SerializerMethodField()
    labels = serializers.SerializerMethodField()
    organization = serializers.SerializerMethodField()
    organization_id = serializers.SerializerMethodField()
    target_storage = serializers.SerializerMethodField()
    source_storage = serializers.SerializerMethodField()
    guide_id = serializers.SerializerMethodField()
    data_cloud_storage_id = serializers.SerializerMethodField()
    validation_mode = serializers.SerializerMethodField()  # null, or "gt" with a ground-truth job
    initial_replicas = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "url", "id", "name", "project_id", "project_name", "mode", "owner", "assignee", "bug_tracker",
            "created_date", "updated_date", "overlap", "segment_size", "status", "data_chunk_size",
            "data_compressed_chunk_type", "data_original_chunk_type", "size", "image_quality", "data",
            "dimension", "subset", "organization", "organization_id", "target_storage", "source_storage",
            "jobs", "labels", "assignee_updated_date", "guide_id", "data_cloud_storage_id",
            "validation_mode", "initial_replicas", "media_type",
        ]
        read_only_fields = fields

    def get_url(self, task: Task) -> str:
        return absolute(self.context, "task-detail", task.pk)

    def get_project_name(self, task: Task) -> str | None:
        return task.project.name if task.project_id else None

    def get_data_chunk_size(self, task: Task) -> int | None:
        return task.chunk_size if task.has_data else None

    def get_data(self, task: Task) -> int | None:
        return task.pk if task.has_data else None

    def get_dimension(self, task: Task) -> str:
        return "2d"

    def get_jobs(self, task: Task) -> dict[str, Any]:
        counts = getattr(task, "job_counts", None)
        if counts is None:
            jobs = list(task.jobs.all())
            counts = (len(jobs), sum(j.status == "completed" for j in jobs),
                      sum(j.stage == "validation" for j in jobs))
        count, completed, validation = counts
        return {"count": count, "completed": completed, "validation": validation,
                "url": collection_url(self.context, "jobs", task_id=task.pk)}

    def get_labels(self, task: Task) -> dict[str, str]:
        return {"url": collection_url(self.context, "labels", task_id=task.pk)}

    get_organization = get_organization_id = ORGANIZATION_ID
    get_guide_id = GUIDE_ID
    get_data_cloud_storage_id = read_data_cloud_storage_id
    get_target_storage = storage_of("target")
    get_source_storage = storage_of("source")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_validation_mode(self, task: Task) -> str | None:
        return task.validation_mode or None

    def get_initial_replicas(self, task: Task) -> int:
        return task.consensus_replicas


class TaskWriteSerializer(StrictFields, serializers.Serializer):
    """``TaskWriteRequest`` (POST) and ``PatchedTaskWriteRequest`` (PATCH)."""

    unsupported = {"organization_id": NO_ORGANIZATIONS}

    name = serializers.CharField(max_length=256, min_length=1)
    project_id = id_field(required=False, allow_null=True)
    owner_id = id_field(required=False, allow_null=True)
    assignee_id = id_field(required=False, allow_null=True)
    bug_tracker = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    overlap = int_field(UINT32, required=False, allow_null=True)
    segment_size = int_field(UINT32, required=False)
    labels = LabelWriteSerializer(many=True, required=False)
    subset = serializers.CharField(max_length=64, required=False, allow_blank=True)
    target_storage = storage_field()
    source_storage = storage_field()
    organization_id = id_field(required=False, allow_null=True, write_only=True)
    initial_replicas = int_field((0, MAX_REPLICAS), required=False)
    consensus_replicas = int_field((0, MAX_REPLICAS), required=False)  # CVAT's older name of initial_replicas

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        replicas = {attrs[name] for name in ("initial_replicas", "consensus_replicas") if name in attrs}
        if len(replicas) > 1:
            raise serializers.ValidationError({"initial_replicas": ["initial_replicas and consensus_replicas "
                                                                    "differ; send one of them."]})
        if replicas:
            count = replicas.pop()
            if count == 1:
                name = "initial_replicas" if "initial_replicas" in attrs else "consensus_replicas"
                raise serializers.ValidationError({name: [
                    "Consensus needs at least 2 replicas per job (0 turns it off)."]})
            attrs.pop("initial_replicas", None)
            attrs["consensus_replicas"] = count
        return attrs
