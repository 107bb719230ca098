"""``ProjectRead`` and ``ProjectWriteRequest``."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from inklab.server.api.integers import id_field
from inklab.server.api.strict import NO_ORGANIZATIONS, StrictFields
from inklab.server.projects.models import Project
from inklab.server.projects.serializers._common import (
    GUIDE_ID,
    ORGANIZATION_ID,
    BasicUserSerializer,
    absolute,
    collection_url,
    storage_field,
    storage_of,
)
from inklab.server.projects.serializers.labels import LabelWriteSerializer

__all__ = ["ProjectReadSerializer", "ProjectWriteSerializer"]


class ProjectReadSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    owner = BasicUserSerializer(read_only=True, allow_null=True)
    assignee = BasicUserSerializer(read_only=True, allow_null=True)
    tasks = serializers.SerializerMethodField()
    labels = serializers.SerializerMethodField()
    task_subsets = serializers.SerializerMethodField()
    dimension = serializers.SerializerMethodField()
    organization = serializers.SerializerMethodField()
    organization_id = serializers.SerializerMethodField()
    target_storage = serializers.SerializerMethodField()
    source_storage = serializers.SerializerMethodField()
    guide_id = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "url", "id", "name", "owner", "assignee", "guide_id", "bug_tracker", "task_subsets",
            "created_date", "updated_date", "status", "dimension", "organization", "organization_id",
            "target_storage", "source_storage", "assignee_updated_date", "tasks", "labels",
        ]
        read_only_fields = fields

    def get_url(self, project: Project) -> str:
        return absolute(self.context, "project-detail", project.pk)

    def get_tasks(self, project: Project) -> dict[str, Any]:
        count = getattr(project, "task_count", None)
        if count is None:
            count = project.tasks.count()
        return {"count": count, "url": collection_url(self.context, "tasks", project_id=project.pk)}

    def get_labels(self, project: Project) -> dict[str, str]:
        return {"url": collection_url(self.context, "labels", project_id=project.pk)}

    def get_task_subsets(self, project: Project) -> list[str]:
        subsets = getattr(project, "subset_list", None)
        if subsets is None:
            subsets = project.tasks.exclude(subset="").values_list("subset", flat=True).distinct()
        return sorted(set(subsets))

    def get_dimension(self, project: Project) -> str | None:
        return "2d"

    get_organization = get_organization_id = ORGANIZATION_ID
    get_guide_id = GUIDE_ID
    get_target_storage = storage_of("target")
    get_source_storage = storage_of("source")


class ProjectWriteSerializer(StrictFields, serializers.Serializer):
    unsupported = {"organization_id": NO_ORGANIZATIONS}

    name = serializers.CharField(max_length=256, min_length=1)
    labels = LabelWriteSerializer(many=True, required=False)
    owner_id = id_field(required=False, allow_null=True)
    assignee_id = id_field(required=False, allow_null=True)
    bug_tracker = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    target_storage = storage_field()
    source_storage = storage_field()
    organization_id = id_field(required=False, allow_null=True, write_only=True)
