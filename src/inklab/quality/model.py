"""What the comparison reads and what it reports: frozen value objects, CVAT's names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "Annotation",
    "AnnotationRef",
    "ComparisonSettings",
    "Conflict",
    "ConflictType",
    "FrameComparison",
    "SEVERITY",
    "PointSizeBase",
    "Severity",
    "Summary",
]


class ConflictType(StrEnum):
    MISSING_ANNOTATION = "missing_annotation"
    EXTRA_ANNOTATION = "extra_annotation"
    MISMATCHING_LABEL = "mismatching_label"
    LOW_OVERLAP = "low_overlap"
    MISMATCHING_DIRECTION = "mismatching_direction"
    MISMATCHING_ATTRIBUTES = "mismatching_attributes"
    MISMATCHING_GROUPS = "mismatching_groups"
    COVERED_ANNOTATION = "covered_annotation"


class Severity(StrEnum):
    WARNING = "warning"
    ERROR = "error"


#: what each conflict type weighs: unmatched or wrongly labelled objects are errors
SEVERITY: Mapping[ConflictType, Severity] = {
    ConflictType.MISSING_ANNOTATION: Severity.ERROR,
    ConflictType.EXTRA_ANNOTATION: Severity.ERROR,
    ConflictType.MISMATCHING_LABEL: Severity.ERROR,
    ConflictType.LOW_OVERLAP: Severity.WARNING,
    ConflictType.MISMATCHING_DIRECTION: Severity.WARNING,
    ConflictType.MISMATCHING_ATTRIBUTES: Severity.WARNING,
    ConflictType.MISMATCHING_GROUPS: Severity.WARNING,
    ConflictType.COVERED_ANNOTATION: Severity.WARNING,
}


class PointSizeBase(StrEnum):
    IMAGE_SIZE = "image_size"
    GROUP_BBOX_SIZE = "group_bbox_size"


@dataclass(frozen=True)
class ComparisonSettings:
    """The knobs of a comparison, named as CVAT's quality settings.

    ``iou_threshold``: the least similarity of a match; ``low_overlap_threshold``: matches below
    it are reported as ``low_overlap``; ``oks_sigma``: the spread of a point's OKS;
    ``line_thickness``: the tolerance of polylines, relative to the square root of the image area;
    ``line_orientation_threshold``: how much better the reversed line must fit to report
    ``mismatching_direction``; ``group_match_threshold``: the least Jaccard index of matched
    groups; ``object_visibility_threshold``: the least visible share of a polygon or mask.
    """

    iou_threshold: float = 0.4
    oks_sigma: float = 0.09
    point_size_base: PointSizeBase = PointSizeBase.GROUP_BBOX_SIZE
    line_thickness: float = 0.01
    low_overlap_threshold: float = 0.8
    compare_line_orientation: bool = True
    line_orientation_threshold: float = 0.1
    compare_groups: bool = True
    group_match_threshold: float = 0.5
    check_covered_annotations: bool = True
    object_visibility_threshold: float = 0.05
    panoptic_comparison: bool = True
    compare_attributes: bool = True
    empty_is_annotated: bool = False


@dataclass(frozen=True)
class Annotation:
    """One object on one frame. ``kind`` is ``tag``, ``shape`` or ``track`` (a track's state on
    this frame); ``type`` the shape type (None for tags); ``points`` CVAT's flat coordinates;
    ``elements`` a skeleton's points (each an Annotation of type ``points`` with one point)."""

    id: int
    kind: str
    label: int | str
    type: str | None = None
    points: tuple[float, ...] = ()
    rotation: float = 0.0
    attributes: tuple[tuple[str, str], ...] = ()
    group: int = 0
    z_order: int = 0
    outside: bool = False
    elements: tuple[Annotation, ...] = ()


@dataclass(frozen=True)
class AnnotationRef:
    """An object named in a conflict; ``source`` is ``gt`` or ``ds`` (the checked annotations)."""

    obj_id: int
    kind: str
    shape_type: str | None
    source: str

    @classmethod
    def of(cls, annotation: Annotation, source: str) -> AnnotationRef:
        return cls(annotation.id, annotation.kind, annotation.type, source)


@dataclass(frozen=True)
class Conflict:
    frame: int
    type: ConflictType
    annotations: tuple[AnnotationRef, ...]

    @property
    def severity(self) -> Severity:
        return SEVERITY[self.type]


@dataclass(frozen=True)
class FrameComparison:
    """The outcome on one validation frame: ``valid_count`` matched objects of the same label."""

    frame: int
    conflicts: tuple[Conflict, ...] = ()
    valid_count: int = 0
    gt_count: int = 0
    ds_count: int = 0


@dataclass(frozen=True)
class Summary:
    """CVAT's ``QualityReportSummary``: counts over the compared frames and the scores
    ``accuracy = valid / total``, ``precision = valid / ds``, ``recall = valid / gt`` where
    ``total = gt + ds - valid`` (0 when the denominator is 0)."""

    frame_count: int
    frame_share: float
    conflict_count: int
    warning_count: int
    error_count: int
    conflicts_by_type: Mapping[str, int] = field(default_factory=dict)
    valid_count: int = 0
    ds_count: int = 0
    gt_count: int = 0
    total_count: int = 0
    accuracy: float = 0.0
    precision: float = 0.0
    recall: float = 0.0
