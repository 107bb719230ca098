"""A schema-wide authorization sweep: every operation of ``/api/schema/`` that names an object in
its path is called on another user's object, as an unrelated user and without credentials.

``alice`` owns one object of every kind the API has (in her personal workspace, plus an
organization of hers with a member and a pending invitation); ``mallory`` is an ordinary user with
no relation to any of it. For each operation:

* anonymous gets 401 (unless the operation is in :data:`PUBLIC`, with its reason);
* mallory gets 403 or 404 — never a 2xx, never a 5xx;
* lists (``GET`` on a collection, plain and with every filter naming one of alice's objects)
  show mallory none of alice's objects;
* collection ``POST``\\ s whose body names one of alice's objects (an issue on her job, a guide for
  her task, ...) are refused;
* nothing changes: every database row is the same after the sweep as before it.

Each path parameter is looked up in :data:`OBJECTS` by the path up to it; a path with a parameter
the table does not map fails the sweep, so a new endpoint cannot skip it. Failures are collected
and reported together. Runs on PostgreSQL too (``INKLAB_TEST_POSTGRES=1``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.core import serializers
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.server.conftest import png_bytes, run_requests, upload_files
from tests.support.s3 import S3Server

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")

#: Operations anyone may call, with why.
PUBLIC = {
    ("POST", "/api/auth/login"): "signing in is how credentials are obtained",
    ("POST", "/api/auth/register"): "signing up is open, as in CVAT",
    ("POST", "/api/auth/logout"): "logging out without a session is a harmless no-op",
    ("GET", "/api/server/about"): "the server's name and version, which clients read before signing in",
    ("GET", "/api/server/health"): "the load balancers' liveness check",
    ("GET", "/api/schema/"): "the API description, as CVAT serves it",
}

#: The path up to (and including) each object parameter -> the key of the object in the world.
OBJECTS = {
    "/api/assets/{uuid}": "asset",
    "/api/auth/access_tokens/{id}": "token",
    "/api/cloudstorages/{id}": "cloud_storage",
    "/api/comments/{id}": "comment",
    "/api/consensus/settings/{id}": "consensus_settings",
    "/api/functions/{id}": "function",
    "/api/functions/queues/function:{function_id}": "function",
    "/api/functions/queues/function:{function_id}/requests/{ar_id}": "assignment",
    "/api/guides/{id}": "guide",
    "/api/invitations/{key}": "invitation",
    "/api/issues/{id}": "issue",
    "/api/jobs/{id}": "job",
    "/api/labels/{id}": "label",
    "/api/lambda/functions/{func_id}": "function",
    "/api/lambda/requests/{id}": "lambda_request",
    "/api/memberships/{id}": "membership",
    "/api/organizations/{id}": "organization",
    "/api/projects/{id}": "project",
    "/api/quality/reports/{id}": "quality_report",
    "/api/quality/settings/{id}": "quality_settings",
    "/api/requests/{id}": "request",
    "/api/tasks/{id}": "task",
    "/api/users/{id}": "user",
    "/api/webhooks/{id}": "webhook",
    "/api/webhooks/{id}/deliveries/{delivery_id}": "delivery",
}

#: Query parameters of lists that name one of alice's objects.
FILTERS = {
    "task_id": "task", "job_id": "job", "project_id": "project", "issue_id": "issue", "parent_id": "quality_report",
    "org": "org_slug", "org_id": "organization", "owner": "alice_name", "assignee": "alice_name",
    "webhook_id": "webhook", "function": "function", "task": "task", "cloud_storage_id": "cloud_storage",
    "guide_id": "guide", "user": "alice_name", "username": "alice_name", "search": "alice_name",
    "report_id": "quality_report",
}
#: The ``id`` filter of a list names an object of the list's own kind.
LIST_IDS = {"/api/jobs": "job", "/api/tasks": "task", "/api/projects": "project", "/api/users": "user"}

#: Creating these objects names one of alice's in the body: mallory must be refused. Values are
#: world keys, spelled ``@key``.
FOREIGN_BODIES: dict[str, dict[str, Any]] = {
    "/api/tasks": {"name": "mine", "project_id": "@project"},
    "/api/jobs": {"task_id": "@task", "type": "ground_truth", "frame_selection_method": "manual", "frames": [0]},
    "/api/issues": {"job": "@job", "frame": 0, "position": [1.0, 1.0, 5.0, 5.0], "message": "mine"},
    "/api/comments": {"issue": "@issue", "message": "mine"},
    "/api/guides": {"task_id": "@task", "markdown": "mine"},
    "/api/webhooks": {"target_url": "http://127.0.0.1:9/", "type": "project", "project_id": "@project",
                      "events": ["update:task"]},
    "/api/quality/reports": {"task_id": "@task"},
    "/api/consensus/merges": {"task_id": "@task"},
    "/api/lambda/requests": {"function": "@function_str", "task": "@task"},
    "/api/invitations": {"email": "mallory@x.org", "role": "owner", "organization": "@organization"},
}


#: Bodies for operations on an object that would otherwise be refused as invalid before the
#: permission check is reached: with a valid body, only the permission check can refuse.
#: Changes go with a body that alice could send, so that a missing check would show as a change.
OBJECT_BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/lambda/functions/{func_id}"): {"task": "@task", "frame": 0},
    ("PATCH", "/api/auth/access_tokens/{id}"): {"name": "taken"},
    ("PATCH", "/api/cloudstorages/{id}"): {"display_name": "taken"},
    ("PATCH", "/api/comments/{id}"): {"message": "taken"},
    ("PATCH", "/api/consensus/settings/{id}"): {"quorum": 0.9},
    ("PATCH", "/api/guides/{id}"): {"markdown": "taken"},
    ("PATCH", "/api/issues/{id}"): {"resolved": True},
    ("PATCH", "/api/jobs/{id}"): {"stage": "acceptance", "state": "completed"},
    ("PATCH", "/api/labels/{id}"): {"name": "taken"},
    ("PATCH", "/api/memberships/{id}"): {"role": "maintainer"},
    ("PATCH", "/api/organizations/{id}"): {"name": "taken"},
    ("PATCH", "/api/projects/{id}"): {"name": "taken", "owner_id": "@mallory_id"},
    ("PATCH", "/api/quality/settings/{id}"): {"iou_threshold": 0.1},
    ("PATCH", "/api/tasks/{id}"): {"name": "taken", "owner_id": "@mallory_id"},
    ("PATCH", "/api/users/{id}"): {"first_name": "taken"},
    ("PATCH", "/api/webhooks/{id}"): {"target_url": "http://127.0.0.1:10/", "events": ["create:task"]},
    ("PUT", "/api/tasks/{id}/annotations/"): {"shapes": [], "tags": [], "tracks": []},
    ("PUT", "/api/jobs/{id}/annotations/"): {"shapes": [], "tags": [], "tracks": []},
}

#: Query parameters a GET needs to answer alice (the sweep checks that alice reaches each object,
#: so that mallory's 404s are refusals, not wrong URLs).
QUERIES: dict[str, dict[str, Any]] = {
    "/api/jobs/{id}/data": {"type": "frame", "number": 0, "quality": "compressed"},
    "/api/tasks/{id}/data/": {"type": "frame", "number": 0, "quality": "compressed"},
    "/api/functions/queues/function:{function_id}/watch": {"timeout": 0},
}

#: Deviations from "mallory sees nothing of alice's", each with its reason (none: users too see
#: only themselves and the members of their organizations).
ALLOWED_LEAKS: dict[tuple[str, str], str] = {}

#: List rows that are mallory's own, not anybody else's: she sees her own account.
OWN_ROWS: dict[str, Callable[[dict[str, Any], dict[str, Any]], bool]] = {
    "/api/users": lambda row, world: row.get("id") == world["mallory_id"],
}


def _resolve(value: Any, world: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("@"):
        return world[value[1:]]
    if isinstance(value, dict):
        return {k: _resolve(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, world) for v in value]
    return value


def _ok(response: Any, what: str) -> Any:
    assert 200 <= response.status_code < 300, (what, response.status_code, response.content[:500])
    return response.json() if response.content else None


@pytest.fixture
def world(make_user: Callable[..., Any], client_for: Callable[[Any], APIClient], s3_server: S3Server,
          settings: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Alice's objects, one of each kind, made through the API."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    monkeypatch.setenv("INKLAB_CLOUD_ALLOW_PRIVATE", "1")
    users = {name: make_user(name) for name in ("alice", "mallory", "ivan", "pat")}
    a = client_for(users["alice"])
    w: dict[str, Any] = {"users": users, "alice": a, "mallory": client_for(users["mallory"]),
                         "anonymous": APIClient(), "user": users["alice"].pk, "alice_name": "alice",
                         "mallory_id": users["mallory"].pk}

    project = _ok(a.post("/api/projects", {"name": "p", "labels": [{"name": "car"}, {"name": "cat"}]},
                         format="json"), "project")
    w["project"] = project["id"]
    task = _ok(a.post("/api/tasks", {"name": "t", "project_id": project["id"], "segment_size": 2}, format="json"),
               "task")
    w["task"] = task["id"]
    assert upload_files(a, task["id"], {f"f{i}.png": png_bytes(i) for i in range(4)})["status"] == "finished"
    jobs = _ok(a.get("/api/jobs", {"task_id": task["id"], "sort": "id"}), "jobs")["results"]
    w["job"] = jobs[0]["id"]
    labels = _ok(a.get("/api/labels", {"project_id": project["id"]}), "labels")["results"]
    w["label"] = labels[0]["id"]
    box = {"type": "rectangle", "frame": 0, "label_id": w["label"], "points": [1, 2, 20, 22]}
    _ok(a.put(f"/api/tasks/{task['id']}/annotations/", {"shapes": [box], "tags": [], "tracks": []},
              format="json"), "annotations")
    gt = _ok(a.post("/api/jobs", {"task_id": task["id"], "type": "ground_truth", "frame_selection_method": "manual",
                                  "frames": [0, 2]}, format="json"), "ground truth job")
    _ok(a.put(f"/api/jobs/{gt['id']}/annotations/", {"shapes": [box], "tags": [], "tracks": []}, format="json"),
        "ground truth")

    issue = _ok(a.post("/api/issues", {"job": w["job"], "frame": 0, "position": [1.0, 1.0, 5.0, 5.0],
                                       "message": "look"}, format="json"), "issue")
    w["issue"] = issue["id"]
    w["comment"] = _ok(a.post("/api/comments", {"issue": issue["id"], "message": "again"}, format="json"),
                       "comment")["id"]
    w["guide"] = _ok(a.post("/api/guides", {"task_id": task["id"], "markdown": "# rules"}, format="json"),
                     "guide")["id"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    w["asset"] = _ok(a.post("/api/assets", {"guide_id": str(w["guide"]),
                                            "file": SimpleUploadedFile("a.png", png_bytes(5), "image/png")},
                            format="multipart"), "asset")["uuid"]
    webhook = _ok(a.post("/api/webhooks", FOREIGN_BODIES["/api/webhooks"] | {"project_id": project["id"]},
                         format="json"), "webhook")
    w["webhook"] = webhook["id"]
    _ok(a.post(f"/api/webhooks/{webhook['id']}/ping"), "ping")
    run_requests()
    w["delivery"] = _ok(a.get(f"/api/webhooks/{webhook['id']}/deliveries"), "deliveries")["results"][0]["id"]

    bucket = s3_server.bucket("inklab-authz", {"a.png": png_bytes(6)})
    w["cloud_storage"] = _ok(a.post("/api/cloudstorages", {
        "provider_type": "AWS_S3_BUCKET", "resource": bucket, "display_name": "photos",
        "credentials_type": "KEY_SECRET_KEY_PAIR", "key": s3_server.key, "secret_key": s3_server.secret,
        "specific_attributes": f"endpoint_url={s3_server.url}"}, format="json"), "cloud storage")["id"]

    rq_id = _ok(a.post("/api/quality/reports", {"task_id": task["id"]}, format="json"), "quality")["rq_id"]
    run_requests()
    w["quality_report"] = _ok(a.post(f"/api/quality/reports?rq_id={rq_id}", format="json"), "report")["id"]
    w["quality_settings"] = _ok(a.get("/api/quality/settings", {"task_id": task["id"]}),
                                "quality settings")["results"][0]["id"]
    w["consensus_settings"] = _ok(a.get("/api/consensus/settings", {"task_id": task["id"]}),
                                  "consensus settings")["results"][0]["id"]
    export = _ok(a.post(f"/api/tasks/{task['id']}/dataset/export?format=CVAT+for+images+1.1&save_images=false"),
                 "export")
    run_requests()
    w["request"] = export["rq_id"]

    function = _ok(a.post("/api/functions", {"provider": "native", "name": "detector", "kind": "detector",
                                              "visibility": "private", "labels_v2": [{"name": "car"}]},
                          format="json"), "function")
    w["function"], w["function_str"] = function["id"], str(function["id"])
    w["lambda_request"] = _ok(a.post("/api/lambda/requests", {"function": str(function["id"]), "task": task["id"]},
                                     format="json"), "lambda request")["id"]
    acquired = _ok(a.post(f"/api/functions/queues/function:{function['id']}/requests/acquire",
                          {"agent_id": "alices-agent", "request_category": "batch"}, format="json"), "acquire")
    w["assignment"] = acquired["ar_assignment"]["ar_id"]

    w["token"] = _ok(a.post("/api/auth/access_tokens", {"name": "mine"}, format="json"), "token")["id"]

    org = _ok(a.post("/api/organizations", {"slug": "alices"}, format="json"), "organization")
    w["organization"], w["org_slug"] = org["id"], "alices"
    ivan_key = _ok(a.post("/api/invitations", {"email": "ivan@x.org", "role": "worker"}, format="json",
                          HTTP_X_ORGANIZATION="alices"), "invite ivan")["key"]
    _ok(client_for(users["ivan"]).post(f"/api/invitations/{ivan_key}/accept"), "ivan accepts")
    w["membership"] = _ok(a.get("/api/memberships", {"org": "alices", "user": "ivan"}),
                          "memberships")["results"][0]["id"]
    w["invitation"] = _ok(a.post("/api/invitations", {"email": "pat@x.org", "role": "worker"}, format="json",
                                 HTTP_X_ORGANIZATION="alices"), "invite pat")["key"]
    return w


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(method.upper(), path, op) for path, item in sorted(schema["paths"].items())
            for method, op in item.items() if method in METHODS]


def _object_url(path: str, world: dict[str, Any]) -> str | None:
    """``path`` with alice's objects in it; None if a parameter is not in :data:`OBJECTS`."""
    url = path
    for match in re.finditer(r"\{(\w+)\}", path):
        key = OBJECTS.get(path[:match.end()])
        if key is None:
            return None
        url = url.replace(match.group(0), str(world[key]), 1)
    return url


def _snapshot() -> str:
    """Every row of every table, as text."""
    rows = []
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        rows.append(serializers.serialize("json", model._base_manager.order_by("pk")))
    return "\n".join(rows)


def _list_leaks(body: Any, path: str, world: dict[str, Any]) -> str | None:
    """What a list answer shows mallory, who owns nothing and belongs nowhere: it should be empty
    (but for her own rows, see :data:`OWN_ROWS`)."""
    if isinstance(body, list):
        results = body  # CVAT's unpaginated lists (lambda functions and requests)
    elif isinstance(body, dict) and "results" in body:
        results = body["results"]
    else:
        return None  # not a list of objects (formats, plugins, events, ...)
    own = OWN_ROWS.get(path)
    if own is not None:
        results = [row for row in results if not own(row, world)]
    return f"{len(results)} results: {json.dumps(results)[:300]}" if results else None


def _call(client: APIClient, method: str, url: str, body: Any = None, **extra: Any) -> Any:
    return client.generic(method, url, json.dumps(body if body is not None else {}),
                          content_type="application/json", **extra)


def _peek(response: Any) -> str:
    """The start of a body, without reading an event stream."""
    return "<a stream>" if response.streaming else repr(response.content[:200])


def _sweep_object(method: str, path: str, url: str, world: dict[str, Any], failures: list[str]) -> None:
    body = _resolve(OBJECT_BODIES.get((method, path)), world)
    response = _call(world["mallory"], method, url, body)
    if (method, path) in ALLOWED_LEAKS:
        return
    if response.status_code not in (403, 404):
        failures.append(f"{method} {path} as mallory: {response.status_code} {_peek(response)}, expected 403 or 404")


def _sweep_list(path: str, op: dict[str, Any], world: dict[str, Any], failures: list[str]) -> None:
    mallory = world["mallory"]
    filters = {name: world[FILTERS[name]] for p in op.get("parameters", [])
               if p["in"] == "query" and (name := p["name"]) in FILTERS}
    if path in LIST_IDS:
        filters["id"] = world[LIST_IDS[path]]
    variants: list[tuple[dict[str, Any], dict[str, str]]] = [({}, {}), ({"org": world["org_slug"]}, {})]
    variants += [({name: value}, {}) for name, value in filters.items()]
    variants.append(({}, {"HTTP_X_ORGANIZATION": world["org_slug"]}))
    for query, headers in variants:
        response = mallory.get(path, query, **headers)
        where = f"GET {path} {query or ''}{' in alice' + chr(39) + 's organization' if headers else ''} as mallory"
        if response.status_code >= 500 or (headers and response.status_code not in (403, 404)):
            failures.append(f"{where}: {response.status_code} {_peek(response)}")
        elif 200 <= response.status_code < 300 and ("GET", path) not in ALLOWED_LEAKS:
            leak = _list_leaks(response.json(), path, world)
            if leak:
                failures.append(f"{where}: shows {leak}")


def test_no_one_else_reaches_alices_objects(world: dict[str, Any]) -> None:
    failures: list[str] = []
    before = _snapshot()
    swept = 0
    for method, path, op in _operations():
        url = _object_url(path, world)
        if url is None:
            failures.append(f"{method} {path}: a path parameter is not mapped in OBJECTS")
            continue
        if (method, path) in PUBLIC:
            continue
        if path in QUERIES:
            url += "?" + urlencode(QUERIES[path])
        swept += 1
        status = _call(world["anonymous"], method, url).status_code
        if status != 401:
            failures.append(f"{method} {path} as anonymous: {status}, expected 401")
        if "{" in path:
            _sweep_object(method, path, url, world, failures)
        elif method == "GET":
            _sweep_list(path, op, world, failures)
        elif method == "POST" and path in FOREIGN_BODIES:
            response = _call(world["mallory"], method, path, _resolve(FOREIGN_BODIES[path], world))
            if response.status_code not in (400, 403, 404):
                failures.append(f"POST {path} naming alice's object as mallory: {response.status_code} "
                                f"{_peek(response)}")
    after = _snapshot()
    if before != after:
        changed = [(b, c) for b, c in zip(before.splitlines(), after.splitlines(), strict=False) if b != c]
        failures.append(f"the database changed: {str(changed)[:2000]}")
    # alice reaches each object (after the snapshot: her calls may write, e.g. open an agent's
    # stream), so mallory's 404s were refusals and not wrong URLs
    for method, path, _ in _operations():
        if method == "GET" and "{" in path:
            url = f"{_object_url(path, world)}?{urlencode(QUERIES.get(path, {}))}"
            response = world["alice"].get(url)
            if not 200 <= response.status_code < 300:
                failures.append(f"GET {path} as alice: {response.status_code} {_peek(response)} (a wrong URL?)")
    assert swept > 100
    assert not failures, "\n".join(failures)


def test_objects_table_has_no_stale_entries() -> None:
    """Every entry of OBJECTS and PUBLIC names something the schema still has."""
    operations = {(method, path) for method, path, _ in _operations()}
    paths = {path for _, path in operations}
    prefixes = {path[:m.end()] for path in paths for m in re.finditer(r"\{(\w+)\}", path)}
    assert set(OBJECTS) - prefixes == set()
    assert set(PUBLIC) - operations == set()
    assert set(FOREIGN_BODIES) - paths == set()


def test_an_unmapped_parameter_fails_the_sweep() -> None:
    world = {"task": 7}
    assert _object_url("/api/tasks/{id}/annotations/", world) == "/api/tasks/7/annotations/"
    assert _object_url("/api/widgets/{id}", world) is None
    assert _object_url("/api/tasks/{id}/frames/{frame_id}", world) is None


def test_mallorys_own_objects_cannot_point_at_alices(world: dict[str, Any]) -> None:
    """Mallory may change her own task, but not to reach alice's project, storage or function
    through it: each such reference is refused and nothing changes."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    mallory = world["mallory"]
    mine = _ok(mallory.post("/api/tasks", {"name": "mine", "labels": [{"name": "car"}]}, format="json"), "task")
    assert upload_files(mallory, mine["id"], {"m.png": png_bytes(7)})["status"] == "finished"
    empty = _ok(mallory.post("/api/tasks", {"name": "empty", "labels": [{"name": "car"}]}, format="json"), "task")
    storage, function = world["cloud_storage"], world["function"]
    in_alices = {"location": "cloud_storage", "cloud_storage_id": storage}
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("move my task into alice's project",
         lambda: mallory.patch(f"/api/tasks/{mine['id']}", {"project_id": world["project"]}, format="json")),
        ("make alice's storage my task's target",
         lambda: mallory.patch(f"/api/tasks/{mine['id']}", {"target_storage": in_alices}, format="json")),
        ("a new task whose source is alice's storage",
         lambda: mallory.post("/api/tasks", {"name": "x", "labels": [{"name": "car"}], "source_storage": in_alices},
                              format="json")),
        ("my task's images from alice's storage",
         lambda: mallory.post(f"/api/tasks/{empty['id']}/data/", {"image_quality": 70, "cloud_storage_id": storage,
                                                                  "server_files": ["a.png"]}, format="json")),
        ("export my task into alice's storage",
         lambda: mallory.post(f"/api/tasks/{mine['id']}/dataset/export?format=CVAT+for+images+1.1"
                              f"&location=cloud_storage&cloud_storage_id={storage}")),
        ("back my task up into alice's storage",
         lambda: mallory.post(f"/api/tasks/{mine['id']}/backup/export?location=cloud_storage"
                              f"&cloud_storage_id={storage}")),
        ("import annotations from alice's storage",
         lambda: mallory.post(f"/api/tasks/{mine['id']}/annotations/?format=CVAT+1.1&location=cloud_storage"
                              f"&cloud_storage_id={storage}&filename=a.png")),
        ("run alice's private function on my task",
         lambda: mallory.post("/api/lambda/requests", {"function": str(function), "task": mine["id"]},
                              format="json")),
        ("call alice's private function on my frame",
         lambda: mallory.post(f"/api/lambda/functions/{function}", {"task": mine["id"], "frame": 0},
                              format="json")),
        ("annotate my task with alice's label",
         lambda: mallory.put(f"/api/tasks/{mine['id']}/annotations/", {"shapes": [
             {"type": "rectangle", "frame": 0, "label_id": world["label"], "points": [1, 1, 5, 5]}],
             "tags": [], "tracks": []}, format="json")),
        ("an asset in alice's guide",
         lambda: mallory.post("/api/assets", {"guide_id": str(world["guide"]),
                                              "file": SimpleUploadedFile("m.png", png_bytes(8), "image/png")},
                              format="multipart")),
    ]
    before = _snapshot()
    failures = []
    for what, call in cases:
        response = call()
        # refused for naming alice's object, not for some other fault of the request
        reason = "is not a label of this task" if "label" in what else "not visible to you"
        if response.status_code not in (400, 403, 404) or reason not in response.content.decode():
            failures.append(f"{what}: {response.status_code} {_peek(response)}")
    run_requests()
    if _snapshot() != before:
        failures.append("the database changed")
    assert not failures, "\n".join(failures)
