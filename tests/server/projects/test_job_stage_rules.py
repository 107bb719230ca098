"""Who may move a job: its state is its annotator's to report, its stage and assignee are the
task's managers' (CVAT's ``update:state``, ``update:stage`` and ``update:assignee`` rules).

Every refusal is a 403 that names the refused field and leaves the job as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from inklab.server.projects.models import Job
from tests.server.conftest import png_bytes, upload_files

pytestmark = pytest.mark.django_db

ROLES = {"mike": "maintainer", "walt": "worker", "tara": "worker", "vera": "worker"}


def _task(client: APIClient, org: str = "") -> tuple[dict[str, Any], list[int]]:
    response = client.post("/api/tasks", {"name": "t", "labels": [{"name": "car"}], "segment_size": 1},
                           format="json", HTTP_X_ORGANIZATION=org)
    assert response.status_code == 201, response.content
    task = response.json()
    assert upload_files(client, task["id"], {"a.png": png_bytes(0), "b.png": png_bytes(1)})["status"] == "finished"
    jobs = [j["id"] for j in client.get("/api/jobs", {"task_id": task["id"], "sort": "id"}).json()["results"]]
    return task, jobs


@pytest.fixture
def org(make_user: Callable[..., Any], client_for: Callable[[Any], APIClient]) -> dict[str, Any]:
    """Organization 'acme': olga owns it and made the task; walt (a worker) is assigned its first
    job, tara (a worker) the task itself; mike is a maintainer, vera a worker with nothing
    assigned, xavier not a member."""
    users = {name: make_user(name) for name in ("olga", *ROLES, "xavier")}
    c = {name: client_for(user) for name, user in users.items()}
    assert c["olga"].post("/api/organizations", {"slug": "acme"}, format="json").status_code == 201
    for name, role in ROLES.items():
        key = c["olga"].post("/api/invitations", {"email": f"{name}@x.org", "role": role}, format="json",
                             HTTP_X_ORGANIZATION="acme").json()["key"]
        assert c[name].post(f"/api/invitations/{key}/accept").status_code == 200
    task, jobs = _task(c["olga"], "acme")
    assert c["olga"].patch(f"/api/tasks/{task['id']}", {"assignee_id": users["tara"].pk},
                           format="json").status_code == 200
    assert c["olga"].patch(f"/api/jobs/{jobs[0]}", {"assignee": users["walt"].pk}, format="json").status_code == 200
    return {"users": users, "c": c, "job": jobs[0]}


def _state(job: int) -> tuple[str, str, int | None]:
    row = Job.objects.get(pk=job)
    return row.stage, row.state, row.assignee_id


def _refused(response: Any, *fields: str) -> None:
    assert response.status_code == 403, response.content
    body = response.json()
    assert sorted(body) == sorted(fields), body
    for field in fields:
        assert "task's managers" in body[field][0]


def test_a_worker_assignee_reports_state_but_does_not_move_the_stage(org: dict[str, Any]) -> None:
    walt, job = org["c"]["walt"], org["job"]
    walt_id = org["users"]["walt"].pk
    response = walt.patch(f"/api/jobs/{job}", {"state": "completed"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "completed"
    assert _state(job) == ("annotation", "completed", walt_id)

    response = walt.patch(f"/api/jobs/{job}", {"stage": "acceptance"}, format="json")
    _refused(response, "stage")
    assert "stage" in response.json()["stage"][0]
    # A refused field refuses the whole change: the state sent with it is not applied either.
    _refused(walt.patch(f"/api/jobs/{job}", {"stage": "validation", "state": "in progress"}, format="json"), "stage")
    # As in CVAT, sending the field is what counts, even with the value it already has.
    _refused(walt.patch(f"/api/jobs/{job}", {"stage": "annotation"}, format="json"), "stage")
    _refused(walt.patch(f"/api/jobs/{job}", {"assignee": walt_id, "stage": "acceptance"}, format="json"),
             "assignee", "stage")
    assert _state(job) == ("annotation", "completed", walt_id)


@pytest.mark.parametrize("who", ["olga", "tara", "mike"])
def test_task_staff_and_maintainers_move_the_stage(org: dict[str, Any], who: str) -> None:
    """The task's owner, its assignee (a mere worker) and a maintainer set stage, state and assignee."""
    client, job = org["c"][who], org["job"]
    response = client.patch(f"/api/jobs/{job}", {"stage": "validation", "state": "in progress"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["stage"], response.json()["state"]) == ("validation", "in progress")
    vera = org["users"]["vera"].pk
    assert client.patch(f"/api/jobs/{job}", {"stage": "acceptance", "assignee": vera}, format="json").status_code == 200
    assert _state(job) == ("acceptance", "in progress", vera)


@pytest.mark.parametrize("who", ["vera", "xavier"])
def test_who_cannot_see_the_job_gets_404_and_changes_nothing(org: dict[str, Any], who: str) -> None:
    job = org["job"]
    before = _state(job)
    for body in ({"stage": "acceptance"}, {"state": "completed"}):
        assert org["c"][who].patch(f"/api/jobs/{job}", body, format="json").status_code == 404
    assert _state(job) == before


def test_bad_values_are_400_not_403(org: dict[str, Any]) -> None:
    response = org["c"]["walt"].patch(f"/api/jobs/{org['job']}", {"state": "finished"}, format="json")
    assert response.status_code == 400 and "state" in response.json()


def test_personal_workspace(make_user: Callable[..., Any], client_for: Callable[[Any], APIClient]) -> None:
    """No organization: the task's owner moves the stage; the job's assignee reports its state only."""
    alice, bob = make_user("alice"), make_user("bob")
    a, b = client_for(alice), client_for(bob)
    _, jobs = _task(a)
    job = jobs[0]
    assert a.patch(f"/api/jobs/{job}", {"assignee": bob.pk}, format="json").status_code == 200

    assert b.patch(f"/api/jobs/{job}", {"state": "completed"}, format="json").status_code == 200
    _refused(b.patch(f"/api/jobs/{job}", {"stage": "acceptance", "state": "rejected"}, format="json"), "stage")
    _refused(b.patch(f"/api/jobs/{job}", {"assignee": None}, format="json"), "assignee")
    assert _state(job) == ("annotation", "completed", bob.pk)

    assert a.patch(f"/api/jobs/{job}", {"stage": "acceptance"}, format="json").status_code == 200
    assert _state(job) == ("acceptance", "completed", bob.pk)
    # bob's other job is not his: he does not even see it.
    assert b.patch(f"/api/jobs/{jobs[1]}", {"state": "completed"}, format="json").status_code == 404
    assert Job.objects.get(pk=jobs[1]).state == "new"
