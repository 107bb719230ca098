"""Boxes from torchvision object detectors (Faster R-CNN, RetinaNet, FCOS, SSD, ...).

``create(model_name, weights_name="DEFAULT", **kwargs)``, e.g.
``create("fasterrcnn_resnet50_fpn_v2", box_score_thresh=0.5)``; see
:mod:`inklab.sdk.auto_annotation.functions._torchvision` for the other parameters.
"""

from __future__ import annotations

from typing import Any

import PIL.Image

import inklab.sdk.auto_annotation as aa
from inklab.sdk.auto_annotation.functions._torchvision import TorchvisionFunction

__all__ = ["create"]


class _Detection(TorchvisionFunction):
    _label_type = "rectangle"

    def _convert(self, context: aa.DetectionFunctionContext, output: Any, image: PIL.Image.Image) -> list[Any]:
        threshold = context.conf_threshold or 0.0
        return [
            aa.rectangle(int(label), [float(v) for v in box])
            for box, label, score in zip(output["boxes"].tolist(), output["labels"].tolist(),
                                         output["scores"].tolist(), strict=True)
            if score >= threshold and self._known(int(label))
        ]


create = _Detection
