"""The common part of the torchvision functions: loading a model, batching, devices.

``create(model_name, weights_name="DEFAULT", *, device=None, batch_size=8, categories=None,
checkpoint=None, **kwargs)``:

* ``model_name`` is a torchvision model name (``torchvision.models.list_models()``);
* ``weights_name`` a member of its weights enum (``DEFAULT``, ``COCO_V1``, ...), whose
  categories and preprocessing are used; ``None`` builds the architecture untrained
  (``kwargs`` such as ``num_classes`` go to the model constructor either way);
* ``checkpoint``: a file saved with ``torch.save(model.state_dict(), path)`` loaded into
  the model (your fine-tuned weights), with ``categories`` naming its classes (a list, or
  one comma-separated string as the command line passes it);
* ``device``: ``"cpu"``, ``"cuda"``, ``"cuda:1"``...; default CUDA when available;
* ``batch_size``: images per forward pass in ``detect_batch``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cached_property
from typing import Any

import PIL.Image
import torch
import torchvision.models
import torchvision.transforms.v2.functional as F

import inklab.sdk.auto_annotation as aa

__all__ = ["TorchvisionFunction"]

logger = logging.getLogger(__name__)


def _categories(value: Sequence[str] | str | None) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [c.strip() for c in value.split(",") if c.strip()]
    return list(value)


class TorchvisionFunction:
    """Base of the predefined functions; subclasses implement :meth:`_convert`."""

    _label_type = "any"

    def __init__(self, model_name: str, weights_name: str | None = "DEFAULT", *, device: str | None = None,
                 batch_size: int = 8, categories: Sequence[str] | str | None = None,
                 checkpoint: str | None = None, **kwargs: Any) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.batch_size = int(batch_size)
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self._weights = None
        if weights_name not in (None, "", "None", "none"):
            self._weights = torchvision.models.get_model_weights(model_name)[str(weights_name)]
        self._model = torchvision.models.get_model(model_name, weights=self._weights, **kwargs)
        if checkpoint:
            state = torch.load(checkpoint, map_location="cpu", weights_only=True)
            self._model.load_state_dict(state)
        self._model.eval().to(self.device)
        self._transforms = self._weights.transforms() if self._weights is not None else None
        names = _categories(categories)
        if names is None and self._weights is not None:
            names = list(self._weights.meta["categories"])
        if names is None:
            raise ValueError(f"{model_name} without pretrained weights needs 'categories' (the class names)")
        self._category_names = names
        self._meta: dict[str, Any] = dict(self._weights.meta) if self._weights is not None else {}

    def _label_specs(self) -> list[Any]:
        return [aa.label_spec(name, i, type=self._label_type) for i, name in enumerate(self._category_names)
                if name not in ("N/A", "__background__")]

    @cached_property
    def spec(self) -> aa.DetectionFunctionSpec:
        return aa.DetectionFunctionSpec(labels=self._label_specs())

    def _known(self, label: int) -> bool:
        return 0 <= label < len(self._category_names) and self._category_names[label] not in ("N/A", "__background__")

    def _tensor(self, image: PIL.Image.Image) -> torch.Tensor:
        if self._transforms is not None:
            return self._transforms(image)  # type: ignore[no-any-return]
        tensor: torch.Tensor = F.to_dtype(F.pil_to_tensor(image), torch.float32, scale=True)
        return tensor

    def _forward(self, tensors: list[torch.Tensor]) -> list[Any]:
        with torch.inference_mode():
            return list(self._model([t.to(self.device) for t in tensors]))

    def _convert(self, context: aa.DetectionFunctionContext, output: Any, image: PIL.Image.Image) -> list[Any]:
        raise NotImplementedError

    def detect(self, context: aa.DetectionFunctionContext, image: PIL.Image.Image) -> list[Any]:
        return self.detect_batch([context], [image])[0]

    def detect_batch(self, contexts: Sequence[aa.DetectionFunctionContext],
                     images: Sequence[PIL.Image.Image]) -> list[list[Any]]:
        results: list[list[Any]] = []
        for start in range(0, len(images), self.batch_size):
            part = list(images[start:start + self.batch_size])
            outputs = self._forward([self._tensor(image) for image in part])
            results.extend(self._convert(context, output, image)
                           for context, output, image in zip(contexts[start:], outputs, part, strict=False))
        return results
