"""Teams in the web UI (issue 11 item 6): the workspace switcher, the organization page,
invitations, assignee pickers offering the members, and no controls a role cannot use.

Two users in two browser contexts (own cookies, own localStorage) against one live server."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.e2e.conftest import scene_images, shot, sign_in
from tests.e2e.helpers import Workspace
from tests.support.live import LiveServer
from tests.support.rest import Rest

PASSWORD = "Teams-work-together-1"


def _user(live_server: LiveServer, role: str) -> tuple[str, Rest]:
    name = f"{role}-{uuid.uuid4().hex[:8]}"
    return name, Rest.register(live_server, name, PASSWORD)


@contextmanager
def _other_browser(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A second user's page: its own cookies and storage; uncaught JavaScript errors fail the test."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    try:
        yield tab
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the second user's page: {errors}"


def _in_org(rest: Rest, slug: str) -> Rest:
    """The same user's client, working in organization ``slug`` (X-Organization on every call)."""
    scoped = Rest.__new__(Rest)
    scoped.__dict__.update(rest.__dict__)
    scoped.headers = {**rest.headers, "X-Organization": slug}
    return scoped


def _switch(page: Any, slug: str) -> None:
    page.select_option("select.org-switcher", slug)
    page.wait_for_function("(slug) => document.querySelector('select.org-switcher').value === slug", arg=slug)


def _task_ids(page: Any) -> list[int]:
    page.wait_for_function("() => { const status = document.querySelector('.list-status');"
                           " return status !== null && !status.textContent.includes('Loading'); }")
    return sorted(int(row.get_attribute("data-task-id")) for row in page.locator("tr[data-task-id]").all())


def test_invite_accept_assign_annotate_as_two_users(page: Any, browser: Any, live_server: LiveServer,
                                                    tmp_path: Path) -> None:
    owner_name, owner = _user(live_server, "owner")
    worker_name, worker = _user(live_server, "worker")
    slug = f"t{uuid.uuid4().hex[:8]}"
    images = scene_images(tmp_path / "frames", 2)

    # The owner creates the organization from the header's switcher and lands on its page.
    sign_in(page, owner_name, PASSWORD)
    page.select_option("select.org-switcher", "+ create")
    dialog = page.locator("dialog.org-create")
    dialog.locator("input[name=slug]").fill(slug)
    dialog.locator("input[name=name]").fill("Team Acme")
    dialog.locator("text=Create organization").click()
    page.wait_for_url(re.compile(r".*/organization$"))
    page.wait_for_selector(".members-table")
    assert page.locator("select.org-switcher").input_value() == slug
    org = owner.get(f"/api/organizations?slug={slug}")["results"][0]
    assert (org["name"], org["owner"]["username"]) == ("Team Acme", owner_name)
    assert page.locator(".members-table tbody tr").count() == 1

    # ... and invites the second user as a worker.
    page.fill("input[name=invite-email]", f"{worker_name}@example.org")
    page.select_option("select[name=invite-role]", "worker")
    page.click(".invite-form button[type=submit]")
    page.wait_for_selector(f".invitations-table tr[data-user='{worker_name}']")
    invitations = _in_org(owner, slug).get("/api/invitations")["results"]
    assert [(i["user"]["username"], i["role"], i["accepted"]) for i in invitations] == [(worker_name, "worker", False)]
    shot(page, "teams-organization-page")

    # A wrong email is refused with the server's message, nothing is sent.
    page.fill("input[name=invite-email]", "nobody-here@example.org")
    page.click(".invite-form button[type=submit]")
    page.wait_for_selector(".organization-page .form-error:has-text('nobody-here@example.org')")
    assert len(_in_org(owner, slug).get("/api/invitations")["results"]) == 1

    with _other_browser(browser, live_server) as other:
        # The worker sees the invitation in the header and accepts it.
        sign_in(other, worker_name, PASSWORD)
        assert other.locator(".invitations-link .count-badge").inner_text() == "1"
        assert other.locator(f"select.org-switcher option[value='{slug}']").count() == 0
        other.click(".invitations-link")
        other.wait_for_selector(f".invitations-table tr[data-org='{slug}']")
        shot(other, "teams-invitations")
        other.click(f".invitations-table tr[data-org='{slug}'] >> text=Accept")
        other.wait_for_selector("text=No invitations are waiting for you.")
        assert other.locator(".invitations-link").count() == 0
        membership = _in_org(owner, slug).get(f"/api/memberships?user={worker_name}")["results"][0]
        assert (membership["role"], membership["is_active"]) == ("worker", True)

        # The owner creates a task in the organization (the UI sends the chosen workspace) ...
        page.goto("/tasks/create")
        page.fill("input[name=name]", "team task")
        page.click("text=+ Label")
        page.locator(".label-card").last.locator(".label-name").fill("car")
        page.set_input_files(".file-input", [str(p) for p in images])
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/tasks/\d+$"), timeout=60_000)
        task_id = int(page.url.rsplit("/", 1)[1])
        assert owner.get(f"/api/tasks/{task_id}")["organization"] == org["id"]
        # ... and another one the worker has nothing to do with.
        other_task = _in_org(owner, slug).call("POST", "/api/tasks", {"name": "not yours", "labels": [{"name": "car"}]})
        # The job's assignee picker offers the organization's members only, and assigns the worker.
        page.wait_for_selector(".jobs-table")
        job_id = int(page.locator(".jobs-table tr[data-job-id]").first.get_attribute("data-job-id"))
        picker = page.locator(f"select[aria-label='Job {job_id} assignee']")
        offered = sorted(o.inner_text() for o in picker.locator("option").all())
        assert offered == sorted(["— nobody —", owner_name, worker_name])
        picker.select_option(label=worker_name)
        assigned = owner.until(f"/api/jobs/{job_id}", lambda job: job["assignee"] is not None)
        assert assigned["assignee"]["username"] == worker_name

        # The worker works in the organization: they see that job's task only, and no creating.
        other.goto("/tasks")
        assert _task_ids(other) == []  # the personal workspace: nothing
        _switch(other, slug)
        assert _task_ids(other) == [task_id]
        assert other_task["id"] not in _task_ids(other)
        assert other.locator("text=+ Create task").count() == 0
        other.click(f"tr[data-task-id='{task_id}'] >> text=team task")
        other.wait_for_selector(".jobs-table")
        # No controls the server would refuse a worker: no Delete, no Save labels, no assigning.
        assert other.locator(".page-header button.danger:has-text('Delete')").count() == 0
        assert other.locator("text=Save labels").count() == 0
        assert other.locator(".labels-section").inner_text().count("does not let you change") == 1
        assert other.locator(f"select[aria-label='Job {job_id} assignee']").count() == 0
        assert other.locator(".guide-save").count() == 0 and other.locator("text=Export dataset").count() == 0
        assert worker_name in other.locator(".jobs-table td.job-assignee").inner_text()
        # The worker reports their job's state; its stage is the task's managers' to move.
        assert other.locator(f"select[aria-label='Job {job_id} stage']").is_disabled()
        assert other.locator(f"select[aria-label='Job {job_id} state']").is_enabled()
        shot(other, "teams-worker-task")
        other.click("text=Open the first job")
        other.wait_for_url(re.compile(rf".*/jobs/{job_id}.*"))
        ws = Workspace(other)
        ws.wait_ready()
        assert other.locator(".workspace-top select.job-stage").is_disabled()
        assert other.locator(".workspace-top select.job-state").is_enabled()
        ws.draw_box("rectangle", (20, 20), (90, 70))
        ws.save()
        shapes = owner.get(f"/api/jobs/{job_id}/annotations")["shapes"]
        assert len(shapes) == 1 and shapes[0]["type"] == "rectangle"
        # The server agrees with the hidden Delete: the worker may not delete the task.
        worker.call("DELETE", f"/api/tasks/{task_id}", headers={"X-Organization": slug}, expect=403)

    # The owner sees the Delete button the worker did not.
    page.goto(f"/tasks/{task_id}")
    page.wait_for_selector(".page-header button.danger:has-text('Delete')")
    assert page.locator("text=Save labels").count() == 1 and page.locator(".guide-save").count() == 1
    assert page.locator(f"select[aria-label='Job {job_id} stage']").is_enabled()


def test_switcher_filters_lists_and_is_remembered(page: Any, live_server: LiveServer) -> None:
    name, user = _user(live_server, "switcher")
    slug = f"s{uuid.uuid4().hex[:8]}"
    user.call("POST", "/api/organizations", {"slug": slug, "name": "Switch"})
    personal = user.call("POST", "/api/tasks", {"name": "mine alone", "labels": [{"name": "car"}]}, headers={"X-Organization": ""})
    team = _in_org(user, slug).call("POST", "/api/tasks", {"name": "for the team", "labels": [{"name": "car"}]})
    project = _in_org(user, slug).call("POST", "/api/projects", {"name": "team project", "labels": [{"name": "car"}]})
    sent: list[str | None] = []
    # API calls (fetch) carry the workspace; preview <img> requests cannot and need none.
    page.on("request", lambda r: sent.append(r.headers.get("x-organization"))
            if "/api/tasks" in r.url and r.resource_type == "fetch" else None)

    sign_in(page, name, PASSWORD)
    assert page.locator("select.org-switcher").input_value() == ""
    assert _task_ids(page) == [personal["id"]]
    assert sent and all(value == "" for value in sent)  # the personal workspace, said on every call
    _switch(page, slug)
    page.wait_for_selector(f"tr[data-task-id='{team['id']}']")
    assert _task_ids(page) == [team["id"]]
    assert sent[-1] == slug
    page.click(".top-nav >> text=Projects")
    page.wait_for_selector(f"tr[data-project-id='{project['id']}']")
    assert page.locator("tr[data-project-id]").count() == 1
    # The choice is remembered across reloads ...
    page.goto("/tasks")
    page.wait_for_selector(f"tr[data-task-id='{team['id']}']")
    assert page.locator("select.org-switcher").input_value() == slug
    # ... and an organization the user no longer belongs to falls back to the personal workspace.
    page.evaluate("([key, value]) => localStorage.setItem(key, value)",
                  [f"inklab.organization.{user.get('/api/users/self')['id']}", "no-such-org"])
    page.goto("/tasks")
    page.wait_for_selector(f"tr[data-task-id='{personal['id']}']")
    assert page.locator("select.org-switcher").input_value() == ""
    assert _task_ids(page) == [personal["id"]]
    # Back in the organization, a task page of the personal workspace leads back to the list.
    _switch(page, slug)
    page.goto(f"/tasks/{personal['id']}")
    page.wait_for_selector("text=Task not available")


def test_delete_organization_asks_for_its_slug(page: Any, browser: Any, live_server: LiveServer) -> None:
    name, owner = _user(live_server, "deleter")
    member_name, member = _user(live_server, "member")
    slug = f"d{uuid.uuid4().hex[:8]}"
    org = owner.call("POST", "/api/organizations", {"slug": slug})
    task = _in_org(owner, slug).call("POST", "/api/tasks", {"name": "goes with it", "labels": [{"name": "car"}]})
    invitation = _in_org(owner, slug).call("POST", "/api/invitations", {"email": f"{member_name}@example.org",
                                                                        "role": "maintainer"})
    member.call("POST", f"/api/invitations/{invitation['key']}/accept")

    # A maintainer manages members but sees no Delete organization; they may leave.
    with _other_browser(browser, live_server) as other:
        sign_in(other, member_name, PASSWORD)
        _switch(other, slug)
        other.click(".org-link")
        other.wait_for_selector(".members-table")
        assert other.locator(".delete-org").count() == 0
        assert other.locator("text=Leave organization").count() == 1
        assert other.locator("text=Save settings").count() == 1

    sign_in(page, name, PASSWORD)
    _switch(page, slug)
    page.goto("/organization")
    page.wait_for_selector(".members-table")
    assert page.locator("text=Leave organization").count() == 0  # the owner deletes instead
    page.click(".delete-org")
    dialog = page.locator("dialog.org-delete")
    confirm = dialog.locator("button.danger")
    assert confirm.is_disabled()
    dialog.locator("input[name=confirm-slug]").fill(slug + "x")
    assert confirm.is_disabled()
    shot(page, "teams-delete-confirmation")
    # Cancelling deletes nothing.
    dialog.locator("text=Cancel").click()
    assert owner.get(f"/api/organizations/{org['id']}")["slug"] == slug
    page.click(".delete-org")
    dialog = page.locator("dialog.org-delete")
    dialog.locator("input[name=confirm-slug]").fill(slug)
    assert dialog.locator("button.danger").is_enabled()
    dialog.locator("button.danger").click()
    page.wait_for_function("() => document.querySelector('select.org-switcher').value === ''")
    assert page.locator(f"select.org-switcher option[value='{slug}']").count() == 0
    owner.call("GET", f"/api/organizations/{org['id']}", expect=404)
    owner.call("GET", f"/api/tasks/{task['id']}", expect=404)


def test_permissions_mirror_the_servers_rules_table(page: Any) -> None:
    """permissions.js hides controls by the server's rules: each of its rules names exactly the
    relations of the same rule in src/inklab/server/iam/rules.py, and ``can`` reads them right."""
    from inklab.server.iam.rules import RULES, Action, Resource, Who

    page.goto("/login")
    names = {Who.PERSONAL: "personal", Who.OWNER: "owner", Who.ASSIGNEE: "assignee", Who.PROJECT_OWNER: "project owner",
             Who.PROJECT_ASSIGNEE: "project assignee", Who.TASK_MANAGER: "task manager", Who.SELF: "self",
             Who.ORG_WORKER: "org worker", Who.ORG_SUPERVISOR: "org supervisor", Who.ORG_MAINTAINER: "org maintainer",
             Who.ORG_OWNER: "org owner"}
    mirrored = page.evaluate("async () => (await import('/static/ui/permissions.js')).RULES")
    assert len(mirrored) == 17
    for key, relations in mirrored.items():
        resource, action = key.split(":")
        expected = {names[who] for who in RULES[(Resource(resource), Action(action))] if who is not Who.ADMIN}
        assert sorted(relations) == sorted(expected), key
    answers = page.evaluate("""async () => {
        const p = await import('/static/ui/permissions.js');
        const roles = new Map([[5, "worker"], [6, "supervisor"], [7, "maintainer"], [8, "owner"]]);
        const me = {id: 2};
        const who = (org, user = me) => ({user, roles, organizationId: org});
        const task = (org, owner, assignee = null) => ({organization: org, owner: {id: owner},
                                                        assignee: assignee && {id: assignee}});
        const job = (org, assignee) => ({organization: org, assignee: assignee && {id: assignee}});
        return {
          workerDeletes: p.can(who(5), "task", "delete", task(5, 1)),
          workerCreates: p.can(who(5), "task", "create"),
          supervisorCreates: p.can(who(6), "task", "create"),
          personalCreates: p.can(who(null), "task", "create"),
          maintainerDeletes: p.can(who(7), "task", "delete", task(7, 1)),
          ownerOfTaskInOrgAsWorker: p.can(who(5), "task", "delete", task(5, 2)),
          outsiderOwner: p.can(who(9), "task", "delete", task(9, 2)),
          workerAnnotates: p.can(who(5), "job", "annotate", job(5, 2), {task: task(5, 1)}),
          workerAssigns: p.can(who(5), "job", "assign", job(5, 2), {task: task(5, 1)}),
          taskAssigneeAssigns: p.can(who(5), "job", "assign", job(5, null), {task: task(5, 1, 2)}),
          workerSetsState: p.can(who(5), "job", "set state", job(5, 2), {task: task(5, 1)}),
          workerSetsStage: p.can(who(5), "job", "set stage", job(5, 2), {task: task(5, 1)}),
          taskAssigneeSetsStage: p.can(who(5), "job", "set stage", job(5, null), {task: task(5, 1, 2)}),
          maintainerSetsStage: p.can(who(7), "job", "set stage", job(7, null), {task: task(7, 1)}),
          personalAssigneeSetsStage: p.can(who(null), "job", "set stage", job(null, 2), {task: task(null, 1)}),
          projectOwnerChanges: p.can(who(null), "task", "change", task(null, 1), {project: {owner: {id: 2}}}),
          leaves: p.can(who(5), "membership", "delete", {organization: 5, user: {id: 2}}),
          removesOther: p.can(who(5), "membership", "delete", {organization: 5, user: {id: 3}}),
          maintainerDeletesOrg: p.can(who(7), "organization", "delete", {id: 7, slug: "m"}),
          ownerDeletesOrg: p.can(who(8), "organization", "delete", {id: 8, slug: "o"}),
          adminDeletes: p.can(who(null, {id: 1, is_superuser: true}), "task", "delete", task(5, 3)),
        };
    }""")
    assert answers == {
        "workerDeletes": False, "workerCreates": False, "supervisorCreates": True, "personalCreates": True,
        "maintainerDeletes": True, "ownerOfTaskInOrgAsWorker": True, "outsiderOwner": False,
        "workerAnnotates": True, "workerAssigns": False, "taskAssigneeAssigns": True, "projectOwnerChanges": True,
        "workerSetsState": True, "workerSetsStage": False, "taskAssigneeSetsStage": True, "maintainerSetsStage": True,
        "personalAssigneeSetsStage": False,
        "leaves": True, "removesOther": False, "maintainerDeletesOrg": False, "ownerDeletesOrg": True,
        "adminDeletes": True}


def test_settings_roles_members_and_invitations_on_the_organization_page(page: Any, browser: Any,
                                                                         live_server: LiveServer) -> None:
    name, owner = _user(live_server, "lead")
    member_name, member = _user(live_server, "annot")
    invitee_name, _invitee = _user(live_server, "later")
    leaver_name, leaver = _user(live_server, "leaver")
    slug = f"m{uuid.uuid4().hex[:8]}"
    org = owner.call("POST", "/api/organizations", {"slug": slug, "name": "Members"})
    team = _in_org(owner, slug)
    for who, client in ((member_name, member), (leaver_name, leaver)):
        key = team.call("POST", "/api/invitations", {"email": f"{who}@example.org", "role": "worker"})["key"]
        client.call("POST", f"/api/invitations/{key}/accept")
    pending = team.call("POST", "/api/invitations", {"email": f"{invitee_name}@example.org", "role": "supervisor"})

    sign_in(page, name, PASSWORD)
    _switch(page, slug)
    page.click(".org-link")
    page.wait_for_selector(".members-table")
    # Settings: name, description and a contact.
    page.fill("input[name=name]", "Members Inc.")
    page.fill("textarea[name=description]", "We draw boxes.")
    page.fill("input[name=contact-email]", "lead@example.org")
    page.click("text=Save settings")
    page.wait_for_selector("text=The settings were saved.")
    stored = owner.get(f"/api/organizations/{org['id']}")
    assert (stored["name"], stored["description"], stored["contact"]) == (
        "Members Inc.", "We draw boxes.", {"email": "lead@example.org"})
    assert "Members Inc." in page.locator("select.org-switcher").inner_text()
    # Roles: the owner grants maintainer, supervisor or worker, never owner.
    role = page.locator(f"select[aria-label='Role of {member_name}']")
    assert sorted(o.get_attribute("value") for o in role.locator("option").all()) == ["maintainer", "supervisor", "worker"]
    role.select_option("supervisor")
    changed = team.until(f"/api/memberships?user={member_name}", lambda b: b["results"][0]["role"] == "supervisor")
    assert changed["results"][0]["role"] == "supervisor"
    assert page.locator(f"select[aria-label='Role of {name}']").count() == 0  # the owner's is fixed
    # Invitations: resend renews, delete withdraws.
    row = page.locator(f".invitations-table tr[data-user='{invitee_name}']")
    row.locator("text=Resend").click()
    page.wait_for_selector(f"text=The invitation of {invitee_name} was sent again.")
    page.locator(f".invitations-table tr[data-user='{invitee_name}'] >> text=Delete").click()
    page.wait_for_selector("text=No pending invitations.")
    team.call("GET", f"/api/invitations/{pending['key']}", expect=404)
    # Removing a member asks first; they lose access at once.
    page.locator(f".members-table tr[data-user='{member_name}'] >> text=Remove").click()
    page.locator("dialog >> text=Remove").last.click()
    page.wait_for_selector(f"text={member_name} was removed.")
    page.wait_for_selector(f".members-table tr[data-user='{member_name}']", state="detached")
    member.call("GET", "/api/tasks", headers={"X-Organization": slug}, expect=403)
    shot(page, "teams-members")

    # A worker sees the members but manages nothing, and may leave.
    with _other_browser(browser, live_server) as other:
        sign_in(other, leaver_name, PASSWORD)
        _switch(other, slug)
        other.goto("/organization")
        other.wait_for_selector(".members-table")
        assert other.locator(".members-table select, .members-table button").count() == 0
        assert other.locator(".invite-form").count() == 0 and other.locator("text=Save settings").count() == 0
        assert other.locator("input[name=name]").is_disabled()
        other.click("text=Leave organization")
        other.locator("dialog >> text=Leave").last.click()
        other.wait_for_function("() => document.querySelector('select.org-switcher').value === ''")
        assert other.locator(f"select.org-switcher option[value='{slug}']").count() == 0
    assert team.get(f"/api/memberships?user={leaver_name}")["results"] == []
