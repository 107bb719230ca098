"""The OpenAPI schema at /api/schema/: complete, valid, and in the shape of CVAT's.

"CVAT's shape" is checked against the real client: every operation we describe must be an
operation of cvat-sdk's generated API (same method, path spelling and operation id), apart from
inklab's own extensions listed below.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator
from drf_spectacular.validation import validate_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.test import APIClient

from inklab.server.api.schema import cvat_paths
from inklab.server.datasets.views import ImportUploadView
from inklab.server.media.views import TaskUploadView

METHODS = ("get", "post", "put", "patch", "delete")

# Operations inklab serves that cvat-sdk has no method for.
EXTENSIONS = {
    # Native auto-annotation functions: registration and the queue API their agents poll.
    ("GET", "/api/functions"),
    ("POST", "/api/functions"),
    ("GET", "/api/functions/{id}"),
    ("DELETE", "/api/functions/{id}"),
    ("GET", "/api/functions/queues/function:{function_id}/watch"),
    ("POST", "/api/functions/queues/function:{function_id}/requests/acquire"),
    ("POST", "/api/functions/queues/function:{function_id}/requests/{ar_id}/update"),
    ("POST", "/api/functions/queues/function:{function_id}/requests/{ar_id}/complete"),
    ("POST", "/api/functions/queues/function:{function_id}/requests/{ar_id}/fail"),
    # A liveness check for load balancers.
    ("GET", "/api/server/health"),
    # The result_url of finished requests (the SDK downloads it as a plain URL).
    ("GET", "/api/requests/{id}/download"),
}

# Query parameters we accept that cvat-sdk's methods do not send.
EXTRA_PARAMETERS = {
    # Equality filters of lists beyond CVAT's.
    ("GET", "/api/tasks"): {"id", "size"},
    ("GET", "/api/projects"): {"id"},
    ("GET", "/api/jobs"): {"id", "start_frame", "subset"},
    ("GET", "/api/users"): {"id"},
    ("GET", "/api/lambda/requests"): {"task"},
    # Sent by CVAT's web UI, not by the SDK.
    ("POST", "/api/tasks/{id}/annotations/"): {"conv_mask_to_poly"},
    ("POST", "/api/jobs/{id}/annotations/"): {"conv_mask_to_poly"},
    ("POST", "/api/projects/{id}/dataset/"): {"conv_mask_to_poly"},
    # Conditional annotation writes (inklab's web UI): refused with 409 when the version moved on.
    **{(method, f"/api/{kind}/{{id}}/annotations/"): {"version"}
       for method in ("PUT", "PATCH", "DELETE") for kind in ("tasks", "jobs")},
    # drf-spectacular's schema view takes ?format=json|yaml (CVAT's older one called it 'scheme').
    ("GET", "/api/schema/"): {"format"},
}

# What the SDK, the CLI and the web UI call; each must stay described.
RELIED_ON = {
    ("POST", "/api/auth/login"), ("POST", "/api/auth/logout"), ("POST", "/api/auth/register"),
    ("POST", "/api/auth/password/change"),
    ("GET", "/api/auth/access_tokens"), ("POST", "/api/auth/access_tokens"),
    ("GET", "/api/users"), ("GET", "/api/users/self"), ("GET", "/api/users/{id}"), ("PATCH", "/api/users/{id}"),
    ("GET", "/api/server/about"), ("GET", "/api/server/annotation/formats"), ("GET", "/api/server/share"),
    ("GET", "/api/projects"), ("POST", "/api/projects"), ("GET", "/api/projects/{id}"),
    ("PATCH", "/api/projects/{id}"), ("DELETE", "/api/projects/{id}"),
    ("GET", "/api/tasks"), ("POST", "/api/tasks"), ("GET", "/api/tasks/{id}"), ("PATCH", "/api/tasks/{id}"),
    ("DELETE", "/api/tasks/{id}"),
    ("GET", "/api/jobs"), ("GET", "/api/jobs/{id}"), ("PATCH", "/api/jobs/{id}"),
    ("GET", "/api/labels"), ("GET", "/api/labels/{id}"), ("PATCH", "/api/labels/{id}"),
    ("DELETE", "/api/labels/{id}"),
    ("POST", "/api/tasks/{id}/data/"), ("GET", "/api/tasks/{id}/data/"), ("GET", "/api/tasks/{id}/data/meta"),
    ("GET", "/api/jobs/{id}/data"), ("GET", "/api/jobs/{id}/data/meta"), ("GET", "/api/tasks/{id}/preview"),
    *((method, f"/api/{kind}/{{id}}/annotations/") for kind in ("tasks", "jobs")
      for method in ("GET", "POST", "PUT", "PATCH", "DELETE")),
    ("POST", "/api/tasks/{id}/dataset/export"), ("POST", "/api/jobs/{id}/dataset/export"),
    ("POST", "/api/projects/{id}/dataset/export"), ("POST", "/api/projects/{id}/dataset/"),
    ("POST", "/api/tasks/{id}/backup/export"), ("POST", "/api/projects/{id}/backup/export"),
    ("POST", "/api/tasks/backup/"), ("POST", "/api/projects/backup/"),
    ("GET", "/api/requests"), ("GET", "/api/requests/{id}"), ("POST", "/api/requests/{id}/cancel"),
    ("GET", "/api/lambda/functions"), ("GET", "/api/lambda/functions/{func_id}"),
    ("GET", "/api/lambda/requests"), ("POST", "/api/lambda/requests"), ("GET", "/api/lambda/requests/{id}"),
    ("DELETE", "/api/lambda/requests/{id}"),
}

# The TUS chunk routes (PATCH/HEAD on <upload endpoint><upload id>): left out, as in CVAT's
# schema; the upload endpoints' descriptions explain them. And /api/docs/, the Swagger UI page.
UNDESCRIBED_VIEWS = {TaskUploadView, ImportUploadView, SpectacularSwaggerSplitView}


@pytest.fixture(scope="module")
def generated() -> tuple[dict[str, Any], list[str]]:
    """The schema and the warnings and errors its generation reported."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    return schema, problems


@pytest.fixture(scope="module")
def schema(generated: tuple[dict[str, Any], list[str]]) -> dict[str, Any]:
    return generated[0]


def operations(schema: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(method.upper(), path): op for path, item in schema["paths"].items()
            for method, op in item.items() if method in METHODS}


@pytest.fixture(scope="module")
def sdk_operations() -> dict[tuple[str, str], dict[str, Any]]:
    return cvat_sdk_operations()


def cvat_sdk_operations() -> dict[tuple[str, str], dict[str, Any]]:
    """(method, path) -> the operation id (tag included), parameter names and auth schemes of
    cvat-sdk's endpoint."""
    from cvat_sdk.api_client import ApiClient, Configuration, api
    from cvat_sdk.api_client.api_client import Endpoint

    client = ApiClient(Configuration(host="http://x"))
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for info in pkgutil.iter_modules(api.__path__):
        module = importlib.import_module(f"{api.__name__}.{info.name}")
        tag = info.name.removesuffix("_api")
        for cls in vars(module).values():
            if not (isinstance(cls, type) and cls.__module__ == module.__name__ and cls.__name__.endswith("Api")):
                continue
            for endpoint in vars(cls(client)).values():
                if isinstance(endpoint, Endpoint):
                    s = endpoint.settings
                    found[(s["http_method"], s["endpoint_path"])] = {
                        "operation_id": f"{tag}_{s['operation_id']}", "params": set(endpoint.params_map["all"]),
                        "auth": set(s["auth"]),
                    }
    assert len(found) > 100, "cvat-sdk's API classes were not found"
    return found


def test_generates_without_warnings_and_validates(generated: tuple[dict[str, Any], list[str]]) -> None:
    schema, problems = generated
    assert problems == []
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document
    assert schema["openapi"].startswith("3.0")


def test_served_schema_is_the_generated_one(db: None, schema: dict[str, Any]) -> None:
    response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    assert set(response.json()["paths"]) == set(schema["paths"])


def test_every_route_is_described(schema: dict[str, Any]) -> None:
    endpoints = cvat_paths(EndpointEnumerator().get_api_endpoints())
    assert len(endpoints) > 80
    undescribed = {callback.cls for path, _, method, callback in endpoints
                   if method.lower() in METHODS
                   and method.lower() not in schema["paths"].get(path.replace("{pk}", "{id}"), {})}
    assert undescribed == UNDESCRIBED_VIEWS


def test_paths_are_spelled_as_cvat_spells_them(schema: dict[str, Any]) -> None:
    paths = set(schema["paths"])
    assert {"/api/tasks", "/api/tasks/{id}", "/api/users/self", "/api/lambda/functions/{func_id}"} <= paths
    # Upload endpoints keep their slash: TUS clients append the upload id to it.
    assert {"/api/tasks/{id}/data/", "/api/tasks/{id}/annotations/", "/api/jobs/{id}/annotations/",
            "/api/projects/{id}/dataset/", "/api/tasks/backup/", "/api/projects/backup/"} <= paths
    assert "/api/tasks/" not in paths and "/api/jobs/{id}/data/" not in paths
    assert not [p for p in paths if "{upload}" in p or "{file_id}" in p]


def test_every_operation_is_one_of_cvat_sdk(schema: dict[str, Any],
                                            sdk_operations: dict[tuple[str, str], dict[str, Any]]) -> None:
    ours = operations(schema)
    assert EXTENSIONS <= set(ours), "an extension is listed but no longer served"
    assert set(ours) - EXTENSIONS - set(sdk_operations) == set()


def test_operation_ids_are_cvat_sdk_ones(schema: dict[str, Any],
                                         sdk_operations: dict[tuple[str, str], dict[str, Any]]) -> None:
    ids = {key: op["operationId"] for key, op in operations(schema).items() if key in sdk_operations}
    assert ids == {key: sdk_operations[key]["operation_id"] for key in ids}
    assert ids[("GET", "/api/tasks")] == "tasks_list"
    assert ids[("GET", "/api/server/share")] == "server_list_share"


def test_query_parameters_are_ones_cvat_sdk_sends(schema: dict[str, Any],
                                                  sdk_operations: dict[tuple[str, str], dict[str, Any]]) -> None:
    extra = {}
    for key, op in operations(schema).items():
        if key not in sdk_operations:
            continue
        names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        if names - sdk_operations[key]["params"]:
            extra[key] = names - sdk_operations[key]["params"]
    assert extra == EXTRA_PARAMETERS


def test_security_schemes_are_cvat_sdk_ones(schema: dict[str, Any],
                                            sdk_operations: dict[tuple[str, str], dict[str, Any]]) -> None:
    schemes = set(schema["components"]["securitySchemes"])
    assert schemes == {"accessTokenAuth", "tokenAuth", "basicAuth", "sessionAuth", "csrfAuth", "csrfHeaderAuth"}
    assert schemes <= sdk_operations[("GET", "/api/tasks")]["auth"]
    # The public endpoints need no credentials.
    assert operations(schema)[("GET", "/api/server/about")]["security"] == [{}]


def test_relied_on_operations_are_described(schema: dict[str, Any]) -> None:
    assert RELIED_ON - set(operations(schema)) == set()


def test_client_parameters_and_bodies(schema: dict[str, Any]) -> None:
    ops = operations(schema)

    def params(method: str, path: str) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in ops[(method, path)].get("parameters", [])}

    def body_ref(method: str, path: str, media: str = "application/json") -> str:
        return ops[(method, path)]["requestBody"]["content"][media]["schema"]["$ref"].rsplit("/", 1)[-1]

    def response_ref(method: str, path: str, code: str) -> str:
        content = ops[(method, path)]["responses"][code]["content"]
        return next(iter(content.values()))["schema"]["$ref"].rsplit("/", 1)[-1]

    data = params("GET", "/api/tasks/{id}/data/")
    assert {"type", "number", "quality"} <= set(data)
    assert data["quality"]["schema"]["enum"] == ["compressed", "original"]
    assert {"Upload-Start", "Upload-Multiple", "Upload-Finish"} <= set(params("POST", "/api/tasks/{id}/data/"))
    assert body_ref("POST", "/api/tasks/{id}/data/", "multipart/form-data") == "DataRequest"
    # Upload endpoints answer Upload-Start with UploadStarted, the rest of their 202s with RqId.
    assert response_ref("POST", "/api/tasks/{id}/data/", "202") == "RqIdOrUploadStarted"
    assert [one["$ref"].rsplit("/", 1)[-1] for one in schema["components"]["schemas"]["RqIdOrUploadStarted"]["oneOf"]
            ] == ["RqId", "UploadStarted"]
    assert "index" in params("GET", "/api/jobs/{id}/data")

    patch = params("PATCH", "/api/jobs/{id}/annotations/")
    assert patch["action"]["required"] is True and patch["action"]["schema"]["enum"] == ["create", "delete", "update"]
    assert body_ref("PUT", "/api/tasks/{id}/annotations/") == "LabeledDataRequest"
    assert response_ref("GET", "/api/tasks/{id}/annotations/", "200") == "LabeledData"
    assert {"format", "filename"} <= set(params("POST", "/api/tasks/{id}/annotations/"))
    assert {"format", "save_images", "location"} <= set(params("POST", "/api/projects/{id}/dataset/export"))
    assert response_ref("POST", "/api/projects/{id}/dataset/export", "202") == "RqId"
    assert "filename" in params("POST", "/api/tasks/backup/")
    assert body_ref("PATCH", "/api/tasks/{id}/data/meta") == "PatchedDataMetaWriteRequest"

    tasks = params("GET", "/api/tasks")
    assert {"page", "page_size", "search", "sort", "filter", "name", "project_id"} <= set(tasks)
    assert tasks["project_id"]["schema"]["type"] == "integer"
    assert response_ref("GET", "/api/server/about", "200") == "About"
    assert response_ref("POST", "/api/auth/login", "200") == "Token"
    assert response_ref("GET", "/api/users/self", "200") == "User"


def test_cvat_names_for_choice_sets(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    assert components["RequestStatus"]["enum"] == ["queued", "started", "failed", "finished"]
    assert components["JobStatus"]["enum"] == ["annotation", "validation", "completed"]
    # drf-spectacular names colliding choice sets after a hash ("Status7e1Enum"); CVAT's names are plain.
    assert [name for name in components if re.fullmatch(r"\w+[0-9A-F][0-9a-f]{2}Enum", name)] == []


def test_every_integer_a_client_sends_is_bounded(schema: dict[str, Any]) -> None:
    """Integers in parameters and request bodies declare the range the server accepts (at most
    64-bit): the server checks those ranges, and a fuzzer reads them from here."""
    components = schema["components"]["schemas"]
    unbounded: set[str] = set()

    def walk(node: Any, where: str, seen: frozenset[str]) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref:
                name = ref.rsplit("/", 1)[-1]
                if name not in seen:
                    walk(components[name], name, seen | {name})
                return
            if node.get("type") == "integer" and not node.get("readOnly"):
                low, high = node.get("minimum"), node.get("maximum")
                if low is None or high is None or low < -(2**63) or high > 2**63 - 1:
                    unbounded.add(where)
            for key, value in node.items():
                walk(value, f"{where}.{key}", seen)
        elif isinstance(node, list):
            for item in node:
                walk(item, where, seen)

    for (method, path), op in operations(schema).items():
        for parameter in op.get("parameters", []):
            walk(parameter["schema"], f"{method} {path} {parameter['name']}", frozenset())
        for media in op.get("requestBody", {}).get("content", {}).values():
            walk(media["schema"], f"{method} {path} body", frozenset())
    assert not unbounded, "\n".join(sorted(unbounded))
