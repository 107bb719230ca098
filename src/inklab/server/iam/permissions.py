"""Request-level permission classes and the organization relations shared by all apps.

The rules (who may do what) are the table in :mod:`inklab.server.iam.rules`. This module
answers the organization side of them: a user's role in an organization (:func:`org_role`,
:func:`org_relations`) and the same as database filters (:func:`member_q`, :func:`role_q`).
Object visibility of projects, tasks and jobs lives next to those models in
:mod:`inklab.server.projects.permissions`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from rest_framework import permissions
from rest_framework.request import Request

from inklab.server.iam.context import context_of
from inklab.server.iam.models import AccessToken, Membership
from inklab.server.iam.rules import Who, role_relations
from inklab.vocabulary import OrganizationRole

__all__ = ["IsAdmin", "IsAuthenticated", "is_admin", "member_q", "object_relations", "org_relations", "org_role",
           "role_q"]


def is_admin(user: Any) -> bool:
    """Admins see and change everything."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.is_staff))


class IsAuthenticated(permissions.BasePermission):
    """An authenticated user in a workspace they may work in (the organization context is
    resolved here, see :mod:`.context`); a read-only access token allows only safe methods."""

    message = "This access token is read-only."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        context_of(request)
        if isinstance(request.auth, AccessToken) and request.auth.read_only:
            return request.method in permissions.SAFE_METHODS
        return True


class IsAdmin(IsAuthenticated):
    message = "Only administrators may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and is_admin(request.user)


def org_role(user: Any, organization_id: int | None) -> OrganizationRole | None:
    """The user's role in an organization through an active membership; None if not a member."""
    if organization_id is None or not getattr(user, "pk", None):
        return None
    role = (Membership.objects.filter(user_id=user.pk, organization_id=organization_id, is_active=True)
            .values_list("role", flat=True).first())
    return OrganizationRole(role) if role else None


def org_relations(user: Any, organization_id: int | None) -> tuple[bool, set[Who]]:
    """``(may_hold_relations, relations)`` of ``user`` to an object of ``organization_id``: a
    personal object allows every object relation; an organization's only to its active members
    (and administrators), who also hold the relations of their role."""
    if organization_id is None:
        return True, set()
    role = org_role(user, organization_id)
    return role is not None or is_admin(user), role_relations(role)


def object_relations(user: Any, organization_id: int | None, own: dict[Who, bool]) -> set[Who]:
    """The user's relations to one object of ``organization_id``: every relation for an
    administrator; none for a non-member of its organization; otherwise their role's relations and
    those of ``own`` that hold (e.g. ``{Who.OWNER: obj.owner_id == user.pk}``)."""
    if is_admin(user):
        return {Who.ADMIN}
    may, relations = org_relations(user, organization_id)
    if not may:
        return set()
    return relations | {who for who, holds in own.items() if holds}


def _memberships(user: Any, at_least: OrganizationRole | None = None) -> QuerySet[Membership]:
    rows = Membership.objects.filter(user_id=user.pk, is_active=True)
    if at_least is not None:
        rows = rows.filter(role__in=[role.value for role in OrganizationRole if role.at_least(at_least)])
    return rows


def member_q(user: Any, field: str = "organization") -> Q:
    """Objects whose ``field`` (an organization) is None or one the user is an active member of."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__in": _memberships(user).values("organization_id")})


def role_q(user: Any, at_least: OrganizationRole, field: str = "organization") -> Q:
    """Objects of the organizations where the user's role is ``at_least`` this one."""
    return Q(**{f"{field}__in": _memberships(user, at_least).values("organization_id")})
