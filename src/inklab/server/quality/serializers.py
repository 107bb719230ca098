"""``QualitySettings``/``PatchedQualitySettingsRequest``, ``QualityReport``,
``QualityReportCreateRequest`` and ``AnnotationConflict``, with CVAT's field names."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from inklab.quality import PointSizeBase
from inklab.server.api.integers import UINT32, id_field, int_field
from inklab.server.api.strict import StrictFields
from inklab.server.iam.serializers import BasicUserSerializer
from inklab.server.quality.models import TARGET_METRICS, AnnotationConflict, QualityReport, QualitySettings

__all__ = ["ConflictSerializer", "QualityReportCreateSerializer", "QualityReportSerializer",
           "QualitySettingsSerializer", "QualitySettingsWriteSerializer"]

_SETTINGS = ["target_metric", "target_metric_threshold", "max_validations_per_job", "iou_threshold", "oks_sigma",
             "point_size_base", "line_thickness", "low_overlap_threshold", "compare_line_orientation",
             "line_orientation_threshold", "compare_groups", "group_match_threshold", "check_covered_annotations",
             "object_visibility_threshold", "panoptic_comparison", "compare_attributes", "empty_is_annotated"]


class QualitySettingsSerializer(serializers.ModelSerializer):
    task_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = QualitySettings
        fields = ["id", "task_id", *_SETTINGS]
        read_only_fields = fields


def _fraction() -> serializers.FloatField:
    return serializers.FloatField(required=False, min_value=0.0, max_value=1.0)


class QualitySettingsWriteSerializer(StrictFields, serializers.Serializer):
    """``PatchedQualitySettingsRequest``: thresholds and shares are within [0, 1]."""

    target_metric = serializers.ChoiceField(choices=list(TARGET_METRICS), required=False)
    target_metric_threshold = _fraction()
    max_validations_per_job = int_field(UINT32, required=False)
    iou_threshold = _fraction()
    oks_sigma = serializers.FloatField(required=False, min_value=1e-6, max_value=1.0)
    point_size_base = serializers.ChoiceField(choices=[b.value for b in PointSizeBase], required=False)
    line_thickness = serializers.FloatField(required=False, min_value=1e-6, max_value=1.0)
    low_overlap_threshold = _fraction()
    compare_line_orientation = serializers.BooleanField(required=False)
    line_orientation_threshold = _fraction()
    compare_groups = serializers.BooleanField(required=False)
    group_match_threshold = _fraction()
    check_covered_annotations = serializers.BooleanField(required=False)
    object_visibility_threshold = _fraction()
    panoptic_comparison = serializers.BooleanField(required=False)
    compare_attributes = serializers.BooleanField(required=False)
    empty_is_annotated = serializers.BooleanField(required=False)


class QualityReportSerializer(serializers.ModelSerializer):
    job_id = serializers.IntegerField(read_only=True, allow_null=True)
    task_id = serializers.IntegerField(read_only=True, allow_null=True)
    parent_id = serializers.IntegerField(read_only=True, allow_null=True)
    assignee = BasicUserSerializer(read_only=True, allow_null=True)
    summary = serializers.SerializerMethodField()

    class Meta:
        model = QualityReport
        fields = ["id", "job_id", "task_id", "parent_id", "target", "summary", "created_date",
                  "target_last_updated", "gt_last_updated", "assignee"]
        read_only_fields = fields

    def get_summary(self, report: QualityReport) -> dict[str, Any]:
        return dict(report.summary)


class QualityReportCreateSerializer(StrictFields, serializers.Serializer):
    """``QualityReportCreateRequest``."""

    task_id = id_field()


class ConflictSerializer(serializers.ModelSerializer):
    report_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = AnnotationConflict
        fields = ["id", "frame", "type", "annotation_ids", "report_id", "severity"]
        read_only_fields = fields
