"""The annotation workspace in a real browser: drawing with the mouse, editing, saving, reloading,
undo/redo, keyboard frame navigation, and what goes over the wire."""

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest

from tests.e2e.conftest import shot
from tests.e2e.helpers import Workspace
from tests.support.live import LiveServer
from tests.support.rest import Rest


def _shapes(rest: Rest, job_id: int) -> list[dict[str, Any]]:
    return sorted(rest.get(f"/api/jobs/{job_id}/annotations")["shapes"], key=lambda s: s["id"])


def _attrs(shape: dict[str, Any], label: dict[str, Any]) -> dict[str, str]:
    names = {a["id"]: a["name"] for a in label["attributes"]}
    return {names[a["spec_id"]]: a["value"] for a in shape["attributes"]}


def _approx(points: list[float], expected: list[float], tolerance: float = 0.51) -> bool:
    return len(points) == len(expected) and all(abs(a - b) <= tolerance for a, b in zip(points, expected, strict=True))


def test_draw_edit_save_reload_undo_redo(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    """Issue 6 §4: open the job from its task, draw a rectangle and a polygon with the mouse, change
    attributes, save, reload: the shapes are there and the REST API has their coordinates; undo/redo."""
    page = admin_page
    job = annotation_task["job"]
    car = annotation_task["labels"]["car"]
    page.goto(f"/tasks/{annotation_task['id']}")
    page.click("text=Open the first job")
    page.wait_for_url(re.compile(rf".*/jobs/{job['id']}.*"))
    ws = Workspace(page)
    ws.wait_ready()
    shot(page, "workspace-empty")

    ws.draw_box("rectangle", (20, 30), (100, 80))
    assert ws.rows().count() == 1 and ws.dirty
    ws.draw_vertices("polygon", [(150, 40), (220, 60), (200, 140), (160, 120)])
    assert ws.rows().count() == 2
    assert page.locator(".save-button").inner_text().startswith("Save")

    # Select the rectangle on the canvas and change its attributes in the card.
    ws.click(60, 55)
    card = ws.card()
    assert "rectangle" in card.locator(".card-title").inner_text()
    card.locator('[data-attr="color"] select').select_option("blue")
    card.locator('[data-attr="parked"] input').check()
    card.locator('[data-attr="doors"] input').fill("4")
    card.locator('[data-attr="doors"] input').press("Tab")
    card.locator('[data-attr="plate"] input').fill("AB-123")
    card.locator('[data-attr="plate"] input').press("Tab")
    card.locator('[data-attr="size"] input[value="large"]').check()
    shot(page, "workspace-drawn")

    ws.save()
    assert page.locator(".save-button").inner_text() == "Saved"
    shapes = _shapes(rest, job["id"])
    assert [s["type"] for s in shapes] == ["rectangle", "polygon"]
    rect, polygon = shapes
    assert _approx(rect["points"], [20, 30, 100, 80]) and rect["frame"] == 0 and rect["label_id"] == car["id"]
    assert _approx(polygon["points"], [150, 40, 220, 60, 200, 140, 160, 120])
    assert _attrs(rect, car) == {"color": "blue", "parked": "true", "doors": "4", "plate": "AB-123", "size": "large"}
    assert _attrs(polygon, car)["color"] == "red"  # untouched: the label's default
    assert rect["z_order"] < polygon["z_order"]

    page.reload()
    ws.wait_ready()
    assert ws.rows().count() == 2 and not ws.dirty
    assert {r.inner_text().split()[0] for r in ws.rows().all()} == {f"#{rect['id']}", f"#{polygon['id']}"}
    shot(page, "workspace-reloaded")

    # Move the rectangle: the change can be undone (clean again) and redone (dirty again).
    ws.click(60, 55)
    ws.drag((60, 55), (80, 65))
    assert ws.dirty
    page.keyboard.press("Control+z")
    assert not ws.dirty, "undoing back to the saved state leaves nothing to save"
    page.keyboard.press("Control+Shift+z")
    assert ws.dirty
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+y")
    assert ws.dirty
    page.click(".undo-button")
    assert not ws.dirty
    page.click(".redo-button")
    ws.save()
    moved = _shapes(rest, job["id"])[0]
    assert _approx(moved["points"], [40, 40, 120, 90])
    assert _attrs(moved, car)["color"] == "blue"  # moving keeps the attributes


def test_keyboard_frame_navigation_and_play(admin_page: Any, annotation_task: dict[str, Any]) -> None:
    page = admin_page
    job = annotation_task["job"]
    ws = Workspace(page).open(job["id"])
    assert ws.frame_number() == 0
    page.keyboard.press("f")
    assert ws.frame_number() == 1 and "frame=1" in page.url
    assert "img_001" in page.locator(".frame-name").inner_text()
    page.keyboard.press("f")
    assert ws.frame_number() == 2
    page.keyboard.press("d")
    page.keyboard.press("d")
    assert ws.frame_number() == 0
    page.keyboard.press("v")  # forward by 10, stops at the last frame
    assert ws.frame_number() == 4
    page.keyboard.press("Home")
    assert ws.frame_number() == 0
    page.keyboard.press("End")
    assert ws.frame_number() == 4
    page.keyboard.press("c")
    assert ws.frame_number() == 0
    page.keyboard.press("`")  # focus the frame number and type one
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    assert ws.frame_number() == 3
    ws.wait_ready()
    shot(page, "workspace-frame-3")
    page.keyboard.press("Home")
    page.keyboard.press(" ")  # play to the end
    page.wait_for_function("() => document.querySelector('.frame-number').value === '4'", timeout=10_000)
    page.wait_for_timeout(300)
    assert ws.frame_number() == 4
    # The slider moves too, and dragging it changes the frame.
    assert page.locator(".frame-slider").input_value() == "4"
    page.locator(".frame-slider").fill("2")
    assert ws.frame_number() == 2
    # A reload (deep link) opens the same frame.
    page.reload()
    ws.wait_ready()
    assert ws.frame_number() == 2


def test_every_shape_type_tags_and_skeletons(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    page = admin_page
    job = annotation_task["job"]
    labels = annotation_task["labels"]
    ws = Workspace(page).open(job["id"])
    ws.draw_vertices("polyline", [(10, 200), (60, 180), (110, 210)])
    ws.draw_vertices("points", [(200, 200), (220, 210)], finish="Enter")
    ws.draw_box("ellipse", (240, 20), (300, 60))
    ws.draw_box("skeleton", (20, 20), (120, 120))
    ws.draw_vertices("polygon", [(130, 150), (180, 150), (160, 190)], finish="n")
    # The polygon's label: "road" is offered for polygons (type polygon) besides "car" (any).
    ws.click(157, 165)
    ws.card().locator(".card-label").select_option(str(labels["road"]["id"]))
    # A frame tag with the tag label, and its attribute.
    page.locator(".tag-label").select_option(str(labels["weather"]["id"]))
    page.click(".add-tag")
    ws.card().locator('[data-attr="kind"] select').select_option("rainy")
    shot(page, "workspace-all-shapes")
    ws.save()
    data = rest.get(f"/api/jobs/{job['id']}/annotations")
    by_type = {s["type"]: s for s in data["shapes"]}
    assert set(by_type) == {"polyline", "points", "ellipse", "skeleton", "polygon"}
    assert _approx(by_type["polyline"]["points"], [10, 200, 60, 180, 110, 210])
    assert _approx(by_type["points"]["points"], [200, 200, 220, 210])
    # Ellipse: centre and the (cx + rx, cy - ry) corner.
    assert _approx(by_type["ellipse"]["points"], [270, 40, 300, 20])
    assert by_type["polygon"]["label_id"] == labels["road"]["id"]
    skeleton = by_type["skeleton"]
    assert skeleton["label_id"] == labels["person"]["id"]
    sub = {s["id"]: s["name"] for s in labels["person"]["sublabels"]}
    placed = {sub[e["label_id"]]: e["points"] for e in skeleton["elements"]}
    # The template (head at the top centre, hands at the bottom corners) fills the drawn box.
    assert _approx(placed["head"], [70, 20]) and _approx(placed["left hand"], [20, 120])
    assert _approx(placed["right hand"], [120, 120])
    assert len(data["tags"]) == 1 and data["tags"][0]["label_id"] == labels["weather"]["id"]
    assert data["tags"][0]["attributes"][0]["value"] == "rainy"


@pytest.fixture
def seeded(rest: Rest, annotation_task: dict[str, Any]) -> dict[str, Any]:
    """Two rectangles on frame 0 (the second on top) and one on frame 1, stored through the API."""
    car = annotation_task["labels"]["car"]
    job = annotation_task["job"]
    shapes = [{"type": "rectangle", "frame": f, "label_id": car["id"], "points": p, "z_order": z}
              for f, p, z in [(0, [10, 10, 60, 60], 0), (0, [40, 40, 120, 100], 1), (1, [200, 100, 260, 160], 0)]]
    created = rest.call("PATCH", f"/api/jobs/{job['id']}/annotations?action=create", {"shapes": shapes})
    annotation_task["shape_ids"] = [s["id"] for s in created["shapes"]]
    return annotation_task


def test_select_move_resize_lock_hide_zorder_delete(admin_page: Any, rest: Rest, seeded: dict[str, Any]) -> None:
    page = admin_page
    job = seeded["job"]
    first, second, other = seeded["shape_ids"]
    ws = Workspace(page).open(job["id"])
    assert ws.rows().count() == 2
    # A click where both overlap selects the one on top.
    ws.click(50, 50)
    assert f"#{second}" in ws.card().inner_text()
    # Resize by the south-east corner, then move by the body.
    ws.drag((120, 100), (140, 110))
    ws.drag((80, 70), (90, 80))
    # Lock: dragging does nothing; Shift+Delete would still delete.
    page.keyboard.press("l")
    assert "Locked" in ws.card().inner_text()
    ws.drag((90, 80), (150, 150))
    page.keyboard.press("l")
    # Send it to the back: a click in the overlap now selects the first rectangle.
    page.keyboard.press("-")
    page.keyboard.press("Escape")
    ws.click(55, 55)
    assert f"#{first}" in ws.card().inner_text()
    # Occluded, then hide: a hidden shape cannot be clicked.
    page.keyboard.press("q")
    assert ws.card().locator(".card-occluded").is_checked()
    page.keyboard.press("h")
    assert page.locator(f'.object-row[data-sid="{first}"]').get_attribute("class").find("is-hidden") >= 0
    ws.click(20, 20)
    assert page.locator(".card-empty").count() == 1
    page.locator(f'.object-row[data-sid="{first}"] button[aria-label=Hide]').click()
    shot(page, "workspace-edited")
    ws.save()
    shapes = {s["id"]: s for s in rest.get(f"/api/jobs/{job['id']}/annotations")["shapes"]}
    assert _approx(shapes[second]["points"], [50, 50, 150, 120])
    assert shapes[second]["z_order"] < shapes[first]["z_order"]
    assert shapes[first]["occluded"] is True
    # Delete the first one (selected by its row) with the Delete key.
    page.locator(f'.object-row[data-sid="{first}"]').click()
    page.keyboard.press("Delete")
    assert ws.rows().count() == 1
    ws.save()
    remaining = {s["id"] for s in rest.get(f"/api/jobs/{job['id']}/annotations")["shapes"]}
    assert remaining == {second, other}


def test_saving_sends_only_what_changed(admin_page: Any, rest: Rest, seeded: dict[str, Any]) -> None:
    page = admin_page
    job = seeded["job"]
    first, second, other = seeded["shape_ids"]
    sent: list[tuple[str, dict[str, Any]]] = []
    page.on("request", lambda r: sent.append((r.url, orjson.loads(r.post_data)))
            if r.method == "PATCH" and "/annotations" in r.url else None)
    ws = Workspace(page).open(job["id"])
    ws.click(20, 20)  # the first rectangle
    ws.drag((20, 20), (25, 20))
    ws.draw_box("rectangle", (200, 150), (250, 200))
    page.keyboard.press("f")  # frame 1: delete its rectangle
    ws.click(230, 130)
    page.keyboard.press("Delete")
    ws.save()
    actions = {re.search(r"action=(\w+)", url).group(1): body for url, body in sent}
    assert set(actions) == {"delete", "update", "create"}
    assert actions["delete"] == {"tags": [], "shapes": [{"id": other}], "tracks": []}
    assert [s["id"] for s in actions["update"]["shapes"]] == [first]
    assert not actions["update"]["tags"] and not actions["update"]["tracks"]
    assert len(actions["create"]["shapes"]) == 1 and "id" not in actions["create"]["shapes"][0]
    # Saving again sends nothing at all.
    sent.clear()
    page.keyboard.press("Control+s")
    page.wait_for_selector("text=Nothing to save")
    assert sent == []
    ids = {s["id"] for s in rest.get(f"/api/jobs/{job['id']}/annotations")["shapes"]}
    assert first in ids and second in ids and other not in ids and len(ids) == 3


def test_unsaved_changes_warn_before_leaving(admin_page: Any, annotation_task: dict[str, Any]) -> None:
    page = admin_page
    job = annotation_task["job"]
    ws = Workspace(page).open(job["id"])
    ws.draw_box("rectangle", (20, 20), (80, 80))
    assert ws.dirty
    assert page.locator(".save-button").inner_text() == "Save •"
    assert page.title().startswith("•")
    # In-app navigation asks first; saying no stays in the workspace.
    messages: list[str] = []

    def dismiss(dialog: Any) -> None:
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click(".top-nav >> text=Tasks")
    assert messages and "unsaved" in messages[0]
    assert f"/jobs/{job['id']}" in page.url and ws.rows().count() == 1
    # Leaving the page (reload) triggers the browser's own warning.
    kinds: list[str] = []

    def stay(dialog: Any) -> None:
        kinds.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    try:
        page.reload(timeout=3000)
    except Exception:  # noqa: BLE001 - the reload is cancelled by the dismissed dialog
        pass
    assert kinds == ["beforeunload"]
    assert ws.rows().count() == 1
    ws.save()
    page.click(".top-nav >> text=Tasks")
    page.wait_for_url(re.compile(r".*/tasks.*"))


def test_shortcuts_help_and_job_state(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    page = admin_page
    job = annotation_task["job"]
    ws = Workspace(page).open(job["id"])
    page.keyboard.press("F1")
    dialog = page.locator("dialog.shortcuts-dialog")
    assert dialog.is_visible()
    text = dialog.inner_text()
    for expected in ("Ctrl+S", "Ctrl+Z", "Next frame", "Delete the selected object", "Space"):
        assert expected in text
    shot(page, "workspace-shortcuts")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    page.locator(".workspace-top select.job-state").select_option("in progress")
    page.locator(".workspace-top select.job-stage").select_option("validation")
    fresh = rest.until(f"/api/jobs/{job['id']}", lambda j: j["stage"] == "validation")
    assert (fresh["state"], fresh["stage"]) == ("in progress", "validation")
    assert ws.frame_number() == 0


def test_zoom_pan_fit_and_prefetch(admin_page: Any, annotation_task: dict[str, Any]) -> None:
    page = admin_page
    job = annotation_task["job"]
    frames: list[str] = []
    page.on("request", lambda r: frames.append(r.url) if "type=frame" in r.url or "type=chunk" in r.url else None)
    ws = Workspace(page).open(job["id"])
    # The next frames are fetched before anyone asks for them: on their own, or in the chunk holding
    # them (fetched once the frame shown is drawn; it holds all five).
    def fetched() -> list[int]:
        numbers = {int(re.search(r"number=(\d+)", u).group(1)) for u in frames if "type=frame" in u}
        if any("type=chunk&index=0&" in u for u in frames):
            numbers |= set(range(5))
        return sorted(numbers)

    for _ in range(100):
        if len(fetched()) == 5:
            break
        page.wait_for_timeout(50)
    assert "type=frame&number=0&" in frames[0], "the frame shown first, on its own"
    assert fetched() == [0, 1, 2, 3, 4]
    page.wait_for_timeout(300)  # the prefetch is done
    requests = len(frames)
    fitted = ws.view
    x, y = ws.screen(160, 120)
    page.mouse.move(x, y)
    page.mouse.wheel(0, -400)
    zoomed = ws.view
    assert zoomed[0] > fitted[0] * 1.5
    # The image point under the pointer stays under it.
    assert abs(ws.screen(160, 120)[0] - x) < 1 and abs(ws.screen(160, 120)[1] - y) < 1
    box = ws.canvas.bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(box["x"] + 105, box["y"] + 45, steps=4)
    page.mouse.up()
    panned = ws.view
    assert abs(panned[1] - zoomed[1] - 100) < 1 and abs(panned[2] - zoomed[2] - 40) < 1
    page.mouse.dblclick(box["x"] + 5, box["y"] + 5)
    assert ws.view == pytest.approx(fitted)
    # Prefetched frames show at once: no loading state after stepping.
    page.keyboard.press("f")
    assert page.locator(".workspace.frame-loading").count() == 0
    assert len(frames) == requests, "stepping to a prefetched frame fetches nothing"


def test_tracks_and_masks_from_other_clients(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    """Objects made elsewhere (the SDK, imports) show up: a track interpolated between its keyframes
    (editable: tests/e2e/test_tracks.py) and a mask (movable by whole pixels)."""
    page = admin_page
    job = annotation_task["job"]
    car = annotation_task["labels"]["car"]
    track = {"frame": 0, "label_id": car["id"], "shapes": [
        {"type": "rectangle", "frame": 0, "points": [0, 0, 40, 40]},
        {"type": "rectangle", "frame": 4, "points": [80, 40, 120, 80]}]}
    mask = {"type": "mask", "frame": 2, "label_id": car["id"], "points": [300.0, 200.0, 200.0, 200.0, 219.0, 224.0]}
    created = rest.call("PATCH", f"/api/jobs/{job['id']}/annotations?action=create",
                        {"tracks": [track], "shapes": [mask]})
    track_id = created["tracks"][0]["id"]
    ws = Workspace(page).open(job["id"], frame=2)
    rows = [r.inner_text() for r in ws.rows().all()]
    assert len(rows) == 2 and any("rectangle track" in r for r in rows) and any("mask" in r for r in rows)
    # The track is halfway between its keyframes; clicking it shows its card, with its labels.
    ws.click(60, 40)
    assert "track" in ws.card().inner_text() and not ws.card().locator(".card-label").is_disabled()
    assert "car" in ws.card().locator(".card-label option").all_inner_texts()
    ws.drag((60, 40), (100, 100))
    assert ws.dirty, "dragging a track makes a keyframe"
    page.keyboard.press("Control+z")
    assert not ws.dirty
    shot(page, "workspace-track-and-mask")
    # The mask (a 20×25 block of which the first 300 pixels are background) moves by whole pixels.
    page.locator(".object-row", has_text="mask").click()
    ws.drag((210, 220), (215.4, 222.6))
    # Delete the track.
    page.locator(".object-row", has_text="track").click()
    page.keyboard.press("Delete")
    page.locator("dialog[open]").get_by_role("button", name="Delete the track").click()
    ws.save()
    data = rest.get(f"/api/jobs/{job['id']}/annotations")
    assert data["tracks"] == []
    (moved,) = data["shapes"]
    assert moved["points"] == [300.0, 200.0, 205.0, 203.0, 224.0, 227.0]
    assert all(t["id"] != track_id for t in data["tracks"])


def test_label_keys_copy_paste_and_tab(admin_page: Any, rest: Rest, seeded: dict[str, Any]) -> None:
    page = admin_page
    job = seeded["job"]
    labels = seeded["labels"]
    first, second, _ = seeded["shape_ids"]
    ws = Workspace(page).open(job["id"])
    # Tab walks through the frame's objects.
    page.keyboard.press("Tab")
    assert f"#{first}" in ws.card().inner_text()
    page.keyboard.press("Tab")
    assert f"#{second}" in ws.card().inner_text()
    page.keyboard.press("Shift+Tab")
    assert f"#{first}" in ws.card().inner_text()
    # Copy it and paste it onto the next frame.
    page.keyboard.press("Control+c")
    page.keyboard.press("f")
    page.keyboard.press("Control+v")
    assert ws.rows().count() == 2 and ws.dirty
    # Ctrl+2 gives the selected object the second label allowed for rectangles ("car" is the only one:
    # nothing changes); with nothing selected it picks the label of the next drawing.
    page.keyboard.press("Escape")
    page.keyboard.press("Control+2")  # labels of the job in order: car, road, person, weather
    ws.draw_vertices("polygon", [(10, 150), (60, 150), (40, 200)])
    ws.save()
    shapes = rest.get(f"/api/jobs/{job['id']}/annotations")["shapes"]
    on_frame_1 = sorted((s for s in shapes if s["frame"] == 1), key=lambda s: s["id"])
    assert len(on_frame_1) == 3
    pasted = next(s for s in on_frame_1 if s["type"] == "rectangle" and s["id"] not in seeded["shape_ids"])
    assert pasted["points"] == [10, 10, 60, 60]
    polygon = next(s for s in on_frame_1 if s["type"] == "polygon")
    assert polygon["label_id"] == labels["road"]["id"]


def test_an_annotator_sees_and_saves_only_their_job(page: Any, rest: Rest, annotation_task: dict[str, Any],
                                                     live_server: LiveServer) -> None:
    """A user who is only the job's assignee (not the task's owner) finds it under Jobs and annotates it."""
    from tests.e2e.conftest import sign_in

    name = f"annotator-{annotation_task['id']}"
    password = "Draw-boxes-all-day-1"
    annotator = Rest.register(live_server, name, password)
    user_id = annotator.get("/api/users/self")["id"]
    assert annotator.get("/api/tasks")["count"] == 0  # not theirs (yet)
    job = annotation_task["job"]
    rest.call("PATCH", f"/api/jobs/{job['id']}", {"assignee": user_id, "state": "in progress"})
    sign_in(page, name, password)
    page.click(".top-nav >> text=Jobs")
    page.wait_for_selector(f"tr[data-job-id='{job['id']}']")
    assert page.locator("tbody tr").count() == 1  # only their job
    page.click(f"tr[data-job-id='{job['id']}'] >> text=Job #{job['id']}")
    ws = Workspace(page)
    ws.wait_ready()
    ws.draw_box("rectangle", (30, 30), (90, 70))
    ws.save()
    shapes = rest.get(f"/api/jobs/{job['id']}/annotations")["shapes"]
    assert len(shapes) == 1 and _approx(shapes[0]["points"], [30, 30, 90, 70])
    shot(page, "workspace-annotator")
