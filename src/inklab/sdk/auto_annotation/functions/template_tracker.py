"""A tracker that needs no weights: normalized cross-correlation of the first frame's patch.

``create(search=2.0, min_score=0.5, update=0.0)`` returns a tracking function for rectangles
and points. It keeps the grey-level patch under the shape on the frame it starts on, with a
``margin`` (a fraction of its size, at least 4 px) of its surroundings so that a flat object
still has edges to match (for a point, a square of ``point_patch`` pixels around it) and, on each new frame, finds the best
match (scikit-image's ``match_template``) within ``search`` times the patch size around the
last position; a best score under ``min_score`` loses the object (None). ``update`` blends the
matched patch into the template (0 keeps the first appearance, which does not drift).

Usable from the CLI: ``inklab function create-native tracker --function-module
inklab.sdk.auto_annotation.functions.template_tracker`` and ``function run-agent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import PIL.Image

from inklab.sdk.auto_annotation.interactive import (
    TrackableShape,
    TrackingFunctionContext,
    TrackingFunctionShapeContext,
    TrackingFunctionSpec,
)

__all__ = ["TemplateTracker", "create"]


@dataclass
class _Patch:
    template: np.ndarray  # grey levels, 0..1
    x: float  # top-left corner of the patch in the last frame
    y: float
    offset: tuple[float, float]  # where the shape's point is within the patch (points only)


@dataclass
class _State:
    shape_type: str
    patches: list[_Patch]
    size: tuple[float, float]  # rectangle width and height


class TemplateTracker:
    """See the module docstring."""

    spec = TrackingFunctionSpec(supported_shape_types={"rectangle", "points"})

    def __init__(self, *, search: float = 2.0, min_score: float = 0.5, update: float = 0.0,
                 point_patch: int = 15, margin: float = 0.25) -> None:
        if search < 1 or not 0 <= update <= 1 or point_patch < 3 or margin < 0:
            raise ValueError("search must be at least 1, update between 0 and 1, point_patch at least 3, "
                             "margin not negative")
        self.search, self.min_score, self.update, self.point_patch = search, min_score, update, point_patch
        self.margin = margin

    def preprocess_image(self, context: TrackingFunctionContext, image: PIL.Image.Image) -> np.ndarray:
        return np.asarray(image.convert("L"), dtype=np.float64) / 255.0

    def _patch(self, grey: np.ndarray, x1: float, y1: float, x2: float, y2: float,
               offset: tuple[float, float] = (0.0, 0.0)) -> _Patch:
        height, width = grey.shape
        left, top = int(round(max(0, min(x1, width - 2)))), int(round(max(0, min(y1, height - 2))))
        right, bottom = int(round(min(width, max(x2, left + 2)))), int(round(min(height, max(y2, top + 2))))
        return _Patch(grey[top:bottom, left:right].copy(), float(left), float(top), offset)

    def init_tracking_state(self, context: TrackingFunctionShapeContext, pp_image: np.ndarray,
                            shape: TrackableShape) -> _State:
        points = [float(v) for v in shape.points]
        if shape.type == "rectangle":
            x1, y1, x2, y2 = points[:4]
            x1, y1, x2, y2 = min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)
            mx, my = max(4.0, self.margin * (x2 - x1)), max(4.0, self.margin * (y2 - y1))
            patch = self._patch(pp_image, x1 - mx, y1 - my, x2 + mx, y2 + my)
            patch.offset = (x1 - patch.x, y1 - patch.y)
            return _State("rectangle", [patch], (x2 - x1, y2 - y1))
        half = self.point_patch / 2
        patches = []
        for x, y in zip(points[0::2], points[1::2], strict=True):
            patch = self._patch(pp_image, x - half, y - half, x + half, y + half)
            patches.append(_Patch(patch.template, patch.x, patch.y, (x - patch.x, y - patch.y)))
        return _State("points", patches, (0.0, 0.0))

    def _follow(self, grey: np.ndarray, patch: _Patch) -> float | None:
        from skimage.feature import match_template

        th, tw = patch.template.shape
        height, width = grey.shape
        margin_x, margin_y = int(self.search * tw / 2) + 2, int(self.search * th / 2) + 2
        left, top = max(0, int(patch.x) - margin_x), max(0, int(patch.y) - margin_y)
        right, bottom = min(width, int(patch.x) + tw + margin_x), min(height, int(patch.y) + th + margin_y)
        window = grey[top:bottom, left:right]
        if window.shape[0] < th or window.shape[1] < tw:
            return None
        # Flat areas have no variance: match_template's normalization can give NaN there.
        scores = np.nan_to_num(match_template(window, patch.template), nan=-1.0)
        row, col = np.unravel_index(int(np.argmax(scores)), scores.shape)
        score = float(scores[row, col])
        patch.x, patch.y = float(left + col), float(top + row)
        if self.update:
            seen = grey[int(patch.y):int(patch.y) + th, int(patch.x):int(patch.x) + tw]
            patch.template = (1 - self.update) * patch.template + self.update * seen
        return score

    def track(self, context: TrackingFunctionShapeContext, pp_image: np.ndarray, state: _State) -> TrackableShape | None:
        scores = [self._follow(pp_image, patch) for patch in state.patches]
        if any(score is None or score < self.min_score for score in scores):
            return None
        if state.shape_type == "rectangle":
            patch = state.patches[0]
            x, y = patch.x + patch.offset[0], patch.y + patch.offset[1]
            return TrackableShape(type="rectangle", points=[x, y, x + state.size[0], y + state.size[1]])
        points: list[float] = []
        for patch in state.patches:
            points += [patch.x + patch.offset[0], patch.y + patch.offset[1]]
        return TrackableShape(type="points", points=points)


def create(search: float = 2.0, min_score: float = 0.5, update: float = 0.0, point_patch: int = 15,
           margin: float = 0.25) -> Any:
    """A :class:`TemplateTracker` (see the module docstring)."""
    return TemplateTracker(search=search, min_score=min_score, update=update, point_patch=point_patch, margin=margin)
