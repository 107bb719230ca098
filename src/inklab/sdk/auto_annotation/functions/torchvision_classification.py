"""Tags from torchvision image classifiers: the most likely class, if its probability is at
least the confidence threshold. ``create(model_name, weights_name="DEFAULT", **kwargs)``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import PIL.Image
import torch

import inklab.sdk.auto_annotation as aa
from inklab.sdk.auto_annotation.functions._torchvision import TorchvisionFunction

__all__ = ["create"]


class _Classification(TorchvisionFunction):
    _label_type = "tag"

    def _forward(self, tensors: list[torch.Tensor]) -> list[Any]:
        outputs: list[Any] = [None] * len(tensors)
        by_size: dict[tuple[int, ...], list[int]] = {}
        for i, tensor in enumerate(tensors):  # images of one size go through together
            by_size.setdefault(tuple(tensor.shape), []).append(i)
        with torch.inference_mode():
            for indices in by_size.values():
                logits = self._model(torch.stack([tensors[i] for i in indices]).to(self.device))
                for i, row in zip(indices, logits.softmax(dim=1).cpu(), strict=True):
                    outputs[i] = row
        return outputs

    def _convert(self, context: aa.DetectionFunctionContext, output: Any, image: PIL.Image.Image) -> list[Any]:
        label = int(output.argmax())
        if float(output[label]) >= (context.conf_threshold or 0.0) and self._known(label):
            return [aa.tag(label)]
        return []

    def detect_batch(self, contexts: Sequence[aa.DetectionFunctionContext],
                     images: Sequence[PIL.Image.Image]) -> list[list[Any]]:
        return super().detect_batch(contexts, images)


create = _Classification
