"""A small project for the PyTorch adapter tests: a train task with one annotation of each kind
and a validation task with one tag per frame."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sdk.conftest import LABELS
from tests.support.images import make_images
from tests.support.live import LiveServer

pytest.importorskip("torch")
pytest.importorskip("torchvision")


@pytest.fixture(scope="module")
def module_client(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from inklab.sdk import Config, make_client

    config = Config(status_check_period=0.05, cache_dir=tmp_path_factory.mktemp("cache"))
    with make_client(live_server.url, credentials=live_server.admin, config=config) as client:
        yield client


@pytest.fixture(scope="module")
def zoo(module_client: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    client = module_client
    images = make_images(tmp_path_factory.mktemp("zoo"), 12, size=(48, 32))
    project = client.projects.create({"name": "zoo", "labels": LABELS})
    train = client.tasks.create_from_data({"name": "zoo-train", "project_id": project.id, "subset": "Train"},
                                          images[:8], data_params={"chunk_size": 3})
    val = client.tasks.create_from_data({"name": "zoo-val", "project_id": project.id, "subset": "Validation"},
                                        images[8:], data_params={"chunk_size": 3})
    labels = {label.name: label for label in project.get_labels()}
    car, person, road, day, night = (labels[n] for n in ("car", "person", "road", "day", "night"))
    head, left, right = person.sublabels
    train.set_annotations({
        "tags": [{"frame": 0, "label_id": day.id}, {"frame": 7, "label_id": day.id},
                 {"frame": 7, "label_id": night.id}],
        "shapes": [
            {"type": "rectangle", "frame": 0, "label_id": car.id, "points": [1, 2, 11, 12]},
            {"type": "rectangle", "frame": 0, "label_id": car.id, "points": [10, 10, 20, 14], "rotation": 90},
            {"type": "polygon", "frame": 1, "label_id": road.id, "points": [0, 0, 8, 0, 8, 6]},
            {"type": "ellipse", "frame": 1, "label_id": car.id, "points": [20, 15, 26, 11]},
            {"type": "points", "frame": 2, "label_id": car.id, "points": [1, 1, 5, 7, 3, 2]},
            {"type": "polyline", "frame": 2, "label_id": car.id, "points": [10, 10, 12, 20]},
            {"type": "skeleton", "frame": 3, "label_id": person.id, "elements": [
                {"type": "points", "frame": 3, "label_id": head.id, "points": [10, 5]},
                {"type": "points", "frame": 3, "label_id": left.id, "points": [6, 15], "occluded": True},
                {"type": "points", "frame": 3, "label_id": right.id, "points": [14, 15], "outside": True}]},
            {"type": "mask", "frame": 4, "label_id": car.id, "points": [0, 6, 1, 1, 3, 2]},
        ],
        "tracks": [{"frame": 5, "label_id": car.id, "shapes": [
            {"type": "rectangle", "frame": 5, "points": [0, 0, 10, 10]},
            {"type": "rectangle", "frame": 7, "points": [4, 2, 14, 12]}]}],
    })
    train.remove_frames_by_ids([6])
    val.set_annotations({"tags": [{"frame": f, "label_id": (day if f % 2 else night).id} for f in range(4)]})
    return {"project": project, "train": train.fetch(), "val": val.fetch(), "images": images, "labels": labels}


@pytest.fixture(scope="module")
def train_images(zoo: dict[str, Any]) -> list[Path]:
    return zoo["images"][:8]  # type: ignore[no-any-return]
