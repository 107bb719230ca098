"""Annotation models: tags, shapes, tracks, skeleton elements and attribute values.

The read models (``LabeledShape``, …) describe what the server returns; the ``…Request``
models what a client sends. Both have the same fields (CVAT uses one layout for both); the
request models check their required fields at construction.
"""

from __future__ import annotations

from inklab.sdk.models._base import Model, list_field
from inklab.vocabulary import ShapeType

__all__ = [
    "AttributeVal",
    "AttributeValRequest",
    "LabeledData",
    "LabeledDataRequest",
    "LabeledImage",
    "LabeledImageRequest",
    "LabeledShape",
    "LabeledShapeRequest",
    "LabeledTrack",
    "LabeledTrackRequest",
    "PatchedLabeledDataRequest",
    "SubLabeledShape",
    "SubLabeledShapeRequest",
    "SubLabeledTrack",
    "SubLabeledTrackRequest",
    "TrackedShape",
    "TrackedShapeRequest",
]


class AttributeVal(Model):
    """The value of one attribute (``spec_id`` is the attribute's id; values are strings)."""

    _required = ("spec_id", "value")
    spec_id: int
    value: str


class AttributeValRequest(AttributeVal):
    pass


class _Geometry(Model):
    """Fields shared by shapes, skeleton elements and track keyframes."""

    type: ShapeType
    frame: int
    points: list[float] = list_field()
    occluded: bool = False
    outside: bool = False
    z_order: int = 0
    rotation: float = 0.0
    id: int | None = None


class LabeledImage(Model):
    """A tag: a label attached to a whole frame."""

    _required = ("frame", "label_id")
    frame: int
    label_id: int
    id: int | None = None
    group: int | None = None
    source: str = "manual"
    attributes: list[AttributeVal] = list_field()


class LabeledImageRequest(LabeledImage):
    _item_types = {"attributes": AttributeValRequest}


class _LabeledGeometry(_Geometry):
    """Fields shared by shapes and skeleton elements."""

    _required = ("type", "frame", "label_id")
    label_id: int
    group: int | None = None
    source: str = "manual"
    score: float = 1.0
    attributes: list[AttributeVal] = list_field()


class SubLabeledShape(_LabeledGeometry):
    """A skeleton element (a keypoint): ``label_id`` is a sublabel id, ``points`` one ``[x, y]``."""


class SubLabeledShapeRequest(SubLabeledShape):
    _item_types = {"attributes": AttributeValRequest}


class LabeledShape(_LabeledGeometry):
    """A shape on one frame; ``points`` follow the layout of ``type`` (see the API guide)."""

    elements: list[SubLabeledShape] = list_field()


class LabeledShapeRequest(LabeledShape):
    _item_types = {"attributes": AttributeValRequest, "elements": SubLabeledShapeRequest}


class TrackedShape(_Geometry):
    """A keyframe of a track; ``outside`` means the object has left the frame from here on."""

    _required = ("type", "frame")
    attributes: list[AttributeVal] = list_field()


class TrackedShapeRequest(TrackedShape):
    _item_types = {"attributes": AttributeValRequest}


class _TrackFields(Model):
    """Fields shared by tracks and the tracks of skeleton elements."""

    _required = ("frame", "label_id", "shapes")
    frame: int
    label_id: int
    shapes: list[TrackedShape]
    id: int | None = None
    group: int | None = None
    source: str = "manual"
    attributes: list[AttributeVal] = list_field()


class SubLabeledTrack(_TrackFields):
    """The track of one skeleton element."""


class SubLabeledTrackRequest(SubLabeledTrack):
    _item_types = {"shapes": TrackedShapeRequest, "attributes": AttributeValRequest}


class LabeledTrack(_TrackFields):
    """An object followed over frames: keyframes in ``shapes``, in increasing frame order."""

    elements: list[SubLabeledTrack] = list_field()


class LabeledTrackRequest(LabeledTrack):
    _item_types = {"shapes": TrackedShapeRequest, "attributes": AttributeValRequest,
                   "elements": SubLabeledTrackRequest}


class LabeledData(Model):
    """All annotations of a task or job (``GET …/annotations/``)."""

    version: int = 0
    tags: list[LabeledImage] = list_field()
    shapes: list[LabeledShape] = list_field()
    tracks: list[LabeledTrack] = list_field()


class LabeledDataRequest(Model):
    """A full replacement of the annotations (``PUT``); missing lists mean "none"."""

    version: int = 0
    tags: list[LabeledImageRequest] = list_field()
    shapes: list[LabeledShapeRequest] = list_field()
    tracks: list[LabeledTrackRequest] = list_field()


class PatchedLabeledDataRequest(LabeledDataRequest):
    """Objects to create, update or delete (``PATCH ?action=…``)."""
