"""Tasks for the auto-annotation tests, labelled like ``marker.SPEC`` (plus a spare label)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

LABELS: list[dict[str, Any]] = [
    {"name": "car", "attributes": [{"name": "color", "mutable": False, "input_type": "select",
                                    "values": ["blue", "red"]}]},
    {"name": "person", "type": "skeleton", "sublabels": [{"name": "head"}, {"name": "hand"}]},
    {"name": "scene", "type": "tag"},
    {"name": "truck"},
]


@pytest.fixture
def aa_task(make_task: Callable[..., Any]) -> Callable[..., Any]:
    def make(frames: int = 7, **kwargs: Any) -> Any:
        kwargs.setdefault("labels", LABELS)
        kwargs.setdefault("chunk_size", 3)
        return make_task(frames, **kwargs)

    return make


def by_type(client: Any, task_id: int) -> dict[str, list[dict[str, Any]]]:
    data = client.get_json(f"/api/tasks/{task_id}/annotations/")
    shapes = sorted(data["shapes"], key=lambda s: (s["frame"], s["type"]))
    return {"rectangle": [s for s in shapes if s["type"] == "rectangle"],
            "skeleton": [s for s in shapes if s["type"] == "skeleton"],
            "tags": sorted(data["tags"], key=lambda t: t["frame"]), "all": shapes}
