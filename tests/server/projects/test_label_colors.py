"""Labels created without a colour get one that looks unlike their siblings' (issue 13 §8)."""

from __future__ import annotations

import itertools

import pytest
from rest_framework.test import APIClient

from inklab.server.projects.colors import color_distance, distinct_color, palette_color


def test_palette_neighbours_look_different() -> None:
    colours = [palette_color(n) for n in range(12)]
    assert len(set(colours)) == 12 and all(c.startswith("#") and len(c) == 7 for c in colours)
    assert min(color_distance(a, b) for a, b in itertools.pairwise(colours)) >= 0.12


def test_distinct_color_avoids_the_used_ones() -> None:
    assert distinct_color([]) == palette_color(0)
    first = palette_color(0)
    assert distinct_color([first]) != first and color_distance(distinct_color([first]), first) >= 0.12
    # Near-copies of the first palette colour count as used too; what is not a colour is ignored.
    near = "#" + "".join(f"{min(int(first[i:i + 2], 16) + 3, 255):02x}" for i in (1, 3, 5))
    assert color_distance(distinct_color([near, "red", "", "#12"]), near) >= 0.12
    # With more labels than the palette can keep apart, a colour still comes back.
    many = [palette_color(n) for n in range(64)]
    assert distinct_color(many).startswith("#")


@pytest.mark.django_db
def test_labels_without_colours_get_distinct_ones(api: APIClient, make_task) -> None:  # type: ignore[no-untyped-def]
    labels = [{"name": f"label {i}"} for i in range(12)] + [{"name": "green", "color": "#00ff00"}]
    task = make_task(0, labels=labels)
    stored = {label["name"]: label["color"] for label in
              api.get("/api/labels", {"task_id": task["id"], "page_size": 100}).json()["results"]}
    assert stored["green"] == "#00ff00"
    colours = [stored[f"label {i}"] for i in range(12)]
    assert min(color_distance(a, b) for a, b in itertools.combinations(colours, 2)) >= 0.12
    # A label added later keeps away from every colour there, the one the user chose included.
    response = api.patch(f"/api/tasks/{task['id']}", {"labels": [{"name": "late"}]}, format="json")
    assert response.status_code == 200, response.content
    late = next(label["color"] for label in api.get("/api/labels", {"task_id": task["id"], "page_size": 100}).json()
                ["results"] if label["name"] == "late")
    assert min(color_distance(late, c) for c in stored.values()) >= 0.12

