"""``/api/webhooks`` in process: CRUD and validation, events from the services, signed delivery
to a real HTTP receiver on 127.0.0.1, retries, ping, deliveries and redelivery, permissions."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.server.conftest import run_requests
from tests.support.receiver import Receiver

pytestmark = pytest.mark.django_db

SECRET = "s3cret-key"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def private_ok(settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOKS_BACKOFF = 0
    settings.WEBHOOKS_TIMEOUT = 5


def _webhook(client: APIClient, url: str, pid: int, **fields: Any) -> Any:
    body = {"target_url": url, "type": "project", "project_id": pid, "secret": SECRET,
            "events": ["create:task", "update:job", "update:task"], "content_type": "application/json", **fields}
    return client.post("/api/webhooks", body, format="json")


def _sign(body: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def test_create_read_and_secret_never_returned(api: APIClient, project: dict[str, Any], receiver: Receiver,
                                               private_ok: None) -> None:
    response = _webhook(api, receiver.url, project["id"], description="ci")
    assert response.status_code == 201, response.content
    hook = response.json()
    assert hook["target_url"] == receiver.url
    assert hook["project_id"] == project["id"]
    assert hook["type"] == "project" and hook["organization"] is None
    assert hook["events"] == ["create:task", "update:job", "update:task"]
    assert hook["is_active"] is True and hook["enable_ssl"] is True
    assert hook["owner"]["username"] == "admin"
    assert "secret" not in hook and "last_status" not in hook
    listed = api.get("/api/webhooks").json()
    assert [h["id"] for h in listed["results"]] == [hook["id"]]
    assert "secret" not in listed["results"][0]
    patched = api.patch(f"/api/webhooks/{hook['id']}", {"description": "new", "is_active": False}, format="json")
    assert patched.status_code == 200 and patched.json()["description"] == "new"
    assert patched.json()["is_active"] is False
    assert api.delete(f"/api/webhooks/{hook['id']}").status_code == 204
    assert api.get(f"/api/webhooks/{hook['id']}").status_code == 404


def test_events_list(api: APIClient) -> None:
    project = api.get("/api/webhooks/events", {"type": "project"}).json()
    keys = [event["key"] for event in project["events"]]
    assert project["webhook_type"] == "project"
    assert "create:task" in keys and "update:job" in keys and "update:project" in keys
    assert "create:project" not in keys and "delete:project" not in keys and "create:membership" not in keys
    assert keys == sorted(keys)
    everything = [e["key"] for e in api.get("/api/webhooks/events").json()["events"]]
    assert set(keys) < set(everything) and "update:organization" in everything
    bad = api.get("/api/webhooks/events", {"type": "galaxy"})
    assert bad.status_code == 400 and "type" in bad.json()


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"type": "organization", "project_id": None}, "type", "X-Organization"),
    ({"project_id": None}, "project_id", "project"),
    ({"events": ["create:project"]}, "events", "create:project"),
    ({"events": ["delete:project", "update:task"]}, "events", "delete:project"),
    ({"events": ["explode:task"]}, "events", "explode:task"),
    ({"target_url": "ftp://example.org/x"}, "target_url", "http"),
    ({"target_url": "file:///etc/passwd"}, "target_url", "http"),
    ({"target_url": "not a url"}, "target_url", "http"),
    ({"target_url": "http://user:pw@example.org/"}, "target_url", "password"),
    ({"content_type": "text/xml"}, "content_type", "valid choice"),
    ({"secret": "x" * 65}, "secret", "64"),
    ({"color": "red"}, "color", "not supported"),
])
def test_bad_input_is_a_400_naming_the_field(api: APIClient, project: dict[str, Any], receiver: Receiver,
                                             private_ok: None, change: dict[str, Any], field: str,
                                             words: str) -> None:
    response = _webhook(api, receiver.url, project["id"], **change)
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body, body
    assert words in str(body[field]), body


def test_missing_project_is_404_and_patch_cannot_move(api: APIClient, project: dict[str, Any], receiver: Receiver,
                                                      private_ok: None) -> None:
    assert _webhook(api, receiver.url, 999999).status_code == 404
    hook = _webhook(api, receiver.url, project["id"]).json()
    for body in ({"project_id": 5}, {"type": "organization"}):
        response = api.patch(f"/api/webhooks/{hook['id']}", body, format="json")
        assert response.status_code == 400 and list(body) == list(response.json()), response.content


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/x", "http://localhost/x", "http://10.1.2.3/", "http://192.168.0.1/", "http://172.16.5.5/",
    "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://0.0.0.0/", "http://224.0.0.1/",
    "http://100.64.0.1/", "http://[::ffff:127.0.0.1]/", "http://240.0.0.1/",
])
def test_private_targets_are_refused_by_default(api: APIClient, project: dict[str, Any], url: str) -> None:
    response = _webhook(api, url, project["id"])
    assert response.status_code == 400, response.content
    message = str(response.json()["target_url"])
    assert "INKLAB_WEBHOOKS_ALLOW_PRIVATE" in message and "public" in message


def test_unresolvable_host_is_refused(api: APIClient, project: dict[str, Any]) -> None:
    response = _webhook(api, "https://no-such-host.invalid/hook", project["id"])
    assert response.status_code == 400
    assert "does not resolve" in str(response.json()["target_url"])


def test_signed_events_from_services(api: APIClient, project: dict[str, Any], receiver: Receiver, private_ok: None,
                                     make_task: Callable[..., dict[str, Any]],
                                     django_capture_on_commit_callbacks: Any) -> None:
    hook = _webhook(api, receiver.url, project["id"]).json()
    with django_capture_on_commit_callbacks(execute=True):
        task = make_task(2, project_id=project["id"], segment_size=1)
    run_requests()
    creates = [r for r in receiver.received if r.json()["event"] == "create:task"]
    assert len(creates) == 1
    sent = creates[0]
    assert sent.headers["x-signature-256"] == _sign(sent.body)
    assert sent.headers["content-type"] == "application/json"
    payload = sent.json()
    assert payload["task"]["id"] == task["id"] and payload["task"]["name"] == "task"
    assert payload["webhook_id"] == hook["id"]
    assert payload["sender"]["username"] == "admin"
    assert "before_update" not in payload

    job_id = api.get("/api/jobs", {"task_id": task["id"]}).json()["results"][0]["id"]
    receiver.received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert api.patch(f"/api/jobs/{job_id}", {"state": "in progress"}, format="json").status_code == 200
    run_requests()
    assert len(receiver.received) == 1
    update = receiver.received[0]
    assert update.headers["x-signature-256"] == _sign(update.body)
    payload = update.json()
    assert payload["event"] == "update:job"
    assert payload["job"]["id"] == job_id and payload["job"]["state"] == "in progress"
    assert payload["before_update"]["state"] == "new"
    assert "updated_date" not in payload["before_update"]

    deliveries = api.get(f"/api/webhooks/{hook['id']}/deliveries").json()
    assert [(d["event"], d["status_code"]) for d in deliveries["results"]] == [("update:job", 200),
                                                                               ("create:task", 200)]
    newest = deliveries["results"][0]
    assert "state" in newest["changed_fields"].split(",")
    one = api.get(f"/api/webhooks/{hook['id']}/deliveries/{newest['id']}").json()
    assert one["request"] == payload
    assert one["response"] == {"body": '{"ok": true}'} and one["attempt"] == 1
    read = api.get(f"/api/webhooks/{hook['id']}").json()
    assert read["last_status"] == 200 and read["last_delivery_date"]


def test_no_event_for_other_projects_inactive_hooks_or_rollbacks(
        api: APIClient, project: dict[str, Any], receiver: Receiver, private_ok: None,
        django_capture_on_commit_callbacks: Any) -> None:
    _webhook(api, receiver.url, project["id"], events=["update:project"])
    other = api.post("/api/projects", {"name": "other"}, format="json").json()
    with django_capture_on_commit_callbacks(execute=True):
        api.patch(f"/api/projects/{other['id']}", {"name": "x"}, format="json")
        api.post("/api/tasks", {"name": "t", "project_id": project["id"]}, format="json")  # not subscribed
        # a failed change (a bad assignee) is rolled back: no event
        assert api.patch(f"/api/projects/{project['id']}", {"assignee_id": 999999},
                         format="json").status_code == 400
    run_requests()
    assert receiver.received == []
    with django_capture_on_commit_callbacks(execute=True):
        api.patch(f"/api/projects/{project['id']}", {"name": "renamed"}, format="json")
    run_requests()
    assert [r.json()["before_update"] for r in receiver.received] == [{"name": "p"}]


def test_failing_target_is_retried_and_failures_shown(api: APIClient, project: dict[str, Any], private_ok: None,
                                                      settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.WEBHOOKS_ATTEMPTS = 3
    failing = Receiver(statuses=[500], reply=b"boom " * 2000).start()
    try:
        hook = _webhook(api, failing.url, project["id"], events=["update:project"]).json()
        with django_capture_on_commit_callbacks(execute=True):
            api.patch(f"/api/projects/{project['id']}", {"name": "again"}, format="json")
        run_requests()
        assert len(failing.received) == 3
        assert len({r.body for r in failing.received}) == 1
        delivery = api.get(f"/api/webhooks/{hook['id']}/deliveries").json()["results"][0]
        assert delivery["status_code"] == 500 and delivery["attempt"] == 3
        assert len(delivery["response"]["body"]) == 4096  # bounded
        assert api.get(f"/api/webhooks/{hook['id']}").json()["last_status"] == 500

        failing.statuses = [500, 201]
        failing.received.clear()
        assert api.post(f"/api/webhooks/{hook['id']}/deliveries/{delivery['id']}/redelivery").status_code == 200
        run_requests()
        assert len(failing.received) == 2
        again = api.get(f"/api/webhooks/{hook['id']}/deliveries").json()["results"][0]
        assert again["redelivery"] is True and again["status_code"] == 201 and again["attempt"] == 2
        assert again["request"] == delivery["request"]
    finally:
        failing.stop()


def test_unreachable_target_records_the_error(api: APIClient, project: dict[str, Any], private_ok: None,
                                              settings: Any) -> None:
    settings.WEBHOOKS_ATTEMPTS = 2
    gone = Receiver().start()
    url = gone.url
    gone.stop()
    hook = _webhook(api, url, project["id"]).json()
    delivery = api.post(f"/api/webhooks/{hook['id']}/ping").json()
    assert delivery["event"] == "ping" and delivery["status_code"] is None
    run_requests()
    done = api.get(f"/api/webhooks/{hook['id']}/deliveries/{delivery['id']}").json()
    assert done["status_code"] is None and done["attempt"] == 2
    assert "could not be reached" in done["response"]["error"]


def test_ping_and_recheck_at_delivery(api: APIClient, project: dict[str, Any], receiver: Receiver,
                                      private_ok: None, settings: Any) -> None:
    hook = _webhook(api, receiver.url, project["id"]).json()
    delivery = api.post(f"/api/webhooks/{hook['id']}/ping").json()
    run_requests()
    assert len(receiver.received) == 1
    payload = receiver.received[0].json()
    assert payload["event"] == "ping" and payload["webhook"]["id"] == hook["id"]
    assert "secret" not in payload["webhook"]
    assert receiver.received[0].headers["x-signature-256"] == _sign(receiver.received[0].body)
    assert api.get(f"/api/webhooks/{hook['id']}/deliveries/{delivery['id']}").json()["status_code"] == 200

    # The address is checked again when delivering: a loopback target is refused now.
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    second = api.post(f"/api/webhooks/{hook['id']}/ping").json()
    run_requests()
    assert len(receiver.received) == 1
    refused = api.get(f"/api/webhooks/{hook['id']}/deliveries/{second['id']}").json()
    assert refused["status_code"] is None and refused["attempt"] == 1
    assert "127.0.0.1" in refused["response"]["error"]


def test_bad_ids(api: APIClient, project: dict[str, Any], receiver: Receiver, private_ok: None) -> None:
    hook = _webhook(api, receiver.url, project["id"]).json()
    assert api.get("/api/webhooks/424242").status_code == 404
    assert api.post("/api/webhooks/424242/ping").status_code == 404
    assert api.get(f"/api/webhooks/{hook['id']}/deliveries/424242").status_code == 404
    assert api.post(f"/api/webhooks/{hook['id']}/deliveries/424242/redelivery").status_code == 404
    for wrong in ("0", "9" * 30):
        assert api.get(f"/api/webhooks/{hook['id']}/deliveries/{wrong}").status_code == 404
        assert api.post(f"/api/webhooks/{hook['id']}/deliveries/{wrong}/redelivery").status_code == 404


def test_permissions(api: APIClient, project: dict[str, Any], receiver: Receiver, private_ok: None,
                     make_user: Callable[..., Any], client_for: Callable[[Any], APIClient]) -> None:
    hook = _webhook(api, receiver.url, project["id"]).json()
    stranger = client_for(make_user("stranger"))
    assert stranger.get("/api/webhooks").json()["count"] == 0
    assert stranger.get(f"/api/webhooks/{hook['id']}").status_code == 404
    assert stranger.post(f"/api/webhooks/{hook['id']}/ping").status_code == 404
    assert _webhook(stranger, receiver.url, project["id"]).status_code == 404

    worker = make_user("worker")
    task = api.post("/api/tasks", {"name": "t", "project_id": project["id"]}, format="json").json()
    api.patch(f"/api/tasks/{task['id']}", {"assignee_id": worker.pk}, format="json")
    worker_client = client_for(worker)  # sees the project through its task, manages neither
    assert worker_client.get(f"/api/projects/{project['id']}").status_code == 200
    assert _webhook(worker_client, receiver.url, project["id"]).status_code == 403
    assert worker_client.get(f"/api/webhooks/{hook['id']}").status_code == 404

    manager = make_user("manager")
    api.patch(f"/api/projects/{project['id']}", {"assignee_id": manager.pk}, format="json")
    manager_client = client_for(manager)
    assert manager_client.get(f"/api/webhooks/{hook['id']}").status_code == 200
    assert manager_client.patch(f"/api/webhooks/{hook['id']}", {"description": "m"}, format="json").status_code == 200
    created = _webhook(manager_client, receiver.url, project["id"])
    assert created.status_code == 201, created.content


def test_delete_task_event_and_project_deletion(api: APIClient, project: dict[str, Any], receiver: Receiver,
                                                private_ok: None, django_capture_on_commit_callbacks: Any) -> None:
    hook = _webhook(api, receiver.url, project["id"], events=["delete:task", "update:task"]).json()
    task = api.post("/api/tasks", {"name": "doomed", "project_id": project["id"]}, format="json").json()
    with django_capture_on_commit_callbacks(execute=True):
        assert api.patch(f"/api/tasks/{task['id']}", {"name": "renamed", "subset": "train"},
                         format="json").status_code == 200
        assert api.delete(f"/api/tasks/{task['id']}").status_code == 204
    run_requests()
    events = [r.json() for r in receiver.received]
    assert [e["event"] for e in sorted(events, key=lambda e: e["event"])] == ["delete:task", "update:task"]
    update = next(e for e in events if e["event"] == "update:task")
    assert update["before_update"] == {"name": "doomed", "subset": ""}
    deleted = next(e for e in events if e["event"] == "delete:task")
    assert deleted["task"]["id"] == task["id"] and deleted["task"]["name"] == "renamed"
    # The webhook goes with its project; deleting the project is no error.
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/projects/{project['id']}").status_code == 204
    assert api.get(f"/api/webhooks/{hook['id']}").status_code == 404


def test_organization_webhooks_are_found_by_organization(project: dict[str, Any], admin: Any) -> None:
    """A stored organization webhook hears events of its organization only."""
    from inklab.server.iam.models import Organization
    from inklab.server.webhooks.models import Webhook
    from inklab.server.webhooks.services import webhooks_for

    for pk in (7, 8):
        Organization.objects.create(pk=pk, slug=f"org{pk}", owner=admin)
    org_hook = Webhook.objects.create(target_url="https://example.org/", type="organization", organization_id=7,
                                      events=["create:task"], owner=admin)
    project_hook = Webhook.objects.create(target_url="https://example.org/", type="project",
                                          project_id=project["id"], events=["create:task"], owner=admin)
    assert webhooks_for(None, "create:task", 7) == [org_hook]
    assert webhooks_for(None, "create:task", 8) == []
    assert webhooks_for(None, "create:task") == []
    assert {w.pk for w in webhooks_for(project["id"], "create:task", 7)} == {org_hook.pk, project_hook.pk}
    assert webhooks_for(project["id"], "create:task") == [project_hook]
    assert webhooks_for(project["id"], "update:task", 7) == []


def test_issue_and_comment_events(api: APIClient, project: dict[str, Any], receiver: Receiver, private_ok: None,
                                  make_task: Callable[..., dict[str, Any]],
                                  django_capture_on_commit_callbacks: Any) -> None:
    _webhook(api, receiver.url, project["id"],
             events=["create:issue", "update:issue", "create:comment", "update:comment", "delete:comment"])
    task = make_task(1, project_id=project["id"])
    job_id = api.get("/api/jobs", {"task_id": task["id"]}).json()["results"][0]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        issue = api.post("/api/issues", {"job": job_id, "frame": 0, "position": [1, 2, 10, 20],
                                         "message": "box too loose"}, format="json")
        assert issue.status_code == 201, issue.content
        issue_id = issue.json()["id"]
        assert api.patch(f"/api/issues/{issue_id}", {"resolved": True}, format="json").status_code == 200
        comment = api.post("/api/comments", {"issue": issue_id, "message": "fixed"}, format="json")
        assert comment.status_code == 201, comment.content
        comment_id = comment.json()["id"]
        assert api.patch(f"/api/comments/{comment_id}", {"message": "fixed now"}, format="json").status_code == 200
        assert api.delete(f"/api/comments/{comment_id}").status_code == 204
    run_requests()
    by_event = {r.json()["event"]: r.json() for r in receiver.received}
    assert sorted(by_event) == ["create:comment", "create:issue", "delete:comment", "update:comment", "update:issue"]
    assert by_event["create:issue"]["issue"]["id"] == issue_id and by_event["create:issue"]["issue"]["job"] == job_id
    assert by_event["update:issue"]["before_update"]["resolved"] is False
    assert by_event["update:issue"]["issue"]["resolved"] is True
    assert by_event["update:comment"]["before_update"] == {"message": "fixed"}
    assert by_event["delete:comment"]["comment"]["message"] == "fixed now"


def test_ground_truth_job_create_and_delete_events(api: APIClient, project: dict[str, Any], receiver: Receiver,
                                                   private_ok: None, make_task: Callable[..., dict[str, Any]],
                                                   django_capture_on_commit_callbacks: Any) -> None:
    _webhook(api, receiver.url, project["id"], events=["create:job", "delete:job"])
    task = make_task(3, project_id=project["id"])
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/jobs", {"task_id": task["id"], "type": "ground_truth",
                                         "frame_selection_method": "random_uniform", "frame_count": 2}, format="json")
        assert created.status_code == 201, created.content
        assert api.delete(f"/api/jobs/{created.json()['id']}").status_code == 204
    run_requests()
    events = sorted((r.json()["event"], r.json()["job"]["id"], r.json()["job"]["type"]) for r in receiver.received)
    assert events == [("create:job", created.json()["id"], "ground_truth"),
                      ("delete:job", created.json()["id"], "ground_truth")]


def test_webhooks_follow_the_organization_context(api: APIClient, project: dict[str, Any], receiver: Receiver,
                                                  private_ok: None) -> None:
    """A project webhook is in its project's workspace (the web UI names one on every call)."""
    assert api.post("/api/organizations", {"slug": "wteam"}, format="json").status_code == 201
    hook = _webhook(api, receiver.url, project["id"]).json()
    assert [h["id"] for h in api.get("/api/webhooks", HTTP_X_ORGANIZATION="").json()["results"]] == [hook["id"]]
    assert api.get("/api/webhooks", HTTP_X_ORGANIZATION="wteam").json()["results"] == []
    assert api.get(f"/api/webhooks/{hook['id']}", HTTP_X_ORGANIZATION="wteam").status_code == 404
    patched = api.patch(f"/api/webhooks/{hook['id']}", {"description": "d"}, format="json", HTTP_X_ORGANIZATION="")
    assert patched.status_code == 200 and patched.json()["description"] == "d"
