"""Target transforms: a :class:`Target` → the dictionaries torchvision's models train on.

Each transform is a frozen, picklable object. Called with a target it returns the converted
target; called with ``(image, target)`` it returns ``(image, converted)``, so it can open a
``torchvision.transforms.v2.Compose`` given as the dataset's ``transforms``. With
``tv_tensors=True`` boxes come as ``tv_tensors.BoundingBoxes``, masks as ``tv_tensors.Mask``
and keypoints as ``tv_tensors.KeyPoints``, which v2 augmentations move with the image::

    transforms = v2.Compose([ExtractBoundingBoxes(include_shape_types=["rectangle"], tv_tensors=True),
                             v2.ToImage(), v2.RandomHorizontalFlip(), v2.ToDtype(torch.float32, scale=True)])
    dataset = TaskVisionDataset(client, task_id, transforms=transforms)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypedDict

import numpy as np
import torch
from torchvision import tv_tensors

from inklab.sdk.pytorch._geometry import rasterize, shape_box
from inklab.sdk.pytorch.common import Target
from inklab.vocabulary import ShapeType

__all__ = [
    "ExtractBoundingBoxes",
    "ExtractInstanceMasks",
    "ExtractKeypoints",
    "ExtractSingleLabelIndex",
    "LabeledBoxes",
    "LabeledKeypoints",
    "LabeledMasks",
    "MergeKeypointVisibility",
]


class LabeledBoxes(TypedDict):
    boxes: torch.Tensor
    labels: torch.Tensor


class LabeledMasks(TypedDict):
    boxes: torch.Tensor
    labels: torch.Tensor
    masks: torch.Tensor


class LabeledKeypoints(TypedDict, total=False):
    boxes: torch.Tensor
    labels: torch.Tensor
    keypoints: torch.Tensor
    visibility: torch.Tensor


class _TargetTransform:
    def convert(self, target: Target) -> Any:
        raise NotImplementedError

    def __call__(self, *inputs: Any) -> Any:
        if len(inputs) == 1:
            return self.convert(inputs[0])
        if len(inputs) == 2:
            image, target = inputs
            return image, self.convert(target)
        raise TypeError(f"{type(self).__name__} takes a target, or an image and a target")


def _shape_types(value: Iterable[str], supported: frozenset[str], name: str) -> frozenset[str]:
    if isinstance(value, str):
        raise TypeError(f"{name}: give a list of shape types, not the string {value!r}")
    chosen = frozenset(str(v) for v in value)
    unknown = chosen - supported
    if unknown:
        raise ValueError(f"{name}: unsupported shape types {sorted(unknown)}; choose from {sorted(supported)}")
    return chosen


def _canvas(target: Target) -> tuple[int, int]:
    if target.image_size is None:
        raise ValueError("This target has no image_size; it is needed for masks and tv_tensors.")
    width, height = target.image_size
    return height, width


def _boxes(rows: list[tuple[float, float, float, float]], target: Target, as_tv: bool) -> torch.Tensor:
    tensor = torch.tensor(rows, dtype=torch.float32) if rows else torch.zeros((0, 4), dtype=torch.float32)
    if as_tv:
        boxes: torch.Tensor = tv_tensors.BoundingBoxes(tensor, format=tv_tensors.BoundingBoxFormat.XYXY,
                                                       canvas_size=_canvas(target))
        return boxes
    return tensor


@dataclass(frozen=True)
class ExtractSingleLabelIndex(_TargetTransform):
    """The class index of the frame's only tag, as a 0-dimensional ``int64`` tensor (image
    classification). Raises ``ValueError`` when the frame has no tag or several."""

    def convert(self, target: Target) -> torch.Tensor:
        tags = target.annotations.tags
        if not tags:
            raise ValueError("sample has no tags")
        if len(tags) > 1:
            raise ValueError(f"sample has multiple tags ({len(tags)})")
        return torch.tensor(target.label_id_to_index[tags[0].label_id], dtype=torch.long)


@dataclass(frozen=True)
class ExtractBoundingBoxes(_TargetTransform):
    """``{"boxes": [N, 4] float (x_min, y_min, x_max, y_max), "labels": [N] int64}`` of the
    shapes whose type is in ``include_shape_types`` (object detection).

    Supported: rectangle, ellipse, polygon, polyline, points (the CVAT SDK's set), plus mask,
    skeleton and cuboid. Rotated rectangles and ellipses give the box around the rotated shape.
    """

    SUPPORTED_SHAPE_TYPES = frozenset({"rectangle", "polygon", "polyline", "points", "ellipse", "mask",
                                       "skeleton", "cuboid"})

    include_shape_types: Iterable[str] = field(kw_only=True)
    tv_tensors: bool = field(default=False, kw_only=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "include_shape_types",
                           _shape_types(self.include_shape_types, self.SUPPORTED_SHAPE_TYPES, "include_shape_types"))

    def convert(self, target: Target) -> LabeledBoxes:
        rows, labels = [], []
        for shape in target.annotations.shapes:
            if shape.type in self.include_shape_types:
                rows.append(shape_box(shape))
                labels.append(target.label_id_to_index[shape.label_id])
        return LabeledBoxes(boxes=_boxes(rows, target, self.tv_tensors), labels=torch.tensor(labels, dtype=torch.long))


@dataclass(frozen=True)
class ExtractInstanceMasks(_TargetTransform):
    """``{"masks": [N, H, W] bool, "boxes": [N, 4], "labels": [N]}`` (instance segmentation,
    Mask R-CNN's format) from polygons, ellipses and masks (and rotated rectangles if asked)."""

    SUPPORTED_SHAPE_TYPES = frozenset({"polygon", "ellipse", "mask", "rectangle"})

    include_shape_types: Iterable[str] = field(default=("polygon", "ellipse", "mask"), kw_only=True)
    tv_tensors: bool = field(default=False, kw_only=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "include_shape_types",
                           _shape_types(self.include_shape_types, self.SUPPORTED_SHAPE_TYPES, "include_shape_types"))

    def convert(self, target: Target) -> LabeledMasks:
        height, width = _canvas(target)
        rows, labels, masks = [], [], []
        for shape in target.annotations.shapes:
            if shape.type in self.include_shape_types:
                rows.append(shape_box(shape))
                labels.append(target.label_id_to_index[shape.label_id])
                masks.append(rasterize(shape, (width, height)))
        stacked = torch.from_numpy(np.stack(masks)) if masks else torch.zeros((0, height, width), dtype=torch.bool)
        return LabeledMasks(boxes=_boxes(rows, target, self.tv_tensors), labels=torch.tensor(labels, dtype=torch.long),
                            masks=tv_tensors.Mask(stacked) if self.tv_tensors else stacked)


@dataclass(frozen=True)
class ExtractKeypoints(_TargetTransform):
    """Skeletons as Keypoint R-CNN's target: ``{"keypoints": [N, K, 3] (x, y, visibility),
    "boxes": [N, 4], "labels": [N]}``; visibility is 0 for points outside the frame, 1 for
    occluded ones, 2 for visible ones. Points are in the skeleton label's order; a missing
    point is ``(0, 0, 0)``. With ``tv_tensors`` ``keypoints`` is a ``KeyPoints [N, K, 2]`` and
    ``visibility`` a separate ``[N, K]`` tensor (see :class:`MergeKeypointVisibility`).
    Raises ``ValueError`` when the frame's skeletons have different numbers of points.
    """

    tv_tensors: bool = field(default=False, kw_only=True)

    def convert(self, target: Target) -> LabeledKeypoints:
        rows, labels, points = [], [], []
        sizes = {len(ids) for ids in target.skeletons.values()}
        for shape in target.annotations.shapes:
            if shape.type != ShapeType.SKELETON:
                continue
            order = target.skeletons.get(shape.label_id) or tuple(sorted(e.label_id for e in shape.elements))
            by_label = {e.label_id: e for e in shape.elements}
            keypoints = []
            for point_id in order:
                element = by_label.get(point_id)
                if element is None or len(element.points) < 2:
                    keypoints.append((0.0, 0.0, 0.0))
                else:
                    visibility = 0.0 if element.outside else 1.0 if element.occluded else 2.0
                    keypoints.append((float(element.points[0]), float(element.points[1]), visibility))
            points.append(keypoints)
            rows.append(shape_box(shape))
            labels.append(target.label_id_to_index[shape.label_id])
        counts = {len(k) for k in points}
        if len(counts) > 1:
            raise ValueError(f"The skeletons of this frame have different numbers of points: {sorted(counts)}")
        k = counts.pop() if counts else (sizes.pop() if len(sizes) == 1 else 0)
        array = torch.tensor(points, dtype=torch.float32) if points else torch.zeros((0, k, 3), dtype=torch.float32)
        result = LabeledKeypoints(boxes=_boxes(rows, target, self.tv_tensors),
                                  labels=torch.tensor(labels, dtype=torch.long))
        if self.tv_tensors:
            result["keypoints"] = tv_tensors.KeyPoints(array[..., :2], canvas_size=_canvas(target))
            result["visibility"] = array[..., 2].to(torch.long)
        else:
            result["keypoints"] = array
        return result


@dataclass(frozen=True)
class MergeKeypointVisibility(_TargetTransform):
    """After v2 augmentations: ``keypoints`` (``KeyPoints [N, K, 2]``) and ``visibility``
    back into one plain ``[N, K, 3]`` tensor; points moved off the image become invisible."""

    def convert(self, target: Any) -> Any:
        keypoints, visibility = target["keypoints"], target["visibility"].to(torch.float32)
        out = dict(target)
        del out["visibility"]
        if isinstance(keypoints, tv_tensors.KeyPoints):
            height, width = keypoints.canvas_size
            inside = (keypoints[..., 0] >= 0) & (keypoints[..., 0] <= width) & \
                     (keypoints[..., 1] >= 0) & (keypoints[..., 1] <= height)
            visibility = torch.where(inside, visibility, torch.zeros_like(visibility))
        out["keypoints"] = torch.cat([keypoints.as_subclass(torch.Tensor), visibility.unsqueeze(-1)], dim=-1)
        return out
