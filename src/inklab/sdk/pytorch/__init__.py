"""PyTorch datasets over tasks and projects, and target transforms (needs the ``pytorch`` extra).

The API follows the CVAT SDK's ``cvat_sdk.pytorch`` (code written for it runs after changing
the imports) and adds tracks, keypoint and instance-mask targets, ``tv_tensors`` output for
``torchvision.transforms.v2``, picklable datasets for DataLoader workers and :func:`collate`.
"""

try:
    import torch  # noqa: F401
    import torchvision  # noqa: F401
except ModuleNotFoundError as exc:
    if exc.name not in {"torch", "torchvision"}:
        raise
    raise ModuleNotFoundError(
        f"inklab.sdk.pytorch needs PyTorch and torchvision ('{exc.name}' is not installed): "
        "pip install 'inklab[pytorch]'", name=exc.name) from exc

from inklab.sdk.datasets import FrameAnnotations, TrackShape, UnsupportedDatasetError, UpdatePolicy
from inklab.sdk.pytorch.collate import collate
from inklab.sdk.pytorch.common import Target
from inklab.sdk.pytorch.project_dataset import ProjectVisionDataset
from inklab.sdk.pytorch.task_dataset import TaskVisionDataset
from inklab.sdk.pytorch.transforms import (
    ExtractBoundingBoxes,
    ExtractInstanceMasks,
    ExtractKeypoints,
    ExtractSingleLabelIndex,
    LabeledBoxes,
    LabeledKeypoints,
    LabeledMasks,
    MergeKeypointVisibility,
)

__all__ = [
    "ExtractBoundingBoxes",
    "ExtractInstanceMasks",
    "ExtractKeypoints",
    "ExtractSingleLabelIndex",
    "FrameAnnotations",
    "LabeledBoxes",
    "LabeledKeypoints",
    "LabeledMasks",
    "MergeKeypointVisibility",
    "ProjectVisionDataset",
    "TaskVisionDataset",
    "Target",
    "TrackShape",
    "UnsupportedDatasetError",
    "UpdatePolicy",
    "collate",
]
