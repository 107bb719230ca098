"""Track mode of the workspace in Chromium, on a video task: drawing tracks, keyframes made by edits on a frame,
live interpolation, outside and re-entering, occluded and attributes per keyframe, keyframe
navigation and deletion, deleting a track only when confirmed, merge, split, propagate and
shape ↔ track; what the REST API holds after saving and what a reload shows."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import orjson
import pytest

from tests.e2e.conftest import LABELS, scene_images, scene_video, shot
from tests.e2e.helpers import Workspace
from tests.support.rest import Rest

FRAMES = 10
LONG = 250


@pytest.fixture
def video_task(rest: Rest, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    """A task made from a ten-frame 320×240 video (one job), with the e2e labels."""
    video = scene_video(tmp_path / "street.mp4", scene_images(tmp_path / "frames", FRAMES))
    task = rest.create_task(f"e2e {request.node.name}", LABELS, [video])
    assert task["size"] == FRAMES and task["mode"] == "interpolation"
    task["job"] = rest.jobs(task["id"])[0]
    task["labels"] = {label["name"]: label for label in rest.labels(task_id=task["id"])}
    return task


@pytest.fixture
def long_video_task(rest: Rest, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    """A task made from a 250-frame 320×240 video (one job), with the e2e labels."""
    video = scene_video(tmp_path / "long.mp4", scene_images(tmp_path / "frames", LONG))
    task = rest.create_task(f"e2e {request.node.name}", LABELS, [video])
    assert task["size"] == LONG and task["mode"] == "interpolation"
    task["job"] = rest.jobs(task["id"])[0]
    task["labels"] = {label["name"]: label for label in rest.labels(task_id=task["id"])}
    return task


def _go(ws: Workspace, frame: int) -> None:
    number = ws.page.locator(".frame-number")
    number.fill(str(frame))
    number.press("Enter")
    ws.page.wait_for_function(f"() => document.querySelector('.frame-number').value === '{frame}'")
    ws.wait_ready()


def _annotations(rest: Rest, job_id: int) -> dict[str, Any]:
    return rest.get(f"/api/jobs/{job_id}/annotations")


def _attrs(items: list[dict[str, Any]], label: dict[str, Any]) -> dict[str, str]:
    names = {a["id"]: a["name"] for a in label["attributes"]}
    return {names[a["spec_id"]]: a["value"] for a in items}


def _approx(points: list[float], expected: list[float], tolerance: float = 0.51) -> bool:
    return len(points) == len(expected) and all(abs(a - b) <= tolerance for a, b in zip(points, expected, strict=True))


def _exported_boxes(rest: Rest, job_id: int) -> dict[int, tuple[str, str, list[float]]]:
    """frame → (outside, occluded, box) of the one track in the job's "CVAT for video 1.1" export."""
    rq = rest.call("POST", f"/api/jobs/{job_id}/dataset/export?format=CVAT%20for%20video%201.1&save_images=false")
    done = rest.wait(rq["rq_id"])
    data = rest.http.request("GET", done["result_url"], headers=rest.headers).data
    xml = zipfile.ZipFile(io.BytesIO(data)).read("annotations.xml")
    (track,) = ElementTree.fromstring(xml).iter("track")
    return {int(b.get("frame")): (b.get("outside"), b.get("occluded"),
                                  [float(b.get(k)) for k in ("xtl", "ytl", "xbr", "ybr")]) for b in track.iter("box")}


def _selected_at(ws: Workspace, x: float, y: float) -> bool:
    """Click an image point: whether it selects a track (the card shows one)."""
    ws.click(x, y)
    return ws.card().count() == 1 and "track" in ws.card().locator(".card-title").inner_text()


def test_draw_a_track_edit_keyframes_outside_and_reload(admin_page: Any, rest: Rest,
                                                        long_video_task: dict[str, Any]) -> None:
    page = admin_page
    job = long_video_task["job"]
    car = long_video_task["labels"]["car"]
    ws = Workspace(page).open(job["id"])

    page.click(".draw-mode [data-mode=track]")
    assert page.locator(".draw-mode [data-mode=track]").get_attribute("aria-pressed") == "true"
    ws.draw_box("rectangle", (20, 20), (60, 50))
    assert "rectangle track" in ws.rows().first.inner_text()
    assert "track · keyframe" in ws.card().inner_text()

    # Frame 100: the track is where it was drawn; moving it there makes a keyframe on frame 100 only.
    _go(ws, 100)
    assert ws.rows().count() == 1 and "◆" not in ws.rows().first.inner_text()
    ws.click(40, 35)
    ws.drag((40, 35), (100, 65))
    assert "track · keyframe" in ws.card().inner_text()
    assert ws.card().locator(".card-keyframes").inner_text() == "Keyframes: 0, 100"
    # Per keyframe: occluded (Q) and the mutable attribute; per track: the immutable one.
    page.keyboard.press("q")
    ws.card().locator('[data-attr="parked"] input').check()
    ws.card().locator('[data-attr="color"] select').select_option("blue")

    # Frame 50 is drawn between the keyframes: (50, 35)–(90, 65); the place drawn on frame 0 is empty.
    _go(ws, 50)
    assert not _selected_at(ws, 30, 25), "frame 0's place is empty on frame 50"
    assert _selected_at(ws, 70, 50), "the interpolated box is there"
    assert "track · keyframe" not in ws.card().inner_text()
    shot(page, "tracks-interpolated-frame-50")

    # Outside on frame 200: gone from the canvas there (still listed).
    _go(ws, 200)
    ws.click(100, 65)
    page.keyboard.press("o")
    assert not _selected_at(ws, 100, 65)
    row = ws.rows().first
    assert ws.rows().count() == 1
    shot(page, "tracks-outside-frame-200")
    ws.save()

    # The API holds one track, keyframes 0/100/200 (outside on 200); the "CVAT for video" export
    # has it on every frame up to 200, interpolated between the keyframes as drawn here.
    (track,) = _annotations(rest, job["id"])["tracks"]
    assert [(s["frame"], s["outside"], s["occluded"]) for s in track["shapes"]] == [
        (0, False, False), (100, False, True), (200, True, True)]
    boxes = _exported_boxes(rest, job["id"])
    assert sorted(boxes) == list(range(201))
    assert [f for f in boxes if boxes[f][0] == "1"] == [200]
    assert [f for f in boxes if boxes[f][1] == "1"] == list(range(100, 201))
    for frame in (1, 25, 50, 75, 99):
        t = frame / 100
        assert _approx(boxes[frame][2], [20 + 60 * t, 20 + 30 * t, 60 + 60 * t, 50 + 30 * t]), (frame, boxes[frame])
    for frame in (100, 150, 199):
        assert _approx(boxes[frame][2], [80, 50, 120, 80]), (frame, boxes[frame])

    # Back with O on frame 201: a new segment.
    _go(ws, 201)
    row.click()
    assert ws.card().locator(".card-outside").is_checked()
    page.keyboard.press("o")
    assert not ws.card().locator(".card-outside").is_checked()
    assert _selected_at(ws, 100, 65)
    ws.save()

    (track,) = _annotations(rest, job["id"])["tracks"]
    assert track["frame"] == 0 and track["label_id"] == car["id"]
    frames = [(s["frame"], s["outside"], s["occluded"]) for s in track["shapes"]]
    assert frames == [(0, False, False), (100, False, True), (200, True, True), (201, False, True)]
    first, keyframe = track["shapes"][0], track["shapes"][1]
    assert _approx(first["points"], [20, 20, 60, 50]) and _approx(keyframe["points"], [80, 50, 120, 80])
    assert _attrs(track["attributes"], car)["color"] == "blue"
    assert _attrs(keyframe["attributes"], car) == {"parked": "true"}
    assert _attrs(first["attributes"], car) == {"parked": "false"}
    # The server's "CVAT for video" export has the track on every frame, interpolated as drawn here.
    boxes = _exported_boxes(rest, job["id"])
    assert sorted(boxes) == list(range(LONG))
    assert boxes[50][:2] == ("0", "0") and _approx(boxes[50][2], [50, 35, 90, 65])
    assert [boxes[f][0] for f in range(LONG)] == ["0"] * 200 + ["1"] + ["0"] * 49  # outside on 200 only
    assert [boxes[f][1] for f in range(LONG)] == ["0"] * 100 + ["1"] * 150  # occluded from the keyframe on 100
    assert _approx(boxes[249][2], [80, 50, 120, 80])

    # After a reload: the same keyframes, the same interpolation; keyframe navigation (E/R).
    page.reload()
    ws.wait_ready()
    _go(ws, 50)
    assert _selected_at(ws, 70, 50)
    _go(ws, 201)
    ws.rows().first.click()
    page.keyboard.press("e")
    page.wait_for_function("() => document.querySelector('.frame-number').value === '200'")
    page.keyboard.press("e")
    page.wait_for_function("() => document.querySelector('.frame-number').value === '100'")
    page.keyboard.press("r")
    page.wait_for_function("() => document.querySelector('.frame-number').value === '200'")
    page.keyboard.press("e")
    page.wait_for_function("() => document.querySelector('.frame-number').value === '100'")
    ws.wait_ready()
    # Delete the keyframe on frame 100: frame 50 is then between frames 0 and 200.
    ws.card().get_by_role("button", name="Delete keyframe").click()
    assert ws.card().locator(".card-keyframes").inner_text() == "Keyframes: 0, 200, 201"
    ws.save()
    (track,) = _annotations(rest, job["id"])["tracks"]
    assert [s["frame"] for s in track["shapes"]] == [0, 200, 201]

    # Delete asks first: Cancel keeps the track, confirming deletes it.
    page.keyboard.press("Delete")
    dialog = page.locator("dialog[open]")
    assert "Delete the track?" in dialog.inner_text()
    shot(page, "tracks-delete-asks")
    dialog.get_by_role("button", name="Cancel").click()
    assert ws.rows().count() == 1 and not ws.dirty
    page.keyboard.press("Delete")
    page.locator("dialog[open]").get_by_role("button", name="Delete the track").click()
    page.wait_for_function("() => document.querySelectorAll('.object-row').length === 0")
    ws.save()
    assert _annotations(rest, job["id"])["tracks"] == []


def test_track_from_the_api_is_editable(admin_page: Any, rest: Rest, video_task: dict[str, Any]) -> None:
    """A track made elsewhere shows with its label list, moves on a frame (a keyframe there), and
    the keyframe on another frame stays as it was; saving sends that track only."""
    page = admin_page
    job = video_task["job"]
    car = video_task["labels"]["car"]
    track = {"frame": 0, "label_id": car["id"], "shapes": [
        {"type": "rectangle", "frame": 0, "points": [0, 0, 40, 40]},
        {"type": "rectangle", "frame": 4, "points": [80, 40, 120, 80]}]}
    other = {"frame": 0, "label_id": car["id"], "shapes": [{"type": "rectangle", "frame": 0, "points": [200, 150, 260, 200]}]}
    created = rest.call("PATCH", f"/api/jobs/{job['id']}/annotations?action=create", {"tracks": [track, other]})
    track_id, other_id = (t["id"] for t in created["tracks"])
    sent: list[tuple[str, dict[str, Any]]] = []
    page.on("request", lambda r: sent.append((r.url, orjson.loads(r.post_data)))
            if r.method == "PATCH" and "/annotations" in r.url else None)
    ws = Workspace(page).open(job["id"], frame=2)
    assert _selected_at(ws, 60, 40)
    options = ws.card().locator(".card-label option").all_inner_texts()
    assert "car" in options and not ws.card().locator(".card-label").is_disabled()
    ws.drag((60, 40), (70, 50))
    assert ws.dirty
    ws.save()
    queries = [parse_qs(urlsplit(url).query) for url, _ in sent]
    assert [q["action"] for q in queries] == [["update"]] and queries[0]["version"][0].isdigit()
    body = sent[0][1]
    assert [t["id"] for t in body["tracks"]] == [track_id] and body["shapes"] == [] and body["tags"] == []
    saved, unchanged = sorted(_annotations(rest, job["id"])["tracks"], key=lambda t: t["id"])
    assert saved["id"] == track_id and unchanged["id"] == other_id
    assert [(s["frame"], s["points"]) for s in unchanged["shapes"]] == [(0, [200, 150, 260, 200])]
    assert [(s["frame"], s["points"]) for s in saved["shapes"]] == [
        (0, [0, 0, 40, 40]), (2, [50, 30, 90, 70]), (4, [80, 40, 120, 80])]


def test_merge_split_switch_and_propagate(admin_page: Any, rest: Rest, video_task: dict[str, Any]) -> None:
    page = admin_page
    job = video_task["job"]
    ws = Workspace(page).open(job["id"])
    page.keyboard.press("t")  # draw tracks
    ws.draw_box("rectangle", (20, 20), (60, 50))
    page.click(".draw-mode [data-mode=shape]")
    _go(ws, 4)
    ws.draw_box("rectangle", (100, 60), (140, 90))
    assert [r.inner_text().split()[-1] for r in ws.rows().all()] == ["track", "rectangle"]

    # M picks the selected shape, a click picks the track (on another frame), M again merges.
    page.keyboard.press("m")
    assert "Picked: 1" in page.locator(".hint-text").inner_text()
    _go(ws, 0)
    ws.click(40, 35)
    assert "Picked: 2" in page.locator(".hint-text").inner_text()
    page.keyboard.press("m")
    assert ws.rows().count() == 1 and "rectangle track" in ws.rows().first.inner_text()
    _go(ws, 2)
    assert _selected_at(ws, 80, 55), "the merged track is interpolated between its keyframes"
    assert ws.card().locator(".card-keyframes").inner_text() == "Keyframes: 0, 4, 5"
    shot(page, "tracks-merged")

    # Alt+M splits the selected track on this frame: two tracks.
    page.keyboard.press("Alt+m")
    assert ws.rows().count() == 2
    ws.save()
    tracks = sorted(_annotations(rest, job["id"])["tracks"], key=lambda t: t["frame"])
    assert [[(s["frame"], s["outside"]) for s in t["shapes"]] for t in tracks] == [
        [(0, False), (2, True)], [(2, False), (4, False), (5, True)]]
    assert _annotations(rest, job["id"])["shapes"] == []

    # "To shape": the second track becomes the shape it has on frame 3.
    _go(ws, 3)
    assert _selected_at(ws, 100, 65)
    assert ws.rows().count() == 2, "the first part is listed as outside here"
    ws.card().get_by_role("button", name="To shape").click()
    assert ws.rows().count() == 2 and ws.rows().filter(has_text="track").count() == 1
    assert "track" not in ws.card().locator(".card-title").inner_text()

    # Ctrl+B asks how many frames; a bad count is refused in the dialog; 2 makes copies on 4 and 5.
    page.keyboard.press("Control+b")
    dialog = page.locator("dialog.propagate-dialog")
    dialog.locator(".propagate-count").fill("0")
    dialog.locator(".propagate-ok").click()
    assert "a whole number from 1 to 6" in dialog.locator(".form-error").inner_text()
    dialog.locator(".propagate-count").fill("2")
    dialog.locator(".propagate-ok").click()
    assert page.locator("dialog[open]").count() == 0
    ws.save()
    data = _annotations(rest, job["id"])
    assert len(data["tracks"]) == 1
    assert sorted(s["frame"] for s in data["shapes"]) == [3, 4, 5]
    assert len({tuple(s["points"]) for s in data["shapes"]}) == 1

    # "To track" makes a one-keyframe track of a shape; undo brings the shape back in one step.
    _go(ws, 5)
    ws.rows().filter(has_not_text="track").click()
    ws.card().get_by_role("button", name="To track").click()
    assert ws.rows().filter(has_text="track").count() == 2
    page.keyboard.press("Control+z")
    assert ws.rows().filter(has_text="track").count() == 1
    assert not ws.dirty


def test_every_shape_type_as_a_track(admin_page: Any, rest: Rest, video_task: dict[str, Any]) -> None:
    """Polygon, polyline, points, ellipse and skeleton drawn in track mode are tracks with their
    first keyframe; a skeleton point moved on a later frame makes a keyframe for each of its points."""
    page = admin_page
    job = video_task["job"]
    labels = video_task["labels"]
    ws = Workspace(page).open(job["id"])
    page.click(".draw-mode [data-mode=track]")
    ws.draw_vertices("polyline", [(10, 200), (60, 180), (110, 210)])
    ws.draw_vertices("points", [(200, 200), (220, 210)], finish="Enter")
    ws.draw_box("ellipse", (240, 20), (300, 60))
    ws.draw_box("skeleton", (20, 20), (120, 120))
    ws.draw_vertices("polygon", [(130, 150), (180, 150), (160, 190)], finish="n")
    assert ws.rows().filter(has_text="track").count() == 5
    _go(ws, 5)
    ws.rows().filter(has_text="skeleton").click()
    ws.drag((70, 20), (80, 30))  # the head's handle: that point moves
    shot(page, "tracks-every-type")
    ws.save()
    data = _annotations(rest, job["id"])
    assert data["shapes"] == []
    by_type = {t["shapes"][0]["type"]: t for t in data["tracks"]}
    assert set(by_type) == {"polyline", "points", "ellipse", "skeleton", "polygon"}
    assert all(t["frame"] == 0 and len(t["shapes"]) == 1 for k, t in by_type.items() if k != "skeleton")
    assert _approx(by_type["polygon"]["shapes"][0]["points"], [130, 150, 180, 150, 160, 190])
    skeleton = by_type["skeleton"]
    assert skeleton["label_id"] == labels["person"]["id"] and [s["frame"] for s in skeleton["shapes"]] == [0, 5]
    sub = {s["id"]: s["name"] for s in labels["person"]["sublabels"]}
    points = {sub[e["label_id"]]: [(s["frame"], s["points"]) for s in e["shapes"]] for e in skeleton["elements"]}
    assert set(points) == {"head", "left hand", "right hand"}
    head = points["head"]
    assert [f for f, _ in head] == [0, 5] and _approx(head[0][1], [70, 20]) and _approx(head[1][1], [80, 30])
    assert points["left hand"][1][0] == 5 and _approx(points["left hand"][1][1], [20, 120]), "a keyframe, unmoved"


def test_playback_speed_and_play_until_the_next_keyframe(admin_page: Any, rest: Rest, video_task: dict[str, Any]) -> None:
    page = admin_page
    job = video_task["job"]
    car = video_task["labels"]["car"]
    track = {"frame": 1, "label_id": car["id"], "shapes": [
        {"type": "rectangle", "frame": 1, "points": [0, 0, 40, 40]},
        {"type": "rectangle", "frame": 6, "points": [80, 40, 120, 80]}]}
    rest.call("PATCH", f"/api/jobs/{job['id']}/annotations?action=create", {"tracks": [track]})
    ws = Workspace(page).open(job["id"])
    speeds = page.locator(".player-speed option").all_inner_texts()
    assert speeds == ["Fastest (100 fps)", "Fast (50 fps)", "Usual (25 fps)", "Slow (15 fps)", "Slower (12 fps)",
                      "Slowest (1 fps)"]
    assert page.locator(".player-speed").input_value() == "25"
    page.locator(".player-speed").select_option("50")
    page.locator(".play-until-keyframe").check()
    page.keyboard.press(" ")  # no track selected: the next keyframe of any track (frame 1)
    page.wait_for_function("() => document.querySelector('.frame-number').value === '1'")
    page.wait_for_timeout(300)
    assert ws.frame_number() == 1
    ws.wait_ready()
    ws.rows().first.click()
    page.keyboard.press(" ")  # the selected track's next keyframe: 6
    page.wait_for_function("() => document.querySelector('.frame-number').value === '6'")
    page.wait_for_timeout(300)
    assert ws.frame_number() == 6
    page.locator(".play-until-keyframe").uncheck()
    page.keyboard.press(" ")  # to the end
    page.wait_for_function(f"() => document.querySelector('.frame-number').value === '{FRAMES - 1}'")
