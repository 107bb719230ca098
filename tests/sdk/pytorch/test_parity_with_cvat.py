"""The same task through ``cvat_sdk.pytorch`` and ``inklab.sdk.pytorch`` gives the same samples
(where the CVAT SDK has the feature at all)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from inklab.sdk.pytorch import ExtractBoundingBoxes, TaskVisionDataset
from tests.support.live import LiveServer

pytestmark = pytest.mark.live

# cvat_sdk boxes an ellipse by one quadrant and refuses rotated rectangles: compare the others.
SAME_BOXES = ["polygon", "polyline", "points"]


def test_same_samples_as_the_cvat_sdk(live_server: LiveServer, module_client: Any, zoo: dict[str, Any],
                                      tmp_path: Path) -> None:
    import cvat_sdk
    import cvat_sdk.pytorch as cvat_pytorch

    task_id = zoo["train"].id
    with cvat_sdk.make_client(live_server.url, credentials=live_server.admin) as cvat_client:
        cvat_client.config.cache_dir = tmp_path / "cvat-cache"
        theirs = cvat_pytorch.TaskVisionDataset(cvat_client, task_id)
        their_boxes = cvat_pytorch.TaskVisionDataset(
            cvat_client, task_id, target_transform=cvat_pytorch.ExtractBoundingBoxes(
                include_shape_types=SAME_BOXES))
    ours = TaskVisionDataset(module_client, task_id, include_tracks=False)
    our_boxes = TaskVisionDataset(module_client, task_id, include_tracks=False, target_transform=ExtractBoundingBoxes(
        include_shape_types=SAME_BOXES))
    assert len(ours) == len(theirs) == 7
    for index in range(len(ours)):
        (a, ta), (b, tb) = ours[index], theirs[index]
        assert np.array_equal(np.asarray(a), np.asarray(b))
        assert dict(ta.label_id_to_index) == dict(tb.label_id_to_index) and ta.image_size == tb.image_size
        assert [t.label_id for t in ta.annotations.tags] == [t.label_id for t in tb.annotations.tags]
        assert [(s.id, s.type.value, list(s.points)) for s in ta.annotations.shapes] == [
            (s.id, s.type.value, list(s.points)) for s in tb.annotations.shapes]
        assert torch.equal(our_boxes[index][1]["boxes"], their_boxes[index][1]["boxes"])
        assert torch.equal(our_boxes[index][1]["labels"], their_boxes[index][1]["labels"])
    with_tracks = TaskVisionDataset(module_client, task_id)
    assert len(with_tracks[5][1].annotations.shapes) == 1 and theirs[5][1].annotations.shapes == []
