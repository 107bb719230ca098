"""A tracking function for cvat-sdk's agent: follows a box by the colour inside it.

``init_tracking_state`` keeps the box's size and the median colour inside it; ``track`` boxes
the pixels of that colour (within ``tolerance``) nearest the last position, keeping the size.
Enough for the tests' flat squares moving over a plain background, even through a video
codec. (cvat-cli's agent calls ``preprocess_image`` before ``track`` in any case.)
"""

from __future__ import annotations

from typing import Any

import cvat_sdk.auto_annotation as cvataa
import numpy as np
import PIL.Image


class ColorTracker:
    spec = cvataa.TrackingFunctionSpec(supported_shape_types={"rectangle"})

    def __init__(self, tolerance: int = 60) -> None:
        self.tolerance = tolerance

    def preprocess_image(self, context: cvataa.TrackingFunctionContext, image: PIL.Image.Image) -> np.ndarray:
        return np.asarray(image.convert("RGB"), dtype=np.int16)

    def init_tracking_state(self, context: cvataa.TrackingFunctionShapeContext, pp_image: np.ndarray,
                            shape: cvataa.TrackableShape) -> dict[str, Any]:
        x1, y1, x2, y2 = (int(round(v)) for v in shape.points)
        inside = pp_image[y1:y2, x1:x2].reshape(-1, 3)
        return {"color": np.median(inside, axis=0), "size": (x2 - x1, y2 - y1), "center": ((x1 + x2) / 2, (y1 + y2) / 2)}

    def track(self, context: cvataa.TrackingFunctionShapeContext, pp_image: np.ndarray,
              state: dict[str, Any]) -> cvataa.TrackableShape | None:
        ys, xs = np.nonzero(np.abs(pp_image - state["color"]).max(axis=2) <= self.tolerance)
        if not len(xs):
            return None
        cx, cy = (float(xs.min() + xs.max() + 1) / 2, float(ys.min() + ys.max() + 1) / 2)
        width, height = state["size"]
        state["center"] = (cx, cy)
        return cvataa.TrackableShape(type="rectangle",
                                     points=[cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2])


def create(tolerance: int = 60) -> ColorTracker:
    return ColorTracker(tolerance)
