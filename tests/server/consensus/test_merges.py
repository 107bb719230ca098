"""Consensus: replica jobs at task creation, settings, and merges to the majority."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.server.conftest import run_requests

pytestmark = pytest.mark.django_db


def _box(label: int, frame: int, x: float) -> dict[str, Any]:
    return {"type": "rectangle", "frame": frame, "label_id": label, "points": [x, 2.0, x + 20, 22.0]}


@pytest.fixture
def replicated(api: APIClient, make_task: Any) -> dict[str, Any]:
    task = make_task(4, segment_size=2, consensus_replicas=3)
    jobs = api.get("/api/jobs", {"task_id": task["id"]}).json()["results"]
    label = api.get("/api/labels", {"task_id": task["id"], "name": "car"}).json()["results"][0]["id"]
    return {"task": task, "jobs": jobs, "label": label}


def test_replica_jobs(api: APIClient, replicated: Any) -> None:
    task, jobs = replicated["task"], replicated["jobs"]
    assert task["initial_replicas"] == 3
    parents = [j for j in jobs if j["type"] == "annotation"]
    replicas = [j for j in jobs if j["type"] == "replica"]
    assert len(parents) == 2 and len(replicas) == 6
    assert all(p["consensus_replicas"] == 3 and p["parent_job_id"] is None for p in parents)
    for parent in parents:
        mine = [r for r in replicas if r["parent_job_id"] == parent["id"]]
        assert len(mine) == 3
        assert {(r["start_frame"], r["stop_frame"]) for r in mine} == {(parent["start_frame"], parent["stop_frame"])}


def test_merge_keeps_the_majority_shape(api: APIClient, replicated: Any) -> None:
    task, jobs, label = replicated["task"], replicated["jobs"], replicated["label"]
    parent = next(j for j in jobs if j["type"] == "annotation" and j["start_frame"] == 0)
    replicas = [j for j in jobs if j["parent_job_id"] == parent["id"]]
    for replica, x in zip(replicas, (1, 2, 60), strict=True):
        body = {"shapes": [_box(label, 1, x)], "tags": [{"frame": 0, "label_id": label}] if x < 60 else []}
        assert api.put(f"/api/jobs/{replica['id']}/annotations", body, format="json").status_code == 200
    # replicas keep their own layers: the parent job is still empty
    assert api.get(f"/api/jobs/{parent['id']}/annotations").json()["shapes"] == []
    response = api.post("/api/consensus/merges", {"task_id": task["id"]}, format="json")
    assert response.status_code == 202, response.content
    assert run_requests() == 1
    request = api.get(f"/api/requests/{response.json()['rq_id']}").json()
    assert request["status"] == "finished" and request["operation"]["type"] == "merge:consensus", request
    merged = api.get(f"/api/jobs/{parent['id']}/annotations").json()
    assert [(s["frame"], s["points"][0]) for s in merged["shapes"]] == [(1, 1.0)]
    assert [t["frame"] for t in merged["tags"]] == [0]
    assert len(api.get(f"/api/jobs/{replicas[2]['id']}/annotations").json()["shapes"]) == 1


def test_settings_and_quorum(api: APIClient, replicated: Any) -> None:
    task, jobs, label = replicated["task"], replicated["jobs"], replicated["label"]
    settings = api.get("/api/consensus/settings", {"task_id": task["id"]}).json()["results"][0]
    assert (settings["task_id"], settings["iou_threshold"], settings["quorum"]) == (task["id"], 0.4, 0.5)
    patched = api.patch(f"/api/consensus/settings/{settings['id']}", {"quorum": 0.9}, format="json")
    assert patched.status_code == 200 and patched.json()["quorum"] == 0.9
    parent = next(j for j in jobs if j["type"] == "annotation" and j["start_frame"] == 2)
    replicas = [j for j in jobs if j["parent_job_id"] == parent["id"]]
    for replica in replicas[:2]:
        api.put(f"/api/jobs/{replica['id']}/annotations", {"shapes": [_box(label, 2, 1)]}, format="json")
    assert api.post("/api/consensus/merges", {"job_id": parent["id"]}, format="json").status_code == 202
    run_requests()
    assert api.get(f"/api/jobs/{parent['id']}/annotations").json()["shapes"] == []  # 2 of 3 < 0.9


@pytest.mark.parametrize(("body", "field", "code"), [
    ({}, "task_id", 400),
    ({"task_id": 1, "job_id": 1}, "task_id", 400),
    ({"task_id": 10**6}, "task_id", 404),
    ({"job_id": 10**6}, "job_id", 404),
    ({"task_id": "x"}, "task_id", 400),
    ({"task_id": 1, "quorum": 1}, "quorum", 400),
])
def test_bad_merges(api: APIClient, replicated: Any, body: dict[str, Any], field: str, code: int) -> None:
    body = {k: (replicated["task"]["id"] if v == 1 and k == "task_id" else v) for k, v in body.items()}
    response = api.post("/api/consensus/merges", body, format="json")
    assert response.status_code == code and field in response.json(), response.content


def test_merge_needs_replicas_and_a_parent_job(api: APIClient, make_task: Any, replicated: Any) -> None:
    plain = make_task(2)
    response = api.post("/api/consensus/merges", {"task_id": plain["id"]}, format="json")
    assert response.status_code == 400 and "task_id" in response.json()
    replica = next(j for j in replicated["jobs"] if j["type"] == "replica")
    response = api.post("/api/consensus/merges", {"job_id": replica["id"]}, format="json")
    assert response.status_code == 400 and "job_id" in response.json()
    settings = api.get("/api/consensus/settings", {"task_id": replicated["task"]["id"]}).json()["results"][0]
    for body in ({"quorum": 2}, {"iou_threshold": "x"}, {"votes": 3}):
        response = api.patch(f"/api/consensus/settings/{settings['id']}", body, format="json")
        assert response.status_code == 400 and next(iter(body)) in response.json()


def test_strangers_cannot_merge(api: APIClient, replicated: Any, make_user: Any, client_for: Any) -> None:
    eve = client_for(make_user("eve"))
    assert eve.post("/api/consensus/merges", {"task_id": replicated["task"]["id"]}, format="json").status_code == 404
    assert eve.get("/api/consensus/settings").json()["count"] == 0
