"""Quality checking as a library: annotations compared with their ground truth, frame by frame.

Pure computation (numpy, scipy, Pillow; no Django): the server stores and schedules reports,
this package computes them. :mod:`.comparison` documents the matching rules, :mod:`.similarity`
the measures (IoU, OKS, line similarity). Malformed input raises ``ValueError``.
"""

from inklab.quality.comparison import FAMILIES, compare_frame, family_of, match, summarize
from inklab.quality.model import (
    SEVERITY,
    Annotation,
    AnnotationRef,
    ComparisonSettings,
    Conflict,
    ConflictType,
    FrameComparison,
    PointSizeBase,
    Severity,
    Summary,
)
from inklab.quality.similarity import (
    box_iou_matrix,
    line_similarity,
    oks,
    region_iou,
    region_of,
    skeleton_oks,
)

__all__ = [
    "FAMILIES",
    "SEVERITY",
    "Annotation",
    "AnnotationRef",
    "ComparisonSettings",
    "Conflict",
    "ConflictType",
    "FrameComparison",
    "PointSizeBase",
    "Severity",
    "Summary",
    "box_iou_matrix",
    "compare_frame",
    "family_of",
    "line_similarity",
    "match",
    "oks",
    "region_iou",
    "region_of",
    "skeleton_oks",
    "summarize",
]
