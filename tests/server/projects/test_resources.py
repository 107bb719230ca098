"""Projects, tasks, jobs and labels through the REST API."""

from __future__ import annotations

import urllib.parse
from typing import Any

import orjson
import pytest
from rest_framework.test import APIClient

from tests.server.conftest import default_labels

pytestmark = pytest.mark.django_db


def labels_of(client: APIClient, **query: int) -> list[dict]:  # type: ignore[type-arg]
    response = client.get("/api/labels", query)
    assert response.status_code == 200
    return response.json()["results"]


def test_task_read_has_what_cvat_clients_require(make_task) -> None:  # type: ignore[no-untyped-def]
    task = make_task(5, segment_size=2)
    assert task["size"] == 5 and task["data_chunk_size"] == 36 and isinstance(task["data"], int)
    assert task["jobs"] == {"count": 3, "completed": 0, "validation": 0,
                            "url": f"http://testserver/api/jobs?task_id={task['id']}"}
    assert task["labels"]["url"].endswith(f"/api/labels?task_id={task['id']}")
    assert task["data_original_chunk_type"] == "imageset" and task["bug_tracker"] == ""
    assert task["organization"] is None and task["target_storage"] is None
    assert task["updated_date"].endswith("Z") and "." in task["updated_date"]


def test_jobs_follow_segment_size_and_overlap(api: APIClient, make_task) -> None:  # type: ignore[no-untyped-def]
    task = make_task(10, segment_size=4, overlap=1)
    jobs = api.get("/api/jobs", {"task_id": task["id"]}).json()["results"]
    assert [(j["start_frame"], j["stop_frame"]) for j in jobs] == [(0, 3), (3, 6), (6, 9)]
    assert all(j["frame_count"] == j["stop_frame"] - j["start_frame"] + 1 for j in jobs)
    assert jobs[0]["issues"] == {"count": 0, "url": f"http://testserver/api/issues?job_id={jobs[0]['id']}"}
    whole = make_task(4)
    assert api.get("/api/jobs", {"task_id": whole["id"]}).json()["count"] == 1


def test_labels_with_every_attribute_type_and_a_skeleton(api: APIClient, make_task) -> None:  # type: ignore[no-untyped-def]
    task = make_task(0)
    labels = labels_of(api, task_id=task["id"])
    assert [label["name"] for label in labels] == ["car", "person", "scene"]  # top level only
    car, person, scene = labels
    attrs = {a["name"]: a for a in car["attributes"]}
    assert {a["input_type"] for a in attrs.values()} == {"select", "checkbox", "number", "text", "radio"}
    assert attrs["color"]["default_value"] == "red" and attrs["speed"]["values"] == ["0", "100", "5"]
    assert attrs["parked"]["default_value"] == "false"
    assert person["type"] == "skeleton" and person["svg"].startswith("<line")
    assert [s["name"] for s in person["sublabels"]] == ["head", "hand"]
    assert person["sublabels"][0]["type"] == "points" and person["sublabels"][1]["attributes"][0]["name"] == "side"
    assert scene["type"] == "tag" and car["color"].startswith("#")


@pytest.mark.parametrize("labels, message", [
    ([{"name": "a"}, {"name": "a"}], "already exists"),
    ([{"name": "s", "type": "skeleton"}], "needs at least one point"),
    ([{"name": "s", "type": "skeleton", "sublabels": [{"name": "p"}, {"name": "p"}]}], "two points named"),
    ([{"name": "a", "attributes": [{"name": "n", "mutable": False, "input_type": "number", "values": ["1", "x", "1"]}]}],
     "decimal numbers"),
    ([{"name": "a", "attributes": [{"name": "n", "mutable": False, "input_type": "number", "values": ["5", "1", "1"]}]}],
     "min <= max"),
    ([{"name": "a", "attributes": [{"name": "s", "mutable": False, "input_type": "select", "values": []}]}],
     "at least one value"),
    ([{"name": "a", "attributes": [{"name": "s", "mutable": False, "input_type": "select", "values": ["x"],
                                    "default_value": "y"}]}], "not one of"),
    ([{"name": "a", "attributes": [{"name": "s", "mutable": False, "input_type": "checkbox", "values": ["maybe"]}]}],
     "'true' or 'false'"),
    ([{"name": "a", "attributes": [{"name": "s", "mutable": False, "input_type": "Bogus", "values": []}]}],
     "not a valid choice"),
    ([{"name": "a", "type": "triangle"}], "not a valid choice"),
    ([{"name": "a", "sublabels": [{"name": "p"}]}], "not 'skeleton'"),
    ([{"name": ""}], "blank"),
])
def test_invalid_label_specs_are_400_and_create_nothing(api: APIClient, labels, message) -> None:  # type: ignore[no-untyped-def]
    response = api.post("/api/tasks", {"name": "t", "labels": labels}, format="json")
    assert response.status_code == 400, response.content
    assert message in response.content.decode()
    assert api.get("/api/tasks").json()["count"] == 0


def test_label_updates_add_rename_and_delete(api: APIClient, make_task) -> None:  # type: ignore[no-untyped-def]
    task = make_task(0)
    car = labels_of(api, task_id=task["id"])[0]
    color = car["attributes"][0]
    response = api.patch(f"/api/tasks/{task['id']}", {"labels": [
        {"id": car["id"], "name": "vehicle", "attributes": [{"id": color["id"], "name": "colour",
                                                              "input_type": "select", "mutable": False,
                                                              "values": ["red", "blue", "green"]}]},
        {"name": "bike"},
    ]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["updated_date"] > task["updated_date"]
    labels = {label["name"]: label for label in labels_of(api, task_id=task["id"])}
    assert set(labels) == {"vehicle", "person", "scene", "bike"}
    assert labels["vehicle"]["attributes"][0]["values"] == ["red", "blue", "green"]
    response = api.patch(f"/api/tasks/{task['id']}", {"labels": [{"id": labels["bike"]["id"], "deleted": True}]},
                         format="json")
    assert response.status_code == 200
    assert "bike" not in {label["name"] for label in labels_of(api, task_id=task["id"])}
    assert api.patch(f"/api/labels/{labels['scene']['id']}", {"name": "place"}, format="json").json()["name"] == "place"
    assert api.delete(f"/api/labels/{labels['scene']['id']}").status_code == 204


@pytest.mark.parametrize("label, change, message", [
    ("car", {"sublabels": [{"name": "h"}, {"name": "h"}]},
     "Label 'car' is not a skeleton; only skeleton labels have points (sublabels)."),
    ("car", {"svg": "<circle r='1'/>"}, "Label 'car' is not a skeleton; only skeleton labels have an svg."),
    ("person", {"sublabels": [{"name": "head"}, {"name": "head", "color": "#ff0000"}]},
     "Skeleton 'person': point 'head' is given more than once."),
    ("person", {"sublabels": [{"name": "h"}, {"name": "h"}]},
     "Skeleton 'person': points cannot be added after creation ('h'); create a new skeleton label instead."),
    ("person", {"sublabels": [{"name": "head", "type": "rectangle"}]},
     "Point 'head' of skeleton 'person' must have type 'points'."),
])
def test_a_label_update_that_cannot_be_done_is_refused_not_ignored(
        api: APIClient, make_task, label: str, change: dict[str, Any], message: str) -> None:  # type: ignore[no-untyped-def]
    """Issue 16, item 13: PATCH /api/labels/{id} with sublabels answered 200 and changed nothing."""
    task = make_task(0)
    before = {item["name"]: item for item in labels_of(api, task_id=task["id"])}
    for path, body in ((f"/api/labels/{before[label]['id']}", change),
                       (f"/api/tasks/{task['id']}", {"labels": [{"id": before[label]["id"], **change}]})):
        response = api.patch(path, body, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["detail"] == message
    assert {item["name"]: item for item in labels_of(api, task_id=task["id"])} == before


def test_a_skeletons_points_can_be_renamed_and_recoloured(api: APIClient, make_task) -> None:  # type: ignore[no-untyped-def]
    task = make_task(0)
    person = next(item for item in labels_of(api, task_id=task["id"]) if item["name"] == "person")
    head, hand = person["sublabels"]
    response = api.patch(f"/api/labels/{person['id']}", {"sublabels": [
        {"id": head["id"], "name": "skull", "color": "#00ff00"}, {"name": "hand"}]}, format="json")
    assert response.status_code == 200, response.content
    points = [(p["id"], p["name"], p["color"]) for p in response.json()["sublabels"]]
    assert points == [(head["id"], "skull", "#00ff00"), (hand["id"], "hand", hand["color"])]
    car = next(item for item in labels_of(api, task_id=task["id"]) if item["name"] == "car")
    assert api.patch(f"/api/labels/{car['id']}", {"sublabels": [], "svg": ""}, format="json").status_code == 200


def test_tasks_in_a_project_use_its_labels(api: APIClient, make_task) -> None:  # type: ignore[no-untyped-def]
    project = api.post("/api/projects", {"name": "p", "labels": default_labels()}, format="json").json()
    assert project["tasks"]["count"] == 0 and project["labels"]["url"].endswith(f"project_id={project['id']}")
    # cvat-cli always sends labels, empty with a project: accepted.
    task = api.post("/api/tasks", {"name": "t", "project_id": project["id"], "labels": [], "subset": "train"},
                    format="json").json()
    assert task["project_id"] == project["id"] and task["subset"] == "train"
    assert labels_of(api, task_id=task["id"]) == labels_of(api, project_id=project["id"])
    refused = api.post("/api/tasks", {"name": "t", "project_id": project["id"], "labels": [{"name": "x"}]},
                       format="json")
    assert refused.status_code == 400
    project = api.get(f"/api/projects/{project['id']}").json()
    assert project["tasks"]["count"] == 1 and project["task_subsets"] == ["train"]
    tasks = api.get("/api/tasks", {"project_id": project["id"]}).json()
    assert [t["id"] for t in tasks["results"]] == [task["id"]]


def test_moving_a_task_into_a_project_maps_labels_and_annotations(api: APIClient, make_task) -> None:  # type: ignore[no-untyped-def]
    task = make_task(2)
    car = labels_of(api, task_id=task["id"])[0]
    shape = {"type": "rectangle", "frame": 0, "label_id": car["id"], "points": [1, 2, 3, 4],
             "attributes": [{"spec_id": car["attributes"][0]["id"], "value": "blue"}]}
    assert api.put(f"/api/tasks/{task['id']}/annotations/", {"shapes": [shape]}, format="json").status_code == 200
    project = api.post("/api/projects", {"name": "p", "labels": default_labels()}, format="json").json()
    assert api.patch(f"/api/tasks/{task['id']}", {"project_id": project["id"]}, format="json").status_code == 200
    project_car = labels_of(api, project_id=project["id"])[0]
    shapes = api.get(f"/api/tasks/{task['id']}/annotations/").json()["shapes"]
    assert shapes[0]["label_id"] == project_car["id"]
    assert shapes[0]["attributes"] == [{"spec_id": project_car["attributes"][0]["id"], "value": "blue"}]
    assert labels_of(api, task_id=task["id"]) == labels_of(api, project_id=project["id"])


def test_pagination_search_sort_and_filters(api: APIClient) -> None:
    for name in ["alpha", "beta", "gamma", "delta", "epsilon"]:
        api.post("/api/projects", {"name": name}, format="json")
    page = api.get("/api/projects", {"page_size": 2, "sort": "name"}).json()
    assert page["count"] == 5 and [p["name"] for p in page["results"]] == ["alpha", "beta"]
    assert page["next"] and page["previous"] is None
    last = api.get("/api/projects", {"page_size": 2, "sort": "name", "page": 3}).json()
    assert [p["name"] for p in last["results"]] == ["gamma"] and last["next"] is None
    assert api.get("/api/projects", {"page": 9}).status_code == 404
    assert [p["name"] for p in api.get("/api/projects", {"search": "EPS"}).json()["results"]] == ["epsilon"]
    assert [p["name"] for p in api.get("/api/projects", {"sort": "-name"}).json()["results"]][0] == "gamma"
    assert api.get("/api/projects", {"name": "beta"}).json()["count"] == 1
    logic = {"and": [{"in": ["a", {"var": "name"}]}, {"!": {"==": [{"var": "name"}, "gamma"]}}]}
    names = {p["name"] for p in api.get("/api/projects", {"filter": orjson.dumps(logic).decode()}).json()["results"]}
    assert names == {"alpha", "beta", "delta"}
    ids = sorted(p["id"] for p in api.get("/api/projects").json()["results"])
    between = {"<=": [ids[1], {"var": "id"}, ids[3]]}
    assert api.get("/api/projects", {"filter": orjson.dumps(between).decode()}).json()["count"] == 3
    any_of = {"in": [{"var": "id"}, ids[:2]]}
    assert api.get("/api/projects", {"filter": orjson.dumps(any_of).decode()}).json()["count"] == 2


@pytest.mark.parametrize("query, message", [
    ({"sort": "password"}, "Cannot sort by 'password'"),
    ({"filter": "{oops"}, "not valid JSON"),
    ({"filter": '{"==": [{"var": "secret"}, 1]}'}, "Cannot filter by 'secret'"),
    ({"filter": '{"xor": [1, 2]}'}, "Unsupported filter operator"),
])
def test_bad_queries_are_400(api: APIClient, query, message) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/api/tasks?" + urllib.parse.urlencode(query))
    assert response.status_code == 400 and message in response.json()["detail"]


def test_org_parameters_are_tolerated(api: APIClient, make_task) -> None:  # type: ignore[no-untyped-def]
    task = make_task(0)
    response = api.get("/api/labels", {"task_id": task["id"], "org": ""}, HTTP_X_ORGANIZATION="")
    assert response.status_code == 200 and response.json()["count"] == 3


def test_job_update_and_task_delete(api: APIClient, make_task, make_user) -> None:  # type: ignore[no-untyped-def]
    task = make_task(2)
    job = api.get("/api/jobs", {"task_id": task["id"]}).json()["results"][0]
    worker = make_user("worker")
    response = api.patch(f"/api/jobs/{job['id']}", {"stage": "validation", "state": "in progress",
                                                    "assignee": worker.pk}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["stage"], body["state"], body["assignee"]["username"]) == ("validation", "in progress", "worker")
    assert api.get(f"/api/tasks/{task['id']}").json()["jobs"]["validation"] == 1
    assert api.patch(f"/api/jobs/{job['id']}", {"stage": "done"}, format="json").status_code == 400
    assert api.delete(f"/api/tasks/{task['id']}").status_code == 204
    assert api.get(f"/api/tasks/{task['id']}").status_code == 404
    assert api.get(f"/api/jobs/{job['id']}").status_code == 404
