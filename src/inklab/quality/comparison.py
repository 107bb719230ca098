"""Comparing the annotations of one frame with its ground truth, and summing frames up.

Matching rules (:func:`compare_frame`):

1. Objects are compared within their family only: tags; rectangles; polygons and masks
   (together); ellipses; points; polylines; skeletons. Cuboids are not compared (nor counted).
   Tracks take part through their state on the frame (``kind`` ``track``), like shapes.
2. In each family the similarity of every ground-truth object with every checked object is
   computed (see :mod:`inklab.quality.similarity`: IoU, OKS, line similarity; tags are 1 for the
   same label, else 0). With ``panoptic_comparison`` a polygon or mask counts only the pixels
   that no object above it (higher ``z_order``; later in the list on a tie) covers.
3. The pairs are chosen by the Hungarian method (:func:`scipy.optimize.linear_sum_assignment`)
   maximising the total similarity; among equally similar pairs those of the same label win.
   A chosen pair is a match when its similarity reaches ``iou_threshold``.
4. A match of two labels is ``mismatching_label``; otherwise it is valid and may still be
   ``low_overlap`` (similarity under ``low_overlap_threshold``, not for tags),
   ``mismatching_attributes`` (``compare_attributes``: the attribute values differ) or
   ``mismatching_direction`` (``compare_line_orientation``: the reversed polyline is better
   by more than ``line_orientation_threshold``).
5. A ground-truth object without a match is ``missing_annotation``, a checked one
   ``extra_annotation``.
6. ``compare_groups``: for each ground-truth group of two or more objects, the checked partners
   of its members should form one group: the Jaccard index of the partners and the checked
   group most of them are in (members without a partner count in the union) must reach
   ``group_match_threshold``, else one ``mismatching_groups`` conflict names both groups.
7. ``check_covered_annotations``: a checked polygon or mask whose visible share is under
   ``object_visibility_threshold`` is ``covered_annotation``.

Counts: ``valid_count`` is the number of valid matches, ``gt_count``/``ds_count`` the objects
compared. With ``empty_is_annotated`` a frame empty on both sides counts as one valid match.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

from inklab.quality.model import (
    Annotation,
    AnnotationRef,
    ComparisonSettings,
    Conflict,
    ConflictType,
    FrameComparison,
    Severity,
    Summary,
)
from inklab.quality.similarity import (
    Region,
    box_iou_matrix,
    line_similarity,
    oks,
    region_iou,
    region_of,
    skeleton_oks,
)

__all__ = ["FAMILIES", "compare_frame", "family_of", "match", "similarity_matrix", "summarize"]

FAMILIES = ("tag", "rectangle", "segment", "ellipse", "points", "polyline", "skeleton")
_SEGMENTS = {"polygon", "mask"}
_LABEL_PREFERENCE = 1e-6


def family_of(annotation: Annotation) -> str | None:
    """The family an object is compared in (None: not compared)."""
    if annotation.kind == "tag":
        return "tag"
    if annotation.type in _SEGMENTS:
        return "segment"
    if annotation.type in FAMILIES:
        return annotation.type
    return None


def match(similarity: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """Hungarian assignment maximising ``similarity``; the pairs reaching ``threshold``."""
    if similarity.size == 0:
        return []
    rows, cols = linear_sum_assignment(similarity, maximize=True)
    return [(int(i), int(j)) for i, j in zip(rows, cols, strict=True) if similarity[i, j] >= threshold]


def _box(points: Sequence[float]) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = points[:4]
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _visible_regions(objects: Sequence[Annotation], cut: bool) -> dict[int, Region]:
    """Each polygon or mask's region, less what objects above it cover when ``cut``."""
    ordered = sorted(((a.z_order, index, a) for index, a in enumerate(objects) if a.type in _SEGMENTS),
                     key=lambda item: (item[0], item[1]))
    regions = {index: region_of(a) for _, index, a in ordered}
    if not cut:
        return regions
    visible: dict[int, Region] = {}
    for position, (_, index, _a) in enumerate(ordered):
        region = regions[index]
        bitmap = region.bitmap.copy()
        for _, above, _b in ordered[position + 1:]:
            other = regions[above]
            left, top = max(region.left, other.left), max(region.top, other.top)
            right, bottom = min(region.right, other.right), min(region.bottom, other.bottom)
            if right > left and bottom > top:
                bitmap[top - region.top:bottom - region.top, left - region.left:right - region.left] &= \
                    ~other.window(left, top, right, bottom)
        visible[index] = Region(bitmap, region.left, region.top)
    return visible


class _Side:
    """The objects of one side of a frame, with their regions computed once."""

    def __init__(self, objects: Sequence[Annotation], settings: ComparisonSettings) -> None:
        self.objects = list(objects)
        self._settings = settings
        self._regions: dict[int, Region] | None = None
        self._full: dict[int, Region] | None = None

    def regions(self) -> dict[int, Region]:
        """Regions of polygons and masks by index (visible parts with panoptic comparison)."""
        if self._regions is None:
            self._regions = _visible_regions(self.objects, self._settings.panoptic_comparison)
        return self._regions

    def full_regions(self) -> dict[int, Region]:
        if self._full is None:
            self._full = (_visible_regions(self.objects, False) if self._settings.panoptic_comparison
                          else self.regions())
        return self._full


def _similarity(family: str, gt: list[tuple[int, Annotation]], ds: list[tuple[int, Annotation]],
                sides: tuple[_Side, _Side], settings: ComparisonSettings,
                image_size: tuple[int, int] | None) -> np.ndarray:
    result = np.zeros((len(gt), len(ds)))
    if not gt or not ds:
        return result
    if family == "tag":
        return np.array([[1.0 if g.label == d.label else 0.0 for _, d in ds] for _, g in gt])
    if family == "rectangle":
        result = box_iou_matrix(np.array([_box(g.points) for _, g in gt]), np.array([_box(d.points) for _, d in ds]))
        rotated_gt = [i for i, (_, g) in enumerate(gt) if g.rotation % 360]
        rotated_ds = [j for j, (_, d) in enumerate(ds) if d.rotation % 360]
        if rotated_gt or rotated_ds:
            gt_regions = {i: region_of(g) for i, (_, g) in enumerate(gt)}
            ds_regions = {j: region_of(d) for j, (_, d) in enumerate(ds)}
            for i in range(len(gt)):
                for j in range(len(ds)):
                    if i in rotated_gt or j in rotated_ds:
                        result[i, j] = region_iou(gt_regions[i], ds_regions[j])
        return result
    if family in {"segment", "ellipse"}:
        if family == "segment":
            truth = [sides[0].regions()[index] for index, _ in gt]
            checked = [sides[1].regions()[index] for index, _ in ds]
        else:
            truth = [region_of(g) for _, g in gt]
            checked = [region_of(d) for _, d in ds]
        for i, a in enumerate(truth):
            for j, b in enumerate(checked):
                result[i, j] = region_iou(a, b)
        return result
    for i, (_, g) in enumerate(gt):
        for j, (_, d) in enumerate(ds):
            if family == "points":
                result[i, j] = oks(g, d, settings.oks_sigma, settings.point_size_base, image_size)
            elif family == "skeleton":
                result[i, j] = skeleton_oks(g, d, settings.oks_sigma, settings.point_size_base, image_size)
            else:
                result[i, j] = max(line_similarity(g, d, settings.line_thickness, image_size))
    return result


def similarity_matrix(family: str, gt: Sequence[Annotation], ds: Sequence[Annotation],
                      settings: ComparisonSettings | None = None,
                      image_size: tuple[int, int] | None = None) -> np.ndarray:
    """The similarity of every object of ``gt`` with every one of ``ds``, all of ``family``
    (regions whole: no panoptic cut)."""
    settings = settings or ComparisonSettings(panoptic_comparison=False)
    sides = (_Side(gt, settings), _Side(ds, settings))
    return _similarity(family, list(enumerate(gt)), list(enumerate(ds)), sides, settings, image_size)


def _group_conflicts(frame: int, gt: Sequence[Annotation], ds: Sequence[Annotation],
                     matches: dict[int, Annotation], settings: ComparisonSettings) -> list[Conflict]:
    conflicts = []
    gt_groups: dict[int, list[Annotation]] = defaultdict(list)
    for a in gt:
        if a.group:
            gt_groups[a.group].append(a)
    ds_groups: dict[int, list[Annotation]] = defaultdict(list)
    for d in ds:
        if d.group:
            ds_groups[d.group].append(d)
    for group in sorted(gt_groups):
        members = gt_groups[group]
        if len(members) < 2:
            continue
        partners = [matches[id(a)] for a in members if id(a) in matches]
        if not partners:
            continue
        best, _ = Counter(p.group for p in partners).most_common(1)[0]
        checked = ds_groups[best] if best else []
        mapped = {id(p) for p in partners}
        checked_ids = {id(d) for d in checked}
        union = len(mapped | checked_ids) + (len(members) - len(partners))
        jaccard = len(mapped & checked_ids) / union if union else 1.0
        if jaccard < settings.group_match_threshold:
            refs = tuple(AnnotationRef.of(a, "gt") for a in members) + tuple(
                AnnotationRef.of(d, "ds") for d in (checked or partners))
            conflicts.append(Conflict(frame, ConflictType.MISMATCHING_GROUPS, refs))
    return conflicts


def compare_frame(frame: int, gt: Sequence[Annotation], ds: Sequence[Annotation],
                  settings: ComparisonSettings | None = None,
                  image_size: tuple[int, int] | None = None) -> FrameComparison:
    """Compare the checked objects ``ds`` of ``frame`` with its ground truth ``gt``.

    ``image_size`` (width, height) scales points and lines; without it the objects' own box is
    used. Raises ValueError for a malformed object (e.g. a mask whose runs do not fit its box).
    """
    settings = settings or ComparisonSettings()
    sides = (_Side(gt, settings), _Side(ds, settings))
    conflicts: list[Conflict] = []
    valid = gt_count = ds_count = 0
    matches: dict[int, Annotation] = {}
    for family in FAMILIES:
        g_items = [(i, a) for i, a in enumerate(gt) if family_of(a) == family]
        d_items = [(j, a) for j, a in enumerate(ds) if family_of(a) == family]
        gt_count += len(g_items)
        ds_count += len(d_items)
        if not g_items and not d_items:
            continue
        similarity = _similarity(family, g_items, d_items, sides, settings, image_size)
        same_label = np.array([[g.label == d.label for _, d in d_items] for _, g in g_items], dtype=float)
        preference = similarity + _LABEL_PREFERENCE * same_label.reshape(similarity.shape) * (similarity > 0)
        threshold = 0.5 if family == "tag" else settings.iou_threshold
        pairs = match(preference, threshold)
        matched_g, matched_d = {i for i, _ in pairs}, {j for _, j in pairs}
        for i, j in pairs:
            g, d = g_items[i][1], d_items[j][1]
            refs = (AnnotationRef.of(g, "gt"), AnnotationRef.of(d, "ds"))
            if g.label != d.label:
                conflicts.append(Conflict(frame, ConflictType.MISMATCHING_LABEL, refs))
                continue
            valid += 1
            matches[id(g)] = d
            if family != "tag" and similarity[i, j] < settings.low_overlap_threshold:
                conflicts.append(Conflict(frame, ConflictType.LOW_OVERLAP, refs))
            if settings.compare_attributes and dict(g.attributes) != dict(d.attributes):
                conflicts.append(Conflict(frame, ConflictType.MISMATCHING_ATTRIBUTES, refs))
            if family == "polyline" and settings.compare_line_orientation:
                forward, reverse = line_similarity(g, d, settings.line_thickness, image_size)
                if reverse - forward > settings.line_orientation_threshold:
                    conflicts.append(Conflict(frame, ConflictType.MISMATCHING_DIRECTION, refs))
        conflicts.extend(Conflict(frame, ConflictType.MISSING_ANNOTATION, (AnnotationRef.of(g, "gt"),))
                         for i, (_, g) in enumerate(g_items) if i not in matched_g)
        conflicts.extend(Conflict(frame, ConflictType.EXTRA_ANNOTATION, (AnnotationRef.of(d, "ds"),))
                         for j, (_, d) in enumerate(d_items) if j not in matched_d)
    if settings.compare_groups:
        conflicts.extend(_group_conflicts(frame, gt, ds, matches, settings))
    if settings.check_covered_annotations:
        full = sides[1].full_regions()
        visible = _visible_regions(ds, True) if not settings.panoptic_comparison else sides[1].regions()
        for index, region in sorted(visible.items()):
            area = full[index].area
            if area and region.area / area < settings.object_visibility_threshold:
                conflicts.append(Conflict(frame, ConflictType.COVERED_ANNOTATION,
                                          (AnnotationRef.of(ds[index], "ds"),)))
    if settings.empty_is_annotated and gt_count == 0 and ds_count == 0:
        valid = gt_count = ds_count = 1
    return FrameComparison(frame, tuple(conflicts), valid, gt_count, ds_count)


def summarize(frames: Iterable[FrameComparison], total_frames: int = 0) -> Summary:
    """The totals of compared frames; ``total_frames`` is what ``frame_share`` divides by."""
    frame_count = valid = gt = ds = 0
    by_type: Counter[str] = Counter()
    warnings = errors = 0
    for result in frames:
        frame_count += 1
        valid += result.valid_count
        gt += result.gt_count
        ds += result.ds_count
        for conflict in result.conflicts:
            by_type[conflict.type.value] += 1
            if conflict.severity == Severity.ERROR:
                errors += 1
            else:
                warnings += 1
    total = gt + ds - valid
    return Summary(
        frame_count=frame_count,
        frame_share=frame_count / total_frames if total_frames else 0.0,
        conflict_count=warnings + errors,
        warning_count=warnings,
        error_count=errors,
        conflicts_by_type=dict(sorted(by_type.items())),
        valid_count=valid,
        ds_count=ds,
        gt_count=gt,
        total_count=total,
        accuracy=valid / total if total else 0.0,
        precision=valid / ds if ds else 0.0,
        recall=valid / gt if gt else 0.0,
    )
