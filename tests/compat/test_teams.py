"""Teams through the unmodified cvat-sdk and cvat-cli 2.80: an organization, an invited worker
and maintainer, a task made through ``organization_slug``, an assigned job, and who sees what."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.images import make_images
from tests.support.live import LiveServer
from tests.support.rest import Rest

pytestmark = pytest.mark.live

PASSWORD = "Str0ng-team-pass"


def _client(server: LiveServer, username: str) -> Any:
    from cvat_sdk import make_client

    client = make_client(server.url, credentials=(username, PASSWORD))
    client.config.status_check_period = 0.1
    return client


def _status(call: Any) -> tuple[int, str]:
    from cvat_sdk.api_client import exceptions

    with pytest.raises(exceptions.ApiException) as caught:
        call()
    body = caught.value.body
    return caught.value.status, body.decode() if isinstance(body, bytes) else str(body)


@pytest.fixture(scope="module")
def team(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """lead owns organization ``slug``; mona (maintainer) and walt (worker) were invited and accepted;
    the lead made a 4-frame task (2 jobs) in the organization and assigned walt its first job."""
    from cvat_sdk import models

    tag = secrets.token_hex(3)
    names = {role: f"{role}-{tag}" for role in ("lead", "mona", "walt")}
    for name in names.values():
        Rest.register(live_server, name, PASSWORD)
    clients = {role: _client(live_server, name) for role, name in names.items()}
    lead = clients["lead"]
    slug = f"acme-{tag}"
    org = lead.organizations.create(models.OrganizationWriteRequest(slug=slug, name="Acme"))
    lead.organization_slug = slug
    for role, member in (("maintainer", "mona"), ("worker", "walt")):
        invitation, _ = lead.api_client.invitations_api.create(
            models.InvitationWriteRequest(email=f"{names[member]}@example.org", role=role))
        accepted, _ = clients[member].api_client.invitations_api.accept(invitation.key)
        assert accepted.organization_slug == slug
    images = make_images(tmp_path_factory.mktemp("team-images"), 4, size=(20, 16))
    task = lead.tasks.create_from_data(
        spec=models.TaskWriteRequest(name=f"team-task-{tag}", labels=[{"name": "car"}], segment_size=2),
        resources=images)
    jobs = sorted(task.get_jobs(), key=lambda job: job.start_frame)
    walt_id = clients["walt"].users.retrieve_current_user().id
    lead.jobs.retrieve(jobs[0].id).update(models.PatchedJobWriteRequest(assignee=walt_id))
    yield {"slug": slug, "org": org, "task": task, "jobs": jobs, "names": names, "c": clients}
    for client in clients.values():
        client.close()


def test_the_task_belongs_to_the_organization(team: dict[str, Any]) -> None:
    lead = team["c"]["lead"]
    assert team["task"].organization == team["org"].id
    assert [o.slug for o in lead.organizations.list()] == [team["slug"]]
    member_names = {m.user.username: m.role for m in lead.api_client.memberships_api.list()[0].results}
    assert member_names == {team["names"]["lead"]: "owner", team["names"]["mona"]: "maintainer",
                            team["names"]["walt"]: "worker"}


def test_the_worker_sees_only_their_job_annotates_it_and_cannot_delete_the_task(team: dict[str, Any]) -> None:
    from cvat_sdk import models

    walt, task, (first, second) = team["c"]["walt"], team["task"], team["jobs"]
    assert [job.id for job in walt.jobs.list()] == [first.id]
    assert [t.id for t in walt.tasks.list()] == [task.id]
    assert _status(lambda: walt.jobs.retrieve(second.id))[0] == 404
    label = task.get_labels()[0]
    job = walt.jobs.retrieve(first.id)
    job.set_annotations(models.LabeledDataRequest(shapes=[models.LabeledShapeRequest(
        type="rectangle", frame=0, label_id=label.id, points=[1, 1, 5, 5])]))
    assert [s.points for s in job.get_annotations().shapes] == [[1, 1, 5, 5]]
    status, _ = _status(lambda: walt.api_client.tasks_api.destroy(task.id))
    assert status == 403
    assert team["c"]["lead"].tasks.retrieve(task.id).id == task.id  # still there


def test_a_worker_in_the_organization_context_may_not_create(team: dict[str, Any]) -> None:
    from cvat_sdk import models

    walt = team["c"]["walt"]
    with walt.organization_context(team["slug"]):
        status, body = _status(lambda: walt.tasks.create(models.TaskWriteRequest(name="w", labels=[{"name": "x"}])))
    assert status == 403 and team["slug"] in body


def test_the_maintainer_sees_everything_and_nothing_leaks_to_personal_workspaces(team: dict[str, Any]) -> None:
    from cvat_sdk import models

    mona, lead = team["c"]["mona"], team["c"]["lead"]
    assert {j.id for j in mona.jobs.list()} == {j.id for j in team["jobs"]}
    with mona.organization_context(team["slug"]):
        assert [t.id for t in mona.tasks.list()] == [team["task"].id]
    with mona.organization_context(""):
        assert mona.tasks.list() == []
        mine = mona.tasks.create(models.TaskWriteRequest(name="mona's own", labels=[{"name": "x"}]))
    assert mine.organization is None
    with lead.organization_context(""):
        assert team["task"].id not in [t.id for t in lead.tasks.list()]
    assert mine.id not in [t.id for t in lead.tasks.list()]
    with mona.organization_context(team["slug"]):
        assert mine.id not in [t.id for t in mona.tasks.list()]


def test_an_unknown_slug_is_refused(team: dict[str, Any]) -> None:
    walt = team["c"]["walt"]
    with walt.organization_context("no-such-team"):
        status, body = _status(lambda: walt.tasks.list())
    assert status == 403 and "no-such-team" in body


def cli(server: LiveServer, username: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cvat_cli", "--server-host", server.url, "--auth", f"{username}:{PASSWORD}"]
    return subprocess.run(command + list(args), capture_output=True, text=True, timeout=120, env={**os.environ})


def test_cvat_cli_org_lists_only_the_organizations_tasks(live_server: LiveServer, team: dict[str, Any]) -> None:
    from cvat_sdk import models

    lead, name = team["c"]["lead"], team["names"]["lead"]
    with lead.organization_context(""):
        personal = lead.tasks.create(models.TaskWriteRequest(name="lead's own", labels=[{"name": "x"}]))
    in_org = cli(live_server, name, "--org", team["slug"], "task", "ls", "--json")
    assert in_org.returncode == 0, in_org.stderr
    assert [t["id"] for t in json.loads(in_org.stdout)] == [team["task"].id]
    own = cli(live_server, name, "--org", "", "task", "ls", "--json")
    assert [t["id"] for t in json.loads(own.stdout)] == [personal.id]
    unknown = cli(live_server, name, "--org", "no-such-team", "task", "ls")
    assert unknown.returncode != 0 and "no-such-team" in unknown.stderr


def test_removing_a_member_revokes_access(team: dict[str, Any], live_server: LiveServer) -> None:
    from cvat_sdk import models

    lead, name = team["c"]["lead"], f"rita-{secrets.token_hex(3)}"
    Rest.register(live_server, name, PASSWORD)
    with _client(live_server, name) as rita:
        key = lead.api_client.invitations_api.create(
            models.InvitationWriteRequest(email=f"{name}@example.org", role="worker"))[0].key
        rita.api_client.invitations_api.accept(key)
        job = team["jobs"][1]
        lead.jobs.retrieve(job.id).update(models.PatchedJobWriteRequest(assignee=rita.users.retrieve_current_user().id))
        assert [j.id for j in rita.jobs.list()] == [job.id]
        members = lead.api_client.memberships_api.list(user=name)[0].results
        assert len(members) == 1
        lead.api_client.memberships_api.destroy(members[0].id)
        assert rita.jobs.list() == [] and rita.tasks.list() == []
        assert _status(lambda: rita.jobs.retrieve(job.id))[0] == 404
        with rita.organization_context(team["slug"]):
            assert _status(lambda: rita.tasks.list())[0] == 403


def test_organizations_need_a_sign_in(live_server: LiveServer) -> None:
    import urllib3

    response = urllib3.PoolManager().request("GET", f"{live_server.url}/api/organizations")
    assert response.status == 401
