"""``/api/lambda/requests``: queueing annotation requests for a native function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from inklab.server.functions.models import AnnotationRequest
from tests.server.functions.conftest import request_annotation

pytestmark = pytest.mark.django_db


def test_request_with_default_mapping(api: APIClient, make_function: Callable[..., dict[str, Any]],
                                      make_task: Callable[..., dict[str, Any]]) -> None:
    function, task = make_function(), make_task(frames=2)
    response = request_annotation(api, f"function:{function['id']}", task["id"], threshold=0.25)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "queued" and body["progress"] == 0 and body["exc_info"] is None
    assert body["function"] == {"id": str(function["id"]), "task": task["id"], "job": None, "threshold": 0.25}
    stored = AnnotationRequest.objects.get(pk=body["id"])
    # Matched by name; the function's 'bicycle' has no task label and is left out.
    assert stored.mapping == {
        "car": {"name": "car", "attributes": {"color": "color"}},
        "person": {"name": "person", "attributes": {}, "sublabels": {
            "head": {"name": "head", "attributes": {}}, "hand": {"name": "hand", "attributes": {"side": "side"}}}},
    }
    assert [r["id"] for r in api.get("/api/lambda/requests").json()] == [body["id"]]
    assert api.get(f"/api/lambda/requests/{body['id']}").json() == body


def test_request_with_explicit_mapping(api: APIClient, make_function: Callable[..., dict[str, Any]],
                                       make_task: Callable[..., dict[str, Any]]) -> None:
    function, task = make_function(), make_task(frames=1)
    mapping = {"bicycle": {"name": "car"}, "person": {"name": "person", "sublabels": {"head": {"name": "head"}}}}
    response = request_annotation(api, function["id"], task["id"], mapping=mapping, cleanup=True,
                                  convMaskToPoly=True)
    assert response.status_code == 200, response.content
    stored = AnnotationRequest.objects.get(pk=response.json()["id"])
    assert stored.cleanup and stored.conv_mask_to_poly
    assert stored.mapping == {"bicycle": {"name": "car", "attributes": {}},
                              "person": {"name": "person", "attributes": {},
                                         "sublabels": {"head": {"name": "head", "attributes": {}}}}}


@pytest.mark.parametrize(("mapping", "message"), [
    ({"truck": {"name": "car"}}, "mapping.truck: the function has no label 'truck'"),
    ({"car": {"name": "truck"}}, "mapping.car.name: the task has no label 'truck'"),
    ({"car": "car"}, "expected an object with the task label's 'name'"),
    ({"car": {"name": "car", "attributes": {"colour": "color"}}}, "the function has no attribute 'colour'"),
    ({"car": {"name": "car", "attributes": {"color": "paint"}}}, "the task has no attribute 'paint'"),
    ({"person": {"name": "person", "sublabels": {"foot": {"name": "head"}}}}, "has no point 'foot'"),
    ({"person": {"name": "person", "sublabels": {"head": {"name": "foot"}}}}, "the task label 'person' has no point"),
])
def test_bad_mappings_are_refused(api: APIClient, make_function: Callable[..., dict[str, Any]],
                                  make_task: Callable[..., dict[str, Any]], mapping: dict[str, Any],
                                  message: str) -> None:
    function, task = make_function(), make_task(frames=1)
    response = request_annotation(api, function["id"], task["id"], mapping=mapping)
    assert response.status_code == 400 and message in response.content.decode(), response.content
    assert not AnnotationRequest.objects.exists()


def test_bad_requests_are_refused(api: APIClient, make_function: Callable[..., dict[str, Any]],
                                  make_task: Callable[..., dict[str, Any]]) -> None:
    function, task, empty = make_function(), make_task(frames=1), make_task(frames=0)
    unrelated = make_function(labels_v2=[{"name": "zebra"}])
    cases = [
        (request_annotation(api, function["id"], 99999), 404, "Task 99999"),
        (request_annotation(api, 99999, task["id"]), 404, "Function #99999"),
        (request_annotation(api, "yolo", task["id"]), 404, "name it by its id"),
        (request_annotation(api, function["id"], task["id"], threshold=1.5), 400, "threshold"),
        (request_annotation(api, function["id"], task["id"], job=99999), 404, "Job 99999"),
        (request_annotation(api, function["id"], empty["id"]), 400, "has no data"),
        (request_annotation(api, unrelated["id"], task["id"]), 400, "None of the function's labels (zebra)"),
        (api.post("/api/lambda/requests", {"task": task["id"]}, format="json"), 400, "function"),
    ]
    for response, code, message in cases:
        assert response.status_code == code and message in response.content.decode(), response.content
    assert not AnnotationRequest.objects.exists()


def test_permissions(make_user: Callable[..., Any], client_for: Callable[[Any], APIClient], api: APIClient,
                     make_function: Callable[..., dict[str, Any]], make_task: Callable[..., dict[str, Any]]) -> None:
    alice, bob, carol = (client_for(make_user(name)) for name in ("alice", "bob", "carol"))
    private = make_function(client=alice, name="private")
    public = make_function(client=alice, name="public", visibility="public")
    bobs_task = make_task(frames=1, client=bob)
    # Bob cannot use Alice's private function, but may use her public one on his task.
    assert request_annotation(bob, private["id"], bobs_task["id"]).status_code == 404
    queued = request_annotation(bob, public["id"], bobs_task["id"])
    assert queued.status_code == 200
    # Carol cannot annotate Bob's task, nor see his request.
    assert request_annotation(carol, public["id"], bobs_task["id"]).status_code == 404
    assert carol.get("/api/lambda/requests").json() == []
    assert carol.get(f"/api/lambda/requests/{queued.json()['id']}").status_code == 404
    # The function's owner sees requests made for her function.
    assert [r["id"] for r in alice.get("/api/lambda/requests").json()] == [queued.json()["id"]]
    # A job's assignee may request annotation of that job only.
    job = api.get(f"/api/jobs?task_id={bobs_task['id']}").json()["results"][0]
    carol_user = get_user_model().objects.get(username="carol")
    assert api.patch(f"/api/jobs/{job['id']}", {"assignee": carol_user.pk}, format="json").status_code == 200
    assert request_annotation(carol, public["id"], bobs_task["id"], job=job["id"]).status_code == 200
    assert request_annotation(carol, public["id"], bobs_task["id"]).status_code == 403


def test_cancel(make_user: Callable[..., Any], client_for: Callable[[Any], APIClient], api: APIClient,
                make_function: Callable[..., dict[str, Any]], make_task: Callable[..., dict[str, Any]]) -> None:
    function, task = make_function(visibility="public"), make_task(frames=1)
    ar_id = request_annotation(api, function["id"], task["id"]).json()["id"]
    bob = client_for(make_user("bob"))
    assert bob.delete(f"/api/lambda/requests/{ar_id}").status_code == 404
    assert api.delete(f"/api/lambda/requests/{ar_id}").status_code == 204
    body = api.get(f"/api/lambda/requests/{ar_id}").json()
    assert body["status"] == "failed" and body["exc_info"] == "The request was cancelled." and body["ended"]
