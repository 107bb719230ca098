"""The workspace at scale, in Chromium: a busy frame's shapes layer drawn a slice per animation
frame (the shown layer stays until the new one is complete), and scrubbing a track changing only
the sidebar rows and card whose content changed (the speed itself is measured in bench/ui_bench.py)."""

from __future__ import annotations

from typing import Any

from tests.e2e.helpers import Workspace
from tests.support.rest import Rest


def test_a_busy_layer_is_drawn_a_slice_at_a_time(js: Any) -> None:
    result = js({"r": "annotation/renderer.js"}, """
        const canvas = document.createElement("canvas");
        canvas.width = 200; canvas.height = 100;
        const ctx = canvas.getContext("2d");
        const count = 2 * r.SLICE + 10;  // three slices
        // One-pixel red squares on a grid, two pixels apart.
        const items = [];
        for (let k = 0; k < count; k++) {
          const x = 2 * (k % 100) + 0.5, y = 2 * Math.floor(k / 100) + 0.5;
          items.push({key: k, shape: {type: "rectangle", points: [x, y, x + 1, y + 1]}, color: "#ff0000", label: ""});
        }
        const scene = (view, quick = false) => ({width: 200, height: 100, dpr: 1, view, image: null, imageWidth: 200,
          imageHeight: 100, items, selected: null, hovered: null, handles: [], preview: null, excluded: null,
          fillOpacity: 0.5, selectedOpacity: 0.5, background: "#000000", smooth: false, quick});
        const red = (k) => ctx.getImageData(2 * (k % 100) + 1, 2 * Math.floor(k / 100) + 1, 1, 1).data[0];
        const renderer = new r.Renderer(canvas);
        const view = {scale: 1, x: 0, y: 0};
        const first = [];
        do { renderer.draw(scene(view)); first.push({pending: renderer.pending, firstShape: red(0), lastShape: red(count - 1)}); }
        while (renderer.pending && first.length < 10);
        const done = {layers: renderer.baseRenders, drawn: renderer.drawn};
        // A new view: slices again; a gesture step (quick) in the middle drops the half-drawn layer.
        const moved = {scale: 1, x: 1, y: 0};
        renderer.draw(scene(moved));
        const pendingAfterMove = renderer.pending;
        renderer.draw(scene({scale: 1, x: 3, y: 0}, true));
        const pendingAfterGesture = renderer.pending;
        let again = 0;
        do { renderer.draw(scene(moved)); again++; } while (renderer.pending && again < 10);
        return {count, slice: r.SLICE, first, done, pendingAfterMove, pendingAfterGesture, again, layers: renderer.baseRenders};
    """)
    slices = -(-result["count"] // result["slice"])
    assert slices == 3
    assert [step["pending"] for step in result["first"]] == [True, True, False]
    # Until the layer is complete nothing of it shows (the previous, empty layer does); then all of it.
    assert all(step["firstShape"] == 0 and step["lastShape"] == 0 for step in result["first"][:-1])
    assert result["first"][-1]["firstShape"] > 100 and result["first"][-1]["lastShape"] > 100
    assert result["done"] == {"layers": 1, "drawn": result["count"]}
    assert result["pendingAfterMove"] and not result["pendingAfterGesture"]
    assert result["again"] == slices and result["layers"] == 2


def test_the_sidebar_keeps_rows_and_card_that_show_the_same(js: Any) -> None:
    result = js({"s": "components/objects-sidebar.js"}, """
        const label = {id: 1, name: "car", color: "#ff0000", attributes: [], type: "any"};
        const noop = () => {};
        const sidebar = new s.ObjectsSidebar({select: noop, hover: noop, toggleAll: noop, addTag: noop, tagLabels: () => [],
          filter: () => null, labelsFor: () => [label], labelOf: () => label, setLabel: noop, setAttribute: noop,
          setOccluded: noop, setElementOutside: noop, toggle: noop, zOrder: noop, remove: noop, trackAction: noop});
        document.body.append(sidebar.element);
        const track = {cid: 7, sid: 3, kind: "track", rev: 1, locked: false, hidden: false,
          data: {label_id: 1, shapes: [{frame: 0}, {frame: 10}]}};
        const shape = {cid: 8, sid: null, kind: "shape", rev: 1, locked: false, hidden: false, data: {label_id: 1, type: "rectangle", points: [0, 0, 1, 1]}};
        const at = (frame, keyframe) => [
          {obj: track, shape: {type: "rectangle", points: [frame, 0, frame + 5, 5], keyframe, outside: false, occluded: false, attributes: []}, label},
          {obj: shape, shape: shape.data, label},
        ];
        const rows = () => [...sidebar.rows.children];
        const card = () => sidebar.card.firstElementChild;
        sidebar.show(at(1, false), [], 7);
        const [row1, other1] = rows(), card1 = card();
        sidebar.show(at(2, false), [], 7);  // another frame between keyframes: the same rows and card
        const [row2, other2] = rows(), card2 = card();
        sidebar.show(at(10, true), [], 7);  // a keyframe: the track's row and card change
        const [row3, other3] = rows(), card3 = card();
        track.rev = 2;  // an edit of the track
        sidebar.show(at(10, true), [], 7);
        const card4 = card();
        sidebar.show(at(10, true), [], 8);  // another object selected: both rows change
        const [row5, other5] = rows();
        return {sameRow: row1 === row2, sameOther: other1 === other2 && other2 === other3, sameCard: card1 === card2,
          keyframeRow: row3 !== row2, keyframeFlag: row3.querySelector(".flag[title=keyframe]") !== null,
          keyframeCard: card3 !== card2, editedCard: card4 !== card3, badge: card4.querySelector(".track-badge").textContent,
          selectedRows: row5 !== row3 && other5 !== other3, selectedClass: other5.classList.contains("selected"),
          count: sidebar.count.textContent};
    """)
    assert result["sameRow"] and result["sameOther"] and result["sameCard"]
    assert result["keyframeRow"] and result["keyframeFlag"] and result["keyframeCard"]
    assert result["editedCard"] and result["badge"] == "track · keyframe"
    assert result["selectedRows"] and result["selectedClass"]
    assert result["count"] == "(2)"


def test_a_busy_frame_is_drawn_and_answers_clicks(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    page = admin_page
    job = annotation_task["job"]
    label = annotation_task["labels"]["car"]
    # 2,500 small rectangles on a 50 × 50 grid over the 320 × 240 frame (three slices of the layer).
    shapes = [{"type": "rectangle", "frame": 0, "label_id": label["id"], "z_order": 0, "rotation": 0.0,
               "points": [6.0 * (k % 50) + 10, 4.5 * (k // 50) + 5, 6.0 * (k % 50) + 14, 4.5 * (k // 50) + 8]}
              for k in range(2500)]
    rest.call("PATCH", f"/api/jobs/{job['id']}/annotations?action=create", {"shapes": shapes})
    ws = Workspace(page).open(job["id"])
    page.wait_for_function("() => document.querySelector('canvas.annotation-canvas').dataset.layerPending === 'false'")
    assert ws.canvas.get_attribute("data-drawn") == "2500"
    assert page.locator(".objects-section .muted").first.inner_text() == "(2500)"
    # The virtual list holds only the rows in view.
    assert 0 < page.locator(".object-row").count() < 100
    # The canvas shows the label's colour inside a rectangle and not in the gaps between them.
    colour = label["color"].lstrip("#")
    rgb = [int(colour[i:i + 2], 16) for i in (0, 2, 4)]
    pixel = """([x, y]) => {
      const canvas = document.querySelector("canvas.annotation-canvas");
      const box = canvas.getBoundingClientRect();
      const d = window.devicePixelRatio;
      return [...canvas.getContext("2d").getImageData((x - box.left) * d, (y - box.top) * d, 1, 1).data].slice(0, 3);
    }"""
    inside = page.evaluate(pixel, ws.screen(6.0 * 7 + 10.2, 4.5 * 9 + 5.2))
    gap = page.evaluate(pixel, ws.screen(6.0 * 7 + 15, 4.5 * 9 + 6.5))
    distance = lambda a: sum(abs(x - y) for x, y in zip(a, rgb, strict=True))  # noqa: E731
    assert distance(inside) < distance(gap)
    # A click on the 1,234th rectangle selects it.
    k = 1234
    ws.click(6.0 * (k % 50) + 12, 4.5 * (k // 50) + 6.5)
    page.wait_for_selector(".object-card")
    title = page.locator(".object-card .card-title strong").inner_text()  # "#<server id> rectangle"
    assert title.startswith("#") and title.endswith(" rectangle")
    by_id = {s["id"]: s for s in rest.get(f"/api/jobs/{job['id']}/annotations")["shapes"]}
    assert by_id[int(title[1:].split()[0])]["points"] == shapes[k]["points"]


def test_scrubbing_a_track_keeps_what_did_not_change(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    page = admin_page
    job = annotation_task["job"]
    label = annotation_task["labels"]["car"]
    keyframe = {"type": "rectangle", "rotation": 0.0, "occluded": False, "outside": False, "z_order": 0, "attributes": []}
    rest.call("PATCH", f"/api/jobs/{job['id']}/annotations?action=create", {"tracks": [{
        "frame": 0, "label_id": label["id"], "group": 0, "source": "manual", "attributes": [], "elements": [],
        "shapes": [{**keyframe, "frame": 0, "points": [10, 10, 50, 40]}, {**keyframe, "frame": 4, "points": [210, 10, 250, 40]}],
    }]})
    ws = Workspace(page).open(job["id"], frame=1)
    ws.canvas.focus()
    page.keyboard.press("Tab")
    page.wait_for_selector(".object-card .track-badge")
    mark = "() => { document.querySelector('.object-row').__mark = 1; document.querySelector('.object-card').__mark = 1; }"
    marked = ("() => [document.querySelector('.object-row').__mark === 1,"
              " document.querySelector('.object-card').__mark === 1]")
    page.evaluate(mark)
    page.keyboard.press("f")
    page.keyboard.press("f")
    page.wait_for_function("() => document.querySelector('.frame-number').value === '3'")
    assert page.evaluate(marked) == [True, True]  # frames 1 to 3 lie between the keyframes: nothing to change
    # The address follows the frame, at the latest a moment later.
    page.wait_for_function("() => new URLSearchParams(location.search).get('frame') === '3'")
    assert page.locator(".object-card .track-badge").inner_text() == "track"
    page.keyboard.press("f")
    page.wait_for_selector(".object-card .track-badge:text('track · keyframe')")
    assert page.evaluate(marked) == [False, False]
    assert page.locator(".object-row .flag[title=keyframe]").count() == 1
    page.wait_for_function("() => new URLSearchParams(location.search).get('frame') === '4'")
