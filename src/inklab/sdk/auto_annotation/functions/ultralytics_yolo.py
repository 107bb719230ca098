"""Ultralytics YOLO models as a detection function: detect, segment, pose and OBB.

``create(model, *, device=None, batch_size=8, imgsz=640, keypoint_names=None)``: ``model`` is a
local weights file (``yolo11n.pt``, your ``best.pt``) or a model YAML (``yolo11n-seg.yaml``: an
untrained model, for tests); nothing is downloaded. The model's task decides what it returns:

* ``detect`` — rectangles;
* ``segment`` — masks (with ``conv_mask_to_poly``, polygons along the mask's outline);
* ``pose`` — skeletons, one point per keypoint (``keypoint_names``, a list or comma-separated
  names; default ``1``, ``2``, …), invisible keypoints (confidence under 0.5) ``outside``;
* ``obb`` — rotated rectangles (``rotation`` in degrees, clockwise, as CVAT stores it).

Labels are the model's class names. Needs the ``ultralytics`` extra
(``pip install 'inklab[ultralytics]'``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import PIL.Image

import inklab.sdk.auto_annotation as aa
from inklab.sdk.auto_annotation.functions._contours import mask_to_polygons
from inklab.sdk.masks import encode_mask

__all__ = ["YoloFunction", "create"]

_VISIBLE = 0.5


class YoloFunction:
    """See the module docstring."""

    def __init__(self, model: str, *, device: str | None = None, batch_size: int = 8, imgsz: int = 640,
                 keypoint_names: Sequence[str] | str | None = None) -> None:
        os.environ.setdefault("YOLO_OFFLINE", "1")  # no update checks or downloads
        from ultralytics import YOLO

        if not str(model).endswith((".yaml", ".yml")) and not os.path.isfile(model):
            raise ValueError(f"model: {model!r} is not a weights file here (nothing is downloaded)")
        self._model = YOLO(model)
        self.task = str(self._model.task)
        if self.task not in ("detect", "segment", "pose", "obb"):
            raise ValueError(f"model: a {self.task!r} model; this function takes detect, segment, pose or obb models")
        self.device, self.batch_size, self.imgsz = device, int(batch_size), int(imgsz)
        self.names = {int(k): str(v) for k, v in self._model.names.items()}
        points = 0
        if self.task == "pose":
            network: Any = self._model.model
            points = int(network.yaml.get("kpt_shape", [17, 3])[0])
        if isinstance(keypoint_names, str):
            keypoint_names = [n.strip() for n in keypoint_names.split(",") if n.strip()]
        self.keypoint_names = list(keypoint_names or [str(i + 1) for i in range(points)])
        if self.task == "pose" and len(self.keypoint_names) != points:
            raise ValueError(f"keypoint_names: the model has {points} keypoints, got {len(self.keypoint_names)} names")

    @property
    def spec(self) -> aa.DetectionFunctionSpec:
        if self.task == "pose":
            labels = [aa.skeleton_label_spec(name, i, [aa.keypoint_spec(p, j) for j, p in enumerate(self.keypoint_names)])
                      for i, name in self.names.items()]
        else:
            kind = {"detect": "rectangle", "obb": "rectangle", "segment": "mask"}[self.task]
            labels = [aa.label_spec(name, i, type=kind) for i, name in self.names.items()]
        return aa.DetectionFunctionSpec(labels=labels)

    def detect(self, context: aa.DetectionFunctionContext, image: PIL.Image.Image) -> list[Any]:
        return self.detect_batch([context], [image])[0]

    def detect_batch(self, contexts: Sequence[aa.DetectionFunctionContext],
                     images: Sequence[PIL.Image.Image]) -> list[list[Any]]:
        threshold = min((c.conf_threshold for c in contexts if c.conf_threshold is not None), default=0.25)
        results = self._model.predict(list(images), conf=threshold, device=self.device, imgsz=self.imgsz,
                                      verbose=False, batch=self.batch_size)
        return [self.convert(context, result) for context, result in zip(contexts, results, strict=True)]

    def convert(self, context: aa.DetectionFunctionContext, result: Any) -> list[Any]:
        """One image's ``ultralytics`` ``Results`` as annotations."""
        threshold = context.conf_threshold or 0.0
        if self.task == "obb":
            return self._rotated(result.obb, threshold)
        boxes = result.boxes
        classes, scores = boxes.cls.int().tolist(), boxes.conf.tolist()
        if self.task == "detect":
            return [aa.rectangle(c, xyxy, score=s) for c, s, xyxy in zip(classes, scores, boxes.xyxy.tolist(), strict=True)
                    if s >= threshold]
        if self.task == "segment":
            return self._masks(context, result, classes, scores, threshold)
        return self._skeletons(result, classes, scores, threshold)

    def _rotated(self, obb: Any, threshold: float) -> list[Any]:
        shapes = []
        for c, s, (cx, cy, w, h, angle) in zip(obb.cls.int().tolist(), obb.conf.tolist(), obb.xywhr.tolist(),
                                               strict=True):
            if s >= threshold:
                shapes.append(aa.rectangle(c, [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], score=s,
                                           rotation=math.degrees(angle) % 360))
        return shapes

    def _masks(self, context: aa.DetectionFunctionContext, result: Any, classes: list[int], scores: list[float],
               threshold: float) -> list[Any]:
        if result.masks is None:
            return []
        height, width = result.orig_shape
        shapes: list[Any] = []
        for c, s, data in zip(classes, scores, result.masks.data.cpu().numpy(), strict=True):
            if s < threshold:
                continue
            bits = np.asarray(PIL.Image.fromarray(data.astype(np.uint8) * 255).resize((width, height))) >= 128
            if not bits.any():
                continue
            if context.conv_mask_to_poly:
                shapes.extend(aa.polygon(c, points, score=s) for points in mask_to_polygons(bits.astype(float)))
            else:
                shapes.append(aa.mask(c, encode_mask(bits), score=s))
        return shapes

    def _skeletons(self, result: Any, classes: list[int], scores: list[float], threshold: float) -> list[Any]:
        if result.keypoints is None:
            return []
        shapes = []
        points = result.keypoints.data.cpu().numpy()  # [N, K, 3]: x, y, confidence
        for c, s, kps in zip(classes, scores, points, strict=True):
            if s < threshold:
                continue
            elements = [aa.keypoint(j, [float(x), float(y)], outside=bool(v < _VISIBLE))
                        for j, (x, y, v) in enumerate(kps if kps.shape[-1] == 3 else np.c_[kps, np.ones(len(kps))])]
            shapes.append(aa.skeleton(c, elements, score=s))
        return shapes


def create(model: str, *, device: str | None = None, batch_size: int = 8, imgsz: int = 640,
           keypoint_names: Sequence[str] | str | None = None) -> YoloFunction:
    """A :class:`YoloFunction` (see the module docstring)."""
    return YoloFunction(model, device=device, batch_size=batch_size, imgsz=imgsz, keypoint_names=keypoint_names)
