"""Who sees and changes what: owners, assignees, job assignees, strangers, admins."""

from __future__ import annotations

import io
import zipfile

import pytest
from rest_framework.test import APIClient

from tests.server.conftest import png_bytes

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
    assert bob.get(f"/api/tasks/{task['id']}/annotations/").status_code == 403
    assert bob.delete(f"/api/tasks/{task['id']}").status_code == 403
    assert bob.delete(f"/api/projects/{world['project']['id']}").status_code == 403
    assert bob.get(f"/api/tasks/{task['id']}/data/?type=frame&number=0&quality=original").status_code == 200


def test_job_assignee_exports_their_job_not_the_task_or_project(world) -> None:  # type: ignore[no-untyped-def]
    bob: APIClient = world["bob"]
    task, job, project = world["task"], world["jobs"][0], world["project"]
    refused = {
        "task annotations": bob.get(f"/api/tasks/{task['id']}/annotations/"),
        "task export": bob.post(f"/api/tasks/{task['id']}/dataset/export?format=COCO+1.0"),
        "task dataset export": bob.post(f"/api/tasks/{task['id']}/dataset/export?format=COCO+1.0&save_images=true"),
        "task backup": bob.post(f"/api/tasks/{task['id']}/backup/export"),
        "project export": bob.post(f"/api/projects/{project['id']}/dataset/export?format=COCO+1.0"),
        "project backup": bob.post(f"/api/projects/{project['id']}/backup/export"),
    }
    for what, response in refused.items():
        assert response.status_code == 403, what
        assert "assignee" in response.json()["detail"], what
    assert bob.get("/api/requests").json()["count"] == 0  # nothing was queued for Bob
    assert bob.get(f"/api/jobs/{job['id']}/annotations/").status_code == 200
    exported = bob.post(f"/api/jobs/{job['id']}/dataset/export?format=COCO+1.0")
    assert exported.status_code == 202, exported.content
    # The task's managers still export the whole task.
    assert world["alice"].post(f"/api/tasks/{task['id']}/dataset/export?format=COCO+1.0").status_code == 202


def test_job_assignee_reads_the_task_frames_of_their_job_only(world) -> None:  # type: ignore[no-untyped-def]
    bob, alice = world["bob"], world["alice"]
    task = world["task"]  # 4 frames; Bob's job is frames 0-1
    base = f"/api/tasks/{task['id']}/data/"
    assert bob.get(base, {"type": "frame", "number": 1, "quality": "original"}).getvalue() == png_bytes(1)
    outside = bob.get(base, {"type": "frame", "number": 2, "quality": "original"})
    assert outside.status_code == 403 and "outside your jobs" in outside.json()["detail"]
    assert bob.get(f"/api/tasks/{task['id']}/preview").status_code == 200  # frame 0 is Bob's
    meta, full = bob.get(f"{base}meta").json(), alice.get(f"{base}meta").json()
    assert meta["deleted_frames"] == [2, 3] and full["deleted_frames"] == []
    assert [f["name"] for f in meta["frames"]] == ["frame_000.png", "frame_001.png", "", ""]
    assert meta["chunks_updated_date"] != full["chunks_updated_date"]  # clients cache the two apart
    # The chunk keeps every position (clients address members by position); others' frames are blank.
    chunk = bob.get(base, {"type": "chunk", "number": 0, "quality": "original"})
    assert chunk.status_code == 200 and chunk["X-Updated-Date"] != full["chunks_updated_date"]
    with zipfile.ZipFile(io.BytesIO(chunk.getvalue())) as zf:
        members = [zf.read(info) for info in zf.infolist()]
    assert members[:2] == [png_bytes(0), png_bytes(1)]
    assert len(members) == 4 and all(png_bytes(i) != members[i] for i in (2, 3))
    assert all(len(m) < 1000 for m in members[2:])
    with zipfile.ZipFile(io.BytesIO(alice.get(base, {"type": "chunk", "number": 0, "quality": "original"})
                                    .getvalue())) as zf:
        assert [zf.read(info) for info in zf.infolist()] == [png_bytes(i) for i in range(4)]


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
