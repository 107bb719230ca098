"""Fixtures for SDK tests: a logged-in inklab client on the session's live server, and small
projects and tasks made through the SDK itself."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.images import make_images
from tests.support.live import LiveServer

pytestmark = pytest.mark.live

_names = itertools.count()

LABELS: list[dict[str, Any]] = [
    {"name": "car", "attributes": [
        {"name": "color", "mutable": False, "input_type": "select", "values": ["red", "green"]},
        {"name": "parked", "mutable": True, "input_type": "checkbox", "values": ["false"]},
    ]},
    {"name": "person", "type": "skeleton", "sublabels": [
        {"name": "head", "type": "points"}, {"name": "left", "type": "points"}, {"name": "right", "type": "points"}]},
    {"name": "road", "type": "polygon"},
    {"name": "day", "type": "tag"},
    {"name": "night", "type": "tag"},
]


@pytest.fixture
def client(live_server: LiveServer, tmp_path: Path) -> Iterator[Any]:
    from inklab.sdk import Config, make_client

    with make_client(live_server.url, credentials=live_server.admin) as client:
        client.config = Config(status_check_period=0.05, cache_dir=tmp_path / "cache")
        yield client


@pytest.fixture(scope="module")
def image_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("images")
    make_images(directory, 12, size=(40, 30))
    return directory


@pytest.fixture
def make_task(client: Any, image_dir: Path) -> Callable[..., Any]:
    """``make_task(frames=12, chunk_size=5, labels=LABELS, **spec)`` → a task with PNG frames."""

    def make(frames: int = 12, *, chunk_size: int = 5, labels: list[dict[str, Any]] | None = None,
             **spec: Any) -> Any:
        files = sorted(image_dir.glob("*.png"))[:frames]
        if "project_id" not in spec:
            spec["labels"] = LABELS if labels is None else labels
        return client.tasks.create_from_data(
            {"name": f"sdk-task-{next(_names)}", **spec}, files, data_params={"chunk_size": chunk_size})

    return make
