"""Masks in the workspace: the JS bitmap code checked against the server's RLE on the same cases,
and the brush, eraser, polygon fill, "remove underlying pixels" and polygon ↔ mask conversions
driven with the mouse in Chromium, read back through the REST API."""

from __future__ import annotations

from typing import Any

import numpy as np

from inklab.formats.masks import decode_mask, encode_mask
from tests.e2e.conftest import LABELS, scene_images, shot
from tests.e2e.helpers import Workspace
from tests.support.rest import Rest


def _centres(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.mgrid[0:height, 0:width]
    return xs + 0.5, ys + 0.5


def _round_stroke(width: int, height: int, a: tuple[float, float], b: tuple[float, float], size: float) -> np.ndarray:
    """Pixels whose centres lie within size/2 of the segment a–b (the documented brush rule)."""
    px, py = _centres(width, height)
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = np.clip(((px - a[0]) * dx + (py - a[1]) * dy) / length2, 0, 1) if length2 else np.zeros_like(px)
    ex = px - (a[0] + t * dx)
    ey = py - (a[1] + t * dy)
    return np.asarray(ex * ex + ey * ey <= (size / 2) ** 2)


def _inside_polygon(width: int, height: int, points: list[float]) -> np.ndarray:
    """Pixels whose centres are inside the polygon (even-odd rule), written independently of the JS."""
    px, py = _centres(width, height)
    inside = np.zeros((height, width), dtype=bool)
    n = len(points) // 2
    for i in range(n):
        j = (i - 1) % n
        xi, yi, xj, yj = points[2 * i], points[2 * i + 1], points[2 * j], points[2 * j + 1]
        crosses = (yi > py) != (yj > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = xi + (py - yi) * (xj - xi) / (yj - yi)
        inside ^= crosses & (px >= at)
    return inside


def _points(bitmap: np.ndarray, left: int = 0, top: int = 0) -> list[float]:
    return [float(v) for v in encode_mask(bitmap, left, top)]


def _image_bitmap(points: list[float], width: int, height: int) -> np.ndarray:
    """A CVAT mask placed on a width × height image."""
    bits, left, top = decode_mask(points)
    image = np.zeros((height, width), dtype=bool)
    image[top:top + bits.shape[0], left:left + bits.shape[1]] = bits
    return image


def test_js_rle_matches_the_server(js: Any) -> None:
    rng = np.random.default_rng(13)
    cases = [np.ones((3, 4), dtype=bool), np.eye(5, dtype=bool), np.zeros((4, 6), dtype=bool)]
    cases[2][1, 2] = True
    for _ in range(6):
        cases.append(rng.random((int(rng.integers(1, 40)), int(rng.integers(1, 40)))) < 0.4)
    cases = [c for c in cases if c.any()]
    placed = [(c, 3 * k, 7 * k) for k, c in enumerate(cases)]
    result = js({"m": "annotation/masks.js"}, """
        return arg.map(([rows, x, y]) => {
          const height = rows.length;
          const width = rows[0].length;
          const bits = Uint8Array.from(rows.flat().map(Number));
          const encoded = m.encodeMask({x, y, width, height, bits});
          return {encoded, decoded: Array.from(m.decodeMask(encoded).bits)};
        }).concat([{empty: m.encodeMask({x: 0, y: 0, width: 2, height: 2, bits: new Uint8Array(4)})}]);
    """, [[c.tolist(), x, y] for c, x, y in placed])
    for (bitmap, x, y), answer in zip(placed, result, strict=False):
        expected = _points(bitmap, x, y)
        assert answer["encoded"] == expected
        server_bits, left, top = decode_mask(answer["encoded"])
        rows = np.flatnonzero(bitmap.any(axis=1))
        cols = np.flatnonzero(bitmap.any(axis=0))
        cropped = bitmap[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
        assert (left, top) == (x + cols[0], y + rows[0])
        assert np.array_equal(server_bits, cropped)
        assert answer["decoded"] == cropped.astype(int).ravel().tolist()
    assert result[-1]["empty"] is None, "an empty bitmap is no mask"


def test_js_brush_eraser_and_polygon_fill_follow_the_pixel_centre_rule(js: Any) -> None:
    width, height = 200, 150
    result = js({"m": "annotation/masks.js"}, """
        const out = {};
        const mask = new m.MaskBitmap(200, 150);
        mask.stroke({x: 20.3, y: 30.7}, {x: 90.2, y: 60.1}, 15, "round", 1);
        out.painted = mask.toPoints();
        mask.stroke({x: 40, y: 20}, {x: 40, y: 90}, 8, "square", 0);
        out.erased = mask.toPoints();
        out.allocated = [mask.width, mask.height];
        const edge = new m.MaskBitmap(200, 150);
        edge.stroke({x: 195, y: 5}, {x: 199, y: 2}, 20, "round", 1);
        out.edge = edge.toPoints();
        const poly = new m.MaskBitmap(200, 150);
        poly.fillPolygon([10.2, 10.7, 80.9, 20.1, 40.3, 70.6], 1);
        out.triangle = poly.toPoints();
        poly.fillPolygon([30, 0, 60, 0, 60, 40, 30, 40], 0);
        out.notched = poly.toPoints();
        out.nothing = new m.MaskBitmap(10, 10).stroke({x: 50, y: 50}, {x: 60, y: 60}, 4, "round", 0);
        return out;
    """)
    stroke = _round_stroke(width, height, (20.3, 30.7), (90.2, 60.1), 15)
    assert result["painted"] == _points(stroke)
    px, py = _centres(width, height)
    eraser = (np.abs(px - 40) <= 4) & (py >= 16) & (py <= 94)
    assert result["erased"] == _points(stroke & ~eraser)
    assert result["allocated"][0] * result["allocated"][1] < width * height, "painting allocates the painted area only"
    edge = _image_bitmap(result["edge"], width, height)
    assert np.array_equal(edge, _round_stroke(width, height, (195, 5), (199, 2), 20))
    assert result["edge"][-2:] == [199, 14], "clipped at the right edge of the image"
    triangle = _inside_polygon(width, height, [10.2, 10.7, 80.9, 20.1, 40.3, 70.6])
    assert result["triangle"] == _points(triangle)
    notch = (px >= 30) & (px < 60) & (py < 40)
    assert result["notched"] == _points(triangle & ~notch)
    assert result["nothing"] is None


def test_js_conversions_and_subtraction(js: Any) -> None:
    blob = _round_stroke(60, 50, (20, 20), (40, 30), 14)
    result = js({"m": "annotation/masks.js", "o": "annotation/outline.js"}, """
        const [blob] = arg;
        const outline = m.maskToPolygon(blob);
        const block = m.maskToPolygon([0, 6, 1, 1, 3, 2]);  // a 3×2 block at (1, 1)
        const rect = m.polygonToMask([10, 10, 20, 10, 20, 15, 10, 15], 100, 100);
        const clipped = m.polygonToMask([-10, -10, 5, -10, 5, 3, -10, 3], 100, 100);
        const outsideImage = m.polygonToMask([200, 200, 210, 200, 210, 210], 100, 100);
        const top = new m.MaskBitmap(100, 100, rect);
        const cut = top.subtractFrom([0, 50, 5, 10, 14, 14]);  // a 10×5 block at (5, 10)
        const gone = top.subtractFrom(rect);
        const interactor = o.resultPolygon([{type: "mask", points: [0, 6, 1, 1, 3, 2]}], 10);  // the AI tools' use
        return {roundTrip: m.polygonToMask(outline, 60, 50), block, rect, clipped, outsideImage, cut, gone, interactor};
    """, [_points(blob)])
    assert result["roundTrip"] == _points(blob), "mask → polygon → mask keeps every pixel of a blob without holes"
    assert result["block"] == [1, 1, 4, 1, 4, 3, 1, 3]
    assert result["interactor"] == result["block"]
    assert result["rect"] == _points(np.ones((5, 10), dtype=bool), 10, 10)
    assert result["clipped"] == _points(np.ones((3, 5), dtype=bool), 0, 0)
    assert result["outsideImage"] is None
    left_half = np.zeros((5, 10), dtype=bool)
    left_half[:, :5] = True
    assert result["cut"] == _points(left_half, 5, 10)
    assert result["gone"] is None


def _mask_shapes(rest: Rest, job_id: int) -> list[dict[str, Any]]:
    return sorted((s for s in rest.get(f"/api/jobs/{job_id}/annotations")["shapes"] if s["type"] == "mask"),
                  key=lambda s: s["id"])


def _set(page: Any, selector: str, value: str) -> None:
    field = page.locator(selector)
    if field.evaluate("(e) => e.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill(value)
        field.dispatch_event("change")


def test_brush_and_eraser_paint_what_the_server_stores(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    page = admin_page
    job = annotation_task["job"]
    ws = Workspace(page).open(job["id"])
    ws.tool("mask")
    assert page.locator(".mask-controls").is_visible()
    _set(page, ".mask-size", "20")
    ws.drag((60, 60), (160, 60), steps=12)
    _set(page, ".mask-mode", "eraser")
    _set(page, ".mask-size", "10")
    _set(page, ".mask-shape", "square")
    ws.drag((110, 30), (110, 90), steps=8)
    assert not ws.dirty, "nothing is stored before the mask is finished"
    shot(page, "workspace-mask-brush")
    page.keyboard.press("n")
    ws.save()
    (mask,) = _mask_shapes(rest, job["id"])
    assert mask["label_id"] == annotation_task["labels"]["car"]["id"]
    stored = _image_bitmap(mask["points"], 320, 240)
    px, py = _centres(320, 240)
    # Mouse positions land on screen pixels, so the image coordinates may be off by a little.
    near = _round_stroke(320, 240, (60, 60), (160, 60), 20 - 3)
    far = ~_round_stroke(320, 240, (60, 60), (160, 60), 20 + 3)
    erased_core = (np.abs(px - 110) <= 5 - 1.5) & (py >= 25 + 1.5) & (py <= 95 - 1.5)
    erased_band = (np.abs(px - 110) <= 5 + 1.5)
    assert stored[near & ~erased_band].all(), "the brush painted its stroke"
    assert not stored[far].any(), "nothing outside the brush"
    assert not stored[erased_core].any(), "the eraser cleared its stroke"
    assert stored[:, 60:100].any() and stored[:, 120:160].any(), "both sides of the erased band remain"

    # Change the stored mask: select it, Edit mask, erase its left end; the same object changes.
    page.locator(".object-row", has_text="mask").click()
    page.locator(".shape-actions .edit-mask").click()
    _set(page, ".mask-shape", "round")
    _set(page, ".mask-size", "30")
    ws.drag((50, 60), (75, 60), steps=5)
    page.keyboard.press("n")
    ws.save()
    (edited,) = _mask_shapes(rest, job["id"])
    assert edited["id"] == mask["id"]
    after = _image_bitmap(edited["points"], 320, 240)
    assert not after[:, :85].any() and after[:, 120:160].any()
    assert not (after & ~stored).any(), "erasing adds no pixel"
    page.keyboard.press("Control+z")
    ws.save()
    (restored,) = _mask_shapes(rest, job["id"])
    assert restored["points"] == mask["points"]


def test_polygon_fill_remove_underlying_conversions_and_mask_tracks(admin_page: Any, rest: Rest,
                                                                      annotation_task: dict[str, Any]) -> None:
    page = admin_page
    job = annotation_task["job"]
    ws = Workspace(page).open(job["id"])
    # A polygon converted into a mask: the pixels whose centres are inside it.
    ws.draw_vertices("polygon", [(20, 20), (100, 20), (100, 80), (20, 80)])
    page.locator(".shape-actions .to-mask").click()
    ws.save()
    (first,) = _mask_shapes(rest, job["id"])
    assert first["points"] == _points(np.ones((60, 80), dtype=bool), 20, 20)
    # A second mask filled by a polygon over it, with "remove underlying pixels": the first loses the overlap.
    ws.tool("mask")
    _set(page, ".mask-mode", "polygon-add")
    page.locator(".mask-remove-underlying").check()
    page.locator(".mask-remove-underlying").dispatch_event("change")
    for point in [(60, 50), (140, 50), (140, 120), (60, 120)]:
        ws.click(*point)
    ws.click(60, 50)  # the first vertex closes the polygon
    page.keyboard.press("n")
    ws.save()
    old, new = _mask_shapes(rest, job["id"])
    assert old["id"] == first["id"]
    top = _image_bitmap(new["points"], 320, 240)
    under = _image_bitmap(old["points"], 320, 240)
    expected_top = np.zeros((240, 320), dtype=bool)
    expected_top[50:120, 60:140] = True
    assert np.array_equal(top, expected_top)
    assert not (top & under).any()
    assert under.sum() == 80 * 60 - 40 * 30
    # One Ctrl+Z takes back the new mask and gives the first its pixels back.
    page.keyboard.press("Control+z")
    ws.save()
    (back,) = _mask_shapes(rest, job["id"])
    assert back["points"] == first["points"]
    # Mask → polygon: the outline along pixel edges.
    page.locator(".object-row", has_text="mask").click()
    page.locator(".shape-actions .to-polygon").click()
    ws.save()
    shapes = rest.get(f"/api/jobs/{job['id']}/annotations")["shapes"]
    assert [(s["type"], s["points"]) for s in shapes] == [("polygon", [20, 20, 100, 20, 100, 80, 20, 80])]
    # A mask drawn as a track.
    page.keyboard.press("Escape")
    page.keyboard.press("t")
    ws.tool("mask")
    _set(page, ".mask-mode", "brush")
    ws.drag((200, 150), (250, 150))
    page.keyboard.press("n")
    ws.save()
    (track,) = rest.get(f"/api/jobs/{job['id']}/annotations")["tracks"]
    assert track["shapes"][0]["type"] == "mask" and track["shapes"][0]["frame"] == 0
    assert _image_bitmap(track["shapes"][0]["points"], 320, 240)[150, 225]
    # Repainting the track on frame 2 makes a keyframe there; frame 0 keeps its mask.
    page.keyboard.press("f")
    page.keyboard.press("f")
    page.locator(".object-row", has_text="track").click()
    page.locator(".shape-actions .edit-mask").click()
    _set(page, ".mask-mode", "eraser")
    _set(page, ".mask-size", "30")
    ws.drag((240, 130), (260, 170))
    page.keyboard.press("n")
    ws.save()
    (track,) = rest.get(f"/api/jobs/{job['id']}/annotations")["tracks"]
    first, later = sorted(track["shapes"], key=lambda s: s["frame"])
    assert (first["frame"], later["frame"], later["type"]) == (0, 2, "mask")
    before = _image_bitmap(first["points"], 320, 240)
    after = _image_bitmap(later["points"], 320, 240)
    assert after[150, 210] and not after[150, 250] and before[150, 250]
    assert not (after & ~before).any()


def test_brush_segments_on_a_full_hd_frame(admin_page: Any, rest: Rest, tmp_path: Any) -> None:
    """Brush latency on a 1920×1080 frame: printed (the budget is 16 ms per segment), not asserted."""
    images = scene_images(tmp_path / "hd", 1, size=(1920, 1080))
    task = rest.create_task("e2e brush full hd", LABELS[:1], images)
    job = rest.jobs(task["id"])[0]
    page = admin_page
    ws = Workspace(page).open(job["id"])
    ws.tool("mask")
    _set(page, ".mask-size", "60")
    ws.drag((100, 100), (1800, 900), steps=80)
    ws.drag((1800, 100), (100, 900), steps=80)
    timing = page.locator(".mask-timing")
    count = int(timing.get_attribute("data-count"))
    mean = float(timing.get_attribute("data-mean-ms"))
    worst = float(timing.get_attribute("data-max-ms"))
    print(f"\nbrush on 1920x1080, size 60: {count} segments, mean {mean:.2f} ms, max {worst:.2f} ms")
    assert count >= 160
    page.keyboard.press("n")
    ws.save()
    (mask,) = _mask_shapes(rest, job["id"])
    stored = _image_bitmap(mask["points"], 1920, 1080)
    assert stored[500, 950] and stored[110, 110] and not stored[900, 950]


def test_a_polygon_track_converts_to_a_mask_track_and_back(admin_page: Any, rest: Rest,
                                                           annotation_task: dict[str, Any]) -> None:
    """A track keeps one shape type, so converting it converts every keyframe, after making the
    frame shown a keyframe (its interpolated polygon is what becomes the mask there)."""
    page = admin_page
    job = annotation_task["job"]
    car = annotation_task["labels"]["car"]["id"]
    keyframe = {"type": "polygon", "occluded": False, "outside": False, "z_order": 0, "rotation": 0, "attributes": []}
    rest.call("PATCH", f"/api/jobs/{job['id']}/annotations?action=create", {"tracks": [{
        "frame": 0, "label_id": car, "shapes": [
            {**keyframe, "frame": 0, "points": [20, 20, 60, 20, 60, 60, 20, 60]},
            {**keyframe, "frame": 4, "points": [60, 20, 100, 20, 100, 60, 60, 60]}]}]})
    ws = Workspace(page).open(job["id"], frame=2)
    page.locator(".object-row", has_text="track").click()
    page.locator(".shape-actions .to-mask").click()
    ws.save()
    (track,) = rest.get(f"/api/jobs/{job['id']}/annotations")["tracks"]
    square = np.ones((40, 40), dtype=bool)
    assert [(s["frame"], s["type"], s["points"]) for s in track["shapes"]] == [
        (0, "mask", _points(square, 20, 20)), (2, "mask", _points(square, 40, 20)), (4, "mask", _points(square, 60, 20))]
    # Back to polygons on frame 4 (a keyframe already): each keyframe's outline along pixel edges.
    page.keyboard.press("f")
    page.keyboard.press("f")
    page.locator(".object-row", has_text="track").click()
    page.locator(".shape-actions .to-polygon").click()
    ws.save()
    (track,) = rest.get(f"/api/jobs/{job['id']}/annotations")["tracks"]
    assert [(s["frame"], s["type"], s["points"]) for s in track["shapes"]] == [
        (0, "polygon", [20, 20, 60, 20, 60, 60, 20, 60]), (2, "polygon", [40, 20, 80, 20, 80, 60, 40, 60]),
        (4, "polygon", [60, 20, 100, 20, 100, 60, 60, 60])]
    # One undo takes the whole conversion back.
    page.keyboard.press("Control+z")
    ws.save()
    (track,) = rest.get(f"/api/jobs/{job['id']}/annotations")["tracks"]
    assert [s["type"] for s in track["shapes"]] == ["mask", "mask", "mask"]


def test_js_mask_parts_become_one_polygon_each(js: Any) -> None:
    """Parts apart (a 2×2 block and a 4×3 ring with a hole) are outlined separately, largest first;
    pixels that touch only at a corner are one part; an empty mask has no outline."""
    bitmap = np.zeros((6, 12), dtype=bool)
    bitmap[0:2, 0:2] = True  # small block at (0, 0)
    bitmap[2:5, 6:10] = True  # the ring, 4×3 at (6, 2)…
    bitmap[3, 7:9] = False  # …with a hole
    diagonal = np.zeros((2, 2), dtype=bool)
    diagonal[0, 0] = diagonal[1, 1] = True
    result = js({"m": "annotation/masks.js"}, """
        const [two, diagonal] = arg;
        return {parts: m.maskToPolygons(two), largest: m.maskToPolygon(two), diagonal: m.maskToPolygons(diagonal).length,
                empty: m.maskToPolygons([4, 0, 0, 1, 1]), emptyOne: m.maskToPolygon([4, 0, 0, 1, 1])};
    """, [_points(bitmap, 10, 20), _points(diagonal)])
    ring = [16, 22, 20, 22, 20, 25, 16, 25]  # its outline encloses the hole
    assert result["parts"] == [ring, [10, 20, 12, 20, 12, 22, 10, 22]]
    assert result["largest"] == ring
    assert result["diagonal"] == 1
    assert result["empty"] == [] and result["emptyOne"] is None


def test_mask_of_two_parts_converts_to_two_polygons(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    page = admin_page
    job = annotation_task["job"]
    car = annotation_task["labels"]["car"]
    color = next(a for a in car["attributes"] if a["name"] == "color")
    bitmap = np.zeros((40, 100), dtype=bool)
    bitmap[0:40, 0:30] = True
    bitmap[10:20, 80:100] = True
    mask = {"type": "mask", "frame": 0, "label_id": car["id"], "points": _points(bitmap, 50, 60), "group": 3, "z_order": 2,
            "attributes": [{"spec_id": color["id"], "value": "blue"}]}
    rest.call("PATCH", f"/api/jobs/{job['id']}/annotations?action=create", {"shapes": [mask]})
    (original,) = rest.get(f"/api/jobs/{job['id']}/annotations")["shapes"]
    ws = Workspace(page).open(job["id"])
    page.locator(".object-row", has_text="mask").click()
    page.locator(".shape-actions .to-polygon").click()
    assert "2 parts" in page.locator(".toasts").inner_text()
    assert ws.rows().count() == 2
    ws.save()
    shapes = sorted(rest.get(f"/api/jobs/{job['id']}/annotations")["shapes"], key=lambda s: s["points"][0])
    assert [(s["type"], s["points"]) for s in shapes] == [
        ("polygon", [50, 60, 80, 60, 80, 100, 50, 100]),
        ("polygon", [130, 70, 150, 70, 150, 80, 130, 80]),
    ]
    assert shapes[0]["id"] == original["id"], "the largest part keeps the object"
    for s in shapes:
        assert (s["label_id"], s["group"], s["z_order"]) == (car["id"], 3, 2)
        assert s["attributes"] == [{"spec_id": color["id"], "value": "blue"}]
    # One undo takes back both polygons: the mask is whole again.
    page.keyboard.press("Control+z")
    ws.save()
    (back,) = rest.get(f"/api/jobs/{job['id']}/annotations")["shapes"]
    assert back["type"] == "mask" and back["points"] == original["points"]
