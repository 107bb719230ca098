"""The inklab twin of ``tests/compat/functions/marker_function.py``, written with inklab's API.

Boxes the flat marker block in the corner of the test images as a ``car`` (``color``: red
for a dark marker, blue for a light one), puts a ``person`` skeleton on it and tags the
frame ``scene``. ``batched=True`` adds ``detect_batch``; ``fail_on`` raises on that frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import PIL.Image

import inklab.sdk.auto_annotation as aa
from inklab.sdk import models

SPEC = aa.DetectionFunctionSpec(labels=[
    aa.label_spec("car", 0, type="rectangle", attributes=[aa.select_attribute_spec("color", 0, ["red", "blue"])]),
    aa.skeleton_label_spec("person", 1, [aa.keypoint_spec("head", 0), aa.keypoint_spec("hand", 1)]),
    aa.label_spec("scene", 2, type="tag"),
])


def marker(image: PIL.Image.Image) -> tuple[list[float], int]:
    width, height = image.size
    return [0.0, 0.0, float(max(1, width // 8)), float(max(1, height // 8))], int(np.asarray(image)[0, 0, 0])


def expected_color(frame: int) -> str:
    """The colour the function reports on frame ``frame`` of ``tests.support.images``."""
    return "red" if (frame * 37) % 256 < 128 else "blue"


class Marker:
    def __init__(self, *, batched: bool = False, fail_on: str | None = None) -> None:
        self.spec = SPEC
        self.calls: list[int] = []
        self.names: list[str] = []
        self._fail_on = fail_on
        if batched:
            self.batch_size = 3
            self.detect_batch = self._detect_batch

    def detect(self, context: aa.DetectionFunctionContext, image: PIL.Image.Image) -> list[Any]:
        self.calls.append(1)
        return self._one(context, image)

    def _detect_batch(self, contexts: Sequence[aa.DetectionFunctionContext],
                      images: Sequence[PIL.Image.Image]) -> list[list[Any]]:
        self.calls.append(len(images))
        return [self._one(c, i) for c, i in zip(contexts, images, strict=True)]

    def _one(self, context: aa.DetectionFunctionContext, image: PIL.Image.Image) -> list[Any]:
        if context.frame_name == self._fail_on:
            raise RuntimeError(f"the model broke on {context.frame_name}")
        self.names.append(context.frame_name)
        box, level = marker(image)
        color = "red" if level < 128 else "blue"
        return [
            aa.rectangle(0, box, attributes=[models.AttributeValRequest(spec_id=0, value=color)]),
            aa.skeleton(1, [aa.keypoint(0, box[:2]), aa.keypoint(1, box[2:], outside=True)]),
            aa.tag(2),
        ]


def create(batched: bool = False) -> Marker:
    """For ``--function-file``: ``-p batched=bool:true`` adds ``detect_batch``."""
    return Marker(batched=batched)
