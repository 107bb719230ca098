"""An interaction function for cvat-sdk's agent: the flat-coloured region a click falls in.

The region is the connected set of pixels within ``tolerance`` of the clicked pixel's colour;
the answer is a polygon along its bounding box (a rectangle's outline, which is what the
tests' generated objects are). A negative point inside the region rejects it (no shapes).
``preprocess_image`` hands ``detect`` the pixels as an array, which agents cache per frame.
"""

from __future__ import annotations

import cvat_sdk.auto_annotation as cvataa
import cvat_sdk.models as models
import numpy as np
import PIL.Image
from scipy import ndimage


class FloodInteractor:
    spec = cvataa.InteractionFunctionSpec(min_pos_points=1, min_neg_points=0)

    def __init__(self, tolerance: int = 40) -> None:
        self.tolerance = tolerance

    def preprocess_image(self, context: cvataa.InteractionFunctionContext, image: PIL.Image.Image) -> np.ndarray:
        return np.asarray(image.convert("RGB"), dtype=np.int16)

    def detect(self, context: cvataa.InteractionFunctionContext, pp_image: np.ndarray,
               prompts: cvataa.InteractionPrompts) -> list[cvataa.InteractionResultShape]:
        x, y = (int(v) for v in prompts.pos_points[0])
        similar = np.abs(pp_image - pp_image[y, x]).max(axis=2) <= self.tolerance
        regions, _ = ndimage.label(similar)
        region = regions == regions[y, x]
        if any(region[int(ny), int(nx)] for nx, ny in prompts.neg_points):
            return []
        ys, xs = np.nonzero(region)
        x1, y1, x2, y2 = float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)
        return [cvataa.InteractionResultShape(type="polygon", points=[x1, y1, x2, y1, x2, y2, x1, y2], attributes=[
            models.AttributeValRequest(spec_id=cvataa.InteractionResultAttributes.CONFIDENCE, value="1.0")])]


def create(tolerance: int = 40) -> FloodInteractor:
    return FloodInteractor(tolerance)
