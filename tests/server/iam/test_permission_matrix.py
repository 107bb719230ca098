"""The permission matrix: every actor × an organization's and a personal task (and its jobs) ×
each action, the expected status derived from the rules table (:mod:`inklab.server.iam.rules`)
and checked through the API. Lists never show what a retrieve refuses.

The test states each actor's relations to the objects independently of the server's code (who
made what, who is assigned what, who has which role); only the table decides what they allow.
Runs on PostgreSQL too (``INKLAB_TEST_POSTGRES=1``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from inklab.server.iam.models import Organization
from inklab.server.iam.rules import RULES, Action, Resource, Who, allowed, role_relations
from inklab.server.projects.models import Job
from tests.server.conftest import png_bytes, upload_files

pytestmark = pytest.mark.django_db

#: actor -> role in organization 'acme' (None: not a member)
ROLES = {"olga": "owner", "mike": "maintainer", "sue": "supervisor", "walt": "worker", "vera": "worker",
         "xavier": None, "admin": None, "anonymous": None}
ACTORS = list(ROLES)
#: the object relations each actor holds: olga made the organization's task, xavier the personal
#: one; walt is assigned the first job of both
TASK_RELATIONS = {"org": {"olga": {Who.OWNER}, "walt": {Who.JOB_ASSIGNEE}},
                  "personal": {"xavier": {Who.OWNER}, "walt": {Who.JOB_ASSIGNEE}}}
JOB_ASSIGNEE = "walt"


def relations(actor: str, workspace: str) -> set[Who]:
    """What ``actor`` holds to the ``workspace`` task, as the rules table names it."""
    if actor == "admin":
        return {Who.ADMIN}
    held = set(TASK_RELATIONS[workspace].get(actor, set()))
    if workspace == "org":
        if ROLES[actor] is None:
            return set()  # outsiders hold nothing in an organization, even if assigned earlier
        held |= role_relations(ROLES[actor])
    return held


def job_relations(actor: str, workspace: str, first_job: bool) -> set[Who]:
    held = relations(actor, workspace)
    task_held = held - {Who.JOB_ASSIGNEE}
    result = {who for who in task_held if who in {Who.ADMIN} or who.name.startswith("ORG_")}
    if allowed(Resource.TASK, Action.CHANGE, task_held):
        result.add(Who.TASK_MANAGER)
    if first_job and Who.JOB_ASSIGNEE in held:
        result.add(Who.ASSIGNEE)
    return result


def expected(actor: str, resource: Resource, action: Action, held: set[Who], success: int) -> int:
    if actor == "anonymous":
        return 401
    if not allowed(resource, Action.VIEW, held):
        return 404
    return success if allowed(resource, action, held) else 403


@pytest.fixture
def world(make_user: Callable[..., Any], client_for: Callable[[Any], APIClient]) -> dict[str, Any]:
    users = {name: make_user(name, admin=name == "admin") for name in ACTORS if name != "anonymous"}
    clients: dict[str, APIClient] = {name: client_for(user) for name, user in users.items()}
    clients["anonymous"] = APIClient()
    olga = clients["olga"]
    assert olga.post("/api/organizations", {"slug": "acme"}, format="json").status_code == 201
    for name, role in ROLES.items():
        if role is not None and role != "owner":
            key = olga.post("/api/invitations", {"email": f"{name}@x.org", "role": role}, format="json",
                            HTTP_X_ORGANIZATION="acme").json()["key"]
            assert clients[name].post(f"/api/invitations/{key}/accept").status_code == 200
    tasks = {}
    for workspace, maker, org in (("org", "olga", "acme"), ("personal", "xavier", "")):
        client = clients[maker]
        response = client.post("/api/tasks", {"name": workspace, "labels": [{"name": "car"}], "segment_size": 1},
                               format="json", HTTP_X_ORGANIZATION=org)
        assert response.status_code == 201, response.content
        task = response.json()
        assert upload_files(client, task["id"], {"a.png": png_bytes(0), "b.png": png_bytes(1)})["status"] == "finished"
        jobs = [j["id"] for j in client.get("/api/jobs", {"task_id": task["id"], "sort": "id"}).json()["results"]]
        assigned = client.patch(f"/api/jobs/{jobs[0]}", {"assignee": users[JOB_ASSIGNEE].pk}, format="json")
        assert assigned.status_code == 200, assigned.content
        tasks[workspace] = {"id": task["id"], "jobs": jobs, "maker": users[maker]}
    return {"users": users, "c": clients, "tasks": tasks}


@pytest.mark.parametrize("workspace", ["org", "personal"])
@pytest.mark.parametrize("actor", ACTORS)
def test_tasks_and_jobs(world: dict[str, Any], actor: str, workspace: str) -> None:
    client, task = world["c"][actor], world["tasks"][workspace]
    held = relations(actor, workspace)
    first, second = task["jobs"]
    path = f"/api/tasks/{task['id']}"

    view = expected(actor, Resource.TASK, Action.VIEW, held, 200)
    assert client.get(path).status_code == view
    if actor != "anonymous":
        listed = [t["id"] for t in client.get("/api/tasks").json()["results"]]
        assert (task["id"] in listed) == (view == 200)
        listed_jobs = {j["id"] for j in client.get("/api/jobs").json()["results"]}
        for job, is_first in ((first, True), (second, False)):
            job_view = expected(actor, Resource.JOB, Action.VIEW, job_relations(actor, workspace, is_first), 200)
            assert client.get(f"/api/jobs/{job}").status_code == job_view, (job, is_first)
            assert (job in listed_jobs) == (job_view == 200)

    status = client.patch(path, {"name": "renamed"}, format="json").status_code
    assert status == expected(actor, Resource.TASK, Action.CHANGE, held, 200)

    for job, is_first in ((first, True), (second, False)):
        job_held = job_relations(actor, workspace, is_first)
        # A job's state and its stage are separate rules (CVAT's update:state and update:stage);
        # what is refused stays as it was.
        for field, value, action in (("state", "in progress", Action.SET_STATE),
                                     ("stage", "validation", Action.SET_STAGE)):
            status = client.patch(f"/api/jobs/{job}", {field: value}, format="json").status_code
            assert status == expected(actor, Resource.JOB, action, job_held, 200), (field, job, is_first)
            after = getattr(Job.objects.get(pk=job), field)
            assert after == (value if status == 200 else {"state": "new", "stage": "annotation"}[field])
    # Reassigning to the task's maker (a member of its workspace) is for those who may assign.
    job_held = job_relations(actor, workspace, False)
    status = client.patch(f"/api/jobs/{second}", {"assignee": task["maker"].pk}, format="json").status_code
    assert status == expected(actor, Resource.JOB, Action.ASSIGN, job_held, 200)

    status = client.delete(path).status_code
    assert status == expected(actor, Resource.TASK, Action.DELETE, held, 204)


@pytest.mark.parametrize("workspace", ["acme", ""])
@pytest.mark.parametrize("actor", ACTORS)
def test_creating_tasks_in_a_workspace(world: dict[str, Any], actor: str, workspace: str) -> None:
    response = world["c"][actor].post("/api/tasks", {"name": "new", "labels": [{"name": "car"}]}, format="json",
                                      HTTP_X_ORGANIZATION=workspace)
    if actor == "anonymous":
        assert response.status_code == 401
        return
    if workspace and ROLES[actor] is None and actor != "admin":
        assert response.status_code == 403 and "acme" in str(response.json())  # not a member: context refused
        return
    held = {Who.ADMIN} if actor == "admin" else (role_relations(ROLES[actor]) if workspace else {Who.PERSONAL})
    assert response.status_code == (201 if allowed(Resource.TASK, Action.CREATE, held) else 403)


@pytest.mark.parametrize("actor", ACTORS)
def test_the_organization(world: dict[str, Any], actor: str) -> None:
    client = world["c"][actor]
    held = {Who.ADMIN} if actor == "admin" else role_relations(ROLES[actor])
    org_id = Organization.objects.get(slug="acme").pk
    path = f"/api/organizations/{org_id}"
    view = expected(actor, Resource.ORGANIZATION, Action.VIEW, held, 200)
    assert client.get(path).status_code == view
    if actor != "anonymous":
        assert (org_id in [o["id"] for o in client.get("/api/organizations").json()["results"]]) == (view == 200)
    status = client.post("/api/invitations", {"email": "nobody-yet@x.org", "role": "worker"}, format="json",
                         HTTP_X_ORGANIZATION="acme").status_code
    if actor == "anonymous":
        assert status == 401
    elif view == 404:
        assert status == 403  # the context itself is refused to non-members
    else:
        # allowed: the address has no account (400); refused: 403
        assert status == (400 if allowed(Resource.INVITATION, Action.CREATE, held) else 403)
    status = client.patch(path, {"description": "d"}, format="json").status_code
    assert status == expected(actor, Resource.ORGANIZATION, Action.CHANGE, held, 200)
    status = client.delete(path).status_code
    assert status == expected(actor, Resource.ORGANIZATION, Action.DELETE, held, 204)


def test_every_rule_names_only_known_relations_and_admins_may_do_everything() -> None:
    assert {resource for resource, _ in RULES} == set(Resource)
    for rule, who in RULES.items():
        assert Who.ADMIN in who, rule
        assert (Resource.TASK, Action.VIEW) in RULES
    assert not allowed(Resource.TASK, Action.DELETE, role_relations("supervisor"))
    assert allowed(Resource.TASK, Action.DELETE, role_relations("maintainer"))
    assert allowed(Resource.ORGANIZATION, Action.DELETE, role_relations("owner"))
    assert not allowed(Resource.ORGANIZATION, Action.DELETE, role_relations("maintainer"))
