"""``/api/functions``: registering, reading, listing and deleting native functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from inklab.server.functions.models import Function
from tests.server.functions.conftest import detector_labels

pytestmark = pytest.mark.django_db


def test_create_and_read_back_normalized(api: APIClient, make_function: Callable[..., dict[str, Any]]) -> None:
    created = make_function(name="cars", visibility="public")
    assert created["name"] == "cars" and created["provider"] == "native" and created["kind"] == "detector"
    assert created["visibility"] == "public" and created["owner"]["username"] == "admin"
    body = api.get(f"/api/functions/{created['id']}").json()
    # Agents compare these field by field: every label and point has a type and attributes.
    car, person, bicycle = body["labels_v2"]
    assert car == {"name": "car", "type": "any",
                   "attributes": [{"name": "color", "input_type": "select", "values": ["red", "blue"]}]}
    assert person["type"] == "skeleton" and [p["name"] for p in person["sublabels"]] == ["head", "hand"]
    assert all(p["type"] == "any" and "attributes" in p for p in person["sublabels"])
    assert bicycle == {"name": "bicycle", "type": "any", "attributes": []}


@pytest.mark.parametrize(("change", "message"), [
    ({"name": ""}, "name"),
    ({"provider": "nuclio"}, "provider"),
    ({"kind": "interactor"}, "Only 'detector' functions have this field"),
    ({"kind": "tracker", "labels_v2": []}, "must name the shape types"),
    ({"kind": "tracker", "labels_v2": [], "supported_shape_types": ["rectangle", "tube"]}, "not a valid choice"),
    ({"kind": "interactor", "labels_v2": [], "min_pos_points": 1, "startswith_box": True,
      "startswith_box_optional": True}, "both required and optional"),
    ({"kind": "interactor", "labels_v2": [], "min_pos_points": -1}, "min_pos_points"),
    ({"min_pos_points": 2}, "Only 'interactor' functions have this field"),
    ({"kind": "sorcerer"}, "kind"),
    ({"visibility": "secret"}, "visibility"),
    ({"labels_v2": "car"}, "labels_v2: expected a list"),
    ({"labels_v2": [{"name": "car"}, {"name": "car"}]}, "a second label named 'car'"),
    ({"labels_v2": [{"name": "car", "type": "hexagon"}]}, "labels_v2[0].type"),
    ({"labels_v2": [{"name": "car", "attributes": [{"name": "a", "input_type": "slider"}]}]},
     "labels_v2[0].attributes[0].input_type"),
    ({"labels_v2": [{"name": "car", "attributes": [{"name": "a", "input_type": "text", "values": [1]}]}]},
     "values: expected a list of strings"),
    ({"labels_v2": [{"name": "car", "sublabels": [{"name": "p"}]}]}, "must have type 'skeleton'"),
    ({"labels_v2": [{"name": "car", "type": "skeleton"}]}, "needs its points"),
    ({"labels_v2": [{"name": "car", "type": "skeleton", "sublabels": [{"name": "p", "sublabels": [{"name": "q"}]}]}]},
     "cannot have points of its own"),
])
def test_bad_registrations_are_refused(api: APIClient, change: dict[str, Any], message: str) -> None:
    body = {"provider": "native", "name": "f", "kind": "detector", "labels_v2": detector_labels(), **change}
    response = api.post("/api/functions", body, format="json")
    assert response.status_code == 400, response.content
    assert message in response.content.decode()
    assert not Function.objects.exists()


def test_visibility_and_deletion(make_user: Callable[..., Any], client_for: Callable[[Any], APIClient],
                                 make_function: Callable[..., dict[str, Any]]) -> None:
    alice, bob = client_for(make_user("alice")), client_for(make_user("bob"))
    private = make_function(client=alice, name="mine")
    public = make_function(client=alice, name="shared", visibility="public")
    assert {f["name"] for f in alice.get("/api/functions").json()["results"]} == {"mine", "shared"}
    assert [f["name"] for f in bob.get("/api/functions").json()["results"]] == ["shared"]
    assert bob.get(f"/api/functions/{private['id']}").status_code == 404
    # Bob may use the public function but not delete it.
    assert bob.delete(f"/api/functions/{public['id']}").status_code == 403
    assert bob.delete(f"/api/functions/{private['id']}").status_code == 404
    assert alice.delete(f"/api/functions/{private['id']}").status_code == 204
    assert alice.delete(f"/api/functions/{private['id']}").status_code == 404
    assert list(Function.objects.values_list("name", flat=True)) == ["shared"]


def test_anonymous_users_are_refused(make_function: Callable[..., dict[str, Any]]) -> None:
    function = make_function()
    assert APIClient().get(f"/api/functions/{function['id']}").status_code == 401
    assert APIClient().post("/api/functions", {"name": "x"}, format="json").status_code == 401


def test_lambda_listing_shows_native_detectors(api: APIClient, make_function: Callable[..., dict[str, Any]]) -> None:
    function = make_function(name="cars")
    listed = api.get("/api/lambda/functions").json()
    assert listed == [api.get(f"/api/lambda/functions/{function['id']}").json()]
    assert listed[0]["id"] == str(function["id"]) and listed[0]["kind"] == "detector"
    assert listed[0]["labels"] == ["car", "person", "bicycle"]
    assert api.get(f"/api/lambda/functions/function:{function['id']}").json()["name"] == "cars"
    assert api.get("/api/lambda/functions/yolo").status_code == 404
