"""Which users a user may see: the ``user`` rules of :mod:`inklab.server.iam.rules` applied to
accounts, for one account (:func:`user_relations`) and as database filters (:func:`visible_users`,
:func:`listed_users`), so a list never shows a user that a retrieve would refuse.

Seeing another user depends on the request's organization context (:mod:`.context`): in an
organization's, its active members; in the personal workspace, nobody but oneself; without a
context, the active members of every organization the user is an active member of. A user one
may not see is not found (404), like any other object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from inklab.server.errors import NotFound
from inklab.server.iam.context import OrgContext
from inklab.server.iam.models import Membership
from inklab.server.iam.permissions import is_admin
from inklab.server.iam.rules import Action, Resource, Who, who_may

__all__ = ["listed_users", "user_relations", "visible_user", "visible_users"]

User = get_user_model()


def _fellow_organizations(user: Any, context: OrgContext) -> QuerySet[Membership] | None:
    """The organizations whose active members are ``user``'s fellow members in ``context`` (as
    ``organization_id`` rows); None in the personal workspace, where nobody is."""
    if context.is_personal:
        return None
    mine = Membership.objects.filter(user_id=user.pk, is_active=True)
    if context.organization is not None:
        mine = mine.filter(organization_id=context.organization_id)
    return mine.values("organization_id")


def _fellows_q(user: Any, context: OrgContext) -> Q:
    organizations = _fellow_organizations(user, context)
    if organizations is None:
        return Q(pk__in=[])
    members = Membership.objects.filter(organization_id__in=organizations, is_active=True).values("user_id")
    return Q(pk__in=members)


def user_relations(user: Any, target: Any, context: OrgContext) -> set[Who]:
    """The relations of ``user`` to the account ``target`` in ``context``."""
    if is_admin(user):
        return {Who.ADMIN}
    relations = {Who.SELF} if target.pk == user.pk else set()
    if User.objects.filter(_fellows_q(user, context), pk=target.pk).exists():
        relations.add(Who.FELLOW_MEMBER)
    return relations


def visible_users(user: Any, context: OrgContext) -> QuerySet[Any]:
    """The accounts ``user`` may view in ``context`` (every one for administrators)."""
    if is_admin(user):
        return User.objects.all()
    builders: dict[Who, Callable[[], Q]] = {
        Who.SELF: lambda: Q(pk=user.pk),
        Who.FELLOW_MEMBER: lambda: _fellows_q(user, context),
    }
    query = Q(pk__in=[])
    for who in who_may(Resource.USER, Action.VIEW) - {Who.ADMIN}:
        query |= builders[who]()
    return User.objects.filter(query)


def listed_users(user: Any, context: OrgContext) -> QuerySet[Any]:
    """``GET /api/users``: the visible accounts, narrowed in an organization's context to its active
    members (for administrators too, as CVAT's filter does; invitees are not members yet)."""
    users = visible_users(user, context)
    if context.organization is not None:
        members = Membership.objects.filter(organization_id=context.organization_id, is_active=True)
        users = users.filter(pk__in=members.values("user_id"))
    return users


def visible_user(user: Any, pk: Any, context: OrgContext) -> Any:
    """The account ``pk`` if ``user`` may view it in ``context``; :class:`NotFound` otherwise, so
    that an account one may not see and one that does not exist look the same."""
    target = visible_users(user, context).filter(pk=pk).first()
    if target is None:
        raise NotFound(f"User {pk} does not exist or is not visible to you.")
    return target
