"""Quality settings (one per task), reports (one for the task and one per annotation job, the
job reports children of the task report) and the conflicts each report found."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from inklab.quality import PointSizeBase
from inklab.server.projects.models import Job, Task
from inklab.vocabulary import choices

__all__ = ["AnnotationConflict", "QualityReport", "QualitySettings", "TARGET_METRICS"]

TARGET_METRICS = ("accuracy", "precision", "recall")


class QualitySettings(models.Model):
    """CVAT's quality settings of a task; the defaults are CVAT's."""

    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="quality_settings")
    target_metric = models.CharField(max_length=16, choices=[(m, m) for m in TARGET_METRICS], default="accuracy")
    target_metric_threshold = models.FloatField(default=0.7)
    max_validations_per_job = models.PositiveIntegerField(default=0)
    iou_threshold = models.FloatField(default=0.4)
    oks_sigma = models.FloatField(default=0.09)
    point_size_base = models.CharField(max_length=16, choices=choices(PointSizeBase),
                                       default=PointSizeBase.GROUP_BBOX_SIZE)
    line_thickness = models.FloatField(default=0.01)
    low_overlap_threshold = models.FloatField(default=0.8)
    compare_line_orientation = models.BooleanField(default=True)
    line_orientation_threshold = models.FloatField(default=0.1)
    compare_groups = models.BooleanField(default=True)
    group_match_threshold = models.FloatField(default=0.5)
    check_covered_annotations = models.BooleanField(default=True)
    object_visibility_threshold = models.FloatField(default=0.05)
    panoptic_comparison = models.BooleanField(default=True)
    compare_attributes = models.BooleanField(default=True)
    empty_is_annotated = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]


class QualityReport(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="quality_reports")
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.CASCADE, related_name="quality_reports")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    target = models.CharField(max_length=8, choices=[("task", "task"), ("job", "job")])
    summary = models.JSONField(default=dict)
    #: the comparison's details (settings used, per-frame results): ``/reports/{id}/data``
    data = models.JSONField(default=dict)
    created_date = models.DateTimeField(default=timezone.now)
    target_last_updated = models.DateTimeField()
    gt_last_updated = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    class Meta:
        ordering = ["-id"]


class AnnotationConflict(models.Model):
    report = models.ForeignKey(QualityReport, on_delete=models.CASCADE, related_name="conflicts")
    frame = models.PositiveIntegerField()
    type = models.CharField(max_length=32)
    severity = models.CharField(max_length=8)
    annotation_ids = models.JSONField(default=list)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["report", "frame"])]
