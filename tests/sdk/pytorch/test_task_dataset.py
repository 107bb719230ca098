"""TaskVisionDataset: samples, targets, label indices, transform semantics, pickling, DataLoader."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image

from inklab.sdk.pytorch import (
    ExtractBoundingBoxes,
    ExtractSingleLabelIndex,
    Target,
    TaskVisionDataset,
    TrackShape,
    collate,
)

pytestmark = pytest.mark.live


def test_samples_are_frames_in_order_without_deleted_ones(module_client: Any, zoo: dict[str, Any],
                                                          train_images: list[Path]) -> None:
    dataset = TaskVisionDataset(module_client, zoo["train"].id)
    assert len(dataset) == 7  # 8 frames, frame 6 deleted
    frames = [s.frame_index for s in dataset.task_dataset.samples]
    assert frames == [0, 1, 2, 3, 4, 5, 7]
    for index, frame in enumerate(frames):
        image, target = dataset[index]
        assert isinstance(image, Image.Image) and image.mode == "RGB" and image.size == (48, 32)
        assert np.array_equal(np.asarray(image), np.asarray(Image.open(train_images[frame])))
        assert isinstance(target, Target) and target.image_size == (48, 32)
    _, last = dataset[-1]
    assert [s.points for s in last.annotations.shapes] == [[4, 2, 14, 12]]
    assert isinstance(last.annotations.shapes[0], TrackShape) and last.annotations.shapes[0].keyframe


def test_label_indices(module_client: Any, zoo: dict[str, Any]) -> None:
    labels = zoo["labels"]
    dataset = TaskVisionDataset(module_client, zoo["train"].id)
    by_id = sorted(labels.values(), key=lambda label: label.id)
    assert dict(dataset[0][1].label_id_to_index) == {label.id: i for i, label in enumerate(by_id)}
    names = {"car": 10, "person": 11, "road": 12, "day": 0, "night": 1}
    custom = TaskVisionDataset(module_client, zoo["train"].id, label_name_to_index=names)
    assert dict(custom[0][1].label_id_to_index) == {labels[n].id: i for n, i in names.items()}
    with pytest.raises(ValueError, match="no entry for the labels: night, person"):
        TaskVisionDataset(module_client, zoo["train"].id, label_name_to_index={"car": 0, "road": 1, "day": 2})


def test_transform_semantics(module_client: Any, zoo: dict[str, Any]) -> None:
    task_id = zoo["train"].id
    size = lambda image: image.size  # noqa: E731
    count = lambda target: len(target.annotations.shapes)  # noqa: E731
    plain = TaskVisionDataset(module_client, task_id)[0]
    assert TaskVisionDataset(module_client, task_id, transform=size)[0] == ((48, 32), plain[1])
    assert TaskVisionDataset(module_client, task_id, target_transform=count)[0][1] == 2
    both = TaskVisionDataset(module_client, task_id, transform=size, target_transform=count)[0]
    assert both == ((48, 32), 2)
    joint = TaskVisionDataset(module_client, task_id, transforms=lambda image, target: (count(target), size(image)))
    assert joint[0] == (2, (48, 32))
    for kwargs in ({"transform": size}, {"target_transform": count}):
        with pytest.raises(ValueError, match="Only transforms or transform/target_transform"):
            TaskVisionDataset(module_client, task_id, transforms=lambda i, t: (i, t), **kwargs)


def test_single_label_index(module_client: Any, zoo: dict[str, Any]) -> None:
    dataset = TaskVisionDataset(module_client, zoo["train"].id, target_transform=ExtractSingleLabelIndex())
    day = dataset[0][1]
    assert day.dtype == torch.long and day.ndim == 0 and int(day) == 3
    with pytest.raises(ValueError, match="no tags"):
        dataset[1]
    with pytest.raises(ValueError, match="multiple tags"):
        dataset[6]  # frame 7: two tags


def test_pickled_dataset_gives_the_same_samples(module_client: Any, zoo: dict[str, Any]) -> None:
    dataset = TaskVisionDataset(module_client, zoo["train"].id,
                                target_transform=ExtractBoundingBoxes(include_shape_types=["rectangle"]))
    copy = pickle.loads(pickle.dumps(dataset))
    for index in range(len(dataset)):
        (a, ta), (b, tb) = dataset[index], copy[index]
        assert np.array_equal(np.asarray(a), np.asarray(b)) and torch.equal(ta["boxes"], tb["boxes"])
    target = TaskVisionDataset(module_client, zoo["train"].id)[3][1]
    restored = pickle.loads(pickle.dumps(target))
    assert restored == target and dict(restored.label_id_to_index) == dict(target.label_id_to_index)


def test_dataloader_with_two_workers(module_client: Any, zoo: dict[str, Any]) -> None:
    from torchvision.transforms import v2

    dataset = TaskVisionDataset(
        module_client, zoo["train"].id,
        transform=v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)]),
        target_transform=ExtractBoundingBoxes(include_shape_types=["rectangle", "polygon", "ellipse"]))
    loader = torch.utils.data.DataLoader(dataset, batch_size=3, num_workers=2, collate_fn=collate)
    batches = list(loader)
    assert [len(targets) for _, targets in batches] == [3, 3, 1]
    images = torch.cat([images for images, _ in batches])
    assert images.shape == (7, 3, 32, 48)
    targets = [t for _, batch in batches for t in batch]
    for index in range(len(dataset)):
        image, target = dataset[index]
        assert torch.equal(images[index], image) and torch.equal(targets[index]["boxes"], target["boxes"])
    assert targets[0]["boxes"].shape == (2, 4) and targets[0]["labels"].tolist() == [0, 0]
    # Whole-Target samples (no target transform) cross process boundaries too.
    raw = TaskVisionDataset(module_client, zoo["train"].id, transform=v2.PILToTensor())
    loaded = [t for _, batch in torch.utils.data.DataLoader(raw, batch_size=4, num_workers=2, collate_fn=collate)
              for t in batch]
    assert [len(t.annotations.shapes) for t in loaded] == [len(raw[i][1].annotations.shapes) for i in range(7)]


def test_collate_stacks_what_it_can() -> None:
    images, targets = collate([(torch.zeros(3, 2, 2), torch.tensor(1)), (torch.ones(3, 2, 2), torch.tensor(0))])
    assert images.shape == (2, 3, 2, 2) and targets.tolist() == [1, 0]
    images, targets = collate([(torch.zeros(3, 2, 2), {"a": 1}), (torch.zeros(3, 4, 2), {"a": 2})])
    assert isinstance(images, list) and targets == [{"a": 1}, {"a": 2}]
    assert collate([]) == ([], [])
