"""Running a detection function over frames: contexts, batches and the check of every result.

What the driver (:mod:`.driver`) and the agents (:mod:`.agent`) share. A function with a
callable ``detect_batch`` gets batches (``batch_size`` frames, else its own ``batch_size``
attribute, else 8); others get one ``detect`` call per frame. Every result goes through the
:class:`~._mapping.LabelMapper`, which raises :class:`BadFunctionError` for a violation.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from inklab.sdk.auto_annotation._errors import BadFunctionError
from inklab.sdk.auto_annotation._frames import Frame
from inklab.sdk.auto_annotation._mapping import LabelMapper
from inklab.sdk.auto_annotation.interface import DetectionFunction, DetectionFunctionContext

__all__ = ["FrameContext", "FrameResult", "batch_size_of", "check_function", "detections"]

DEFAULT_BATCH = 8

#: ``(frame number, tags, shapes)``: one frame's results as upload JSON objects.
FrameResult = tuple[int, list[dict[str, Any]], list[dict[str, Any]]]


class FrameContext(DetectionFunctionContext):
    __slots__ = ("_conf_threshold", "_conv_mask_to_poly", "_frame_name")

    def __init__(self, frame_name: str, conf_threshold: float | None, conv_mask_to_poly: bool) -> None:
        self._frame_name = frame_name
        self._conf_threshold = conf_threshold
        self._conv_mask_to_poly = conv_mask_to_poly

    @property
    def frame_name(self) -> str:
        return self._frame_name

    @property
    def conf_threshold(self) -> float | None:
        return self._conf_threshold

    @property
    def conv_mask_to_poly(self) -> bool:
        return self._conv_mask_to_poly

    def __repr__(self) -> str:
        return (f"DetectionFunctionContext(frame_name={self._frame_name!r}, conf_threshold={self._conf_threshold!r}, "
                f"conv_mask_to_poly={self._conv_mask_to_poly!r})")


def check_function(function: object) -> None:
    """Raise :class:`BadFunctionError` unless ``function`` has a ``spec`` and a ``detect`` method."""
    if not hasattr(function, "spec") or not callable(getattr(function, "detect", None)):
        raise BadFunctionError(f"{function!r} is not a detection function (it needs 'spec' and 'detect')")


def batch_size_of(function: DetectionFunction, batch_size: int | None) -> int:
    """Frames per call: 1 without ``detect_batch``; else ``batch_size``, the function's, or 8."""
    if not callable(getattr(function, "detect_batch", None)):
        return 1
    return max(1, int(batch_size or getattr(function, "batch_size", None) or DEFAULT_BATCH))


def detections(function: DetectionFunction, frames: Iterator[Frame], mapper: LabelMapper, *, batch_size: int,
               conf_threshold: float | None, conv_mask_to_poly: bool) -> Iterator[list[FrameResult]]:
    """Yield the checked results of each batch of ``frames``, one :data:`FrameResult` per frame."""
    batch_call = getattr(function, "detect_batch", None)
    if not callable(batch_call):
        batch_call = None
    while batch := list(islice(frames, batch_size)):
        contexts = [FrameContext(f.name, conf_threshold, conv_mask_to_poly) for f in batch]
        if batch_call is not None:
            results = list(batch_call(contexts, [f.image for f in batch]))
            if len(results) != len(batch):
                raise BadFunctionError(f"detect_batch returned {len(results)} results for {len(batch)} images "
                                       f"(frames {batch[0].index}..{batch[-1].index})")
        else:
            results = [function.detect(contexts[0], batch[0].image)]
        converted: list[FrameResult] = []
        for frame, result in zip(batch, results, strict=True):
            tags, shapes = mapper.convert(result, frame=frame.index, frame_name=frame.name, threshold=conf_threshold)
            converted.append((frame.index, tags, shapes))
        yield converted
