"""An interactor on a torchvision instance segmentation model (Mask R-CNN): click an object,
get its mask. ``create(model_name="maskrcnn_resnet50_fpn_v2", weights_name="DEFAULT", *,
device=None, checkpoint=None, categories=None, min_score=0.05, **kwargs)`` (the loading options
of :mod:`._torchvision`: ``weights_name=None`` builds it untrained, ``checkpoint`` loads your
state dict).

``preprocess_image`` runs the model once per frame (agents cache the result, so further clicks
on the frame cost nothing); ``detect`` answers the mask of the instance whose mask holds every
positive point and none of the negative ones, the most confident of those (the smallest when
scores tie), or nothing. A box, when given, must contain the instance's centre.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import PIL.Image

import inklab.sdk.auto_annotation as aa
from inklab.sdk import models
from inklab.sdk.auto_annotation.functions._torchvision import TorchvisionFunction
from inklab.sdk.masks import encode_mask

__all__ = ["MaskInteractor", "create"]

_LEVEL = 0.5


@dataclass(frozen=True)
class _Instances:
    masks: np.ndarray  # [N, H, W] bool
    scores: np.ndarray  # [N]


class MaskInteractor(TorchvisionFunction):
    """See the module docstring."""

    def __init__(self, model_name: str = "maskrcnn_resnet50_fpn_v2", weights_name: str | None = "DEFAULT", *,
                 min_score: float = 0.05, **kwargs: Any) -> None:
        kwargs.setdefault("batch_size", 1)
        super().__init__(model_name, weights_name, **kwargs)
        self.min_score = float(min_score)

    @property
    def spec(self) -> aa.InteractionFunctionSpec:  # type: ignore[override]
        return aa.InteractionFunctionSpec(min_pos_points=1, min_neg_points=0, min_bounding_boxes=0)

    def preprocess_image(self, context: aa.InteractionFunctionContext, image: PIL.Image.Image) -> _Instances:
        [output] = self._forward([self._tensor(image)])
        keep = output["scores"] >= self.min_score
        masks = (output["masks"][keep][:, 0] >= _LEVEL).cpu().numpy()
        return _Instances(masks=masks, scores=output["scores"][keep].cpu().numpy())

    def detect(self, context: aa.InteractionFunctionContext, pp_image: _Instances,  # type: ignore[override]
               prompts: aa.InteractionPrompts) -> list[aa.InteractionResultShape]:
        masks = pp_image.masks
        if not len(masks):
            return []
        height, width = masks.shape[1:]

        def inside(x: float, y: float) -> np.ndarray:
            col, row = min(max(int(x), 0), width - 1), min(max(int(y), 0), height - 1)
            return masks[:, row, col]

        chosen = np.ones(len(masks), dtype=bool)
        for x, y in prompts.pos_points:
            chosen &= inside(x, y)
        for x, y in prompts.neg_points:
            chosen &= ~inside(x, y)
        if prompts.bounding_box is not None:
            (x1, y1), (x2, y2) = prompts.bounding_box
            for i in np.flatnonzero(chosen):
                ys, xs = np.nonzero(masks[i])
                cx, cy = xs.mean(), ys.mean()
                chosen[i] = x1 <= cx <= x2 and y1 <= cy <= y2
        candidates = np.flatnonzero(chosen)
        if not len(candidates):
            return []
        best = max(candidates, key=lambda i: (float(pp_image.scores[i]), -int(masks[i].sum())))
        confidence = models.AttributeValRequest(spec_id=aa.InteractionResultAttributes.CONFIDENCE,
                                                   value=f"{float(pp_image.scores[best]):.4f}")
        return [aa.InteractionResultShape(type="mask", points=encode_mask(masks[best]), attributes=[confidence])]


def create(model_name: str = "maskrcnn_resnet50_fpn_v2", weights_name: str | None = "DEFAULT", **kwargs: Any) -> Any:
    """A :class:`MaskInteractor` (see the module docstring)."""
    return MaskInteractor(model_name, weights_name, **kwargs)
