"""Who may see and change webhooks; the project rules come from :mod:`inklab.server.projects.permissions`.

* a **project webhook** is seen and managed by its project's managers (owner, assignee) and by
  administrators; its creator keeps seeing it while they manage the project;
* an **organization webhook** is seen and managed by the organization's maintainers and owner
  (the rules table's webhook rule) and by administrators.

An invisible webhook is answered 404; nobody sees the secret.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from inklab.server.errors import Forbidden, InvalidInput, NotFound
from inklab.server.iam.context import OrgContext
from inklab.server.iam.models import Organization
from inklab.server.iam.permissions import is_admin, object_relations, role_q
from inklab.server.iam.rules import Action, Resource, allowed
from inklab.server.projects import permissions as project_perms
from inklab.server.projects.models import Project
from inklab.server.webhooks.models import Webhook
from inklab.vocabulary import OrganizationRole

__all__ = ["check_manage_webhook", "organization_for_webhook", "project_for_webhook", "visible_webhook",
           "visible_webhooks"]


def visible_webhooks(user: Any) -> QuerySet[Webhook]:
    if is_admin(user):
        return Webhook.objects.all()
    return Webhook.objects.filter(Q(project__in=project_perms.managed_projects(user).values("pk"))
                                  | Q(project__isnull=True) & role_q(user, OrganizationRole.MAINTAINER))


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


def _may_manage_organization_webhooks(user: Any, organization_id: int) -> bool:
    return allowed(Resource.WEBHOOK, Action.CHANGE, object_relations(user, organization_id, {}))


def organization_for_webhook(user: Any, context: OrgContext) -> Organization:
    """The organization a new organization webhook will watch: the request's organization
    context, whose webhooks ``user`` must manage (maintainers, the owner, administrators)."""
    if context.organization is None:
        raise InvalidInput({"type": ["An organization webhook belongs to the organization the request names: "
                                     "send the X-Organization header (or ?org=slug)."]})
    if not _may_manage_organization_webhooks(user, context.organization.pk):
        raise Forbidden("Only the organization's maintainers and owner may manage its webhooks.")
    return context.organization


def check_manage_webhook(user: Any, webhook: Webhook) -> None:
    if webhook.project is not None:
        project_perms.check_manage_project(user, webhook.project)
    elif webhook.organization_id is None or not _may_manage_organization_webhooks(user, webhook.organization_id):
        raise Forbidden("Only the organization's maintainers and owner may change this webhook.")
