"""The pieces of a dataset: samples, their annotations and media, and the download policies."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from enum import Enum, auto

import PIL.Image

from inklab.sdk import models
from inklab.sdk.client import SdkError
from inklab.sdk.models._base import list_field

__all__ = [
    "CacheMissError",
    "FrameAnnotations",
    "MediaDownloadPolicy",
    "MediaElement",
    "Sample",
    "TrackShape",
    "UnsupportedDatasetError",
]


class UnsupportedDatasetError(SdkError):
    """The task cannot be used as a dataset (no data, video chunks, malformed cache files)."""


class CacheMissError(SdkError):
    """``UpdatePolicy.NEVER`` was asked for something that is not in the cache."""


class TrackShape(models.LabeledShape):
    """A track's shape on one frame: a keyframe, or interpolated between keyframes.

    ``track_id`` is the id of the track; ``keyframe`` tells whether an annotator placed it
    (True) or it was computed (False). ``id`` is None: the shape does not exist on the server
    by itself. Skeleton tracks give skeleton shapes whose ``elements`` are interpolated too.
    """

    track_id: int | None = None
    keyframe: bool = False
    elements: list[models.SubLabeledShape] = list_field()


@dataclass(frozen=True, slots=True)
class FrameAnnotations:
    """The annotations of one frame: its tags, and its shapes followed by the shapes of the
    tracks visible on it (:class:`TrackShape`, unless tracks were excluded)."""

    tags: list[models.LabeledImage] = field(default_factory=list)
    shapes: list[models.LabeledShape] = field(default_factory=list)


class MediaElement(metaclass=abc.ABCMeta):
    """The media part of a sample."""

    @abc.abstractmethod
    def load_image(self) -> PIL.Image.Image:
        """The frame, decoded (as stored: mode and size of the uploaded image)."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One frame of a task with its annotations (None when they were not loaded)."""

    frame_index: int
    frame_name: str
    annotations: FrameAnnotations | None
    media: MediaElement


class MediaDownloadPolicy(Enum):
    """When frames are downloaded."""

    PRELOAD_ALL = auto()
    """All chunks are downloaded (in parallel) when the dataset is built; no network use later."""

    FETCH_CHUNKS_ON_DEMAND = auto()
    """A chunk is downloaded (and cached) the first time one of its frames is read."""

    FETCH_FRAMES_ON_DEMAND = auto()
    """Each frame is requested from the server whenever it is read (nothing is cached)."""
