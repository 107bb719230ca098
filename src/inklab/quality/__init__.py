"""Quality checking as a library: annotations compared with their ground truth, frame by frame.

Pure computation (numpy, scipy, Pillow; no Django): the server stores and schedules reports,
this package computes them. :mod:`.comparison` documents the matching rules, :mod:`.similarity`
the measures (IoU, OKS, line similarity), :mod:`.consensus` the vote that merges replicas. Malformed input raises ``ValueError``.
"""

from inklab.quality.comparison import FAMILIES, compare_frame, family_of, match, similarity_matrix, summarize
from inklab.quality.consensus import merge_frame
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
    "merge_frame",
    "oks",
    "region_iou",
    "region_of",
    "similarity_matrix",
    "skeleton_oks",
    "summarize",
]
