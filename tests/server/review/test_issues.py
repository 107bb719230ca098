"""Issues and comments: CVAT's fields and filters, who may do what, bad input, cascades."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

BOX = [1.0, 2.0, 30.0, 40.0]


@pytest.fixture
def world(make_user, client_for, make_task):  # type: ignore[no-untyped-def]
    """Alice owns a task of 4 frames in 2 jobs; Bob is assigned job 1 (frames 0-1); Eve is a stranger."""
    alice, bob, eve = make_user("alice"), make_user("bob"), make_user("eve")
    a = client_for(alice)
    task = make_task(4, client=a, segment_size=2)
    jobs = a.get("/api/jobs", {"task_id": task["id"]}).json()["results"]
    assert a.patch(f"/api/jobs/{jobs[0]['id']}", {"assignee": bob.pk}, format="json").status_code == 200
    return {"alice": a, "bob": client_for(bob), "eve": client_for(eve), "task": task, "jobs": jobs,
            "users": {"alice": alice, "bob": bob, "eve": eve}}


def _open(client: APIClient, job: int, frame: int = 0, message: str = "wrong label", **extra: Any) -> Any:
    return client.post("/api/issues", {"job": job, "frame": frame, "position": BOX, "message": message, **extra},
                       format="json")


def test_issue_round_trip_with_first_comment_and_job_summary(world) -> None:  # type: ignore[no-untyped-def]
    a, job = world["alice"], world["jobs"][0]
    before = a.get(f"/api/jobs/{job['id']}").json()
    assert before["issues"]["count"] == 0
    response = _open(a, job["id"], frame=1, assignee=world["users"]["bob"].pk)
    assert response.status_code == 201, response.content
    issue = response.json()
    assert issue["frame"] == 1 and issue["job"] == job["id"] and issue["position"] == BOX
    assert issue["owner"]["username"] == "alice" and issue["assignee"]["username"] == "bob"
    assert issue["resolved"] is False
    assert issue["comments"]["count"] == 1
    assert issue["comments"]["url"].endswith(f"/api/comments?issue_id={issue['id']}")
    comments = a.get("/api/comments", {"issue_id": issue["id"]}).json()
    assert [c["message"] for c in comments["results"]] == ["wrong label"]
    assert comments["results"][0]["issue"] == issue["id"]

    after = a.get(f"/api/jobs/{job['id']}").json()
    assert after["issues"]["count"] == 1
    assert after["updated_date"] > before["updated_date"]
    listed = a.get(after["issues"]["url"].split("testserver", 1)[1]).json()
    assert [i["id"] for i in listed["results"]] == [issue["id"]]
    jobs = a.get("/api/jobs", {"task_id": world["task"]["id"]}).json()["results"]
    assert [j["issues"]["count"] for j in jobs] == [1, 0]


def test_comments_thread_resolve_and_reopen(world) -> None:  # type: ignore[no-untyped-def]
    a, b, job = world["alice"], world["bob"], world["jobs"][0]
    issue = _open(a, job["id"]).json()
    answer = b.post("/api/comments", {"issue": issue["id"], "message": "fixed"}, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["owner"]["username"] == "bob" and answer.json()["message"] == "fixed"
    assert a.get(f"/api/issues/{issue['id']}").json()["comments"]["count"] == 2
    resolved = a.patch(f"/api/issues/{issue['id']}", {"resolved": True}, format="json")
    assert resolved.status_code == 200 and resolved.json()["resolved"] is True
    assert [i["id"] for i in a.get("/api/issues", {"resolved": "true"}).json()["results"]] == [issue["id"]]
    assert a.get("/api/issues", {"resolved": "false"}).json()["count"] == 0
    reopened = b.patch(f"/api/issues/{issue['id']}", {"resolved": False}, format="json")
    assert reopened.status_code == 200 and reopened.json()["resolved"] is False
    edited = b.patch(f"/api/comments/{answer.json()['id']}", {"message": "fixed, really"}, format="json")
    assert edited.status_code == 200 and edited.json()["message"] == "fixed, really"
    # Alice may not edit Bob's words, but as the task's owner she may delete them.
    assert a.patch(f"/api/comments/{answer.json()['id']}", {"message": "x"}, format="json").status_code == 403
    assert a.delete(f"/api/comments/{answer.json()['id']}").status_code == 204
    assert a.get(f"/api/issues/{issue['id']}").json()["comments"]["count"] == 1


def test_filters(world) -> None:  # type: ignore[no-untyped-def]
    a, b, jobs = world["alice"], world["bob"], world["jobs"]
    first = _open(a, jobs[0]["id"], frame=0).json()
    second = _open(b, jobs[0]["id"], frame=1, assignee=world["users"]["alice"].pk).json()
    third = _open(a, jobs[1]["id"], frame=3).json()
    b.post("/api/comments", {"issue": first["id"], "message": "on it"}, format="json")

    def ids(path: str, **query: Any) -> list[int]:
        response = a.get(path, query)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["results"]]

    assert ids("/api/issues", job_id=jobs[0]["id"]) == [first["id"], second["id"]]
    assert ids("/api/issues", job_id=jobs[1]["id"]) == [third["id"]]
    assert ids("/api/issues", task_id=world["task"]["id"]) == [first["id"], second["id"], third["id"]]
    assert ids("/api/issues", frame_id=1) == [second["id"]]
    assert ids("/api/issues", owner="bob") == [second["id"]]
    assert ids("/api/issues", assignee="alice") == [second["id"]]
    assert ids("/api/issues", sort="-frame_id") == [third["id"], second["id"], first["id"]]
    assert ids("/api/issues", filter='{"==": [{"var": "frame_id"}, 3]}') == [third["id"]]
    assert len(ids("/api/comments", job_id=jobs[0]["id"])) == 3
    assert len(ids("/api/comments", issue_id=first["id"])) == 2
    assert len(ids("/api/comments", frame_id=3)) == 1
    assert len(ids("/api/comments", owner="bob")) == 2
    assert a.get("/api/issues", {"frame_id": "x"}).status_code == 400
    assert a.get("/api/issues", {"resolved": "maybe"}).status_code == 400
    assert a.get("/api/issues", {"sort": "secret"}).status_code == 400


def test_who_may_do_what(world) -> None:  # type: ignore[no-untyped-def]
    a, b, e, jobs = world["alice"], world["bob"], world["eve"], world["jobs"]
    issue = _open(a, jobs[0]["id"]).json()
    # A stranger sees nothing and cannot open or answer issues.
    assert e.get("/api/issues").json()["count"] == 0
    assert e.get("/api/comments").json()["count"] == 0
    assert e.get(f"/api/issues/{issue['id']}").status_code == 404
    refused = _open(e, jobs[0]["id"])
    assert refused.status_code == 404 and "job" in refused.json()
    assert e.post("/api/comments", {"issue": issue["id"], "message": "hi"}, format="json").status_code == 404
    assert e.patch(f"/api/issues/{issue['id']}", {"resolved": True}, format="json").status_code == 404
    assert e.delete(f"/api/issues/{issue['id']}").status_code == 404
    # Bob sees the issues of his job only, and cannot open issues on a job he cannot see.
    assert [i["id"] for i in b.get("/api/issues").json()["results"]] == [issue["id"]]
    assert _open(b, jobs[1]["id"], frame=2).status_code == 404
    # Bob (the job's assignee) resolves, but may not delete Alice's issue.
    assert b.patch(f"/api/issues/{issue['id']}", {"resolved": True}, format="json").status_code == 200
    assert b.delete(f"/api/issues/{issue['id']}").status_code == 403
    assert a.delete(f"/api/issues/{issue['id']}").status_code == 204
    assert a.get(f"/api/issues/{issue['id']}").status_code == 404
    assert a.get(f"/api/jobs/{jobs[0]['id']}").json()["issues"]["count"] == 0


@pytest.mark.parametrize(("body", "field"), [
    ({"frame": 2}, "frame"),  # outside the job (frames 0-1)
    ({"frame": -1}, "frame"),
    ({"frame": 2**40}, "frame"),
    ({"position": [1, 2, 3]}, "position"),
    ({"position": [1, 2]}, "position"),
    ({"position": "1,2,3,4"}, "position"),
    ({"position": [1, 2, "x", 4]}, "position"),
    ({"message": ""}, "message"),
    ({"job": 10**6}, "job"),
    ({"job": "abc"}, "job"),
    ({"assignee": 10**6}, "assignee"),
    ({"resolved": "perhaps"}, "resolved"),
    ({"color": "red"}, "color"),  # not a field of an issue: refused, never dropped
])
def test_bad_issues_are_refused_naming_the_field(world, body, field) -> None:  # type: ignore[no-untyped-def]
    a, job = world["alice"], world["jobs"][0]
    payload = {"job": job["id"], "frame": 0, "position": BOX, "message": "m", **body}
    response = a.post("/api/issues", payload, format="json")
    assert response.status_code in {400, 404}, response.content
    assert field in response.json(), response.json()
    assert a.get("/api/issues").json()["count"] == 0


def test_missing_fields_and_bad_updates(world) -> None:  # type: ignore[no-untyped-def]
    a, job = world["alice"], world["jobs"][0]
    response = a.post("/api/issues", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"job", "frame", "position", "message"}
    issue = _open(a, job["id"]).json()
    for body, field in (({"frame": 1}, "frame"), ({"job": job["id"]}, "job"), ({"position": [1, 1]}, "position"),
                        ({"assignee": 10**6}, "assignee")):
        response = a.patch(f"/api/issues/{issue['id']}", body, format="json")
        assert response.status_code == 400 and field in response.json(), (body, response.content)
    for body, field in (({"message": "x"}, "issue"), ({"issue": issue["id"]}, "message"),
                        ({"issue": issue["id"], "message": ""}, "message"),
                        ({"issue": 10**6, "message": "x"}, "issue"),
                        ({"issue": issue["id"], "message": "x", "frame": 1}, "frame")):
        response = a.post("/api/comments", body, format="json")
        assert response.status_code in {400, 404} and field in response.json(), (body, response.content)
    assert a.get("/api/comments").json()["count"] == 1


def test_deleting_a_job_or_task_deletes_its_issues(world, make_task) -> None:  # type: ignore[no-untyped-def]
    from inklab.server.review.models import Comment, Issue

    a, jobs = world["alice"], world["jobs"]
    _open(a, jobs[0]["id"])
    _open(a, jobs[1]["id"], frame=2)
    assert Issue.objects.count() == 2 and Comment.objects.count() == 2
    assert a.delete(f"/api/tasks/{world['task']['id']}").status_code == 204
    assert Issue.objects.count() == 0 and Comment.objects.count() == 0
