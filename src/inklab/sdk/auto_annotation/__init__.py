"""Auto-annotation: run your own model over a task, from Python, the CLI, or agents.

This offers the API of ``cvat_sdk.auto_annotation`` (code written for it runs after changing
only the imports): detection functions, and the interaction and tracking functions that
agents serve to the web UI's AI tools (:mod:`.interactive`); with a faster driver: background prefetching and decoding, optional
batches (``detect_batch``), incremental uploads and ``resume``. Predefined functions based
on torchvision are in :mod:`inklab.sdk.auto_annotation.functions`.

``encode_mask`` and ``decode_mask`` are those of :mod:`inklab.sdk.masks`, exported here too
for mask results.

Errors: :class:`AutoAnnotationError` is the base; :class:`BadFunctionError` reports a function
that broke the protocol (see :mod:`inklab.sdk.auto_annotation._errors`).
"""

from inklab.sdk.auto_annotation._attributes import attribute_vals_from_dict, number_attribute_values
from inklab.sdk.auto_annotation._errors import AutoAnnotationError, BadFunctionError
from inklab.sdk.auto_annotation.driver import AnnotationSummary, annotate_job, annotate_task
from inklab.sdk.auto_annotation.interactive import (
    InteractionFunction,
    InteractionFunctionContext,
    InteractionFunctionSpec,
    InteractionPrompts,
    InteractionResultAttributes,
    InteractionResultShape,
    TrackableShape,
    TrackingFunction,
    TrackingFunctionContext,
    TrackingFunctionShapeContext,
    TrackingFunctionSpec,
)
from inklab.sdk.auto_annotation.interface import (
    BatchDetectionFunction,
    DetectionAnnotation,
    DetectionFunction,
    DetectionFunctionContext,
    DetectionFunctionSpec,
    attribute_spec,
    checkbox_attribute_spec,
    keypoint,
    keypoint_spec,
    label_spec,
    mask,
    number_attribute_spec,
    polygon,
    radio_attribute_spec,
    rectangle,
    select_attribute_spec,
    shape,
    skeleton,
    skeleton_label_spec,
    tag,
    text_attribute_spec,
)
from inklab.sdk.masks import decode_mask, encode_mask

__all__ = [
    "AnnotationSummary",
    "AutoAnnotationError",
    "BadFunctionError",
    "BatchDetectionFunction",
    "DetectionAnnotation",
    "DetectionFunction",
    "DetectionFunctionContext",
    "DetectionFunctionSpec",
    "InteractionFunction",
    "InteractionFunctionContext",
    "InteractionFunctionSpec",
    "InteractionPrompts",
    "InteractionResultAttributes",
    "InteractionResultShape",
    "TrackableShape",
    "TrackingFunction",
    "TrackingFunctionContext",
    "TrackingFunctionShapeContext",
    "TrackingFunctionSpec",
    "annotate_job",
    "annotate_task",
    "attribute_spec",
    "attribute_vals_from_dict",
    "checkbox_attribute_spec",
    "decode_mask",
    "encode_mask",
    "keypoint",
    "keypoint_spec",
    "label_spec",
    "mask",
    "number_attribute_spec",
    "number_attribute_values",
    "polygon",
    "radio_attribute_spec",
    "rectangle",
    "select_attribute_spec",
    "shape",
    "skeleton",
    "skeleton_label_spec",
    "tag",
    "text_attribute_spec",
]
