"""``inklab.sdk``: ``client.organizations``, ``organization_slug`` / ``organization_context()``,
invitations; and the ``inklab`` CLI's ``--org``, against a live server."""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest

from inklab.sdk import ApiError, make_client, models
from tests.support.live import LiveServer
from tests.support.rest import Rest

pytestmark = pytest.mark.live

PASSWORD = "Str0ng-sdk-team-pass"


def test_organizations_invitations_and_contexts(live_server: LiveServer, monkeypatch: Any, capsys: Any) -> None:
    from inklab.cli.__main__ import main

    tag = secrets.token_hex(3)
    lead_name, ann_name = f"sdklead-{tag}", f"sdkann-{tag}"
    Rest.register(live_server, lead_name, PASSWORD)
    Rest.register(live_server, ann_name, PASSWORD)
    with make_client(live_server.url, credentials=(lead_name, PASSWORD)) as lead, \
            make_client(live_server.url, credentials=(ann_name, PASSWORD)) as annotator:
        org = lead.organizations.create(models.OrganizationWriteRequest(slug=f"sdk-{tag}", name="SDK team"))
        assert org.owner is not None and org.owner.username == lead_name and org.name == "SDK team"
        assert [o.slug for o in lead.organizations.list()] == [org.slug]
        invitation = org.invite(f"{ann_name}@example.org", "worker")
        assert invitation.accepted is False and invitation.organization_info.slug == org.slug
        pending = annotator.invitations.list()
        assert [i.key for i in pending] == [invitation.key]
        assert pending[0].accept() == org.slug
        assert sorted((m.user.username, m.role) for m in org.get_members()) == [
            (ann_name, "worker"), (lead_name, "owner")]

        with lead.organization_context(org.slug):
            task = lead.tasks.create(models.TaskWriteRequest(name="team task", labels=[{"name": "car"}]))
        assert lead.organization_slug is None and task.organization == org.id
        personal = lead.tasks.create(models.TaskWriteRequest(name="own task", labels=[{"name": "car"}]))
        assert personal.organization is None
        lead.organization_slug = org.slug
        assert [t.id for t in lead.tasks.list()] == [task.id]
        lead.organization_slug = ""
        assert [t.id for t in lead.tasks.list()] == [personal.id]
        lead.organization_slug = None

        with annotator.organization_context(org.slug), pytest.raises(ApiError) as refused:
            annotator.tasks.create(models.TaskWriteRequest(name="nope", labels=[{"name": "car"}]))
        assert refused.value.status == 403
        with annotator.organization_context("no-such-team"), pytest.raises(ApiError) as unknown:
            annotator.tasks.list()
        assert unknown.value.status == 403 and "no-such-team" in str(unknown.value.detail)

        org.update({"description": "annotators"})
        assert org.description == "annotators"

    for name in ("INKLAB_ACCESS_TOKEN", "CVAT_ACCESS_TOKEN", "INKLAB_SERVER_HOST"):
        monkeypatch.delenv(name, raising=False)

    def ls(*extra: str) -> tuple[int, str]:
        capsys.readouterr()
        status = main(["task", "ls", "--server-host", live_server.url, "--auth", f"{lead_name}:{PASSWORD}",
                       "--json", *extra])
        return status, capsys.readouterr().out

    status, out = ls("--org", org.slug)
    assert status == 0 and [t["id"] for t in json.loads(out)] == [task.id]
    status, out = ls("--org", "")
    assert status == 0 and [t["id"] for t in json.loads(out)] == [personal.id]
    status, out = ls()
    assert sorted(t["id"] for t in json.loads(out)) == sorted([task.id, personal.id])
    capsys.readouterr()
    assert main(["task", "ls", "--server-host", live_server.url, "--auth", f"{lead_name}:{PASSWORD}",
                 "--org", "no-such-team"]) == 1
    assert "no-such-team" in capsys.readouterr().err
