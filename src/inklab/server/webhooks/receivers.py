"""Turning changes of projects, tasks, jobs, issues, comments and of organizations, their
memberships and invitations into webhook events.

Listens to :data:`inklab.server.projects.signals.changing` (keeps the old state of an object some
webhook will hear about) and :data:`~inklab.server.projects.signals.changed` (records the event).
Nothing is serialized when no active webhook listens.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from inklab.server.iam.models import Invitation, Membership, Organization
from inklab.server.projects.models import Job, Project, Task
from inklab.server.projects.signals import changed, changing
from inklab.server.review.models import Comment, Issue
from inklab.server.webhooks import services
from inklab.server.webhooks.payloads import Resource, changes, resource_name, snapshot

_BEFORE = "_webhook_snapshot"


def _job(instance: Resource) -> Job | None:
    if isinstance(instance, Comment):
        return instance.issue.job
    if isinstance(instance, Issue):
        return instance.job
    return instance if isinstance(instance, Job) else None


def _project_id(instance: Resource) -> int | None:
    if isinstance(instance, Organization | Membership | Invitation):
        return None
    instance = _job(instance) or instance
    if isinstance(instance, Project):
        return instance.pk
    if isinstance(instance, Task):
        return instance.project_id
    return instance.task.project_id


def _organization_id(instance: Resource) -> int | None:
    """The organization the object belongs to (None in a personal workspace)."""
    if isinstance(instance, Organization):
        return instance.pk
    if isinstance(instance, Membership):
        return instance.organization_id
    if isinstance(instance, Invitation):
        return instance.membership.organization_id
    job = _job(instance)
    if job is not None:
        instance = job.task
    return instance.organization_id


@receiver(changing, dispatch_uid="webhooks-changing")
def keep_old_state(sender: Any, instance: Resource, **kwargs: Any) -> None:
    if services.webhooks_for(_project_id(instance), f"update:{resource_name(instance)}", _organization_id(instance)):
        setattr(instance, _BEFORE, snapshot(instance))


@receiver(changed, dispatch_uid="webhooks-changed")
def record_change(sender: Any, instance: Resource, user: Any, action: str, **kwargs: Any) -> None:
    resource = resource_name(instance)
    event = f"{action}:{resource}"
    project_id = _project_id(instance)
    organization_id = _organization_id(instance)
    if not services.webhooks_for(project_id, event, organization_id):
        return
    data = snapshot(instance)
    before = None
    if action == "update":
        old = getattr(instance, _BEFORE, None)
        before = changes(old, data) if old is not None else {}
    services.record_event(event, project_id, resource, data, user, before=before, organization_id=organization_id)
