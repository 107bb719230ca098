"""Skeletons from torchvision keypoint detectors (Keypoint R-CNN); keypoints the model marks
invisible become occluded points. ``create(model_name, weights_name="DEFAULT", **kwargs)``;
without pretrained weights, give ``keypoint_names`` too (a list or a comma-separated string)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

import PIL.Image

import inklab.sdk.auto_annotation as aa
from inklab.sdk.auto_annotation.functions._torchvision import TorchvisionFunction, _categories

__all__ = ["create"]


class _Keypoints(TorchvisionFunction):
    def __init__(self, model_name: str, weights_name: str | None = "DEFAULT", *,
                 keypoint_names: Sequence[str] | str | None = None, **kwargs: Any) -> None:
        super().__init__(model_name, weights_name, **kwargs)
        names = _categories(keypoint_names) or self._meta.get("keypoint_names")
        if not names:
            raise ValueError(f"{model_name} without pretrained weights needs 'keypoint_names'")
        self._keypoint_names = list(names)

    @cached_property
    def spec(self) -> aa.DetectionFunctionSpec:
        return aa.DetectionFunctionSpec(labels=[
            aa.skeleton_label_spec(name, i, [aa.keypoint_spec(k, j) for j, k in enumerate(self._keypoint_names)])
            for i, name in enumerate(self._category_names) if name not in ("N/A", "__background__")
        ])

    def _convert(self, context: aa.DetectionFunctionContext, output: Any, image: PIL.Image.Image) -> list[Any]:
        threshold = context.conf_threshold or 0.0
        return [
            aa.skeleton(int(label), [aa.keypoint(j, [float(x), float(y)], occluded=not bool(visible))
                                     for j, (x, y, visible) in enumerate(points)])
            for points, label, score in zip(output["keypoints"].tolist(), output["labels"].tolist(),
                                            output["scores"].tolist(), strict=True)
            if score >= threshold and self._known(int(label))
        ]


create = _Keypoints
