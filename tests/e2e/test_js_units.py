"""Unit checks of the UI's pure ES modules, run in the same Chromium (no Node.js involved)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from inklab.formats.model import Attribute, Track, TrackedShape
from inklab.formats.tracks import track_shapes
from inklab.vocabulary import ShapeType


def test_geometry_boxes_hits_and_handles(js: Any) -> None:
    result = js({"g": "annotation/geometry.js"}, """
        const rect = {type: "rectangle", points: [0, 0, 10, 20], rotation: 90};
        const ellipse = {type: "ellipse", points: [50, 50, 60, 45], rotation: 0};
        const poly = {type: "polygon", points: [0, 0, 10, 0, 10, 10, 0, 10]};
        const mask = {type: "mask", points: [0, 6, 1, 1, 3, 2]};
        return {
          rotatedBox: g.shapeBox(rect).map((v) => Math.round(v * 1000) / 1000),
          hitInsideRotated: g.hitShape(rect, 14, 10, 0), missOutsideRotated: g.hitShape(rect, 1, 1, 0),
          ellipseHit: g.hitShape(ellipse, 59, 50, 0), ellipseMiss: g.hitShape(ellipse, 59, 54, 0),
          polyInside: g.hitShape(poly, 5, 5, 0), polyEdge: g.hitShape(poly, 10.5, 5, 1),
          polylineHit: g.hitShape({type: "polyline", points: [0, 0, 10, 0]}, 5, 0.8, 1),
          polylineMiss: g.hitShape({type: "polyline", points: [0, 0, 10, 0]}, 5, 3, 1),
          resized: g.dragHandle({type: "rectangle", points: [0, 0, 10, 10], rotation: 0}, "se", 20, 30).points,
          resizedRotated: g.dragHandle({type: "rectangle", points: [0, 0, 10, 10], rotation: 90}, "e", 5, 15).points
            .map((v) => Math.round(v * 1000) / 1000),
          rotated: g.dragHandle({type: "rectangle", points: [0, 0, 10, 10], rotation: 0}, "rotate", 20, 5, {snap: true}).rotation,
          ellipseResized: g.dragHandle(ellipse, "rx", 70, 50).points,
          movedMask: g.translate(mask, 2.4, 0.6).points,
          movedSkeleton: g.translate({type: "skeleton", points: [], elements: [{points: [1, 2]}]}, 1, 1).elements[0].points,
          removed: g.removeVertex(poly, 1).points, notRemoved: g.removeVertex({type: "polygon", points: [0, 0, 1, 0, 1, 1]}, 0),
          inserted: g.insertVertex(poly, 5, 0.2).points,
          clamped: g.clampMove({type: "rectangle", points: [5, 5, 15, 15]}, -10, 100, 100, 50),
          handleIds: g.handles({type: "rectangle", points: [0, 0, 10, 10]}).map((h) => h.id),
          hull: g.hull([0, 0, 10, 0, 10, 10, 0, 10, 5, 5]),
        };
    """)
    assert result["rotatedBox"] == [-5, 5, 15, 15]
    assert result["hitInsideRotated"] and not result["missOutsideRotated"]
    assert result["ellipseHit"] and not result["ellipseMiss"]
    assert result["polyInside"] and result["polyEdge"] and result["polylineHit"] and not result["polylineMiss"]
    assert result["resized"] == [0, 0, 20, 30]
    # Dragging the east edge of a rectangle turned by 90° (it points down) to y=15 makes it 15 long.
    assert result["resizedRotated"] == [-2.5, 2.5, 12.5, 12.5]  # 15 wide (along its own x), 10 high, centred at (5, 7.5)
    assert result["rotated"] == 90
    assert result["ellipseResized"] == [50, 50, 70, 45]
    assert result["movedMask"] == [0, 6, 3, 2, 5, 3]  # whole pixels, runs unchanged
    assert result["movedSkeleton"] == [2, 3]
    assert result["removed"] == [0, 0, 10, 10, 0, 10] and result["notRemoved"] is None
    assert result["inserted"] == [0, 0, 5, 0.2, 10, 0, 10, 10, 0, 10]
    assert result["clamped"] == [-5, 35]
    assert result["handleIds"] == ["nw", "ne", "se", "sw", "n", "e", "s", "w", "rotate"]
    assert sorted(zip(result["hull"][::2], result["hull"][1::2], strict=True)) == [(0, 0), (0, 10), (10, 0), (10, 10)]


def test_store_plans_only_changes_and_tracks_saves(js: Any) -> None:
    result = js({"m": "annotation/model.js"}, """
        const store = new m.AnnotationStore();
        store.load({version: 3, tags: [{id: 7, frame: 0, label_id: 1}], tracks: [],
          shapes: [{id: 1, type: "rectangle", frame: 0, label_id: 1, points: [0, 0, 5, 5]},
                   {id: 2, type: "rectangle", frame: 1, label_id: 1, points: [1, 1, 5, 5]},
                   {id: 3, type: "points", frame: 0, label_id: 1, points: [1, 1]}]});
        const out = {loadedClean: !store.dirty, onFrame0: store.frameObjects(0).shapes.length};
        const [a, b, c] = [1, 2, 3].map((sid) => [...store.objects.values()].find((o) => o.sid === sid));
        store.update(a, {...a.data, points: [1, 1, 6, 6]});
        store.remove([b]);
        const [created] = store.create("shape", [{type: "polygon", frame: 0, label_id: 1, points: [0, 0, 1, 0, 1, 1]}]);
        const plan = store.plan();
        out.plan = {delete: plan.delete, update: plan.update.shapes.map((s) => [s.id, s.points]),
                    create: plan.create.shapes.map((s) => s.type), count: plan.count};
        // The user edits the new polygon while the save is on its way.
        store.savedDeletions(plan);
        store.savedUpdates(plan);
        store.update(created, {...created.data, points: [0, 0, 2, 0, 2, 2]});
        store.savedCreations(plan, {shapes: [{id: 9}], tags: [], tracks: [], version: 4});
        out.afterSave = {dirty: store.dirty, changed: [...store.changed].map((o) => o.sid), version: store.version,
                         createdSid: created.sid};
        // Undo the edit made during the save: back to what the server has.
        store.undo();
        out.afterUndoEdit = store.dirty;
        // Undo the creation: the saved polygon must now be deleted on the server.
        store.undo();
        out.afterUndoCreate = store.plan().delete.shapes;
        // Undo the saved deletion of b: b is gone from the server, so it comes back as a creation.
        store.undo();
        const again = store.plan();
        out.recreate = again.create.shapes.map((s) => s.points);
        // Undo the saved move of a: a differs from the server again.
        store.undo();
        out.reupdate = store.plan().update.shapes.map((s) => [s.id, s.points]);
        store.redo(); store.redo(); store.redo(); store.redo();
        out.redoneChanged = store.plan().count;
        out.c = c.dirty;
        return out;
    """)
    assert result["loadedClean"] and result["onFrame0"] == 2
    assert result["plan"]["delete"] == {"tags": [], "shapes": [{"id": 2}], "tracks": []}
    assert result["plan"]["update"] == [[1, [1, 1, 6, 6]]]
    assert result["plan"]["create"] == ["polygon"] and result["plan"]["count"] == 3
    assert result["afterSave"] == {"dirty": True, "changed": [9], "version": 4, "createdSid": 9}
    assert result["afterUndoEdit"] is False
    assert result["afterUndoCreate"] == [{"id": 9}]
    assert result["recreate"] == [[1, 1, 5, 5]]
    assert result["reupdate"] == [[1, [0, 0, 5, 5]]]
    assert result["redoneChanged"] == 1  # only the polygon edit differs from the server
    assert result["c"] is False


def test_tracks_interpolate_between_keyframes(js: Any) -> None:
    result = js({"t": "annotation/tracks.js"}, """
        const track = {label_id: 1, attributes: [], shapes: [
          {type: "rectangle", frame: 0, points: [0, 0, 10, 10], rotation: 350, outside: false},
          {type: "rectangle", frame: 10, points: [10, 20, 30, 40], rotation: 10, outside: false},
          {type: "rectangle", frame: 20, points: [10, 20, 30, 40], outside: true}]};
        return {
          before: t.interpolate(track, -1), mid: t.interpolate(track, 5), key: t.interpolate(track, 10).keyframe,
          gone: t.interpolate(track, 25),
        };
    """)
    assert result["before"] is None and result["gone"] is None
    assert result["mid"]["points"] == [5, 10, 20, 25] and result["mid"]["rotation"] == 0  # the short way round
    assert result["key"] is True


def test_skeleton_templates(js: Any) -> None:
    result = js({"s": "annotation/skeleton.js"}, """
        const label = {sublabels: [{id: 11, name: "a"}, {id: 12, name: "b"}, {id: 13, name: "c"}],
          svg: '<line data-node-from="2" data-node-to="1"></line><circle cx="10" cy="20" data-node-id="1" data-label-name="b"></circle>'
             + '<circle cx="90" cy="80" data-node-id="2" data-label-id="11"></circle>'};
        const parsed = s.parseSkeleton(label);
        const bare = s.parseSkeleton({sublabels: [{name: "x"}, {name: "y"}]});
        const round = s.parseSkeleton({sublabels: label.sublabels, svg: s.skeletonSvg(parsed)});
        return {parsed, bare: bare.points.map((p) => [Math.round(p.x), Math.round(p.y)]), round,
                placed: s.placeSkeleton({points: [{x: 0, y: 0}, {x: 100, y: 50}], edges: []}, [10, 10, 30, 20])};
    """)
    points = result["parsed"]["points"]
    assert [(p["name"], p["x"], p["y"]) for p in points[:2]] == [("a", 90, 80), ("b", 10, 20)]
    assert result["parsed"]["edges"] == [[0, 1]]  # node 2 is "a" (by label id), node 1 is "b"
    assert result["bare"] == [[50, 15], [50, 85]]
    assert [(p["x"], p["y"]) for p in result["round"]["points"][:2]] == [(90, 80), (10, 20)]
    assert result["round"]["edges"] == [[0, 1]]
    assert result["placed"] == [[10, 10], [30, 20]]


def test_shortcut_keys(js: Any) -> None:
    result = js({"k": "annotation/shortcuts.js"}, """
        const ev = (key, extra = {}) => new KeyboardEvent("keydown", {key, ...extra});
        return [ev("s", {ctrlKey: true}), ev("Z", {ctrlKey: true, shiftKey: true}), ev("f"), ev("F", {shiftKey: true}),
                ev("+", {shiftKey: true}), ev("?", {shiftKey: true}), ev(" "), ev("Delete", {shiftKey: true}),
                ev("2", {ctrlKey: true, code: "Digit2"}), ev("Tab", {shiftKey: true}), ev("x"),
                ev("o"), ev("k"), ev("r"), ev("e"), ev("m"), ev("m", {altKey: true}), ev("b", {ctrlKey: true})].map((e) => k.actionOf(e));
    """)
    assert result == ["save", "redo", "next", None, "forward-z", "help", "play", "forceDelete", "label", "previousObject", None,
                      "outside", "keyframe", "nextKeyframe", "previousKeyframe", "merge", "split", "propagate"]


def test_labels_editor_sends_only_changes(js: Any) -> None:
    result = js({"l": "components/labels-editor.js"}, """
        const saved = [
          {id: 1, name: "car", color: "#ff0000", type: "any", attributes: [
            {id: 5, name: "parked", input_type: "checkbox", mutable: true, values: ["false"], default_value: "false"},
            {id: 6, name: "doors", input_type: "number", mutable: false, values: ["2", "5", "1"], default_value: "2"}]},
          {id: 2, name: "person", color: "#00ff00", type: "skeleton", svg: "", attributes: [],
           sublabels: [{id: 3, name: "head"}, {id: 4, name: "foot"}]}];
        const editor = new l.LabelsEditor({labels: saved, saved: true});
        const untouched = editor.changes();
        editor.drafts[0].name = "auto";
        editor.drafts[0].attributes[0].deleted = true;
        editor.drafts[1].deleted = true;
        const changes = editor.changes();
        const fresh = new l.LabelsEditor();
        fresh.addLabel();
        fresh.drafts[0].name = "x";
        fresh.drafts[0].attributes.push({key: 1, id: null, name: "kind", input_type: "select", mutable: false,
                                         values: [], default_value: "", deleted: false});
        let problem = "";
        try { fresh.specs(); } catch (e) { problem = e.message; }
        return {untouched, changes, problem};
    """)
    assert result["untouched"] == []
    renamed, deleted = result["changes"]
    assert renamed["id"] == 1 and renamed["name"] == "auto"
    assert [(a["id"], a.get("deleted", False)) for a in renamed["attributes"]] == [(5, True), (6, False)]
    assert deleted == {"id": 2, "deleted": True}
    assert "add at least one value" in result["problem"]


def test_api_error_messages(js: Any) -> None:
    result = js({"a": "api.js"}, """
        return [a.errorMessage({detail: "Not found."}, 404),
                a.errorMessage({name: ["This field is required."], labels: [{attributes: [{values: ["Bad."]}]}]}, 400),
                a.errorMessage({non_field_errors: ["Unable to log in with provided credentials."]}, 400),
                a.errorMessage(null, 502), a.errorMessage(null, 0)];
    """)
    assert result == ["Not found.", "name: This field is required. labels.attributes.values: Bad.",
                      "Unable to log in with provided credentials.", "The server answered 502.",
                      "The server cannot be reached."]


def test_frame_loader_prefetches_in_the_direction_of_travel(js: Any) -> None:
    result = js({"f": "annotation/frames.js"}, """
        const asked = [];
        const pending = new Map();
        const fetchFrame = (n) => { asked.push(n); return new Promise((ok) => pending.set(n, ok)); };
        const loader = new f.FrameLoader(fetchFrame, {first: 0, last: 100, ahead: 3, behind: 1, parallel: 2, pixels: 1});
        const first = loader.get(50);
        loader.prefetch(50, -1);
        const startedFirst = asked.slice();
        const bitmap = (n) => ({n, close() {}});
        for (const n of [...pending.keys()]) { pending.get(n)(bitmap(n)); pending.delete(n); }
        await first;
        await new Promise((r) => setTimeout(r, 0));
        for (let i = 0; i < 5; i++) {
          for (const n of [...pending.keys()]) { pending.get(n)(bitmap(n)); pending.delete(n); }
          await new Promise((r) => setTimeout(r, 0));
        }
        return {startedFirst, asked, has: [49, 48, 47, 51].map((n) => loader.has(n)), capacity: loader.capacity};
    """)
    assert result["startedFirst"] == [50, 49]  # the asked-for frame first, then the way we are going
    assert sorted(result["asked"]) == [47, 48, 49, 50, 51]
    assert result["has"] == [True, True, True, True]


def test_task_files_are_checked_in_the_browser(js: Any) -> None:
    result = js({"t": "task-files.js"}, """
        const f = (name, size = 10) => ({name, size});
        return {
          none: t.checkTaskFiles([]),
          fine: t.checkTaskFiles([f("a.PNG"), f("b.jpeg"), f("c.zip"), f("d.tar.gz")]),
          video: t.checkTaskFiles([f("clip.mp4")]),
          bad: t.checkTaskFiles([f("notes.txt"), f("empty.png", 0), f("x.png")]),
          videos: t.checkTaskFiles([f("a.mp4"), f("b.mov")]),
          mixed: t.checkTaskFiles([f("a.mp4"), f("b.png")]),
          kinds: ["a.JPG", "b.webm", "c.tgz", "d.gz", "e"].map((name) => t.fileKind({name})),
        };
    """)
    assert result["none"] == ["Add the images (or a video, or an archive) to annotate."]
    assert result["fine"] == [] and result["video"] == []
    assert result["bad"] == ["“notes.txt” is neither an image, a video nor an archive (zip, tar).", "“empty.png” is empty."]
    assert result["videos"] == ["A task holds one video; choose one of them."]
    assert result["mixed"] == ["A task holds either one video or images, not both."]
    assert result["kinds"] == ["image", "video", "archive", None, None]


def test_route_parameters_can_be_restricted(js: Any) -> None:
    result = js({"r": "router.js"}, """
        const id = r.compile(`/tasks/:id(${r.ID})`);
        const any = r.compile("/tasks/:name");
        return {
          ids: ["/tasks/1", "/tasks/42/", "/tasks/abc", "/tasks/0", "/tasks/-3", "/tasks/1e3", "/tasks/" + "9".repeat(19)]
            .map((path) => id.exec(path)?.groups.id ?? null),
          any: any.exec("/tasks/abc").groups.name,
        };
    """)
    assert result["ids"] == ["1", "42", None, None, None, None, None]
    assert result["any"] == "abc"


# -- one interpolation: the workspace's (tracks.js) against the server's (formats/tracks.py) ---------

def _kf(frame: int, type_: str, points: list[float], **extra: Any) -> dict[str, Any]:
    return {"type": type_, "frame": frame, "points": points, "rotation": 0, "occluded": False, "outside": False,
            "z_order": 0, "attributes": [], **extra}


#: API-form tracks that exercise every rule: linear types, rotation across 0°/180°, point counts
#: that differ, masks, outside keyframes (before and after), re-entering, attributes, skeletons.
TRACK_CASES: list[dict[str, Any]] = [
    {"label_id": 1, "attributes": [{"spec_id": 1, "value": "red"}], "shapes": [
        _kf(0, "rectangle", [0, 0, 10, 10], rotation=350, attributes=[{"spec_id": 2, "value": "a"}]),
        _kf(4, "rectangle", [8, 4, 30, 20], rotation=10, occluded=True, z_order=3),
        _kf(7, "rectangle", [8, 4, 30, 20], rotation=190, attributes=[{"spec_id": 2, "value": "b"}]),
        _kf(9, "rectangle", [8, 4, 30, 20], outside=True),
        _kf(11, "rectangle", [50, 50, 60, 60], rotation=45)]},
    {"label_id": 1, "attributes": [], "shapes": [
        _kf(1, "polygon", [0, 0, 10, 0, 10, 10]), _kf(5, "polygon", [4, 4, 20, 4, 20, 20]),
        _kf(8, "polygon", [0, 0, 5, 0, 5, 5, 0, 5]), _kf(10, "polygon", [1, 1, 6, 1, 6, 6, 1, 6])]},
    {"label_id": 2, "attributes": [], "shapes": [
        _kf(0, "ellipse", [20, 20, 30, 25], rotation=180), _kf(6, "ellipse", [40, 20, 55, 30], rotation=0)]},
    {"label_id": 2, "attributes": [], "shapes": [
        _kf(2, "points", [1, 2, 3, 4]), _kf(3, "points", [5, 6, 7, 8]), _kf(12, "points", [9, 9, 9, 9])]},
    {"label_id": 2, "attributes": [], "shapes": [
        _kf(0, "polyline", [0, 0, 12, 12]), _kf(6, "polyline", [6, 0, 18, 12], outside=True)]},
    {"label_id": 2, "attributes": [], "shapes": [
        _kf(0, "cuboid", list(range(16))), _kf(8, "cuboid", [v * 2 for v in range(16)])]},
    {"label_id": 3, "attributes": [], "shapes": [
        _kf(0, "mask", [0, 6, 1, 1, 3, 2]), _kf(5, "mask", [0, 6, 3, 3, 5, 4])]},
    {"label_id": 4, "attributes": [], "shapes": [
        _kf(0, "skeleton", [], outside=False), _kf(6, "skeleton", []), _kf(9, "skeleton", [], outside=True)],
     "elements": [
        {"label_id": 5, "attributes": [], "shapes": [_kf(0, "points", [10, 10]), _kf(6, "points", [22, 16])]},
        {"label_id": 6, "attributes": [{"spec_id": 7, "value": "x"}], "shapes": [
            _kf(3, "points", [30, 30], occluded=True), _kf(5, "points", [30, 30], outside=True), _kf(8, "points", [40, 40])]}]},
]
FRAMES = range(-1, 14)


def _python_track(data: dict[str, Any]) -> Track:
    def attrs(items: list[dict[str, Any]]) -> tuple[Attribute, ...]:
        return tuple(Attribute(str(a["spec_id"]), a["value"]) for a in items)

    def keyframes(items: list[dict[str, Any]]) -> tuple[TrackedShape, ...]:
        return tuple(TrackedShape(s["frame"], ShapeType(s["type"]), tuple(float(v) for v in s["points"]),
                                  occluded=s["occluded"], outside=s["outside"], z_order=s["z_order"],
                                  rotation=float(s["rotation"]), attributes=attrs(s["attributes"])) for s in items)

    elements = tuple(Track(str(e["label_id"]), keyframes(e["shapes"]), attributes=attrs(e["attributes"]))
                     for e in data.get("elements", []))
    return Track(str(data["label_id"]), keyframes(data["shapes"]), attributes=attrs(data["attributes"]), elements=elements)


def _comparable(shape: Any, python: bool) -> dict[str, Any]:
    """The fields both sides give, in one form (attributes as (spec id, value), numbers rounded)."""
    if python:
        attributes = sorted((int(a.name), a.value) for a in shape.attributes)
        fields = {"type": str(shape.type), "label": int(shape.label), "points": list(shape.points),
                  "rotation": shape.rotation, "occluded": shape.occluded, "outside": shape.outside,
                  "keyframe": shape.keyframe, "attributes": attributes}
        if str(shape.type) != "points" or shape.elements:
            fields["z_order"] = shape.z_order
        fields["elements"] = [_comparable(e, True) for e in shape.elements]
    else:
        fields = {"type": shape["type"], "label": shape["label_id"], "points": list(shape["points"]),
                  "rotation": shape.get("rotation", 0), "occluded": bool(shape.get("occluded")),
                  "outside": bool(shape.get("outside")), "keyframe": shape["keyframe"],
                  "attributes": sorted((a["spec_id"], a["value"]) for a in shape.get("attributes", []))}
        if shape["type"] != "points" or shape.get("elements"):
            fields["z_order"] = shape.get("z_order", 0)
        fields["elements"] = [_comparable(e, False) for e in shape.get("elements") or []]
    fields["points"] = [round(v, 6) for v in fields["points"]]
    fields["rotation"] = round(fields["rotation"], 6) % 360
    return fields


@pytest.mark.parametrize("include_outside", [False, True])
def test_js_interpolation_matches_the_server(js: Any, include_outside: bool) -> None:
    """tracks.js and inklab.formats.tracks give the same shape on every frame of every case."""
    frames = list(FRAMES)
    browser = js({"t": "annotation/tracks.js"}, """
        return arg.tracks.map((track) => arg.frames.map((f) => t.interpolate(track, f, {includeOutside: arg.outside})));
    """, {"tracks": TRACK_CASES, "frames": frames, "outside": include_outside})
    compared = 0
    for case, per_frame in zip(TRACK_CASES, browser, strict=True):
        server = dict(track_shapes(_python_track(case), frames, 0, include_outside=include_outside))
        for frame, js_shape in zip(frames, per_frame, strict=True):
            expected = server.get(frame)
            assert (js_shape is None) == (expected is None), (case["shapes"][0]["type"], frame, js_shape, expected)
            if expected is not None:
                assert _comparable(js_shape, False) == _comparable(expected, True), (case["shapes"][0]["type"], frame)
                compared += 1
    assert compared > 60  # most frames of most cases show something


def test_track_edits_make_keyframes_only_where_edited(js: Any) -> None:
    result = js({"e": "annotation/track-edits.js", "t": "annotation/tracks.js"}, """
        const kf = (frame, points, extra = {}) => ({type: "rectangle", frame, points, rotation: 0, occluded: false,
          outside: false, z_order: 0, attributes: [], ...extra});
        const track = {frame: 0, label_id: 1, group: 0, source: "manual", attributes: [], elements: [],
          shapes: [kf(0, [0, 0, 10, 10]), kf(10, [100, 0, 110, 10])]};
        const moved = e.setKeyframe(track, 5, {points: [50, 50, 60, 60]});
        const outside = e.setKeyframe(moved, 8, {outside: true});
        const back = e.setKeyframe(outside, 9, {outside: false});
        const [first, second] = e.splitTrack(track, 4);
        const merged = e.mergeObjects([
          {kind: "shape", data: {type: "rectangle", frame: 6, label_id: 1, points: [6, 6, 9, 9], attributes: [{spec_id: 2, value: "m"}]}},
          {kind: "shape", data: {type: "rectangle", frame: 2, label_id: 1, points: [2, 2, 5, 5], attributes: [{spec_id: 3, value: "i"}]}},
        ], new Set([2]), 100);
        const mergedAtEnd = e.mergeObjects([{kind: "track", data: track},
          {kind: "shape", data: {type: "rectangle", frame: 12, label_id: 1, points: [6, 6, 9, 9]}}], new Set(), 12);
        let refused = null;
        try { e.mergeObjects([{kind: "track", data: track}, {kind: "shape", data: {type: "polygon", frame: 1, label_id: 1,
          points: [0, 0, 1, 0, 1, 1]}}], new Set(), 100); } catch (err) { refused = err.message; }
        return {
          movedFrames: e.keyframes(moved), atFrame3: t.interpolate(moved, 3).points, kept10: moved.shapes[2].points,
          outsideAt8: t.interpolate(outside, 8), outsideFrames: e.keyframes(outside), backAt9: t.interpolate(back, 9).points,
          removed: e.keyframes(e.removeKeyframe(moved, 5)), lastKept: e.removeKeyframe({...track, shapes: [track.shapes[0]]}, 0),
          notKey: e.removeKeyframe(track, 3),
          first: first.shapes.map((s) => [s.frame, s.outside]), second: second.shapes.map((s) => [s.frame, s.points]),
          secondFrame: second.frame, splitOutside: e.splitTrack(track, 0),
          merged: merged.shapes.map((s) => [s.frame, s.outside, s.attributes]), mergedFrame: merged.frame,
          mergedAttrs: merged.attributes, refused, mergedAtEnd: mergedAtEnd.shapes.map((s) => [s.frame, s.outside]),
          next: e.neighbourKeyframe(moved, 5, 1), previous: e.neighbourKeyframe(moved, 5, -1), none: e.neighbourKeyframe(moved, 10, 1),
          skeleton: (() => {
            const pt = (frame, points, extra = {}) => ({type: "points", frame, points, rotation: 0, occluded: false, outside: false,
              z_order: 0, attributes: [], ...extra});
            const sk = {frame: 0, label_id: 4, attributes: [], shapes: [{...kf(0, []), type: "skeleton"}], elements: [
              {frame: 0, label_id: 5, attributes: [], shapes: [pt(0, [1, 1])]},
              {frame: 5, label_id: 6, attributes: [], shapes: [pt(5, [9, 9])]}]};
            const edited = e.setKeyframe(sk, 2, {elements: [{points: [3, 3]}, {}]});
            return edited.elements.map((el) => el.shapes.map((s) => [s.frame, s.points, s.outside]));
          })(),
          shape: e.shapeFromTrack(moved, 3), asTrack: e.trackFromShape({type: "rectangle", frame: 4, label_id: 1,
            points: [1, 2, 3, 4], attributes: [{spec_id: 2, value: "m"}, {spec_id: 3, value: "i"}]}, new Set([2])),
        };
    """)
    assert result["movedFrames"] == [0, 5, 10] and result["atFrame3"] == [30, 30, 40, 40]
    assert result["kept10"] == [100, 0, 110, 10], "other keyframes stay as they were"
    assert result["outsideAt8"] is None and result["outsideFrames"] == [0, 5, 8, 10]
    assert result["backAt9"] == [80, 20, 90, 30], "re-entering starts from the state it left with"
    assert result["removed"] == [0, 10] and result["lastKept"] is None and result["notKey"] is None
    assert result["first"] == [[0, False], [4, True]]
    assert result["second"] == [[4, [40, 0, 50, 10]], [10, [100, 0, 110, 10]]] and result["secondFrame"] == 4
    assert result["splitOutside"] is None
    # Two single shapes (CVAT's rule): keyframes on their frames, each outside on the next; mutable attributes per keyframe.
    m = [{"spec_id": 2, "value": "m"}]
    assert result["merged"] == [[2, False, []], [3, True, []], [6, False, m], [7, True, m]]
    assert result["mergedAtEnd"] == [[0, False], [10, False], [12, False]], "a track keeps its keyframes; nothing after the job"
    assert result["mergedFrame"] == 2 and result["mergedAttrs"] == [{"spec_id": 3, "value": "i"}]
    assert result["refused"] == "Only objects of one shape type can be merged."
    assert (result["next"], result["previous"], result["none"]) == (10, 0, None)
    # A skeleton keyframe keys every point; a point that starts later stays outside before it.
    assert result["skeleton"] == [[[0, [1, 1], False], [2, [3, 3], False]], [[2, [9, 9], True], [5, [9, 9], False]]]
    assert result["shape"]["frame"] == 3 and result["shape"]["points"] == [30, 30, 40, 40] and result["shape"]["outside"] is False
    assert result["asTrack"]["attributes"] == [{"spec_id": 3, "value": "i"}]
    assert result["asTrack"]["shapes"] == [{"type": "rectangle", "frame": 4, "points": [1, 2, 3, 4], "rotation": 0,
                                            "occluded": False, "outside": False, "z_order": 0,
                                            "attributes": [{"spec_id": 2, "value": "m"}]}]


def test_object_filters(js: Any) -> None:
    result = js({"f": "annotation/filter.js"}, """
        const records = [
          {label: "car", type: "shape", shape: "rectangle", occluded: false, width: 50, height: 20, serverID: 7, objectID: 1,
           attr: {color: "red", "two words": "x"}},
          {label: "car", type: "track", shape: "rectangle", occluded: true, width: 10, height: 10, serverID: null, objectID: 2,
           attr: {color: "blue"}},
          {label: "road", type: "shape", shape: "polygon", occluded: false, width: 200, height: 90, serverID: 9, objectID: 3, attr: {}},
          {label: "weather", type: "tag", shape: "", occluded: false, width: 0, height: 0, serverID: 4, objectID: 4, attr: {}},
        ];
        const ids = (text) => { const p = f.parseFilter(text); return records.filter((r) => !p || p(r)).map((r) => r.objectID); };
        const error = (text) => { try { f.parseFilter(text); return null; } catch (e) { return [e instanceof f.FilterError, e.message]; } };
        return {
          empty: ids("  "), label: ids('label=="car"'), and: ids('label=="car" & occluded==true'),
          or: ids("type==tag | width>=200"), precedence: ids('label==road | label==car & type==track'),
          grouped: ids('(label==road | label==car) & !(type==track)'), words: ids("not label==car and shape!=polygon"),
          attr: ids('attr.color=="blue"'), quotedAttr: ids('attr."two words"==x'), missingAttr: ids("attr.color!=red"),
          server: ids("serverID<8"), like: ids("label like AR"), decimal: ids("height>9.5 & height<20.5"),
          errors: [error('label="car"'), error("colour==red"), error('label=="car'), error("(label==car"), error("label==car road"),
                   error("label==")],
        };
    """)
    assert result["empty"] == [1, 2, 3, 4]
    assert result["label"] == [1, 2] and result["and"] == [2]
    assert result["or"] == [3, 4]
    assert result["precedence"] == [2, 3], "& binds tighter than |"
    assert result["grouped"] == [1, 3] and result["words"] == [4]
    assert result["attr"] == [2] and result["quotedAttr"] == [1]
    assert result["missingAttr"] == [2, 3, 4], "no such attribute: only != passes"
    assert result["server"] == [1, 4] and result["like"] == [1, 2] and result["decimal"] == [1, 2]
    assert all(e is not None and e[0] for e in result["errors"])
    messages = [e[1] for e in result["errors"]]
    assert messages[0] == 'Unexpected "=" at 6.'
    assert messages[1] == 'Unknown property "colour" at 1.'
    assert messages[2] == "Unclosed quote at 8."
    assert messages[3] == 'Expected ")" at the end.'
    assert messages[4] == 'Expected "&", "|" or the end at 12, found "road".'
    assert messages[5] == "Expected a value at the end."


def test_object_filter_operators_and_round_trip(js: Any) -> None:
    """CVAT's other operators (in, between, is empty, starts/ends with), rule checks, and text → tree →
    text giving the same text and the same tree (the query builder edits that tree)."""
    result = js({"f": "annotation/filter.js"}, """
        const records = [
          {label: "car", type: "shape", shape: "rectangle", occluded: false, width: 50, height: 20, serverID: 7, objectID: 1,
           attr: {color: "red", plate: "AB-12"}},
          {label: "car", type: "track", shape: "rectangle", occluded: true, width: 10, height: 10, serverID: null, objectID: 2,
           attr: {color: "blue", plate: ""}},
          {label: "road", type: "shape", shape: "polygon", occluded: false, width: 200, height: 90, serverID: 9, objectID: 3, attr: {}},
        ];
        const ids = (text) => { const p = f.parseFilter(text); return records.filter((r) => !p || p(r)).map((r) => r.objectID); };
        const error = (text) => { try { f.parseFilter(text); return null; } catch (e) { return e instanceof f.FilterError ? e.message : String(e); } };
        const texts = ['label=="car" & (occluded==true | width>40)', '!(label in ("car", "road x")) | attr."two words" is not empty',
          '(width between (1, 5) & height not between (2, 3)) | label starts with "ca"', 'shape!="polygon" & !(type=="track")',
          'attr.plate ends with 12 | serverID is empty', "width>@height & attr.plate starts with @label"];
        const trips = texts.map((t) => { const tree = f.parseFilterTree(t); const back = f.formatFilter(tree);
          return [back, JSON.stringify(f.parseFilterTree(back)) === JSON.stringify(tree)]; });
        return {
          anyIn: ids('label in ("road", "bus")'), notIn: ids("objectID not in (1, 3)"), between: ids("width between (10, 50)"),
          notBetween: ids("width not between (10, 50)"), empty: ids("attr.plate is empty"), notEmpty: ids("attr.plate is not empty"),
          serverEmpty: ids("serverID is empty"), starts: ids("attr.plate starts with ab"), ends: ids('label ends with "AD"'),
          missingNotIn: ids("attr.color not in (red)"),
          fieldWider: ids("width > @height"), fieldSame: ids("width==@height"), fieldAttr: ids('attr.plate like @attr.color'),
          fieldMissing: ids("attr.plate != @attr.color"),
          trips, tree: f.parseFilterTree('label=="car" & (attr.color=="blue" | occluded==true)'),
          errors: [error("width between (5, 1)"), error("width > abc"), error("width between (5)"), error("label in car"),
                   error("occluded==maybe"), error("label is full"), error("width in @height"), error("width>@depth")],
        };
    """)
    assert result["anyIn"] == [3] and result["notIn"] == [2]
    assert result["between"] == [1, 2] and result["notBetween"] == [3], "both ends are in the range"
    assert result["empty"] == [2, 3] and result["notEmpty"] == [1], "a missing attribute is empty"
    assert result["serverEmpty"] == [2]
    assert result["starts"] == [1] and result["ends"] == [3]
    assert result["missingNotIn"] == [2, 3]
    # Field values: compared with another property of the same object; a missing one passes only "!=".
    assert result["fieldWider"] == [1, 3] and result["fieldSame"] == [2]
    assert result["fieldAttr"] == [] and result["fieldMissing"] == [1, 2, 3]
    for text, (back, same_tree) in zip(
            ['label=="car" & (occluded==true | width>40)', '!(label in ("car", "road x")) | attr."two words" is not empty',
             '(width between (1, 5) & height not between (2, 3)) | label starts with "ca"', 'shape!="polygon" & !(type=="track")',
             'attr.plate ends with 12 | serverID is empty', "width>@height & attr.plate starts with @label"],
            result["trips"], strict=True):
        assert back == text and same_tree
    assert result["tree"] == {"kind": "group", "join": "and", "not": False, "children": [
        {"kind": "rule", "property": "label", "op": "==", "values": ["car"]},
        {"kind": "group", "join": "or", "not": False, "children": [
            {"kind": "rule", "property": "attr", "attr": "color", "op": "==", "values": ["blue"]},
            {"kind": "rule", "property": "occluded", "op": "==", "values": ["true"]}]}]}
    assert result["errors"] == [
        "At 7: The range of width starts after it ends (5 > 1).",
        'At 7: width takes numbers, not "abc".',
        "At 7: \"between\" takes two values: the range's ends.",
        'Expected "(" and the values of "in" at 10, found "car".',
        "At 9: occluded is true or false.",
        "Expected an operator (==, !=, <, <=, >, >=, like, starts with, ends with, in, not in, between, not between, is empty, "
        'is not empty) at 7, found "is".',
        'Expected "(" and the values of "in" at 10, found "@".',
        'Unknown property "depth" at 8.',
    ]


def test_recent_filters_keep_the_last_ten_newest_first(js: Any) -> None:
    result = js({"d": "components/filter-dialog.js"}, """
        localStorage.removeItem("inklab.filters.u1");
        for (let i = 0; i < 12; i += 1) d.rememberFilter("u1", `width>${i}`);
        const ten = d.recentFilters("u1");
        d.rememberFilter("u1", "width>5");
        d.rememberFilter("u1", "   ");
        const again = d.recentFilters("u1");
        localStorage.setItem("inklab.filters.u2", "{not json");
        return {ten, again, other: d.recentFilters("u2"), nobody: d.recentFilters("u3")};
    """)
    assert result["ten"] == [f"width>{i}" for i in range(11, 1, -1)]
    assert result["again"] == ["width>5"] + [f"width>{i}" for i in range(11, 1, -1) if i != 5], "once, moved first"
    assert result["other"] == [] and result["nobody"] == []


def _zip(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_STORED) -> list[int]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return list(buffer.getvalue())


def test_zip_chunks_are_cut_into_frames(js: Any) -> None:
    # Two chunks of 3 frames (job frames 10..15); each member's bytes name its frame.
    chunks = [_zip([(f"{f:06d}.jpg", f"frame {f} ".encode() * (f + 1)) for f in range(10 + 3 * i, 13 + 3 * i)])
              for i in range(2)]
    result = js({"c": "annotation/chunks.js"}, """
        const asked = [];
        const source = new c.ChunkSource(async (index) => { asked.push(index); return new Blob([new Uint8Array(arg.chunks[index])]); },
          {start: 10, stop: 15, chunkSize: 3, keep: 1});
        const text = async (frame) => new TextDecoder().decode(await (await source.frame(frame)).arrayBuffer());
        const frames = [await text(14), await text(13), await text(15), await text(10)];
        const members = c.zipMembers(new Uint8Array(arg.chunks[0]).buffer).map((m) => m.size);
        const error = async (f) => { try { await f(); return null; } catch (e) { return e.message; } };
        return {frames, asked, members, kept: [...source.chunks.keys()],
          outside: await error(() => source.frame(16)),
          deflated: await error(async () => c.zipMembers(new Uint8Array(arg.deflated).buffer)),
          notZip: await error(async () => c.zipMembers(new Uint8Array(64).buffer)),
          broken: await (async () => {
            const bad = new c.ChunkSource(async () => { throw new Error("409"); }, {start: 0, stop: 9, chunkSize: 5});
            const first = await error(() => bad.frame(3));
            const again = await error(() => bad.frame(4));
            return {first, again, fetched: bad.fetched, broken: [bad.broken(4), bad.broken(5)], holds: bad.holds(4)};
          })()};
    """, {"chunks": chunks, "deflated": _zip([("000000.jpg", b"x" * 500)], zipfile.ZIP_DEFLATED)})
    assert result["frames"] == ["frame 14 " * 15, "frame 13 " * 14, "frame 15 " * 16, "frame 10 " * 11]
    # One request per chunk while it is kept; with room for one chunk, going back fetches chunk 0 again.
    assert result["asked"] == [1, 0]
    assert result["members"] == [len("frame 10 ") * 11, len("frame 11 ") * 12, len("frame 12 ") * 13]
    assert result["kept"] == [0]
    assert result["outside"] == "Frame 16 is not in this job."
    assert result["deflated"] == "The chunk has compressed members; only stored ones are read."
    assert result["notZip"] == "The chunk is not a zip archive."
    # A chunk that cannot be fetched is not asked for again: its frames come on their own.
    assert result["broken"] == {"first": "409", "again": "Chunk 0 could not be read.", "fetched": 1,
                                "broken": [True, False], "holds": False}


def test_chunk_source_drops_chunks_behind_first(js: Any) -> None:
    result = js({"c": "annotation/chunks.js"}, """
        const source = new c.ChunkSource(async () => new Blob([]), {start: 0, stop: 99, chunkSize: 10, keep: 3});
        source.fetchChunk = () => new Promise(() => {});  // never answers: only the bookkeeping is checked
        for (const i of [4, 5, 6]) source.chunk(i);
        source.chunk(7);  // playing forwards: chunk 4 (furthest behind) goes
        const forwards = [...source.chunks.keys()].sort((a, b) => a - b);
        source.chunk(2);  // a jump back: the chunks furthest from it go, ahead of it before behind
        return {forwards, back: [...source.chunks.keys()].sort((a, b) => a - b), fetched: source.fetched};
    """)
    assert result["forwards"] == [5, 6, 7]
    assert result["back"] == [2, 5, 6]
    assert result["fetched"] == 5


def test_frame_loader_frees_frames_behind(js: Any) -> None:
    result = js({"f": "annotation/frames.js"}, """
        const closed = [];
        const loader = new f.FrameLoader(async (n) => ({n, close() { closed.push(n); }}), {first: 0, last: 100, pixels: 1});
        for (const n of [3, 4, 5, 6, 7, 8]) await loader.get(n);
        loader.dropBehind(7, 1, 2);
        const forwards = [...loader.ready.keys()].sort((a, b) => a - b);
        loader.dropBehind(5, -1, 1);
        return {forwards, backwards: [...loader.ready.keys()].sort((a, b) => a - b), closed: closed.sort((a, b) => a - b)};
    """)
    assert result["forwards"] == [5, 6, 7, 8]
    assert result["backwards"] == [5, 6]
    assert result["closed"] == [3, 4, 7, 8]


def test_frame_search_finds_objects_filtered_objects_and_empty_frames(js: Any) -> None:
    """Frames 0..30: shapes on 3 and 20 (a tag on 25), a track drawn on 8..11 (outside from 12) and
    again from 28; frames 9 and 27 are deleted. Each search skips deleted frames and stops at the ends."""
    result = js({"m": "annotation/model.js", "s": "annotation/frame-search.js", "f": "annotation/filter.js"}, """
        const store = new m.AnnotationStore();
        store.load({version: 1, tags: [{id: 7, frame: 25, label_id: 2, attributes: []}],
          shapes: [{id: 1, type: "rectangle", frame: 3, label_id: 1, points: [0, 0, 5, 5], attributes: []},
                   {id: 2, type: "rectangle", frame: 20, label_id: 2, points: [0, 0, 50, 50], attributes: []}],
          tracks: [{id: 3, frame: 8, label_id: 1, attributes: [], shapes: [
            {type: "rectangle", frame: 8, points: [0, 0, 10, 10], outside: false, attributes: []},
            {type: "rectangle", frame: 12, points: [0, 0, 10, 10], outside: true, attributes: []},
            {type: "rectangle", frame: 28, points: [0, 0, 90, 90], outside: false, attributes: []}]}]});
        const skip = new Set([9, 27]);
        const base = {first: 0, last: 30, skip};
        const find = (from, direction, mode, passes) => s.searchFrame(store, {...base, from, direction, mode, passes});
        const labels = {1: {name: "car", attributes: []}, 2: {name: "road", attributes: []}};
        const filter = (text) => {
          const p = f.parseFilter(text);
          return ({obj, shape}) => p(f.filterRecord(obj, shape, labels[shape.label_id]));
        };
        const walk = (mode, passes) => {
          const seen = [];
          let at = -1;
          for (let n = 0; n < 40; n += 1) {
            const next = find(at, 1, mode, passes);
            if (next === null) break;
            seen.push(next);
            at = next;
          }
          return seen;
        };
        return {
          spans: s.visibleSpans(store.tracks.values().next().value.data.shapes),
          objects: walk("objects", null),
          backwards: [find(30, -1, "objects", null), find(8, -1, "objects", null), find(3, -1, "objects", null)],
          cars: walk("objects", filter('label=="car"')),
          wide: walk("objects", filter("width>40")),
          tags: walk("objects", filter("type==tag")),
          none: find(0, 1, "objects", filter('label=="bus"')),
          empty: walk("empty", null).slice(0, 6),
          emptyBack: find(28, -1, "empty", null),
        };
    """)
    assert result["spans"] == [[8, 11], [28, float("inf")]]
    assert result["objects"] == [3, 8, 10, 11, 20, 25, 28, 29, 30]
    assert result["backwards"] == [29, 3, None]
    assert result["cars"] == [3, 8, 10, 11, 28, 29, 30]
    assert result["wide"] == [20, 28, 29, 30]
    assert result["tags"] == [25]
    assert result["none"] is None
    assert result["empty"] == [0, 1, 2, 4, 5, 6]
    assert result["emptyBack"] == 26
