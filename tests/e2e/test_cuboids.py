"""Cuboids in the workspace: CVAT's eight-point order, drawn as a front face then a depth, edited
by their vertex, edge and face handles, orientation switched; what the server stores is checked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.helpers import Workspace
from tests.support.rest import Rest


@pytest.fixture
def js(page: Any) -> Any:
    page.goto("/login")

    def run(body: str) -> Any:
        return page.evaluate(f"async () => {{ const c = await import('/static/ui/annotation/cuboid.js'); {body} }}")

    return run


def box(x1: float, y1: float, x2: float, y2: float, dx: float, dy: float) -> list[float]:
    """CVAT's order: front tl, bl, tr, br, then the back face's (written here, not taken from the JS)."""
    front = [x1, y1, x1, y2, x2, y1, x2, y2]
    return front + [v + (dx if i % 2 == 0 else dy) for i, v in enumerate(front)]


def close(points: list[float], expected: list[float], tolerance: float = 0.51) -> bool:
    return len(points) == len(expected) == 16 and all(abs(a - b) <= tolerance for a, b in zip(points, expected, strict=True))


def test_cuboid_geometry(js: Any) -> None:
    result = js("""
        const p = c.cuboidFromBox(150, 140, 50, 60, 40, -20);
        const tilted = [...p];
        tilted[13] = 30;  // the back right edge's top, higher: perspective
        return {
          p, ids: c.cuboidHandles(p).map((h) => h.id),
          faceBack: c.cuboidHandles(p).find((h) => h.id === "face-back"),
          corner: c.dragCuboid(p, "c1", 45, 150), cornerTop: c.dragCuboid(p, "c0", 55, 200),
          edge: c.dragCuboid(p, "e1", 170, 0), back: c.dragCuboid(p, "face-back", 150, 70),
          left: c.dragCuboid(p, "face-left", 60, 999), unknown: c.dragCuboid(p, "nope", 1, 1),
          switched: c.switchOrientation(p), twice: c.switchOrientation(c.switchOrientation(p)),
          reset: c.resetPerspective(tilted), resetFlat: c.resetPerspective(p),
        };
    """)
    p = box(50, 60, 150, 140, 40, -20)
    assert result["p"] == p
    assert result["ids"] == [f"c{i}" for i in range(8)] + [f"e{k}" for k in range(4)] + ["face-left", "face-right", "face-back"]
    assert (result["faceBack"]["x"], result["faceBack"]["y"]) == (140, 80)
    assert result["corner"] == [45, 60, 45, 150] + p[4:], "a vertex moves its edge sideways and its own end"
    assert result["cornerTop"] == [55, 139, 55, 140] + p[4:], "an end cannot pass the other"
    assert result["edge"] == p[:4] + [170, 60, 170, 140] + p[8:]
    assert result["back"] == p[:8] + box(60, 50, 160, 130, 40, -20)[8:], "the back face moves both ways"
    # The left face's handle is at x = 70: dragged to 60, both its edges move 10 to the left.
    assert result["left"] == [40, 60, 40, 140] + p[4:8] + [80, 40, 80, 120] + p[12:], "a side face moves sideways only"
    assert result["unknown"] == p
    # The back lies to the right: the right side face (front right and back right edges) becomes the front.
    assert result["switched"] == [150, 60, 150, 140, 190, 40, 190, 120, 50, 60, 50, 140, 90, 40, 90, 120]
    assert result["twice"] == p
    assert result["reset"] == p
    assert result["resetFlat"] == p


def test_draw_edit_switch_and_reload_a_cuboid(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    page = admin_page
    job = annotation_task["job"]
    ws = Workspace(page).open(job["id"])
    ws.tool("cuboid")
    ws.drag((50, 60), (150, 140))
    assert not ws.dirty, "the front face alone is not a cuboid yet"
    page.mouse.move(*ws.screen(190, 40), steps=4)
    ws.click(190, 40)
    shot(page, "workspace-cuboid-drawn")
    ws.save()
    (shape,) = rest.get(f"/api/jobs/{job['id']}/annotations")["shapes"]
    assert shape["type"] == "cuboid" and shape["label_id"] == annotation_task["labels"]["car"]["id"]
    assert close(shape["points"], box(50, 60, 150, 140, 40, -20)), shape["points"]
    # It stays selected: drag the front right edge, then the back face.
    ws.drag((150, 100), (170, 100))
    ws.drag((140, 80), (150, 70))
    ws.save()
    (edited,) = rest.get(f"/api/jobs/{job['id']}/annotations")["shapes"]
    expected = [50, 60, 50, 140, 170, 60, 170, 140, 100, 30, 100, 110, 200, 30, 200, 110]
    assert close(edited["points"], expected, 1.1), edited["points"]
    page.locator(".shape-actions .switch-orientation").click()
    shot(page, "workspace-cuboid-switched")
    ws.save()
    (switched,) = rest.get(f"/api/jobs/{job['id']}/annotations")["shapes"]
    e = edited["points"]
    assert switched["points"] == e[4:8] + e[12:16] + e[0:4] + e[8:12]
    # Reloaded, the cuboid is the one stored: nothing to save, and its handles are where its points are.
    ws.open(job["id"])
    page.keyboard.press("Control+s")
    page.wait_for_selector("text=Nothing to save")
    page.locator(".object-row", has_text="cuboid").click()
    s = switched["points"]
    ws.drag((s[2], s[3]), (s[2] - 5, s[3] + 10))  # the front bottom-left vertex
    ws.save()
    (moved,) = rest.get(f"/api/jobs/{job['id']}/annotations")["shapes"]
    assert close(moved["points"], [s[0] - 5, s[1], s[2] - 5, s[3] + 10] + s[4:], 1.1), moved["points"]
    # A cuboid drawn as a track.
    page.keyboard.press("Escape")
    page.keyboard.press("t")
    ws.tool("cuboid")
    ws.drag((200, 150), (260, 200))
    page.keyboard.press("n")
    ws.save()
    (track,) = rest.get(f"/api/jobs/{job['id']}/annotations")["tracks"]
    assert track["shapes"][0]["type"] == "cuboid" and len(track["shapes"][0]["points"]) == 16


def test_cuboid_from_4_points_geometry(js: Any) -> None:
    result = js("""
        return {
          verticalFirst: c.cuboidFrom4Points([50, 40, 50, 100, 120, 110, 150, 90]),
          horizontalFirst: c.cuboidFrom4Points([50, 100, 120, 110, 120, 50, 150, 30]),
          slanted: c.cuboidFrom4Points([52, 40, 50, 100, 120, 110, 110, 120]),
          flat: c.cuboidFrom4Points([10, 10, 10, 10.5, 50, 10, 60, 0]),
          thin: c.cuboidFrom4Points([10, 10, 10, 50, 10.5, 60, 20, 0]),
        };
    """)
    # Front left edge x=50 from 40 to 100, front right x=120 from 50 to 110 (same height), back = front + (30, -20).
    expected = [50, 40, 50, 100, 120, 50, 120, 110, 80, 20, 80, 80, 150, 30, 150, 90]
    assert result["verticalFirst"] == expected
    assert result["horizontalFirst"] == expected, "the top or bottom edge may come first"
    # The vertical edge is made vertical at the shared corner's x; a back face to the lower left.
    assert result["slanted"] == [50, 40, 50, 100, 120, 50, 120, 110, 40, 50, 40, 110, 110, 60, 110, 120]
    assert result["flat"] is None and result["thin"] is None


def test_draw_a_cuboid_by_4_points(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    page = admin_page
    job = annotation_task["job"]
    ws = Workspace(page).open(job["id"])
    ws.tool("cuboid")
    method = page.locator(".cuboid-method")
    assert method.is_visible()
    method.select_option("points")
    ws.click(50, 40)
    ws.click(50, 100)
    ws.click(200, 200)  # a wrong corner, taken back
    page.keyboard.press("Backspace")
    ws.click(120, 110)
    assert not ws.dirty, "three corners are not a cuboid yet"
    assert page.locator(".hint-text").inner_text().startswith("Click where that corner lies on the back face")
    page.mouse.move(*ws.screen(140, 95), steps=3)
    shot(page, "workspace-cuboid-4-points")
    ws.click(150, 90)
    ws.save()
    (shape,) = rest.get(f"/api/jobs/{job['id']}/annotations")["shapes"]
    assert shape["type"] == "cuboid" and shape["label_id"] == annotation_task["labels"]["car"]["id"]
    assert close(shape["points"], [50, 40, 50, 100, 120, 50, 120, 110, 80, 20, 80, 80, 150, 30, 150, 90]), shape["points"]
    # The method stays chosen for the next cuboid; other tools do not show it.
    ws.tool("cuboid")
    assert page.locator(".cuboid-method").input_value() == "points"
    ws.tool("rectangle")
    assert not page.locator(".cuboid-method").is_visible()
