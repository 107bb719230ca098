"""Batching samples whose targets differ in size (detection, segmentation, keypoints)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

__all__ = ["collate"]


def _stack_or_list(items: Sequence[Any]) -> Any:
    first = items[0]
    if isinstance(first, torch.Tensor) and all(
            isinstance(x, torch.Tensor) and x.shape == first.shape and type(x) is type(first) for x in items):
        return torch.stack(list(items))
    return list(items)


def collate(batch: Sequence[tuple[Any, Any]]) -> tuple[Any, Any]:
    """``collate_fn`` for a DataLoader: ``(images, targets)`` where equal-shaped tensors are
    stacked (classification: ``[B, C, H, W]`` and ``[B]``) and everything else — images of
    different sizes, PIL images, dictionaries, :class:`Target` objects — stays a list (what
    torchvision's detection models take)."""
    if not batch:
        return [], []
    images, targets = zip(*batch, strict=True)
    return _stack_or_list(images), _stack_or_list(targets)
