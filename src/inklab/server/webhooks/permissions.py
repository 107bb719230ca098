"""Who may see and change webhooks; the project rules come from :mod:`inklab.server.projects.permissions`.

* a **project webhook** is seen and managed by its project's managers (owner, assignee) and by
  administrators; its creator keeps seeing it while they manage the project;
* an **organization webhook** (once organizations exist) is for administrators here.

An invisible webhook is answered 404; nobody sees the secret.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from inklab.server.errors import Forbidden, NotFound
from inklab.server.iam.permissions import is_admin
from inklab.server.projects import permissions as project_perms
from inklab.server.projects.models import Project
from inklab.server.webhooks.models import Webhook

__all__ = ["check_manage_webhook", "project_for_webhook", "visible_webhook", "visible_webhooks"]


def visible_webhooks(user: Any) -> QuerySet[Webhook]:
    if is_admin(user):
        return Webhook.objects.all()
    return Webhook.objects.filter(project__in=project_perms.managed_projects(user).values("pk"))


def visible_webhook(user: Any, pk: Any) -> Webhook:
    """The webhook ``pk``; :class:`NotFound` if the user may not see it."""
    webhook = visible_webhooks(user).filter(pk=pk).select_related("project", "owner").first()
    if webhook is None:
        raise NotFound(f"Webhook {pk} does not exist or is not visible to you.")
    return webhook


def project_for_webhook(user: Any, project_id: int) -> Project:
    """The project a new webhook will watch: it must be visible (else 404) and managed by
    ``user`` (else 403)."""
    project = project_perms.visible_project(user, project_id)
    project_perms.check_manage_project(user, project)
    return project


def check_manage_webhook(user: Any, webhook: Webhook) -> None:
    if webhook.project is not None:
        project_perms.check_manage_project(user, webhook.project)
    elif not is_admin(user):
        raise Forbidden("Only an administrator may change this webhook.")
