"""Target transforms on a live task: boxes of every shape type, keypoints, masks, tv_tensors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from torchvision import tv_tensors
from torchvision.transforms import v2

from inklab.sdk.pytorch import (
    ExtractBoundingBoxes,
    ExtractInstanceMasks,
    ExtractKeypoints,
    MergeKeypointVisibility,
    TaskVisionDataset,
)

pytestmark = pytest.mark.live

ALL_DOC_TYPES = ["ellipse", "points", "polygon", "polyline", "rectangle"]


@pytest.fixture(scope="module")
def train(module_client: Any, zoo: dict[str, Any]) -> TaskVisionDataset:
    return TaskVisionDataset(module_client, zoo["train"].id)


def test_bounding_boxes_of_each_shape_type(train: TaskVisionDataset) -> None:
    extract = ExtractBoundingBoxes(include_shape_types=ALL_DOC_TYPES)
    boxes = [extract(train[i][1]) for i in range(len(train))]
    assert torch.allclose(boxes[0]["boxes"], torch.tensor([[1.0, 2, 11, 12], [13, 7, 17, 17]]))  # 2nd: rotated 90°
    assert boxes[1]["boxes"].tolist() == [[0, 0, 8, 6], [14, 11, 26, 19]]  # polygon, ellipse (±rx, ±ry)
    assert boxes[2]["boxes"].tolist() == [[1, 1, 5, 7], [10, 10, 12, 20]]  # points, polyline
    assert boxes[3]["boxes"].shape == (0, 4) and boxes[3]["labels"].dtype == torch.long
    assert boxes[5]["boxes"].tolist() == [[0, 0, 10, 10]]  # a track's keyframe
    assert boxes[0]["labels"].tolist() == [0, 0] and boxes[1]["labels"].tolist() == [2, 0]
    only_ellipses = ExtractBoundingBoxes(include_shape_types=["ellipse"])(train[1][1])
    assert only_ellipses["boxes"].tolist() == [[14, 11, 26, 19]]
    extras = ExtractBoundingBoxes(include_shape_types=["mask", "skeleton"])
    assert extras(train[4][1])["boxes"].tolist() == [[1, 1, 4, 3]]  # mask box, right/bottom exclusive
    assert extras(train[3][1])["boxes"].tolist() == [[6, 5, 10, 15]]  # skeleton: its visible points


def test_shape_type_validation() -> None:
    with pytest.raises(ValueError, match="unsupported shape types"):
        ExtractBoundingBoxes(include_shape_types=["rectangle", "tag"])
    with pytest.raises(TypeError):
        ExtractBoundingBoxes(include_shape_types="rectangle")
    with pytest.raises(TypeError):
        ExtractBoundingBoxes(["rectangle"])  # type: ignore[misc]  # keyword-only, as in the CVAT SDK


def test_keypoints(train: TaskVisionDataset, zoo: dict[str, Any]) -> None:
    target = ExtractKeypoints()(train[3][1])
    assert target["keypoints"].tolist() == [[[10, 5, 2], [6, 15, 1], [14, 15, 0]]]
    assert target["boxes"].tolist() == [[6, 5, 10, 15]] and target["labels"].tolist() == [1]
    empty = ExtractKeypoints()(train[0][1])
    assert empty["keypoints"].shape == (0, 3, 3) and empty["boxes"].shape == (0, 4)
    # Keypoint R-CNN trains on exactly this format.
    from torchvision.models.detection import keypointrcnn_resnet50_fpn

    model = keypointrcnn_resnet50_fpn(weights=None, weights_backbone=None, num_classes=5, num_keypoints=3,
                                      min_size=64, max_size=64)
    image = v2.functional.to_dtype(v2.functional.to_image(train[3][0]), torch.float32, scale=True)
    losses = model([image], [target])
    assert set(losses) >= {"loss_keypoint", "loss_box_reg"} and all(torch.isfinite(v) for v in losses.values())


def test_instance_masks(train: TaskVisionDataset) -> None:
    polygons = ExtractInstanceMasks()(train[1][1])
    masks = polygons["masks"]
    assert masks.dtype == torch.bool and masks.shape == (2, 32, 48)
    assert polygons["labels"].tolist() == [2, 0]
    road, ellipse = masks[0].numpy(), masks[1].numpy()
    assert road[1, 6] and not road[5, 1]  # inside / outside the triangle (0,0) (8,0) (8,6)
    assert ellipse[15, 20] and ellipse[15, 25] and ellipse[12, 20] and not ellipse[11, 14] and not ellipse[15, 27]
    mask = ExtractInstanceMasks()(train[4][1])
    expected = np.zeros((32, 48), bool)
    expected[1:3, 1:4] = True
    assert np.array_equal(mask["masks"][0].numpy(), expected) and mask["boxes"].tolist() == [[1, 1, 4, 3]]
    none = ExtractInstanceMasks()(train[0][1])  # rectangles are not included by default
    assert none["masks"].shape == (0, 32, 48)
    rectangles = ExtractInstanceMasks(include_shape_types=["rectangle"])(train[0][1])
    assert int(rectangles["masks"][0].sum()) == pytest.approx(11 * 11, abs=25)


def test_tv_tensors_move_with_the_image(module_client: Any, zoo: dict[str, Any]) -> None:
    transforms = v2.Compose([
        ExtractBoundingBoxes(include_shape_types=["rectangle"], tv_tensors=True),
        v2.ToImage(), v2.RandomHorizontalFlip(p=1.0)])
    dataset = TaskVisionDataset(module_client, zoo["train"].id, transforms=transforms)
    plain_image, _ = TaskVisionDataset(module_client, zoo["train"].id)[0]
    image, target = dataset[0]
    assert isinstance(target["boxes"], tv_tensors.BoundingBoxes) and target["boxes"].canvas_size == (32, 48)
    assert torch.allclose(target["boxes"], torch.tensor([[37.0, 2, 47, 12], [31, 7, 35, 17]]))  # x → 48 - x
    assert torch.equal(image, v2.functional.to_image(plain_image).flip(-1))

    masks = v2.Compose([ExtractInstanceMasks(tv_tensors=True), v2.ToImage(), v2.RandomHorizontalFlip(p=1.0)])
    _, flipped = TaskVisionDataset(module_client, zoo["train"].id, transforms=masks)[4]
    assert isinstance(flipped["masks"], tv_tensors.Mask) and flipped["masks"][0, 1, 44:47].all()

    keypoints = v2.Compose([ExtractKeypoints(tv_tensors=True), v2.ToImage(), v2.RandomHorizontalFlip(p=1.0),
                            MergeKeypointVisibility()])
    _, moved = TaskVisionDataset(module_client, zoo["train"].id, transforms=keypoints)[3]
    assert moved["keypoints"].shape == (1, 3, 3) and moved["keypoints"][0, :, 2].tolist() == [2, 1, 0]
    assert moved["keypoints"][0, 0, :2].tolist() == pytest.approx([37, 5])  # pixel-index flip: 47 - 10
