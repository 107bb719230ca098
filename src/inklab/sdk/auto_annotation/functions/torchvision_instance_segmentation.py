"""Masks (or, with ``conv_mask_to_poly``, polygons) from torchvision instance segmentation
models (Mask R-CNN). ``create(model_name, weights_name="DEFAULT", **kwargs)``."""

from __future__ import annotations

from typing import Any

import PIL.Image

import inklab.sdk.auto_annotation as aa
from inklab.sdk.auto_annotation.functions._contours import mask_to_polygons
from inklab.sdk.auto_annotation.functions._torchvision import TorchvisionFunction

__all__ = ["create"]

_LEVEL = 0.5  # a pixel belongs to the object when the model's mask value is at least this


class _InstanceSegmentation(TorchvisionFunction):
    _label_type = "mask"

    def _convert(self, context: aa.DetectionFunctionContext, output: Any, image: PIL.Image.Image) -> list[Any]:
        threshold = context.conf_threshold or 0.0
        shapes: list[Any] = []
        masks = (output["masks"][:, 0] >= _LEVEL).cpu().numpy()
        for bits, box, label, score in zip(masks, output["boxes"].tolist(), output["labels"].tolist(),
                                           output["scores"].tolist(), strict=True):
            if score < threshold or not self._known(int(label)) or not bits.any():
                continue
            if context.conv_mask_to_poly:
                shapes.extend(aa.polygon(int(label), points) for points in mask_to_polygons(bits, tolerance=1.5))
            else:
                shapes.append(aa.mask(int(label), aa.encode_mask(bits, box)))
        return shapes


create = _InstanceSegmentation
