"""Annotations of tasks and jobs: every shape type, tracks, skeletons, PATCH actions, validation."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(api: APIClient, make_task) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    task = make_task(6, segment_size=3)
    labels = {label["name"]: label for label in api.get("/api/labels", {"task_id": task["id"]}).json()["results"]}
    task["L"] = labels
    task["A"] = {a["name"]: a["id"] for a in labels["car"]["attributes"]}
    task["jobs"] = api.get("/api/jobs", {"task_id": task["id"]}).json()["results"]
    return task


def every_shape(task: dict[str, Any]) -> dict[str, Any]:
    car, person, scene = task["L"]["car"], task["L"]["person"], task["L"]["scene"]
    head, hand = person["sublabels"]
    side = hand["attributes"][0]["id"]
    A = task["A"]
    attrs = [{"spec_id": A["color"], "value": "blue"}, {"spec_id": A["parked"], "value": "true"},
             {"spec_id": A["speed"], "value": "35"}, {"spec_id": A["plate"], "value": "AB 123"},
             {"spec_id": A["kind"], "value": "van"}]
    box = {"type": "rectangle", "frame": 0, "label_id": car["id"], "points": [10.5, 20, 30, 40], "rotation": 45.0,
           "z_order": 3, "group": 2, "occluded": True, "source": "auto", "score": 0.75, "attributes": attrs}
    return {
        "tags": [{"frame": 1, "label_id": scene["id"], "source": "manual", "group": 0, "attributes": []}],
        "shapes": [
            box,
            {"type": "polygon", "frame": 1, "label_id": car["id"], "points": [0, 0, 10, 0, 10, 10]},
            {"type": "polyline", "frame": 1, "label_id": car["id"], "points": [0, 0, 5, 5]},
            {"type": "points", "frame": 2, "label_id": car["id"], "points": [1, 2, 3, 4, 5, 6]},
            {"type": "ellipse", "frame": 2, "label_id": car["id"], "points": [20, 20, 30, 10]},
            {"type": "cuboid", "frame": 3, "label_id": car["id"], "points": list(range(16))},
            {"type": "mask", "frame": 3, "label_id": car["id"], "points": [0, 6, 1, 1, 3, 2]},
            {"type": "skeleton", "frame": 4, "label_id": person["id"], "elements": [
                {"type": "points", "frame": 4, "label_id": head["id"], "points": [5, 5]},
                {"type": "points", "frame": 4, "label_id": hand["id"], "points": [7, 9], "outside": True,
                 "occluded": True, "attributes": [{"spec_id": side, "value": "left"}]},
            ]},
        ],
        "tracks": [
            {"frame": 0, "label_id": car["id"], "group": 1, "attributes": [{"spec_id": A["color"], "value": "red"}],
             "shapes": [
                 {"type": "rectangle", "frame": 0, "points": [0, 0, 10, 10],
                  "attributes": [{"spec_id": A["speed"], "value": "10"}]},
                 {"type": "rectangle", "frame": 2, "points": [2, 2, 12, 12], "occluded": True},
                 {"type": "rectangle", "frame": 5, "points": [5, 5, 15, 15], "outside": True},
             ]},
            {"frame": 1, "label_id": person["id"], "shapes": [{"type": "skeleton", "frame": 1, "points": []}],
             "elements": [
                 {"frame": 1, "label_id": head["id"], "shapes": [
                     {"type": "points", "frame": 1, "points": [1, 1]},
                     {"type": "points", "frame": 3, "points": [2, 2], "outside": True}]},
                 {"frame": 1, "label_id": hand["id"], "shapes": [{"type": "points", "frame": 1, "points": [3, 3]}]},
             ]},
        ],
    }


def strip_ids(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: strip_ids(v) for k, v in obj.items() if k != "id"}
    if isinstance(obj, list):
        return [strip_ids(v) for v in obj]
    return obj


def test_every_shape_type_round_trips_exactly(api: APIClient, task: dict[str, Any]) -> None:
    payload = every_shape(task)
    response = api.put(f"/api/tasks/{task['id']}/annotations/", payload, format="json")
    assert response.status_code == 200, response.content
    data = api.get(f"/api/tasks/{task['id']}/annotations/").json()
    assert data["version"] == 1 and data["intervals"] == []
    assert len(data["tags"]) == 1 and len(data["shapes"]) == 8 and len(data["tracks"]) == 2
    box = data["shapes"][0]
    assert box == {**payload["shapes"][0], "id": box["id"], "outside": False, "elements": []}
    for sent, got in zip(payload["shapes"], data["shapes"], strict=True):
        assert got["type"] == sent["type"] and got["points"] == [float(p) for p in sent.get("points", [])]
        assert isinstance(got["id"], int) and got["source"] and got["score"] is not None
    skeleton = data["shapes"][-1]
    assert [e["outside"] for e in skeleton["elements"]] == [False, True]
    assert skeleton["elements"][1]["attributes"][0]["value"] == "left"
    assert all(isinstance(e["id"], int) for e in skeleton["elements"])
    track = data["tracks"][0]
    assert [s["frame"] for s in track["shapes"]] == [0, 2, 5] and track["shapes"][2]["outside"] is True
    assert track["attributes"] == [{"spec_id": task["A"]["color"], "value": "red"}]
    assert track["shapes"][0]["attributes"] == [{"spec_id": task["A"]["speed"], "value": "10"}]
    assert [len(e["shapes"]) for e in data["tracks"][1]["elements"]] == [2, 1]
    # What comes out goes back in unchanged (a GET → PUT round trip is lossless).
    again = api.put(f"/api/tasks/{task['id']}/annotations/", data, format="json")
    assert again.status_code == 200
    assert strip_ids(api.get(f"/api/tasks/{task['id']}/annotations/").json()["shapes"]) == strip_ids(data["shapes"])


def test_patch_create_update_delete(api: APIClient, task: dict[str, Any]) -> None:
    car = task["L"]["car"]["id"]
    url = f"/api/tasks/{task['id']}/annotations/"
    shape = {"type": "rectangle", "frame": 0, "label_id": car, "points": [1, 1, 2, 2], "id": 999}
    created = api.patch(url + "?action=create", {"shapes": [shape, {**shape, "frame": 1}]}, format="json").json()
    ids = [s["id"] for s in created["shapes"]]
    assert len(set(ids)) == 2 and 999 not in ids and created["version"] == 1
    changed = {**created["shapes"][0], "points": [5, 5, 9, 9]}
    updated = api.patch(url + "?action=update", {"shapes": [changed]}, format="json")
    assert updated.status_code == 200 and updated.json()["shapes"][0]["points"] == [5, 5, 9, 9]
    after_update = api.get(url).json()
    assert after_update["version"] == 2
    assert {s["id"]: s["points"] for s in after_update["shapes"]} == {ids[0]: [5, 5, 9, 9], ids[1]: [1, 1, 2, 2]}
    missing = api.patch(url + "?action=update", {"shapes": [{**changed, "id": 123456}]}, format="json")
    assert missing.status_code == 400 and "no shape with id 123456" in missing.json()["detail"]
    deleted = api.patch(url + "?action=delete", {"shapes": [created["shapes"][1]]}, format="json")
    assert deleted.status_code == 200
    assert [s["id"] for s in api.get(url).json()["shapes"]] == [ids[0]]
    assert api.patch(url + "?action=explode", {}, format="json").status_code == 400
    assert api.delete(url).status_code == 204
    assert api.get(url).json()["shapes"] == []


def test_jobs_see_and_change_only_their_frames(api: APIClient, task: dict[str, Any]) -> None:
    api.put(f"/api/tasks/{task['id']}/annotations/", every_shape(task), format="json")
    first, second = task["jobs"]
    j1 = api.get(f"/api/jobs/{first['id']}/annotations/").json()
    j2 = api.get(f"/api/jobs/{second['id']}/annotations/").json()
    assert {s["frame"] for s in j1["shapes"]} == {0, 1, 2} and {s["frame"] for s in j2["shapes"]} == {3, 4}
    assert len(j1["tracks"]) == 2 and len(j2["tracks"]) == 2  # both tracks touch both jobs
    before = api.get(f"/api/tasks/{task['id']}").json()["updated_date"]
    job_before = api.get(f"/api/jobs/{second['id']}").json()["updated_date"]
    car = task["L"]["car"]["id"]
    new = {"type": "rectangle", "frame": 3, "label_id": car, "points": [0, 0, 1, 1]}
    assert api.put(f"/api/jobs/{second['id']}/annotations/", {"shapes": [new]}, format="json").status_code == 200
    task_data = api.get(f"/api/tasks/{task['id']}/annotations/").json()
    assert {s["frame"] for s in task_data["shapes"]} == {0, 1, 2, 3}  # frames 0-2 untouched
    assert len(task_data["tracks"]) == 0  # the job's PUT replaced the tracks it could see
    assert api.get(f"/api/tasks/{task['id']}").json()["updated_date"] > before
    assert api.get(f"/api/jobs/{second['id']}").json()["updated_date"] > job_before
    outside = {**new, "frame": 0}
    response = api.patch(f"/api/jobs/{second['id']}/annotations/?action=create", {"shapes": [outside]}, format="json")
    assert response.status_code == 400 and "outside this job's frames 3..5" in response.json()["detail"]


def bad(task: dict[str, Any], mutate: Any) -> dict[str, Any]:
    payload = copy.deepcopy(every_shape(task))
    mutate(payload, task)
    return payload


@pytest.mark.parametrize("mutate, message", [
    (lambda p, t: p["shapes"][0].update(frame=99), "shapes[0].frame: 99 is outside the frames 0..5"),
    (lambda p, t: p["shapes"][0].update(label_id=424242), "shapes[0].label_id: 424242 is not a label"),
    (lambda p, t: p["shapes"][0].update(type="hexagon"), "shapes[0].type"),
    (lambda p, t: p["shapes"][0].update(points=[1, 2, 3]), "a rectangle needs 4 numbers"),
    (lambda p, t: p["shapes"][1].update(points=[0, 0, 1, 1]), "a polygon needs at least 3 points"),
    (lambda p, t: p["shapes"][0].update(points=[1, "x", 3, 4]), "expected numbers"),
    (lambda p, t: p["shapes"][6].update(points=[0, 5, 1, 1, 3, 2]), "mask needs run lengths"),
    # masks are checked against their frame (64x48) from the numbers, before any pixel is made
    (lambda p, t: p["shapes"][6].update(points=[0, 10**14, 0, 0, 10**7 - 1, 10**7 - 1]),
     "shapes[6].points: a mask needs run lengths that cover its box [x1, y1, x2, y2], inside frame 3 (64x48): "
     "the mask's box [0, 0, 9999999, 9999999] is not inside the 64x48 image"),
    (lambda p, t: p["shapes"][6].update(points=[0, 6, 62, 46, 64, 47]), "box [62, 46, 64, 47] is not inside"),
    (lambda p, t: p["shapes"][6].update(points=[0, 6, -1, 1, 1, 2]), "box [-1, 1, 1, 2] is not inside"),
    (lambda p, t: p["shapes"][6].update(points=[0, 5, 1, 1, 3, 2]), "the run lengths cover 5 pixels, expected 6"),
    (lambda p, t: p["tracks"][0]["shapes"].__setitem__(slice(None), [
        {"type": "mask", "frame": 1, "points": [0, 6, 1, 1, 3, 2]},
        {"type": "mask", "frame": 2, "points": [0, 6, 100, 1, 102, 2]}]),
     "tracks[0].shapes[1].points: a mask needs run lengths"),
    (lambda p, t: p["shapes"][0].update(score=1.5), "score: expected a number between 0 and 1"),
    (lambda p, t: p["shapes"][0].update(occluded="yes"), "occluded: expected true or false"),
    (lambda p, t: p["shapes"][0].update(source="robot"), "source: must be one of"),
    (lambda p, t: p["shapes"][0]["attributes"].append({"spec_id": 31337, "value": "x"}),
     "31337 is not an attribute of label 'car'"),
    (lambda p, t: p["shapes"][0]["attributes"][0].update(value="green"), "'green' is not a value of attribute 'color'"),
    (lambda p, t: p["shapes"][0]["attributes"][2].update(value="37"), "outside attribute 'speed' range"),
    (lambda p, t: p["shapes"][0]["attributes"][1].update(value="maybe"), "attribute 'parked' is a checkbox"),
    (lambda p, t: p["shapes"][0].update(label_id=t["L"]["person"]["id"]), "cannot be used for a rectangle"),
    (lambda p, t: p["tags"][0].update(label_id=t["L"]["person"]["id"]), "cannot be used for a tag"),
    (lambda p, t: p["shapes"][7]["elements"].pop(), "lacks points: hand"),
    (lambda p, t: p["shapes"][7]["elements"].append(dict(p["shapes"][7]["elements"][0])), "appears twice"),
    (lambda p, t: p["shapes"][7]["elements"][0].update(label_id=t["L"]["car"]["id"]), "is not a label of skeleton"),
    (lambda p, t: p["tracks"][0].update(shapes=[]), "a track needs at least one keyframe"),
    (lambda p, t: p["tracks"][0]["shapes"].reverse(), "increasing frame order"),
    (lambda p, t: p["tracks"][0]["shapes"][1].update(type="polygon", points=[0, 0, 1, 0, 1, 1]),
     "a track keeps one shape type"),
    (lambda p, t: p.update(intervals=[{"label_id": 1, "start": 0, "stop": 1}]), "intervals"),
    (lambda p, t: p.update(shapes={"not": "a list"}), "shapes: expected a list"),
])
def test_invalid_annotations_are_400_and_change_nothing(api: APIClient, task: dict[str, Any], mutate: Any,
                                                        message: str) -> None:
    url = f"/api/tasks/{task['id']}/annotations/"
    api.put(url, every_shape(task), format="json")
    before = api.get(url).json()
    response = api.put(url, bad(task, mutate), format="json")
    assert response.status_code == 400, response.content
    assert message in response.json()["detail"]
    assert api.get(url).json() == before
    response = api.patch(url + "?action=create", bad(task, mutate), format="json")
    assert response.status_code == 400
    assert api.get(url).json() == before


@pytest.mark.parametrize("mutate, message", [
    (lambda p: p.update(comment="hi"), "'comment' is not a field of the annotations"),
    (lambda p: p["tags"][0].update(points=[1, 2]), "tags[0]: 'points' is not a field of a tag"),
    (lambda p: p["shapes"][0].update(color="#ff0000", hidden=True),
     "shapes[0]: 'color', 'hidden' are not fields of a shape"),
    (lambda p: p["shapes"][0]["attributes"][0].update(name="color"),
     "shapes[0].attributes[0]: 'name' is not a field of an attribute value"),
    (lambda p: p["shapes"][7]["elements"][0].update(elements=[]),
     "shapes[7].elements[0]: 'elements' is not a field of a skeleton's element"),
    (lambda p: p["tracks"][0].update(interpolation="linear"), "tracks[0]: 'interpolation' is not a field of a track"),
    (lambda p: p["tracks"][0]["shapes"][0].update(label_id=1),
     "tracks[0].shapes[0]: 'label_id' is not a field of a track's shape"),
    (lambda p: p["tracks"][0]["shapes"][1].update(score=0.5),
     "tracks[0].shapes[1]: 'score' is not a field of a track's shape"),
    (lambda p: p["tracks"][1]["elements"][0].update(elements=[]),
     "tracks[1].elements[0]: 'elements' is not a field of a skeleton's element"),
    (lambda p: p["tracks"][1]["elements"][0]["shapes"][0].update(keyframe=True),
     "tracks[1].elements[0].shapes[0]: 'keyframe' is not a field of a track's shape"),
])
def test_fields_the_server_does_not_support_are_refused_by_name(api: APIClient, task: dict[str, Any], mutate: Any,
                                                                message: str) -> None:
    """Issue 16, item 13: an unknown field is a 400 that names it, never silently dropped."""
    url = f"/api/tasks/{task['id']}/annotations/"
    api.put(url, every_shape(task), format="json")
    before = api.get(url).json()
    payload = copy.deepcopy(every_shape(task))
    mutate(payload)
    for method, path in (("put", url), ("patch", url + "?action=create"), ("patch", url + "?action=update")):
        response = getattr(api, method)(path, payload, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["detail"].startswith(message), response.json()
    assert api.get(url).json() == before


def test_every_field_of_cvats_request_schemas_is_accepted(api: APIClient, task: dict[str, Any]) -> None:
    """What the official clients may send (CVAT 2.26's request schemas, cvat-sdk 2.80's ``score``)
    passes the check; its values are checked as usual."""
    data = every_shape(task)
    box = data["shapes"][0]
    box.update(id=None, outside=False, elements=[])
    data["tags"][0].update(id=None)
    head = data["shapes"][7]["elements"][0]
    head.update(id=None, group=0, source="manual", attributes=[], occluded=False, outside=False, z_order=0,
                rotation=0.0, score=1.0)
    track = data["tracks"][0]
    track.update(id=None, source="manual", elements=[])
    track["shapes"][0].update(id=None, occluded=False, outside=False, z_order=0, rotation=0.0)
    element = data["tracks"][1]["elements"][0]
    element.update(id=None, group=0, source="manual", attributes=[])
    data.update(version=0, intervals=[])
    response = api.put(f"/api/tasks/{task['id']}/annotations/", data, format="json")
    assert response.status_code == 200, response.content
    stored = api.get(f"/api/tasks/{task['id']}/annotations/").json()
    assert (len(stored["tags"]), len(stored["shapes"]), len(stored["tracks"])) == (1, 8, 2)


def test_patch_update_creates_objects_without_an_id(api: APIClient, task: dict[str, Any]) -> None:
    """As in CVAT: ``update`` replaces the objects whose id it names and adds those without one
    (cvat-sdk's ``update_annotations`` sends new objects this way, with its default action)."""
    car, scene = task["L"]["car"]["id"], task["L"]["scene"]["id"]
    url = f"/api/tasks/{task['id']}/annotations/"
    box = {"type": "rectangle", "frame": 0, "label_id": car, "points": [1, 1, 2, 2]}
    kept = api.patch(url + "?action=create", {"shapes": [box]}, format="json").json()["shapes"][0]
    payload = {"shapes": [{**kept, "points": [3, 3, 4, 4]}, {**box, "frame": 2}, {**box, "frame": 3, "id": None}],
               "tags": [{"frame": 1, "label_id": scene}]}
    response = api.patch(url + "?action=update", payload, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [s["frame"] for s in body["shapes"]] == [0, 2, 3] and body["shapes"][0]["id"] == kept["id"]
    new_ids = [s["id"] for s in body["shapes"][1:]] + [body["tags"][0]["id"]]
    assert len(set(new_ids)) == 3 and kept["id"] not in new_ids
    stored = api.get(url).json()
    assert stored["version"] == 2 == body["version"]
    assert {s["id"]: (s["frame"], s["points"]) for s in stored["shapes"]} == {
        kept["id"]: (0, [3.0, 3.0, 4.0, 4.0]), new_ids[0]: (2, [1.0, 1.0, 2.0, 2.0]),
        new_ids[1]: (3, [1.0, 1.0, 2.0, 2.0])}
    assert [t["id"] for t in stored["tags"]] == [new_ids[2]]
    # Ids are the server's to give: one that is not an object here, or one given twice, is refused.
    for bad, message in [({**box, "id": 10**12}, f"no shape with id {10**12}"),
                         ({**kept, "id": body["tags"][0]["id"]}, "no shape with id"),
                         ({**box, "id": 2**70}, "object ids must be integers")]:
        response = api.patch(url + "?action=update", {"shapes": [{**box, "frame": 4}, bad]}, format="json")
        assert response.status_code == 400 and message in response.json()["detail"]
    twice = api.patch(url + "?action=update", {"shapes": [kept, {**kept, "frame": 5}]}, format="json")
    assert twice.status_code == 400 and f"id {kept['id']} is given more than once" in twice.json()["detail"]
    assert api.get(url).json() == stored


@pytest.mark.parametrize("mutate, message", [
    (lambda p, t: p["shapes"][0].update(z_order=2**70), "shapes[0].z_order: must be from -2147483648 to 2147483647"),
    (lambda p, t: p["shapes"][0].update(z_order=-(2**31) - 1), "shapes[0].z_order: must be from"),
    (lambda p, t: p["shapes"][0].update(group=2**40), "shapes[0].group: must be from 0 to 2147483647"),
    (lambda p, t: p["tags"][0].update(frame=2**64), "tags[0].frame: must be from 0 to 2147483647"),
    (lambda p, t: p["shapes"][0]["attributes"][0].update(spec_id=10**30), "spec_id: must be from 1 to"),
    (lambda p, t: p["tracks"][0]["shapes"][0].update(z_order=2**63), "tracks[0].shapes[0].z_order"),
])
def test_integers_beyond_their_range_are_400(api: APIClient, task: dict[str, Any], mutate: Any,
                                             message: str) -> None:
    url = f"/api/tasks/{task['id']}/annotations/"
    for method in (api.put, lambda u, *a, **k: api.patch(u + "?action=create", *a, **k)):
        response = method(url, bad(task, mutate), format="json")
        assert response.status_code == 400, response.content
        assert message in response.json()["detail"]
    assert api.get(url).json()["shapes"] == []


def test_annotations_need_data(api: APIClient, make_task) -> None:  # type: ignore[no-untyped-def]
    empty = make_task(0)
    response = api.put(f"/api/tasks/{empty['id']}/annotations/", {"shapes": []}, format="json")
    assert response.status_code == 400 and "no data" in response.json()["detail"]


def test_deleting_a_label_or_attribute_cleans_annotations(api: APIClient, task: dict[str, Any]) -> None:
    url = f"/api/tasks/{task['id']}/annotations/"
    api.put(url, every_shape(task), format="json")
    car = task["L"]["car"]
    plate = task["A"]["plate"]
    api.patch(f"/api/tasks/{task['id']}", {"labels": [{"id": car["id"], "attributes": [
        {"id": plate, "name": "plate", "input_type": "text", "mutable": False, "values": [], "deleted": True}]}]},
        format="json")
    box = api.get(url).json()["shapes"][0]
    assert plate not in [a["spec_id"] for a in box["attributes"]] and len(box["attributes"]) == 4
    assert api.delete(f"/api/labels/{task['L']['scene']['id']}").status_code == 204
    assert api.get(url).json()["tags"] == []
