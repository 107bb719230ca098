"""Tasks as datasets, cached on disk, without PyTorch: what the PyTorch adapter and the
auto-annotation driver build on.

    from inklab.sdk.datasets import TaskDataset

    dataset = TaskDataset(client, task_id)          # downloads what is not cached yet
    for sample in dataset.samples:
        image = sample.media.load_image()           # PIL image, from the cached chunk
        boxes = [s for s in sample.annotations.shapes if s.type == "rectangle"]
"""

from inklab.sdk.datasets._chunks import ChunkReader
from inklab.sdk.datasets.caching import CacheLayout, UpdatePolicy
from inklab.sdk.datasets.common import (
    CacheMissError,
    FrameAnnotations,
    MediaDownloadPolicy,
    MediaElement,
    Sample,
    TrackShape,
    UnsupportedDatasetError,
)
from inklab.sdk.datasets.task_dataset import TaskDataset

__all__ = [
    "CacheLayout",
    "CacheMissError",
    "ChunkReader",
    "FrameAnnotations",
    "MediaDownloadPolicy",
    "MediaElement",
    "Sample",
    "TaskDataset",
    "TrackShape",
    "UnsupportedDatasetError",
    "UpdatePolicy",
]
