"""Conditional annotation writes: ``?version=N`` / ``If-Match`` refuse a stale write with 409."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(api: APIClient, make_task) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    task = make_task(6, segment_size=3)
    jobs = sorted(api.get("/api/jobs", {"task_id": task["id"]}).json()["results"], key=lambda j: j["start_frame"])
    labels = api.get("/api/labels", {"task_id": task["id"]}).json()["results"]
    first = jobs[0]
    first["label"] = next(label["id"] for label in labels if label["name"] == "car")
    first["other"] = jobs[1]["id"]
    return first


def box(job: dict[str, Any], x: float = 1) -> dict[str, Any]:
    return {"type": "rectangle", "frame": 0, "label_id": job["label"], "points": [x, x, x + 5, x + 5]}


def url(job: dict[str, Any]) -> str:
    return f"/api/jobs/{job['id']}/annotations/"


def read(api: APIClient, job: dict[str, Any]) -> tuple[int, list[Any]]:
    response = api.get(url(job))
    assert response.status_code == 200
    body = response.json()
    assert response["ETag"] == f'"{body["version"]}"'
    return body["version"], [(s["id"], s["points"]) for s in body["shapes"]]


def test_fresh_write_is_accepted_and_bumps_the_version(api: APIClient, job: dict[str, Any]) -> None:
    version, shapes = read(api, job)
    assert shapes == []
    response = api.patch(url(job) + f"?action=create&version={version}", {"shapes": [box(job)]}, format="json")
    assert response.status_code == 200, response.content
    created = response.json()
    assert created["version"] == version + 1
    response = api.patch(url(job) + f"?action=update&version={version + 1}",
                         {"shapes": [{**created["shapes"][0], "points": [2, 2, 9, 9]}]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == version + 2
    assert read(api, job) == (version + 2, [(created["shapes"][0]["id"], [2.0, 2.0, 9.0, 9.0])])
    # If-Match carries the ETag of a GET the same way.
    response = api.put(url(job), {"shapes": [box(job, 7)]}, format="json", HTTP_IF_MATCH=f'"{version + 2}"')
    assert response.status_code == 200, response.content
    assert read(api, job)[0] == version + 3


@pytest.mark.parametrize("action", ["put", "create", "update", "delete", "delete_all"])
def test_stale_write_is_refused_and_changes_nothing(api: APIClient, job: dict[str, Any], action: str) -> None:
    stored = api.patch(url(job) + "?action=create", {"shapes": [box(job)]}, format="json").json()
    loaded = stored["version"]
    # Someone else changes the job after it was loaded.
    other = api.patch(url(job) + "?action=create", {"shapes": [box(job, 3)]}, format="json").json()
    before = read(api, job)
    assert before[0] == loaded + 1
    mine = {**stored["shapes"][0], "points": [4.0, 4.0, 8.0, 8.0]}
    if action == "put":
        response = api.put(url(job) + f"?version={loaded}", {"shapes": [box(job, 9)]}, format="json")
    elif action == "delete_all":
        response = api.delete(url(job) + f"?version={loaded}")
    else:
        body = {"shapes": [mine if action != "create" else box(job, 9)]}
        response = api.patch(url(job) + f"?action={action}&version={loaded}", body, format="json")
    assert response.status_code == 409, response.content
    detail = response.json()
    assert detail["version"] == loaded + 1
    assert f"version {loaded} was read" in detail["detail"] and f"current version is {loaded + 1}" in detail["detail"]
    assert read(api, job) == before
    assert {s["id"] for s in other["shapes"]} < {pk for pk, _ in before[1]}


def test_if_match_that_is_stale_is_refused(api: APIClient, job: dict[str, Any]) -> None:
    version, _ = read(api, job)
    api.patch(url(job) + "?action=create", {"shapes": [box(job)]}, format="json")
    response = api.patch(url(job) + "?action=create", {"shapes": [box(job, 2)]}, format="json",
                         HTTP_IF_MATCH=f'"{version}"')
    assert response.status_code == 409 and response.json()["version"] == version + 1
    assert len(read(api, job)[1]) == 1


def test_without_a_version_writes_stay_unconditional(api: APIClient, job: dict[str, Any]) -> None:
    api.patch(url(job) + "?action=create", {"shapes": [box(job)]}, format="json")
    response = api.put(url(job), {"shapes": [box(job, 5)]}, format="json")
    assert response.status_code == 200
    assert [points for _, points in read(api, job)[1]] == [[5.0, 5.0, 10.0, 10.0]]
    assert api.patch(url(job) + "?action=create", {"shapes": [box(job)]}, format="json",
                     HTTP_IF_MATCH="*").status_code == 200


def test_a_job_version_moves_only_with_its_own_frames(api: APIClient, job: dict[str, Any]) -> None:
    version, _ = read(api, job)
    other_url = f"/api/jobs/{job['other']}/annotations/"
    shape = {**box(job), "frame": 3}
    assert api.patch(other_url + "?action=create", {"shapes": [shape]}, format="json").status_code == 200
    assert read(api, job)[0] == version
    response = api.patch(url(job) + f"?action=create&version={version}", {"shapes": [box(job)]}, format="json")
    assert response.status_code == 200, response.content


def test_tasks_take_the_same_condition(api: APIClient, job: dict[str, Any]) -> None:
    task_url = f"/api/tasks/{job['task_id']}/annotations/"
    response = api.get(task_url)
    version = response.json()["version"]
    assert response["ETag"] == f'"{version}"'
    api.patch(task_url + "?action=create", {"shapes": [box(job)]}, format="json")
    stale = api.put(task_url + f"?version={version}", {"shapes": []}, format="json")
    assert stale.status_code == 409 and stale.json()["version"] == version + 1
    assert len(api.get(task_url).json()["shapes"]) == 1
    fresh = api.put(task_url + f"?version={version + 1}", {"shapes": []}, format="json")
    assert fresh.status_code == 200 and fresh.json()["version"] == version + 2


@pytest.mark.parametrize(("query", "header", "named"), [
    ("version=abc", None, "'version' must be an integer"),
    ("version=-1", None, "'version' must be an integer from 0"),
    ("version=1.5", None, "'version' must be an integer"),
    ("version=99999999999999999999999999", None, "'version' must be an integer from 0"),
    ("version=1&version=2", None, "'version' is given more than once"),
    ("", "3", "'If-Match' must be a quoted annotations version"),
    ("", '"x"', "'If-Match' must be an integer"),
    ("", '"-2"', "'If-Match' must be an integer from 0"),
    ("version=1", '"2"', "'version' (1) and 'If-Match' (2) disagree"),
])
def test_bad_versions_are_refused_naming_the_field(api: APIClient, job: dict[str, Any], query: str,
                                                    header: str | None, named: str) -> None:
    extra = {"HTTP_IF_MATCH": header} if header is not None else {}
    response = api.patch(url(job) + f"?action=create&{query}", {"shapes": [box(job)]}, format="json", **extra)
    assert response.status_code == 400, response.content
    assert named in response.json()["detail"]
    assert read(api, job)[1] == []
