"""A task as a PyTorch dataset."""

from __future__ import annotations

import os
import types
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import PIL.Image
import torchvision.datasets

from inklab.sdk import models
from inklab.sdk.datasets import CacheLayout, TaskDataset, UpdatePolicy
from inklab.sdk.pytorch.common import Target

if TYPE_CHECKING:
    from inklab.sdk.client import Client

__all__ = ["TaskVisionDataset", "label_indices", "skeleton_points"]


def label_indices(labels: Sequence[models.Label], label_name_to_index: Mapping[str, int] | None) -> dict[int, int]:
    """Label id → class index: by ascending id, or looked up by name in ``label_name_to_index``."""
    if label_name_to_index is None:
        return {label.id: i for i, label in enumerate(sorted(labels, key=lambda x: x.id or 0)) if label.id is not None}
    missing = sorted({label.name for label in labels} - set(label_name_to_index))
    if missing:
        raise ValueError(f"label_name_to_index has no entry for the labels: {', '.join(missing)}")
    return {label.id: int(label_name_to_index[label.name]) for label in labels if label.id is not None}


def skeleton_points(labels: Sequence[models.Label]) -> dict[int, tuple[int, ...]]:
    """Skeleton label id → its point (sublabel) ids, in the label's order."""
    return {label.id: tuple(s.id for s in label.sublabels if s.id is not None)
            for label in labels if label.type == "skeleton" and label.id is not None}


class TaskVisionDataset(torchvision.datasets.VisionDataset):  # type: ignore[misc]
    """The frames of a task as ``(image, target)`` samples, in frame order, deleted frames left out.

    ``image`` is a ``PIL.Image`` (converted to ``image_mode`` unless already in it; None keeps
    the stored mode); ``target`` a :class:`Target`. ``transforms(image, target)``, or
    ``transform(image)`` and ``target_transform(target)`` (not both kinds: ``ValueError``)
    are applied to each sample. ``label_name_to_index`` chooses the class indices (it must name
    every label), otherwise labels are numbered by ascending id. ``include_tracks`` adds the
    shapes of tracks, interpolated to each frame. All data is cached during construction (see
    :class:`~inklab.sdk.datasets.TaskDataset`); afterwards the dataset makes no network
    requests and can be used by DataLoader workers.
    """

    def __init__(self, client: Client, task_id: int, *, transforms: Callable[..., Any] | None = None,
                 transform: Callable[..., Any] | None = None, target_transform: Callable[..., Any] | None = None,
                 label_name_to_index: Mapping[str, int] | None = None,
                 update_policy: UpdatePolicy = UpdatePolicy.IF_MISSING_OR_STALE, include_tracks: bool = True,
                 image_mode: str | None = "RGB", _label_id_to_index: Mapping[int, int] | None = None) -> None:
        layout = CacheLayout(client.config.cache_dir, client.url)
        super().__init__(os.fspath(layout.task_dir(task_id)), transforms=transforms, transform=transform,
                         target_transform=target_transform)
        self._underlying = TaskDataset(client, task_id, update_policy=update_policy, include_tracks=include_tracks)
        labels = self._underlying.labels
        mapping = dict(_label_id_to_index) if _label_id_to_index is not None else label_indices(
            labels, label_name_to_index)
        self._image_mode = image_mode
        self._set_mappings(mapping, skeleton_points(labels))

    def _set_mappings(self, labels: dict[int, int], skeletons: dict[int, tuple[int, ...]]) -> None:
        self._label_id_to_index = types.MappingProxyType(labels)
        self._skeletons = types.MappingProxyType(skeletons)
        self._samples = self._underlying.samples
        self._reader = self._underlying.chunk_reader

    @property
    def task_dataset(self) -> TaskDataset:
        """The underlying torch-free dataset (labels, samples, frame names)."""
        return self._underlying

    @property
    def label_id_to_index(self) -> Mapping[int, int]:
        return self._label_id_to_index

    def load_image(self, index: int) -> PIL.Image.Image:
        """The image of sample ``index`` without transforms."""
        image = self._reader.load_image(self._samples[index].frame_index)
        mode = self._image_mode
        if mode is not None and image.mode != mode:  # an RGB frame is not copied
            image = image.convert(mode)
        return image

    def __getitem__(self, index: int) -> Any:
        """Sample ``index`` (``0 <= index < len(self)``; negative indices count from the end)."""
        sample = self._samples[index]
        image = self._reader.load_image(sample.frame_index)
        mode = self._image_mode
        if mode is not None and image.mode != mode:
            image = image.convert(mode)
        target = Target(sample.annotations, self._label_id_to_index, image.size, self._skeletons)  # type: ignore[arg-type]
        if self.transforms is not None:
            return self.transforms(image, target)
        return image, target

    def __len__(self) -> int:
        return len(self._samples)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_label_id_to_index"] = dict(self._label_id_to_index)
        state["_skeletons"] = dict(self._skeletons)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        labels, skeletons = state.pop("_label_id_to_index"), state.pop("_skeletons")
        self.__dict__.update(state)
        self._set_mappings(labels, skeletons)
