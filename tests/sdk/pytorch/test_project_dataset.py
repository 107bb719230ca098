"""ProjectVisionDataset: task order, subsets, filters, shared label indices, offline use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from inklab.sdk import Client, Config, make_client
from inklab.sdk.pytorch import ExtractSingleLabelIndex, ProjectVisionDataset, UpdatePolicy
from tests.sdk.conftest import LABELS
from tests.support.images import make_images

pytestmark = pytest.mark.live


def test_tasks_in_id_order_with_subsets_and_filters(module_client: Any, zoo: dict[str, Any]) -> None:
    project_id = zoo["project"].id
    everything = ProjectVisionDataset(module_client, project_id)
    assert len(everything) == 7 + 4 and [t.task_dataset.task.id for t in everything.tasks] == sorted(
        [zoo["train"].id, zoo["val"].id])
    val = ProjectVisionDataset(module_client, project_id, include_subsets=["Validation"],
                               target_transform=ExtractSingleLabelIndex())
    assert len(val) == 4 and [int(val[i][1]) for i in range(4)] == [4, 3, 4, 3]  # night, day, …
    image, _ = val[-1]
    assert np.array_equal(np.asarray(image), np.asarray(Image.open(zoo["images"][11])))
    named = ProjectVisionDataset(module_client, project_id, task_filter=lambda task: task.name.endswith("train"),
                                 include_subsets={"Train", "Validation"})
    assert len(named) == 7
    assert len(ProjectVisionDataset(module_client, project_id, task_filter=lambda t: True,
                                    include_subsets=["Test"])) == 0
    with pytest.raises(IndexError):
        val[4]
    # Indices come from the project's labels, the same in every task.
    assert dict(everything[0][1].label_id_to_index) == dict(everything[10][1].label_id_to_index)


def test_offline_project(server_factory: Any, tmp_path: Path) -> None:
    server = server_factory()
    config = Config(status_check_period=0.05, cache_dir=tmp_path / "cache")
    images = make_images(tmp_path / "img", 3, size=(20, 10))
    with make_client(server.url, credentials=server.admin, config=config) as client:
        project = client.projects.create({"name": "offline", "labels": LABELS})
        for subset in ("a", "b"):
            client.tasks.create_from_data({"name": subset, "project_id": project.id, "subset": subset}, images)
        client.tasks.create({"name": "no-data", "project_id": project.id})
        online = ProjectVisionDataset(client, project.id, include_subsets=["b"])
    server.stop()
    offline = ProjectVisionDataset(Client(server.url, config=config, check_server_version=False), project.id,
                                   include_subsets=["b"], update_policy=UpdatePolicy.NEVER)
    assert len(offline) == len(online) == 3
    assert np.array_equal(np.asarray(offline[2][0]), np.asarray(online[2][0]))
