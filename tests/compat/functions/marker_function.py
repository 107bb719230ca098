"""A deterministic auto-annotation function for cvat-sdk/cvat-cli, loaded with ``--function-file``.

Every test image (``tests/support/images.py``) has a flat marker block in its top-left corner
whose grey level depends on the frame; this function boxes it as a ``car`` whose ``color``
says whether the marker is dark (``red``) or light (``blue``), puts a ``person`` skeleton
on it, and tags the frame ``scene``. ``delay`` seconds of sleep per frame let tests catch an
agent in the middle of its work.
"""

from __future__ import annotations

import time

import cvat_sdk.auto_annotation as cvataa
import cvat_sdk.models as models
import numpy as np
import PIL.Image

SPEC = cvataa.DetectionFunctionSpec(labels=[
    cvataa.label_spec("car", 0, type="rectangle", attributes=[
        cvataa.select_attribute_spec("color", 0, ["red", "blue"])]),
    cvataa.skeleton_label_spec("person", 1, [cvataa.keypoint_spec("head", 0), cvataa.keypoint_spec("hand", 1)]),
    cvataa.label_spec("scene", 2, type="tag"),
])


def marker_box(image: PIL.Image.Image) -> tuple[list[float], int]:
    """The marker's box ``[x1, y1, x2, y2]`` and grey level."""
    width, height = image.size
    pixels = np.asarray(image.convert("RGB"))
    return [0.0, 0.0, float(max(1, width // 8)), float(max(1, height // 8))], int(pixels[0, 0, 0])


class MarkerFunction:
    def __init__(self, delay: float = 0.0) -> None:
        self._delay = delay

    @property
    def spec(self) -> cvataa.DetectionFunctionSpec:
        return SPEC

    def detect(self, context: cvataa.DetectionFunctionContext, image: PIL.Image.Image) -> list[object]:
        time.sleep(self._delay)
        box, level = marker_box(image)
        color = "red" if level < 128 else "blue"
        return [
            cvataa.rectangle(0, box, attributes=[models.AttributeValRequest(spec_id=0, value=color)]),
            cvataa.skeleton(1, [cvataa.keypoint(0, [box[0], box[1]]),
                                cvataa.keypoint(1, [box[2], box[3]], outside=True)]),
            cvataa.tag(2),
        ]


def create(delay: float = 0.0) -> MarkerFunction:
    return MarkerFunction(delay)
