"""``AnnotationGuideRead``, ``AnnotationGuideWriteRequest`` and ``AssetRead``."""

from __future__ import annotations

from rest_framework import serializers

from inklab.server.api.integers import id_field
from inklab.server.api.strict import StrictFields
from inklab.server.guides.models import AnnotationGuide, GuideAsset
from inklab.server.iam.serializers import BasicUserSerializer

__all__ = ["AssetReadSerializer", "GuideReadSerializer", "GuideWriteSerializer"]


class GuideReadSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnnotationGuide
        fields = ["id", "task_id", "project_id", "created_date", "updated_date", "markdown"]
        read_only_fields = fields


class GuideWriteSerializer(StrictFields, serializers.Serializer):
    task_id = id_field(required=False, allow_null=True)
    project_id = id_field(required=False, allow_null=True)
    markdown = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class AssetReadSerializer(serializers.ModelSerializer):
    owner = BasicUserSerializer(read_only=True)

    class Meta:
        model = GuideAsset
        fields = ["uuid", "filename", "created_date", "owner", "guide_id"]
        read_only_fields = fields
