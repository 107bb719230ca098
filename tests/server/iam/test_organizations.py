"""``/api/organizations``, ``/api/memberships``, ``/api/invitations`` and the organization context."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from inklab.server.iam.models import Invitation, Membership, Organization
from inklab.server.media.storage import TaskStorage
from tests.server.conftest import default_labels, png_bytes, upload_files

pytestmark = pytest.mark.django_db


def make_task(frames: int = 0, *, client: APIClient, name: str = "task", org: str | None = None,
              **fields: Any) -> dict[str, Any]:
    """A task created in the context ``org`` (None: no context) with ``frames`` PNGs."""
    headers = {} if org is None else {"HTTP_X_ORGANIZATION": org}
    response = client.post("/api/tasks", {"name": name, "labels": default_labels(), **fields}, format="json",
                           **headers)
    assert response.status_code == 201, response.content
    task = response.json()
    if frames:
        status = upload_files(client, task["id"], {f"f{i}.png": png_bytes(i) for i in range(frames)})
        assert status["status"] == "finished", status
    return client.get(f"/api/tasks/{task['id']}").json()


@pytest.fixture
def team(make_user: Callable[..., Any], client_for: Callable[[Any], APIClient]) -> dict[str, Any]:
    """Organization 'acme' owned by alice, with bob (maintainer), carol (supervisor), dave (worker);
    eve is an outsider. Clients under each name."""
    users = {name: make_user(name) for name in ("alice", "bob", "carol", "dave", "eve")}
    clients = {name: client_for(user) for name, user in users.items()}
    response = clients["alice"].post("/api/organizations", {"slug": "acme", "name": "Acme"}, format="json")
    assert response.status_code == 201, response.content
    org = response.json()
    for name, role in (("bob", "maintainer"), ("carol", "supervisor"), ("dave", "worker")):
        invited = clients["alice"].post("/api/invitations", {"email": f"{name}@x.org", "role": role},
                                        format="json", HTTP_X_ORGANIZATION="acme")
        assert invited.status_code == 201, invited.content
        accepted = clients[name].post(f"/api/invitations/{invited.json()['key']}/accept")
        assert accepted.status_code == 200 and accepted.json() == {"organization_slug": "acme"}
    return {"org": org, "users": users, "c": clients}


def test_the_creator_is_the_owner_member(team: dict[str, Any]) -> None:
    org = team["org"]
    assert org["slug"] == "acme" and org["name"] == "Acme" and org["owner"]["username"] == "alice"
    assert org["contact"] == {} and org["description"] == ""
    members = team["c"]["alice"].get("/api/memberships", {"org": "acme", "sort": "id"}).json()["results"]
    assert [(m["user"]["username"], m["role"], m["is_active"]) for m in members] == [
        ("alice", "owner", True), ("bob", "maintainer", True), ("carol", "supervisor", True),
        ("dave", "worker", True)]
    assert members[0]["invitation"] is None and members[1]["invitation"]


@pytest.mark.parametrize(("body", "field"), [
    ({"slug": ""}, "slug"), ({"slug": "a b"}, "slug"), ({"slug": "x" * 17}, "slug"), ({}, "slug"),
    ({"slug": "ok", "contact": "mail me"}, "contact"), ({"slug": "ok", "contact": {"email": 3}}, "contact"),
    ({"slug": "ok", "name": "n" * 65}, "name"), ({"slug": "ok", "owner": 1}, "owner"),
])
def test_bad_organizations_are_refused_naming_the_field(team: dict[str, Any], body: dict[str, Any],
                                                        field: str) -> None:
    response = team["c"]["eve"].post("/api/organizations", body, format="json")
    assert response.status_code == 400 and list(response.json()) == [field], response.content
    assert Organization.objects.count() == 1


def test_a_taken_slug_is_a_conflict(team: dict[str, Any]) -> None:
    response = team["c"]["eve"].post("/api/organizations", {"slug": "acme"}, format="json")
    assert response.status_code == 409 and "acme" in response.json()["slug"][0]


def test_who_sees_and_changes_the_organization(team: dict[str, Any]) -> None:
    c, pk = team["c"], team["org"]["id"]
    assert [o["slug"] for o in c["dave"].get("/api/organizations").json()["results"]] == ["acme"]
    assert c["eve"].get("/api/organizations").json()["count"] == 0
    assert c["eve"].get(f"/api/organizations/{pk}").status_code == 404
    assert c["carol"].patch(f"/api/organizations/{pk}", {"name": "X"}, format="json").status_code == 403
    response = c["bob"].patch(f"/api/organizations/{pk}", {"name": "Acme Inc", "contact": {"email": "a@b.c"}},
                              format="json")
    assert response.status_code == 200 and response.json()["name"] == "Acme Inc"
    assert response.json()["contact"] == {"email": "a@b.c"}
    assert c["bob"].delete(f"/api/organizations/{pk}").status_code == 403
    assert c["eve"].delete(f"/api/organizations/{pk}").status_code == 404
    assert Organization.objects.filter(pk=pk).exists()


def test_deleting_an_organization_deletes_what_it_owns(team: dict[str, Any],
                                                      django_capture_on_commit_callbacks: Any) -> None:
    c = team["c"]
    task = make_task(2, client=c["alice"], name="in org", org="acme")
    personal = make_task(0, client=c["alice"], name="mine")
    assert task["organization"] == team["org"]["id"] and personal["organization"] is None
    files = TaskStorage(task["id"]).root
    assert files.exists()
    with django_capture_on_commit_callbacks(execute=True):  # the files go once the deletion commits
        assert c["alice"].delete(f"/api/organizations/{team['org']['id']}").status_code == 204
    assert [t["name"] for t in c["alice"].get("/api/tasks").json()["results"]] == ["mine"]
    assert Membership.objects.count() == 0 and not files.exists()


@pytest.mark.parametrize(("kwargs", "status", "where"), [
    ({"HTTP_X_ORGANIZATION": "nope"}, 403, "X-Organization"),
    ({"QUERY_STRING": "org=nope"}, 403, "org"),
    ({"QUERY_STRING": "org_id=999999"}, 403, "org_id"),
    ({"QUERY_STRING": "org_id=abc"}, 400, "org_id"),
    ({"QUERY_STRING": "org=", "HTTP_X_ORGANIZATION": "acme"}, 400, "org"),
    ({"QUERY_STRING": "org_id=999999&org=acme", "HTTP_X_ORGANIZATION": "acme"}, 403, "org_id"),
])
def test_bad_contexts_are_refused_naming_where(team: dict[str, Any], kwargs: dict[str, str], status: int,
                                               where: str) -> None:
    response = team["c"]["alice"].get("/api/tasks", **kwargs)
    assert response.status_code == status and list(response.json()) == [where], response.content
    assert "Traceback" not in response.content.decode()


def test_an_outsider_naming_the_organization_is_refused_with_its_slug(team: dict[str, Any]) -> None:
    response = team["c"]["eve"].get("/api/tasks", HTTP_X_ORGANIZATION="acme")
    assert response.status_code == 403 and "'acme'" in response.json()["X-Organization"][0]
    response = team["c"]["eve"].get(f"/api/projects?org_id={team['org']['id']}")
    assert response.status_code == 403 and f"'{team['org']['id']}'" in response.json()["org_id"][0]


def test_objects_belong_to_their_context_and_lists_follow_it(team: dict[str, Any]) -> None:
    c = team["c"]
    make_task(0, client=c["alice"], name="org task", org="acme")
    make_task(0, client=c["alice"], name="personal task")
    names = lambda **kw: sorted(t["name"] for t in c["alice"].get("/api/tasks", **kw).json()["results"])  # noqa: E731
    assert names() == ["org task", "personal task"]
    assert names(HTTP_X_ORGANIZATION="acme") == ["org task"]
    assert names(QUERY_STRING="org=acme") == ["org task"]
    assert names(QUERY_STRING=f"org_id={team['org']['id']}") == ["org task"]
    assert names(HTTP_X_ORGANIZATION="") == ["personal task"]
    assert names(HTTP_X_ORGANIZATION="", QUERY_STRING="org=acme") == ["org task"]  # the query wins
    assert names(HTTP_X_ORGANIZATION="acme", QUERY_STRING=f"org_id={team['org']['id']}") == ["org task"]
    personal = c["alice"].get("/api/tasks", {"name": "personal task"}).json()["results"][0]
    assert c["alice"].get(f"/api/tasks/{personal['id']}", HTTP_X_ORGANIZATION="acme").status_code == 404


def test_sub_resources_follow_the_context_as_their_object_does(team: dict[str, Any]) -> None:
    """A task's or job's data, annotations and exports answer in a context as the task itself
    does: not found from another workspace, whoever may see it elsewhere."""
    alice = team["c"]["alice"]
    personal = make_task(2, client=alice, name="personal task")
    ours = make_task(2, client=alice, name="org task", org="acme")
    job = alice.get("/api/jobs", {"task_id": personal["id"]}).json()["results"][0]["id"]
    org_job = alice.get("/api/jobs", {"task_id": ours["id"]}).json()["results"][0]["id"]
    paths = {
        "personal": [f"/api/tasks/{personal['id']}/annotations", f"/api/tasks/{personal['id']}/data/meta",
                     f"/api/tasks/{personal['id']}/preview", f"/api/jobs/{job}/annotations",
                     f"/api/jobs/{job}/data/meta", f"/api/jobs/{job}/data?type=frame&number=0&quality=original"],
        "acme": [f"/api/tasks/{ours['id']}/annotations", f"/api/jobs/{org_job}/data/meta"],
    }
    for path in paths["personal"]:
        assert alice.get(path).status_code == 200, path  # no context: everything alice may see
        assert alice.get(path, HTTP_X_ORGANIZATION="").status_code == 200, path
        response = alice.get(path, HTTP_X_ORGANIZATION="acme")
        assert response.status_code == 404, (path, response.status_code)
    for path in paths["acme"]:
        assert alice.get(path, HTTP_X_ORGANIZATION="acme").status_code == 200, path
        assert alice.get(path, HTTP_X_ORGANIZATION="").status_code == 404, path
    # an export asked in the wrong workspace is refused before anything is queued
    export = alice.post(f"/api/tasks/{personal['id']}/dataset/export?format=COCO+1.0", HTTP_X_ORGANIZATION="acme")
    assert export.status_code == 404
    assert alice.put(f"/api/tasks/{personal['id']}/annotations", {"shapes": [], "tags": [], "tracks": []},
                     format="json", HTTP_X_ORGANIZATION="acme").status_code == 404


def test_workers_may_not_create_in_the_organization_supervisors_may(team: dict[str, Any]) -> None:
    c = team["c"]
    body = {"name": "p"}
    response = c["dave"].post("/api/projects", body, format="json", HTTP_X_ORGANIZATION="acme")
    assert response.status_code == 403 and "acme" in response.json()["detail"]
    assert c["carol"].post("/api/projects", body, format="json", HTTP_X_ORGANIZATION="acme").status_code == 201
    assert c["dave"].post("/api/projects", body, format="json").status_code == 201  # personal workspace


def test_roles_decide_what_members_see(team: dict[str, Any]) -> None:
    c, users = team["c"], team["users"]
    task = make_task(4, client=c["carol"], name="carol's", segment_size=2, org="acme")
    make_task(0, client=c["alice"], name="alice's", org="acme")
    jobs = c["carol"].get("/api/jobs", {"task_id": task["id"], "sort": "id"}).json()["results"]
    assigned = c["carol"].patch(f"/api/jobs/{jobs[0]['id']}", {"assignee": users["dave"].pk}, format="json")
    assert assigned.status_code == 200, assigned.content
    names = lambda who: sorted(t["name"] for t in c[who].get("/api/tasks").json()["results"])  # noqa: E731
    assert names("bob") == ["alice's", "carol's"]  # maintainer: everything
    assert names("carol") == ["carol's"]  # supervisor: what she made
    assert names("dave") == ["carol's"]  # worker: the task of his job
    assert [j["id"] for j in c["dave"].get("/api/jobs").json()["results"]] == [jobs[0]["id"]]
    assert c["dave"].get(f"/api/jobs/{jobs[1]['id']}").status_code == 404
    assert c["eve"].get("/api/tasks").json()["count"] == 0
    assert c["dave"].delete(f"/api/tasks/{task['id']}").status_code == 403
    assert c["dave"].patch(f"/api/jobs/{jobs[0]['id']}", {"state": "in progress"}, format="json").status_code == 200
    assert c["dave"].patch(f"/api/jobs/{jobs[0]['id']}", {"assignee": None}, format="json").status_code == 403
    outsider = c["carol"].patch(f"/api/jobs/{jobs[1]['id']}", {"assignee": users["eve"].pk}, format="json")
    assert outsider.status_code == 400 and "not a member" in outsider.json()["assignee"][0]


def test_removing_a_member_revokes_access(team: dict[str, Any]) -> None:
    c, users = team["c"], team["users"]
    task = make_task(2, client=c["alice"], org="acme")
    job = c["alice"].get("/api/jobs", {"task_id": task["id"]}).json()["results"][0]
    c["alice"].patch(f"/api/jobs/{job['id']}", {"assignee": users["dave"].pk}, format="json")
    assert c["dave"].get(f"/api/jobs/{job['id']}").status_code == 200
    dave = Membership.objects.get(user=users["dave"])
    assert c["carol"].delete(f"/api/memberships/{dave.pk}").status_code == 403
    assert c["bob"].delete(f"/api/memberships/{dave.pk}").status_code == 204
    assert c["dave"].get(f"/api/jobs/{job['id']}").status_code == 404
    assert c["dave"].get("/api/tasks").json()["count"] == 0
    assert c["dave"].get("/api/tasks", HTTP_X_ORGANIZATION="acme").status_code == 403


def test_membership_roles_follow_ranks(team: dict[str, Any]) -> None:
    c, users = team["c"], team["users"]
    ids = {m.user.username: m.pk for m in Membership.objects.select_related("user")}
    assert c["bob"].patch(f"/api/memberships/{ids['dave']}", {"role": "supervisor"}, format="json").status_code == 200
    assert Membership.objects.get(pk=ids["dave"]).role == "supervisor"
    assert c["bob"].patch(f"/api/memberships/{ids['carol']}", {"role": "maintainer"}, format="json").status_code == 403
    assert c["bob"].patch(f"/api/memberships/{ids['alice']}", {"role": "worker"}, format="json").status_code == 403
    response = c["alice"].patch(f"/api/memberships/{ids['bob']}", {"role": "owner"}, format="json")
    assert response.status_code == 400 and "role" in response.json()
    response = c["alice"].patch(f"/api/memberships/{ids['bob']}", {"role": "boss"}, format="json")
    assert response.status_code == 400 and "role" in response.json()
    response = c["alice"].patch(f"/api/memberships/{ids['bob']}", {"role": "worker", "is_active": False},
                                format="json")
    assert response.status_code == 400 and list(response.json()) == ["is_active"]
    assert c["dave"].patch(f"/api/memberships/{ids['carol']}", {"role": "worker"}, format="json").status_code == 403
    assert c["eve"].get(f"/api/memberships/{ids['bob']}").status_code == 404
    assert c["alice"].delete(f"/api/memberships/{ids['alice']}").status_code == 403  # the owner does not leave
    assert c["carol"].delete(f"/api/memberships/{ids['carol']}").status_code == 204  # leaving
    assert not Membership.objects.filter(user=users["carol"]).exists()


def test_users_in_an_organization_context_are_its_members(team: dict[str, Any], make_user: Callable[..., Any],
                                                          client_for: Callable[[Any], APIClient]) -> None:
    c = team["c"]
    invited = c["alice"].post("/api/invitations", {"email": "eve@x.org", "role": "worker"}, format="json",
                              HTTP_X_ORGANIZATION="acme")
    assert invited.status_code == 201  # eve is invited but has not accepted: not a member yet
    boss = client_for(make_user("boss", admin=True))

    def names(client: APIClient, **headers: str) -> list[str]:
        return [u["username"] for u in client.get("/api/users", **headers).json()["results"]]

    acme = {"HTTP_X_ORGANIZATION": "acme"}
    assert names(c["dave"], **acme) == ["alice", "bob", "carol", "dave"]
    assert c["dave"].get("/api/users", {"org": "acme", "username": "eve"}).json()["count"] == 0
    assert names(c["dave"], HTTP_X_ORGANIZATION="") == ["dave"]  # the personal workspace: oneself
    assert names(c["dave"]) == ["alice", "bob", "carol", "dave"]  # no context: every organization's
    assert names(c["eve"]) == ["eve"] and names(c["eve"], HTTP_X_ORGANIZATION="") == ["eve"]
    assert c["eve"].get("/api/users", **acme).status_code == 403  # the context is refused to non-members
    assert names(boss, **acme) == ["alice", "bob", "carol", "dave"]  # CVAT filters an admin's list too
    assert names(boss) == ["alice", "bob", "carol", "dave", "eve", "boss"]


def test_members_read_each_other_only_in_their_organization(team: dict[str, Any]) -> None:
    c, users = team["c"], team["users"]
    acme = {"HTTP_X_ORGANIZATION": "acme"}
    fellow = c["dave"].get(f"/api/users/{users['alice'].pk}", **acme)
    assert fellow.status_code == 200
    assert fellow.json()["username"] == "alice" and "email" not in fellow.json()  # public fields only
    assert c["dave"].get(f"/api/users/{users['alice'].pk}").json()["username"] == "alice"  # no context
    assert c["dave"].get(f"/api/users/{users['alice'].pk}", HTTP_X_ORGANIZATION="").status_code == 404
    assert c["dave"].get(f"/api/users/{users['eve'].pk}", **acme).status_code == 404  # an outsider
    assert c["eve"].get(f"/api/users/{users['alice'].pk}").status_code == 404
    assert c["dave"].get(f"/api/users/{users['dave'].pk}", **acme).json()["email"] == "dave@x.org"
    # A fellow member is seen, never changed; an outsider is not even found.
    refused = c["dave"].patch(f"/api/users/{users['alice'].pk}", {"first_name": "x"}, format="json", **acme)
    assert refused.status_code == 403
    assert c["dave"].patch(f"/api/users/{users['eve'].pk}", {"first_name": "x"}, format="json").status_code == 404
    assert c["bob"].delete(f"/api/users/{users['dave'].pk}", **acme).status_code == 403
    # A removed member is no longer a fellow member.
    dave = Membership.objects.get(user=users["dave"])
    assert c["bob"].delete(f"/api/memberships/{dave.pk}").status_code == 204
    assert c["dave"].get(f"/api/users/{users['alice'].pk}").status_code == 404
    assert c["alice"].get(f"/api/users/{users['dave'].pk}", **acme).status_code == 404


def test_invitations_in_app(team: dict[str, Any], make_user: Callable[..., Any],
                            client_for: Callable[[Any], APIClient]) -> None:
    c = team["c"]
    frank = client_for(make_user("frank"))
    response = c["bob"].post("/api/invitations", {"email": "FRANK@x.org", "role": "worker"}, format="json",
                             HTTP_X_ORGANIZATION="acme")
    assert response.status_code == 201, response.content
    invitation = response.json()
    assert invitation["user"]["username"] == "frank" and invitation["role"] == "worker"
    assert invitation["organization_info"] == {"id": team["org"]["id"], "slug": "acme"}
    assert invitation["expired"] is False and invitation["accepted"] is False and mail.outbox == []
    assert [i["key"] for i in frank.get("/api/invitations").json()["results"]] == [invitation["key"]]
    assert c["eve"].get(f"/api/invitations/{invitation['key']}").status_code == 404
    assert c["eve"].post(f"/api/invitations/{invitation['key']}/accept").status_code == 404
    assert c["bob"].post(f"/api/invitations/{invitation['key']}/accept").status_code == 403
    assert frank.get("/api/tasks", HTTP_X_ORGANIZATION="acme").status_code == 403  # not yet a member
    assert frank.post(f"/api/invitations/{invitation['key']}/decline").status_code == 204
    assert not Membership.objects.filter(user__username="frank").exists()
    assert frank.get(f"/api/invitations/{invitation['key']}").status_code == 404


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"email": "eve@x.org", "role": "owner"}, 400, "role"),
    ({"email": "eve@x.org", "role": "chief"}, 400, "role"),
    ({"email": "not-an-email", "role": "worker"}, 400, "email"),
    ({"email": "nobody@x.org", "role": "worker"}, 400, "email"),
    ({"email": "dave@x.org", "role": "worker"}, 409, "email"),
    ({"email": "eve@x.org", "role": "worker", "organization": 1}, 400, "organization"),
])
def test_bad_invitations_are_refused(team: dict[str, Any], body: dict[str, Any], status: int, field: str) -> None:
    response = team["c"]["alice"].post("/api/invitations", body, format="json", HTTP_X_ORGANIZATION="acme")
    assert response.status_code == status and list(response.json()) == [field], response.content


def test_who_may_invite(team: dict[str, Any]) -> None:
    c, body = team["c"], {"email": "eve@x.org", "role": "worker"}
    response = c["alice"].post("/api/invitations", body, format="json")
    assert response.status_code == 400 and "org" in response.json()
    assert c["carol"].post("/api/invitations", body, format="json", HTTP_X_ORGANIZATION="acme").status_code == 403
    response = c["bob"].post("/api/invitations", {**body, "role": "maintainer"}, format="json",
                             HTTP_X_ORGANIZATION="acme")
    assert response.status_code == 403 and "role" in response.json()


def test_invitations_expire_and_resend_renews_them(team: dict[str, Any], settings: Any,
                                                   make_user: Callable[..., Any],
                                                   client_for: Callable[[Any], APIClient]) -> None:
    frank = client_for(make_user("frank"))
    key = team["c"]["alice"].post("/api/invitations", {"email": "frank@x.org", "role": "worker"}, format="json",
                                  HTTP_X_ORGANIZATION="acme").json()["key"]
    Invitation.objects.filter(pk=key).update(sent_date=timezone.now() - timedelta(days=settings.INVITATION_EXPIRY_DAYS,
                                                                                  seconds=1))
    assert frank.get(f"/api/invitations/{key}").json()["expired"] is True
    response = frank.post(f"/api/invitations/{key}/accept")
    assert response.status_code == 400 and "expired" in response.json()["detail"]
    assert frank.post(f"/api/invitations/{key}/resend").status_code == 403
    assert team["c"]["alice"].post(f"/api/invitations/{key}/resend").status_code == 204
    assert frank.post(f"/api/invitations/{key}/accept").status_code == 200
    assert frank.post(f"/api/invitations/{key}/accept").status_code == 409
    assert frank.get("/api/tasks", HTTP_X_ORGANIZATION="acme").status_code == 200


def test_invitations_are_mailed_when_mail_is_configured(team: dict[str, Any], settings: Any,
                                                        make_user: Callable[..., Any]) -> None:
    settings.INVITATION_MAIL = True
    settings.PUBLIC_URL = "https://ink.example"
    make_user("frank")
    key = team["c"]["alice"].post("/api/invitations", {"email": "frank@x.org", "role": "worker"}, format="json",
                                  HTTP_X_ORGANIZATION="acme").json()["key"]
    assert [m.to for m in mail.outbox] == [["frank@x.org"]]
    assert f"https://ink.example/invitations?key={key}" in mail.outbox[0].body and "acme" in mail.outbox[0].subject
    assert team["c"]["bob"].post(f"/api/invitations/{key}/resend").status_code == 204
    assert len(mail.outbox) == 2


def test_withdrawing_an_invitation_removes_the_pending_membership(team: dict[str, Any],
                                                                  make_user: Callable[..., Any]) -> None:
    make_user("frank")
    key = team["c"]["alice"].post("/api/invitations", {"email": "frank@x.org", "role": "worker"}, format="json",
                                  HTTP_X_ORGANIZATION="acme").json()["key"]
    assert team["c"]["dave"].delete(f"/api/invitations/{key}").status_code == 404
    assert team["c"]["bob"].delete(f"/api/invitations/{key}").status_code == 204
    assert not Membership.objects.filter(user__username="frank").exists()


def test_existing_data_stays_personal(api: APIClient) -> None:
    task = make_task(0, client=api)
    assert task["organization"] is None and task["organization_id"] is None
    assert api.get("/api/tasks", HTTP_X_ORGANIZATION="").json()["count"] == 1


def test_lists_take_the_same_number_of_queries_for_more_rows(team: dict[str, Any]) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = team["c"]

    def queries(path: str, client: APIClient) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path, HTTP_X_ORGANIZATION="acme").status_code == 200
        return len(captured.captured_queries)

    make_task(1, client=c["alice"], name="first", org="acme")  # an empty page skips its query
    before = {path: queries(path, c["bob"]) for path in ("/api/tasks", "/api/memberships", "/api/invitations",
                                                          "/api/organizations", "/api/jobs")}
    for i in range(3):
        make_task(1, client=c["alice"], name=f"t{i}", org="acme")
    for name in ("ann", "ben", "cid"):
        get_user_model().objects.create_user(username=name, password="x-Str0ng-1", email=f"{name}@y.org")
        assert c["alice"].post("/api/invitations", {"email": f"{name}@y.org", "role": "worker"}, format="json",
                               HTTP_X_ORGANIZATION="acme").status_code == 201
    after = {path: queries(path, c["bob"]) for path in before}
    assert after == before


def test_functions_belong_to_the_organization_they_are_registered_in(team: dict[str, Any]) -> None:
    c = team["c"]
    body = {"name": "detector", "kind": "detector", "labels_v2": [{"name": "car"}]}
    refused = c["carol"].post("/api/functions", body, format="json", HTTP_X_ORGANIZATION="acme")
    assert refused.status_code == 403 and "maintainer" in refused.json()["detail"]
    made = c["bob"].post("/api/functions", body, format="json", HTTP_X_ORGANIZATION="acme")
    assert made.status_code == 201 and made.json()["organization"] == team["org"]["id"]
    own = c["bob"].post("/api/functions", {**body, "name": "own"}, format="json")
    assert own.status_code == 201 and own.json()["organization"] is None
    names = lambda who, **kw: sorted(f["name"] for f in c[who].get("/api/functions", **kw).json()["results"])  # noqa: E731
    assert names("dave") == ["detector"]  # members use it
    assert names("eve") == []
    assert names("bob", HTTP_X_ORGANIZATION="acme") == ["detector"]
    assert names("bob", HTTP_X_ORGANIZATION="") == ["own"]
    assert c["dave"].delete(f"/api/functions/{made.json()['id']}").status_code == 403


def test_backups_restore_into_the_requests_organization(team: dict[str, Any], client_for: Callable[[Any], APIClient],
                                                        ) -> None:
    from tests.server.datasets.flows import download, export, import_file

    alice = team["c"]["alice"]
    task = make_task(1, client=alice, name="to back up")
    backup, _ = download(alice, export(alice, f"/api/tasks/{task['id']}/backup/export", lightweight="False",
                                       location="local"))
    in_acme = client_for(team["users"]["alice"])
    in_acme.credentials(HTTP_X_ORGANIZATION="acme")
    restored = import_file(in_acme, "/api/tasks/backup/", backup, "b.zip")
    assert restored["status"] == "finished", restored
    made = alice.get(f"/api/tasks/{restored['result_id']}").json()
    assert made["name"] == "to back up" and made["organization"] == team["org"]["id"]
    worker = client_for(team["users"]["dave"])
    worker.credentials(HTTP_X_ORGANIZATION="acme")
    refused = import_file(worker, "/api/tasks/backup/", backup, "b.zip")
    assert "acme" in str(refused) and "status" not in refused


def test_the_whole_organization_shortcut_lists_what_the_rules_list(team: dict[str, Any]) -> None:
    """In an organization's context a maintainer's or owner's lists skip the per-object rules;
    they must hold exactly what the rules would list there (and a worker gets no shortcut)."""
    from inklab.server.iam.context import OrgContext
    from inklab.server.projects import permissions as perms
    from inklab.vocabulary import OrganizationRole

    c = team["c"]
    make_task(2, client=c["alice"], name="in acme", org="acme")
    make_task(0, client=c["carol"], name="carol's", org="acme")
    make_task(0, client=c["alice"], name="personal", org="")
    c["alice"].post("/api/projects", {"name": "p", "labels": default_labels()}, format="json",
                    HTTP_X_ORGANIZATION="acme")
    acme = Organization.objects.get(slug="acme")
    for name, role in (("alice", OrganizationRole.OWNER), ("bob", OrganizationRole.MAINTAINER),
                       ("carol", OrganizationRole.SUPERVISOR), ("dave", OrganizationRole.WORKER)):
        user = team["users"][name]
        context = OrgContext(organization=acme, explicit=True, role=role)
        for listed in (perms.visible_tasks, perms.visible_projects, perms.visible_jobs):
            field = "task__organization" if listed is perms.visible_jobs else "organization"
            fast = set(context.filter(listed(user, context), field).values_list("pk", flat=True))
            ruled = set(context.filter(listed(user), field).values_list("pk", flat=True))
            assert fast == ruled, (name, listed.__name__)
    everything = set(perms.visible_tasks(team["users"]["bob"]).values_list("name", flat=True))
    assert everything == {"in acme", "carol's"}  # bob sees all of acme, nothing personal of alice's


def test_requests_name_the_organization_of_their_object(team: dict[str, Any]) -> None:
    alice = team["c"]["alice"]
    ours = make_task(1, client=alice, name="org task", org="acme")
    personal = make_task(1, client=alice, name="personal task")
    org_ids = {}
    for task, org in ((ours, "acme"), (personal, "")):
        asked = alice.post(f"/api/tasks/{task['id']}/dataset/export?format=COCO+1.0&save_images=false",
                           HTTP_X_ORGANIZATION=org)
        assert asked.status_code == 202, asked.content
        org_ids[task["id"]] = alice.get(f"/api/requests/{asked.json()['rq_id']}").json()["operation"]["org_id"]
    assert org_ids == {ours["id"]: team["org"]["id"], personal["id"]: None}
    listed = {r["operation"]["task_id"]: r["operation"]["org_id"] for r in alice.get("/api/requests").json()["results"]
              if r["operation"]["type"] == "export:annotations"}
    assert listed == org_ids
    made = {r["operation"]["task_id"]: r["operation"]["org_id"] for r in alice.get("/api/requests").json()["results"]
            if r["operation"]["type"] == "create:task"}
    assert made == org_ids
