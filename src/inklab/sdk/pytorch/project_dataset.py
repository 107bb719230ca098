"""A project (some or all of its tasks) as a PyTorch dataset."""

from __future__ import annotations

import bisect
import os
from collections.abc import Callable, Container, Mapping
from typing import TYPE_CHECKING, Any

import torchvision.datasets

from inklab.sdk import models
from inklab.sdk.datasets import CacheLayout, UpdatePolicy
from inklab.sdk.datasets.caching import fetch_project
from inklab.sdk.pytorch.task_dataset import TaskVisionDataset, label_indices

if TYPE_CHECKING:
    from inklab.sdk.client import Client

__all__ = ["ProjectVisionDataset"]


class ProjectVisionDataset(torchvision.datasets.VisionDataset):  # type: ignore[misc]
    """The samples of a project's tasks, task after task in ascending task id order (the same
    order on every run), each task's samples as :class:`TaskVisionDataset` gives them.

    ``task_filter(task)`` (a :class:`~inklab.sdk.models.TaskRead`) and ``include_subsets``
    (task subsets to keep) select tasks; both may be given. Tasks without data are skipped.
    Labels are the project's, so class indices agree across tasks. Other parameters are those
    of :class:`TaskVisionDataset`; ``transforms``/``transform``/``target_transform`` apply to
    the project's samples.
    """

    def __init__(self, client: Client, project_id: int, *, transforms: Callable[..., Any] | None = None,
                 transform: Callable[..., Any] | None = None, target_transform: Callable[..., Any] | None = None,
                 label_name_to_index: Mapping[str, int] | None = None,
                 task_filter: Callable[[models.TaskRead], bool] | None = None,
                 include_subsets: Container[str] | None = None,
                 update_policy: UpdatePolicy = UpdatePolicy.IF_MISSING_OR_STALE, include_tracks: bool = True,
                 image_mode: str | None = "RGB") -> None:
        layout = CacheLayout(client.config.cache_dir, client.url)
        super().__init__(os.fspath(layout.project_dir(project_id)), transforms=transforms, transform=transform,
                         target_transform=target_transform)
        record = fetch_project(None if update_policy is UpdatePolicy.NEVER else client, layout, project_id,
                               update_policy, client.logger)
        self.project = models.ProjectRead.from_dict(record["project"])
        labels = [models.Label.from_dict(label) for label in record["labels"]]
        mapping = label_indices(labels, label_name_to_index)
        tasks = [models.TaskRead.from_dict(t) for t in record["tasks"]]
        if task_filter is not None:
            tasks = [t for t in tasks if task_filter(t)]
        if include_subsets is not None:
            tasks = [t for t in tasks if t.subset in include_subsets]
        tasks.sort(key=lambda t: t.id)
        skipped = [t.id for t in tasks if not t.size]
        if skipped:
            client.logger.info("Project %s: skipping tasks without data: %s", project_id, skipped)
        self.tasks = [TaskVisionDataset(client, t.id, update_policy=update_policy, include_tracks=include_tracks,
                                        image_mode=image_mode, _label_id_to_index=mapping)
                      for t in tasks if t.size]
        self._ends: list[int] = []
        total = 0
        for dataset in self.tasks:
            total += len(dataset)
            self._ends.append(total)

    def __getitem__(self, index: int) -> Any:
        """Sample ``index`` of the concatenation (negative indices count from the end)."""
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"sample index {index} is out of range 0..{len(self) - 1}")
        which = bisect.bisect_right(self._ends, index)
        start = self._ends[which - 1] if which else 0
        image, target = self.tasks[which][index - start]
        if self.transforms is not None:
            return self.transforms(image, target)
        return image, target

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0
