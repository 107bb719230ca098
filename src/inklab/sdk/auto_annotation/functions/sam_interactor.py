"""A Segment Anything interactor (the ``segment-anything`` package): clicks and an optional box
in, the object's mask out.

``create(checkpoint, model_type="vit_b", *, device=None, multimask=True)``: ``checkpoint`` is
your local SAM weights file (``sam_vit_b_01ec64.pth``...; nothing is downloaded), built with
the package's model registry (``vit_b``, ``vit_l``, ``vit_h``). ``preprocess_image`` runs the
image encoder once per frame (agents cache the embedding, so further clicks run the light mask
decoder only); ``detect`` asks for masks of the points (positive 1, negative 0) and the box,
and answers the best-scoring one with its predicted IoU as confidence. Needs the ``sam`` extra
(``pip install 'inklab[sam]'``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import PIL.Image

import inklab.sdk.auto_annotation as aa
from inklab.sdk import models
from inklab.sdk.masks import encode_mask

__all__ = ["SamInteractor", "create"]


@dataclass(frozen=True)
class _Embedding:
    features: Any
    original_size: tuple[int, int]
    input_size: tuple[int, int]


class SamInteractor:
    """See the module docstring; ``sam`` is a ``segment_anything.modeling.Sam`` model."""

    spec = aa.InteractionFunctionSpec(min_pos_points=1, min_neg_points=0, min_bounding_boxes=0)

    def __init__(self, sam: Any, *, multimask: bool = True) -> None:
        from segment_anything import SamPredictor

        self._predictor = SamPredictor(sam.eval())
        self.multimask = multimask

    def preprocess_image(self, context: aa.InteractionFunctionContext, image: PIL.Image.Image) -> _Embedding:
        predictor = self._predictor
        predictor.set_image(np.asarray(image.convert("RGB")))
        return _Embedding(predictor.features, predictor.original_size, predictor.input_size)

    def detect(self, context: aa.InteractionFunctionContext, pp_image: _Embedding,
               prompts: aa.InteractionPrompts) -> list[aa.InteractionResultShape]:
        predictor = self._predictor
        # The predictor holds one image's embedding: put back the one of the frame clicked.
        predictor.features, predictor.original_size, predictor.input_size = (
            pp_image.features, pp_image.original_size, pp_image.input_size)
        predictor.is_image_set = True
        points = [*prompts.pos_points, *prompts.neg_points]
        labels = [1] * len(prompts.pos_points) + [0] * len(prompts.neg_points)
        box = None
        if prompts.bounding_box is not None:
            (x1, y1), (x2, y2) = prompts.bounding_box
            box = np.array([x1, y1, x2, y2], dtype=np.float32)
        masks, scores, _ = predictor.predict(
            point_coords=np.array(points, dtype=np.float32) if points else None,
            point_labels=np.array(labels) if points else None, box=box,
            multimask_output=self.multimask and len(points) == 1)
        best = int(np.argmax(scores))
        if not masks[best].any():
            return []
        confidence = models.AttributeValRequest(spec_id=aa.InteractionResultAttributes.CONFIDENCE,
                                                value=f"{float(np.clip(scores[best], 0, 1)):.4f}")
        return [aa.InteractionResultShape(type="mask", points=encode_mask(masks[best].astype(bool)),
                                          attributes=[confidence])]


def create(checkpoint: str, model_type: str = "vit_b", *, device: str | None = None,
           multimask: bool = True) -> SamInteractor:
    """A :class:`SamInteractor` with the weights in ``checkpoint`` (see the module docstring)."""
    import os

    import torch
    from segment_anything import sam_model_registry

    if model_type not in sam_model_registry:
        raise ValueError(f"model_type: one of {', '.join(sorted(sam_model_registry))}, got {model_type!r}")
    if not os.path.isfile(checkpoint):
        raise ValueError(f"checkpoint: {checkpoint!r} is not a file here (SAM weights are not downloaded)")
    sam = sam_model_registry[model_type](checkpoint=checkpoint)
    sam.to(torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu")))
    return SamInteractor(sam, multimask=multimask)
