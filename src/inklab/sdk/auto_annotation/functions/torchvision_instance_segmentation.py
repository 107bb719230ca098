"""Masks (or, with ``conv_mask_to_poly``, polygons) from torchvision instance segmentation
models (Mask R-CNN). ``create(model_name, weights_name="DEFAULT", **kwargs)``.

A pixel belongs to an object where the model's mask value is at least 0.5; a mask is encoded
within the object's box (:func:`inklab.sdk.masks.encode_mask`), and polygons outline the
model's mask at that level (:mod:`._contours`, scikit-image).
"""

from __future__ import annotations

from typing import Any

import PIL.Image

import inklab.sdk.auto_annotation as aa
from inklab.sdk.auto_annotation.functions._contours import mask_to_polygons
from inklab.sdk.auto_annotation.functions._torchvision import TorchvisionFunction
from inklab.sdk.masks import encode_mask

__all__ = ["create"]

_LEVEL = 0.5
_POLYGON_TOLERANCE = 2.5  # pixels between the traced outline and its polygon, as the reference function


class _InstanceSegmentation(TorchvisionFunction):
    _label_type = "mask"

    def _convert(self, context: aa.DetectionFunctionContext, output: Any, image: PIL.Image.Image) -> list[Any]:
        threshold = context.conf_threshold or 0.0
        width, height = image.size
        shapes: list[Any] = []
        values = output["masks"][:, 0].cpu().numpy()
        for probabilities, box, label, score in zip(values, output["boxes"].tolist(), output["labels"].tolist(),
                                                    output["scores"].tolist(), strict=True):
            bits = probabilities >= _LEVEL
            if score < threshold or not self._known(int(label)) or not bits.any():
                continue
            if context.conv_mask_to_poly:
                shapes.extend(aa.polygon(int(label), points) for points in
                              mask_to_polygons(probabilities, level=_LEVEL, tolerance=_POLYGON_TOLERANCE))
            else:
                x1, y1 = min(max(box[0], 0.0), width - 1), min(max(box[1], 0.0), height - 1)
                x2, y2 = min(max(box[2], x1 + 1), width), min(max(box[3], y1 + 1), height)
                shapes.append(aa.mask(int(label), encode_mask(bits, [x1, y1, x2, y2])))
        return shapes


create = _InstanceSegmentation
