"""Attribute annotation mode and tag annotation mode, driven by the keyboard in Chromium."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import shot
from tests.e2e.helpers import Workspace
from tests.support.rest import Rest


def _values(shape: dict[str, Any], label: dict[str, Any]) -> dict[str, str]:
    names = {a["id"]: a["name"] for a in label["attributes"]}
    return {names[a["spec_id"]]: a["value"] for a in shape["attributes"]}


def test_attribute_mode_three_objects_with_number_keys(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    page = admin_page
    job = annotation_task["job"]
    car = annotation_task["labels"]["car"]
    road = annotation_task["labels"]["road"]
    shapes = [{"type": "rectangle", "frame": 0, "label_id": car["id"], "points": p}
              for p in ([10, 10, 60, 60], [100, 40, 180, 100], [220, 150, 300, 230])]
    shapes.append({"type": "polygon", "frame": 0, "label_id": road["id"], "points": [0, 200, 50, 150, 100, 200]})
    shapes.append({"type": "rectangle", "frame": 1, "label_id": car["id"], "points": [5, 5, 50, 50]})
    created = rest.call("PATCH", f"/api/jobs/{job['id']}/annotations?action=create", {"shapes": shapes})
    ids = [s["id"] for s in created["shapes"]]
    ws = Workspace(page).open(job["id"])
    page.locator(".mode-select").select_option("attributes")
    panel = page.locator(".attribute-mode")
    assert panel.is_visible()
    assert "Object 1 of 4" in panel.inner_text() and "color (1/5)" in panel.inner_text()
    # The object in front fills the middle of the canvas.
    scale, x, y = ws.view
    box = ws.canvas.bounding_box()
    assert abs(x + 35 * scale - box["width"] / 2) < 2 and abs(y + 35 * scale - box["height"] / 2) < 2
    # Object 1: color = blue (3), then down to "parked": true (2).
    page.keyboard.press("3")
    page.keyboard.press("ArrowDown")
    assert "parked (2/5)" in panel.inner_text()
    page.keyboard.press("2")
    assert panel.locator(".aam-current").inner_text() == "true"
    # Object 2: parked stays in front; 1 = false; up to color: green.
    page.keyboard.press("Tab")
    assert "Object 2 of 4" in panel.inner_text()
    scale, x, y = ws.view
    assert abs(x + 140 * scale - box["width"] / 2) < 2
    page.keyboard.press("1")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("2")
    # Object 3: size (the fifth attribute, reached going up from color) = large (2); a key with no value does nothing.
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowUp")
    assert "size (5/5)" in panel.inner_text()
    page.keyboard.press("2")
    page.keyboard.press("9")
    shot(page, "workspace-attribute-mode")
    # Object 4, the road polygon, has no attributes.
    page.keyboard.press("Tab")
    assert "has no attributes" in panel.inner_text()
    page.keyboard.press("Shift+Tab")
    assert "Object 3 of 4" in panel.inner_text()
    # Picking an object (here in the sidebar: the canvas shows object 3 zoomed) brings it to the front.
    ws.rows().nth(0).click()
    assert "Object 1 of 4" in panel.inner_text()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert "Object 3 of 4" in panel.inner_text()
    # Frame keys still work: the next frame starts at its first object.
    page.keyboard.press("f")
    assert "Object 1 of 1" in panel.inner_text()
    ws.save()
    stored = {s["id"]: s for s in rest.get(f"/api/jobs/{job['id']}/annotations")["shapes"]}
    first, second, third = (_values(stored[i], car) for i in ids[:3])
    assert (first["color"], first["parked"]) == ("blue", "true")
    assert (second["color"], second["parked"]) == ("green", "false")
    assert third == {"size": "large"}, "only what was set (the objects came through the API without attributes)"
    assert _values(stored[ids[4]], car) == {}, "the object on frame 1 was not touched"
    # Back to the standard mode: digits do nothing there, Tab selects objects again.
    page.locator(".mode-select").select_option("standard")
    assert not panel.is_visible()


def test_tag_mode_keys_and_skip(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    page = admin_page
    job = annotation_task["job"]
    weather = annotation_task["labels"]["weather"]
    car = annotation_task["labels"]["car"]
    ws = Workspace(page).open(job["id"])
    page.locator(".mode-select").select_option("tags")
    panel = page.locator(".tag-mode")
    # Tag-only labels come first: key 1 is "weather"; key 2 is set to "car" here.
    assert panel.locator(".tag-key-label[data-key='1']").input_value() == str(weather["id"])
    panel.locator(".tag-key-label[data-key='2']").select_option(str(car["id"]))
    panel.locator(".tag-skip").check()
    page.locator(".workspace-top").click(position={"x": 5, "y": 5})  # focus off the form
    page.keyboard.press("1")
    page.wait_for_function("() => document.querySelector('.frame-number').value === '1'")
    page.keyboard.press("2")
    page.wait_for_function("() => document.querySelector('.frame-number').value === '2'")
    panel.locator(".tag-skip").uncheck()
    page.locator(".workspace-top").click(position={"x": 5, "y": 5})
    page.keyboard.press("1")
    page.keyboard.press("2")
    assert ws.frame_number() == 2, "without skip the frame stays"
    assert panel.locator("li.on").count() == 2
    page.keyboard.press("2")  # again: the car tag comes off
    assert panel.locator("li.on").count() == 1
    page.keyboard.press("7")  # a key with no label does nothing
    shot(page, "workspace-tag-mode")
    ws.save()
    tags = sorted((t["frame"], t["label_id"]) for t in rest.get(f"/api/jobs/{job['id']}/annotations")["tags"])
    assert tags == [(0, weather["id"]), (1, car["id"]), (2, weather["id"])]
