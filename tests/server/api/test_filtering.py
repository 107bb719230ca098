"""Query parameters are read as the type of what they are compared with: a value that is not one
(a word for an integer, a number beyond its column's range, a bad date) is a 400 that names the
parameter, never a server error; values that fit still filter."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

HUGE = str(10**30)


def logic(expression: Any) -> str:
    return json.dumps(expression)  # json writes integers of any size


@pytest.mark.parametrize("path, query, message", [
    # The cases schemathesis found.
    ("/api/tasks", {"size": "abc"}, "'size' must be an integer, got 'abc'"),
    ("/api/tasks", {"id": "abc"}, "'id' must be an integer, got 'abc'"),
    ("/api/jobs", {"start_frame": "x"}, "'start_frame' must be an integer, got 'x'"),
    ("/api/projects", {"id": "f"}, "'id' must be an integer, got 'f'"),
    ("/api/jobs", {"task_id": HUGE}, "'task_id' must be an integer from -9223372036854775808 to 9223372036854775807"),
    # Every other integer a list filters by.
    ("/api/tasks", {"size": str(2**31)}, "'size' must be an integer from 0 to 2147483647"),
    ("/api/tasks", {"project_id": "1.5"}, "'project_id' must be an integer"),
    ("/api/jobs", {"project_id": "-" + HUGE}, "'project_id' must be an integer from -9223372036854775808"),
    ("/api/jobs", {"id": "null"}, "'id' must be an integer, got 'null'"),
    ("/api/users", {"id": "0x10"}, "'id' must be an integer"),
    ("/api/users", {"is_active": "maybe"}, "'is_active' must be true or false, got 'maybe'"),
    ("/api/users", {"is_active": "null"}, "'is_active' must be true or false, got 'null'"),
    ("/api/tasks", [("id", "1"), ("id", "2")], "'id' is given more than once"),
    ("/api/lambda/requests", [("task", "x"), ("task", "")], "'task' is given more than once"),
    ("/api/projects", [("page_size", "5"), ("page_size", "6")], "'page_size' is given more than once"),
    ("/api/requests", {"task_id": "abc"}, "'task_id' must be an integer"),
    ("/api/requests", {"job_id": HUGE}, "'job_id' must be an integer from"),
    ("/api/lambda/requests", {"task": "abc"}, "'task' must be an integer"),
    ("/api/labels", {"task_id": HUGE}, "'task_id' must be an integer from -9223372036854775808"),
    ("/api/labels", {"job_id": "one"}, "'job_id' must be an integer"),
    # JSON Logic filters: values take the type of the field they are compared with.
    ("/api/tasks", {"filter": logic({"==": [{"var": "id"}, "abc"]})}, "'filter: id' must be an integer"),
    ("/api/jobs", {"filter": logic({">": [{"var": "task_id"}, 10**30]})}, "'filter: task_id' must be an integer from"),
    ("/api/jobs", {"filter": logic({"in": [{"var": "id"}, [1, "x"]]})}, "'filter: id' must be an integer"),
    ("/api/projects", {"filter": logic({"<=": [1, {"var": "id"}, "z"]})}, "'filter: id' must be an integer"),
    ("/api/tasks", {"filter": logic({"<": [{"var": "updated_date"}, "abc"]})}, "'filter: updated_date':"),
    ("/api/tasks", {"filter": logic({"<": [{"var": "size"}, None]})}, "cannot be compared with null"),
    ("/api/tasks", {"filter": logic({"==": [{"var": "id"}, {"var": "size"}]})}, "compare 'id' with a single value"),
])
def test_query_values_of_the_wrong_type_are_400(api: APIClient, path: str, query: Any, message: str) -> None:
    response = api.get(path + "?" + urllib.parse.urlencode(query))
    assert response.status_code == 400, response.content
    assert message in response.json()["detail"]


@pytest.mark.parametrize("query, message", [
    ({"type": "frame", "number": "first"}, "'number' must be an integer, got 'first'"),
    ({"type": "frame", "number": HUGE}, "'number' must be an integer from 0 to 2147483647"),
    ({"type": "chunk", "number": "-1"}, "'number' must be an integer from 0"),
    ({"type": "chunk"}, "The 'number' query parameter is required"),
])
def test_data_numbers_are_checked(api: APIClient, make_task, query: dict[str, str],  # type: ignore[no-untyped-def]
                                  message: str) -> None:
    task = make_task(1)
    job = api.get("/api/jobs", {"task_id": task["id"]}).json()["results"][0]
    for url in (f"/api/tasks/{task['id']}/data/", f"/api/jobs/{job['id']}/data"):
        response = api.get(url + "?" + urllib.parse.urlencode(query))
        assert response.status_code == 400 and message in response.json()["detail"]
    response = api.get(f"/api/jobs/{job['id']}/data?type=chunk&index={HUGE}")
    assert response.status_code == 400 and "'index' must be an integer from 0" in response.json()["detail"]


def test_values_that_fit_still_filter(api: APIClient, make_task) -> None:  # type: ignore[no-untyped-def]
    small, big = make_task(1, name="small"), make_task(3, name="big")
    project = api.post("/api/projects", {"name": "p", "labels": [{"name": "car"}]}, format="json").json()
    inner = make_task(0, name="inner", project_id=project["id"])

    def names(path: str, **query: Any) -> set[str]:
        response = api.get(path, query)
        assert response.status_code == 200, response.content
        return {item.get("name") or item.get("task_name") for item in response.json()["results"]}

    assert names("/api/tasks", size="3") == {"big"}
    assert names("/api/tasks", size=" +3 ") == {"big"}
    assert names("/api/tasks", id=str(small["id"])) == {"small"}
    assert names("/api/tasks", id=HUGE[:19]) == set()  # a 64-bit id that does not exist
    assert names("/api/tasks", filter=logic({"in": [{"var": "id"}, [small["id"], 0, -1]]})) == {"small"}
    assert names("/api/tasks", project_id=str(project["id"])) == {"inner"}
    assert names("/api/tasks", project_name="null") == {"small", "big"}  # text fields keep null
    assert names("/api/jobs", task_id=str(big["id"])) == {"big"}
    assert names("/api/jobs", start_frame="0") == {"small", "big"}
    assert names("/api/tasks", filter=logic({"==": [{"var": "id"}, str(inner["id"])]})) == {"inner"}
    assert names("/api/tasks", filter=logic({"in": [{"var": "size"}, [1, 3]]})) == {"small", "big"}
    assert names("/api/tasks", filter=logic({"<": [{"var": "updated_date"}, "2999-01-01T00:00:00Z"]})) == {
        "small", "big", "inner"}
    assert {u["username"] for u in api.get("/api/users", {"is_active": "true"}).json()["results"]} == {"admin"}
    assert api.get("/api/users", {"is_active": "false"}).json()["count"] == 0


@pytest.mark.parametrize("page_size, status, count", [("2", 200, 2), ("5000", 200, 3), ("0", 400, None),
                                                      ("-3", 400, None), ("ten", 400, None)])
def test_page_size(api: APIClient, page_size: str, status: int, count: int | None) -> None:
    for name in ("a", "b", "c"):
        api.post("/api/projects", {"name": name}, format="json")
    response = api.get("/api/projects", {"page_size": page_size})
    assert response.status_code == status
    if count is None:
        assert "'page_size' must be an integer" in response.json()["detail"]
    else:
        assert len(response.json()["results"]) == count
