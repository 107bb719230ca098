"""Who sees and changes what: owners, assignees, job assignees, strangers, admins."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user, client_for, make_task):  # type: ignore[no-untyped-def]
    """Alice owns a project with a task; Bob is assigned its first job; Eve is a stranger."""
    alice, bob, eve = make_user("alice"), make_user("bob"), make_user("eve")
    a = client_for(alice)
    project = a.post("/api/projects", {"name": "secret", "labels": [{"name": "car"}]}, format="json").json()
    task = make_task(4, client=a, project_id=project["id"], segment_size=2)
    jobs = a.get("/api/jobs", {"task_id": task["id"]}).json()["results"]
    assert a.patch(f"/api/jobs/{jobs[0]['id']}", {"assignee": bob.pk}, format="json").status_code == 200
    return {"alice": a, "bob": client_for(bob), "eve": client_for(eve), "project": project, "task": task,
            "jobs": jobs, "label": a.get("/api/labels", {"project_id": project["id"]}).json()["results"][0]}


def test_strangers_see_nothing_anywhere(world) -> None:  # type: ignore[no-untyped-def]
    eve: APIClient = world["eve"]
    task, project, job = world["task"], world["project"], world["jobs"][0]
    for path in ("/api/projects", "/api/tasks", "/api/jobs", "/api/labels"):
        assert eve.get(path).json()["count"] == 0, path
    for path in (f"/api/projects/{project['id']}", f"/api/tasks/{task['id']}", f"/api/jobs/{job['id']}",
                 f"/api/tasks/{task['id']}/annotations/", f"/api/jobs/{job['id']}/annotations/",
                 f"/api/tasks/{task['id']}/data/meta", f"/api/tasks/{task['id']}/data/?type=frame&number=0",
                 f"/api/tasks/{task['id']}/preview", f"/api/projects/{project['id']}/preview",
                 f"/api/labels/{world['label']['id']}"):
        assert eve.get(path).status_code == 404, path
    assert eve.get("/api/labels", {"task_id": task["id"]}).status_code == 404
    assert eve.patch(f"/api/tasks/{task['id']}", {"name": "x"}, format="json").status_code == 404
    assert eve.delete(f"/api/projects/{project['id']}").status_code == 404
    assert eve.put(f"/api/jobs/{job['id']}/annotations/", {}, format="json").status_code == 404
    # Eve cannot put a task into Alice's project either.
    response = eve.post("/api/tasks", {"name": "sneak", "project_id": project["id"], "labels": []}, format="json")
    assert response.status_code == 404


def test_job_assignee_sees_their_job_only_and_may_annotate_it(world) -> None:  # type: ignore[no-untyped-def]
    bob: APIClient = world["bob"]
    jobs, task, label = world["jobs"], world["task"], world["label"]
    assert [j["id"] for j in bob.get("/api/jobs").json()["results"]] == [jobs[0]["id"]]
    assert [t["id"] for t in bob.get("/api/tasks").json()["results"]] == [task["id"]]
    assert bob.get("/api/projects").json()["count"] == 1
    assert bob.get(f"/api/jobs/{jobs[1]['id']}").status_code == 404
    shape = {"type": "rectangle", "frame": 0, "label_id": label["id"], "points": [1, 1, 5, 5]}
    assert bob.put(f"/api/jobs/{jobs[0]['id']}/annotations/", {"shapes": [shape]}, format="json").status_code == 200
    assert bob.patch(f"/api/jobs/{jobs[0]['id']}", {"state": "completed"}, format="json").status_code == 200
    # ...but not manage the task, reassign, read the whole task's annotations, or delete things.
    assert bob.patch(f"/api/tasks/{task['id']}", {"name": "mine"}, format="json").status_code == 403
    assert bob.patch(f"/api/jobs/{jobs[0]['id']}", {"assignee": None}, format="json").status_code == 403
    assert bob.get(f"/api/tasks/{task['id']}/annotations/").status_code == 404
    assert bob.delete(f"/api/tasks/{task['id']}").status_code == 403
    assert bob.delete(f"/api/projects/{world['project']['id']}").status_code == 403
    assert bob.get(f"/api/tasks/{task['id']}/data/?type=frame&number=0&quality=original").status_code == 200


def test_admin_sees_everything(world, api) -> None:  # type: ignore[no-untyped-def]
    assert api.get("/api/tasks").json()["count"] == 1
    assert api.get("/api/jobs").json()["count"] == 2
    assert api.get(f"/api/tasks/{world['task']['id']}/annotations/").status_code == 200


def test_project_assignee_manages_but_does_not_delete(world, make_user, client_for) -> None:  # type: ignore[no-untyped-def]
    carl = make_user("carl")
    project = world["project"]
    assert world["alice"].patch(f"/api/projects/{project['id']}", {"assignee_id": carl.pk},
                                format="json").status_code == 200
    c = client_for(carl)
    assert c.patch(f"/api/tasks/{world['task']['id']}", {"name": "renamed"}, format="json").status_code == 200
    assert c.delete(f"/api/projects/{project['id']}").status_code == 403
    assert c.patch(f"/api/projects/{project['id']}", {"owner_id": carl.pk}, format="json").status_code == 403
    assert world["alice"].delete(f"/api/projects/{project['id']}").status_code == 204


def test_requests_are_private(world, make_user, client_for) -> None:  # type: ignore[no-untyped-def]
    alice_requests = world["alice"].get("/api/requests").json()
    assert alice_requests["count"] == 1
    rq_id = alice_requests["results"][0]["id"]
    assert world["eve"].get("/api/requests").json()["count"] == 0
    assert world["eve"].get(f"/api/requests/{rq_id}").status_code == 404


def test_only_admins_create_for_another_owner(world, make_user, api) -> None:  # type: ignore[no-untyped-def]
    """Found by schemathesis: a user naming someone else as the owner of a new project made a
    project they could not read back (a 500); nothing is created now."""
    alice = world["alice"]
    eve_id = world["eve"].get("/api/users/self").json()["id"]
    alice_id = alice.get("/api/users/self").json()["id"]
    for path in ("/api/projects", "/api/tasks"):
        before = api.get(path).json()["count"]
        response = alice.post(path, {"name": "gift", "owner_id": eve_id}, format="json")
        assert response.status_code == 403, response.content
        assert "owner_id" in response.json()
        assert api.get(path).json()["count"] == before
        mine = alice.post(path, {"name": "mine", "owner_id": alice_id}, format="json")
        assert mine.status_code == 201 and mine.json()["owner"]["id"] == alice_id
        given = api.post(path, {"name": "given", "owner_id": eve_id}, format="json")
        assert given.status_code == 201 and given.json()["owner"]["id"] == eve_id


def test_an_owner_hands_a_project_over(world, make_user) -> None:  # type: ignore[no-untyped-def]
    """The answer shows the project as handed over, although its old owner no longer sees it
    (re-reading it through the old owner's eyes was a 500)."""
    carl = make_user("carl")
    project = world["project"]
    response = world["alice"].patch(f"/api/projects/{project['id']}", {"owner_id": carl.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["owner"]["username"] == "carl" and response.json()["id"] == project["id"]
    task = world["task"]
    response = world["alice"].patch(f"/api/tasks/{task['id']}", {"owner_id": carl.pk}, format="json")
    assert response.status_code == 200 and response.json()["owner"]["username"] == "carl"
    assert world["alice"].get(f"/api/tasks/{task['id']}").status_code == 404
