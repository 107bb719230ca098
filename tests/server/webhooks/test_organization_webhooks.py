"""Organization webhooks: made in the request's organization context by its maintainers and owner,
listed in that context, and told what happens anywhere in the organization (projects, tasks, jobs,
memberships, invitations, the organization itself) and nothing from elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.server.conftest import default_labels, run_requests
from tests.support.receiver import Receiver

pytestmark = pytest.mark.django_db

ACME = {"HTTP_X_ORGANIZATION": "acme"}


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOKS_BACKOFF = 0
    settings.WEBHOOKS_TIMEOUT = 5
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def team(make_user: Callable[..., Any], client_for: Callable[[Any], APIClient]) -> dict[str, APIClient]:
    """'acme' owned by alice with bob (maintainer) and dave (worker); eve is not a member."""
    users = {name: make_user(name) for name in ("alice", "bob", "dave", "eve")}
    clients = {name: client_for(user) for name, user in users.items()}
    assert clients["alice"].post("/api/organizations", {"slug": "acme"}, format="json").status_code == 201
    for name, role in (("bob", "maintainer"), ("dave", "worker")):
        key = clients["alice"].post("/api/invitations", {"email": f"{name}@x.org", "role": role}, format="json",
                                    **ACME).json()["key"]
        assert clients[name].post(f"/api/invitations/{key}/accept").status_code == 200
    return clients


def _hook(client: APIClient, url: str, events: list[str], **headers: Any) -> Any:
    return client.post("/api/webhooks", {"target_url": url, "type": "organization", "events": events},
                       format="json", **headers)


def test_maintainers_make_organization_webhooks_in_its_context(team: dict[str, APIClient],
                                                               receiver: Receiver) -> None:
    created = _hook(team["bob"], receiver.url, ["create:task"], **ACME)
    assert created.status_code == 201, created.content
    hook = created.json()
    assert hook["type"] == "organization" and hook["project_id"] is None
    org_id = team["alice"].get("/api/organizations").json()["results"][0]["id"]
    assert hook["organization"] == org_id
    # the owner sees it, in the organization's context and without one, not in the personal workspace
    assert [h["id"] for h in team["alice"].get("/api/webhooks", **ACME).json()["results"]] == [hook["id"]]
    assert [h["id"] for h in team["alice"].get("/api/webhooks").json()["results"]] == [hook["id"]]
    assert team["alice"].get("/api/webhooks", HTTP_X_ORGANIZATION="").json()["results"] == []
    # a worker neither makes nor sees them; an outsider cannot even name the organization
    refused = _hook(team["dave"], receiver.url, ["create:task"], **ACME)
    assert refused.status_code == 403 and "maintainers and owner" in str(refused.json())
    assert team["dave"].get("/api/webhooks", **ACME).json()["results"] == []
    assert team["dave"].get(f"/api/webhooks/{hook['id']}").status_code == 404
    assert team["dave"].patch(f"/api/webhooks/{hook['id']}", {"description": "x"},
                              format="json").status_code == 404
    outsider = _hook(team["eve"], receiver.url, ["create:task"], **ACME)
    assert outsider.status_code == 403 and "acme" in str(outsider.json())


def test_an_organization_webhook_needs_an_organization_and_no_project(team: dict[str, APIClient],
                                                                      receiver: Receiver) -> None:
    for headers in ({}, {"HTTP_X_ORGANIZATION": ""}):
        response = _hook(team["alice"], receiver.url, ["create:task"], **headers)
        assert response.status_code == 400 and "X-Organization" in str(response.json()["type"]), response.content
    project = team["alice"].post("/api/projects", {"name": "p", "labels": default_labels()}, format="json",
                                 **ACME).json()
    response = team["alice"].post("/api/webhooks", {"target_url": receiver.url, "type": "organization",
                                                    "project_id": project["id"], "events": ["create:task"]},
                                  format="json", **ACME)
    assert response.status_code == 400 and "project_id" in response.json()
    # a project webhook of an organization's project belongs to the organization too
    project_hook = team["alice"].post("/api/webhooks", {"target_url": receiver.url, "type": "project",
                                                        "project_id": project["id"], "events": ["create:task"]},
                                      format="json", **ACME)
    assert project_hook.status_code == 201 and project_hook.json()["organization"] is not None


def test_organization_events_reach_its_webhooks_only(team: dict[str, APIClient], receiver: Receiver,
                                                    make_user: Callable[..., Any],
                                                    client_for: Callable[[Any], APIClient],
                                                    django_capture_on_commit_callbacks: Any) -> None:
    events = ["create:task", "update:organization", "create:invitation", "create:membership",
              "update:membership", "delete:membership", "delete:invitation"]
    assert _hook(team["alice"], receiver.url, events, **ACME).status_code == 201
    frank, _ = make_user("frank"), make_user("gina")
    with django_capture_on_commit_callbacks(execute=True):
        task = team["alice"].post("/api/tasks", {"name": "in acme", "labels": default_labels()}, format="json",
                                  **ACME)
        assert task.status_code == 201
        personal = team["alice"].post("/api/tasks", {"name": "mine", "labels": default_labels()}, format="json",
                                      HTTP_X_ORGANIZATION="")
        assert personal.status_code == 201
        org = team["alice"].get("/api/organizations").json()["results"][0]
        assert team["alice"].patch(f"/api/organizations/{org['id']}", {"name": "Acme Inc"},
                                   format="json").status_code == 200
        invitation = team["alice"].post("/api/invitations", {"email": "frank@x.org", "role": "worker"},
                                        format="json", **ACME).json()
        assert client_for(frank).post(f"/api/invitations/{invitation['key']}/accept").status_code == 200
        memberships = team["alice"].get("/api/memberships", {"user": "frank"}, **ACME).json()["results"]
        membership_id = memberships[0]["id"]
        assert team["alice"].patch(f"/api/memberships/{membership_id}", {"role": "supervisor"},
                                   format="json").status_code == 200
        assert team["alice"].delete(f"/api/memberships/{membership_id}").status_code == 204
        pending = team["alice"].post("/api/invitations", {"email": "gina@x.org", "role": "worker"},
                                     format="json", **ACME).json()
        assert team["alice"].delete(f"/api/invitations/{pending['key']}").status_code == 204
    run_requests()
    by_event: dict[str, list[dict[str, Any]]] = {}
    for received in receiver.received:
        body = received.json()
        by_event.setdefault(body["event"], []).append(body)
    assert sorted(by_event) == sorted(events)
    assert [b["task"]["name"] for b in by_event["create:task"]] == ["in acme"]  # not the personal task
    assert by_event["update:organization"][0]["before_update"]["name"] == ""
    assert by_event["update:organization"][0]["organization"]["name"] == "Acme Inc"
    assert sorted(b["invitation"]["key"] for b in by_event["create:invitation"]) == sorted([invitation["key"],
                                                                                            pending["key"]])
    assert [b["invitation"]["key"] for b in by_event["delete:invitation"]] == [pending["key"]]
    assert by_event["create:membership"][0]["membership"]["user"]["username"] == "frank"
    assert by_event["update:membership"][0]["before_update"]["role"] == "worker"
    assert by_event["delete:membership"][0]["membership"]["role"] == "supervisor"
    assert all(b["sender"]["username"] in {"alice", "frank"} for bs in by_event.values() for b in bs)


def test_organization_webhooks_are_deleted_with_their_organization(team: dict[str, APIClient],
                                                                   receiver: Receiver) -> None:
    from inklab.server.webhooks.models import Webhook

    assert _hook(team["alice"], receiver.url, ["create:task"], **ACME).status_code == 201
    org = team["alice"].get("/api/organizations").json()["results"][0]
    assert team["alice"].delete(f"/api/organizations/{org['id']}").status_code == 204
    assert not Webhook.objects.exists()
    keys = [e["key"] for e in team["alice"].get("/api/webhooks/events", {"type": "organization"}).json()["events"]]
    assert "delete:organization" not in keys and "update:organization" in keys
