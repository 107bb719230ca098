"""The target half of a sample."""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from inklab.sdk.datasets.common import FrameAnnotations

__all__ = ["Target"]


@dataclass(frozen=True, slots=True)
class Target:
    """Everything about a sample besides the image.

    ``annotations``: the frame's tags and shapes (track shapes included).
    ``label_id_to_index``: label id → class index, the same for every sample of a dataset.
    ``image_size``: ``(width, height)`` of the image before transforms.
    ``skeletons``: skeleton label id → its point (sublabel) ids in order, for keypoint targets.
    """

    annotations: FrameAnnotations
    label_id_to_index: Mapping[int, int]
    image_size: tuple[int, int] | None = None
    skeletons: Mapping[int, tuple[int, ...]] = field(default_factory=dict)

    def __reduce__(self) -> tuple[Any, ...]:
        # Mapping proxies do not pickle; samples cross process boundaries in DataLoader workers.
        return (_restore, (self.annotations, dict(self.label_id_to_index), self.image_size, dict(self.skeletons)))


def _restore(annotations: FrameAnnotations, labels: dict[int, int], image_size: tuple[int, int] | None,
             skeletons: dict[int, tuple[int, ...]]) -> Target:
    return Target(annotations, types.MappingProxyType(labels), image_size, types.MappingProxyType(skeletons))
