"""Organizations, memberships and invitations: what users may see of them and how they change
(no HTTP here). Permissions come from the rules table of :mod:`inklab.server.iam.rules`;
errors are :mod:`inklab.server.errors` exceptions.

Role changes follow ranks: nobody changes or removes the owner's membership (the owner deletes
the organization instead, or leaves it to nobody), ``owner`` is never granted, and a maintainer
manages only the members below them (the owner manages everyone else).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from inklab.server.errors import Conflict, Forbidden, InvalidInput, NotFound
from inklab.server.iam.models import Invitation, Membership, Organization
from inklab.server.iam.permissions import is_admin, org_role, role_q
from inklab.server.iam.rules import Action, Resource, Who, allowed, role_relations
from inklab.server.projects.signals import changed, changing
from inklab.vocabulary import OrganizationRole

__all__ = [
    "accept_invitation",
    "change_role",
    "check",
    "create_organization",
    "decline_invitation",
    "delete_invitation",
    "delete_organization",
    "get_visible",
    "invitation_relations",
    "invite",
    "membership_relations",
    "organization_relations",
    "remove_member",
    "resend_invitation",
    "update_organization",
    "visible_invitations",
    "visible_memberships",
    "visible_organizations",
]

logger = logging.getLogger(__name__)
User = get_user_model()

_MAINTAINER = OrganizationRole.MAINTAINER


# --- relations and visibility ----------------------------------------------------------------

def organization_relations(user: Any, organization: Organization) -> set[Who]:
    if is_admin(user):
        return {Who.ADMIN}
    relations = role_relations(org_role(user, organization.pk))
    if Invitation.objects.filter(membership__organization=organization, membership__user_id=user.pk).exists():
        relations.add(Who.INVITEE)
    return relations


def membership_relations(user: Any, membership: Membership) -> set[Who]:
    if is_admin(user):
        return {Who.ADMIN}
    relations = role_relations(org_role(user, membership.organization_id))
    if relations and membership.user_id == user.pk:
        relations.add(Who.SELF)
    return relations


def invitation_relations(user: Any, invitation: Invitation) -> set[Who]:
    relations = {Who.ADMIN} if is_admin(user) else role_relations(org_role(user, invitation.membership.organization_id))
    if invitation.owner_id == user.pk:
        relations.add(Who.OWNER)
    if invitation.membership.user_id == user.pk:
        relations.add(Who.INVITEE)
    return relations


def check(resource: Resource, action: Action, relations: set[Who], message: str) -> None:
    """:class:`Forbidden` with ``message`` unless the rules allow ``action`` to ``relations``."""
    if not allowed(resource, action, relations):
        raise Forbidden(message)


def _member_orgs(user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(user_id=user.pk, is_active=True).values("organization_id")


def visible_organizations(user: Any) -> QuerySet[Organization]:
    """Organizations the user is a member of or invited to (every one for administrators)."""
    if is_admin(user):
        return Organization.objects.all()
    invited = Invitation.objects.filter(membership__user_id=user.pk).values("membership__organization_id")
    return Organization.objects.filter(Q(pk__in=_member_orgs(user)) | Q(pk__in=invited))


def visible_memberships(user: Any) -> QuerySet[Membership]:
    """Memberships of the organizations the user is an active member of."""
    if is_admin(user):
        return Membership.objects.all()
    return Membership.objects.filter(organization_id__in=_member_orgs(user))


def visible_invitations(user: Any) -> QuerySet[Invitation]:
    """Invitations the user sent or received, and all of the organizations they maintain."""
    if is_admin(user):
        return Invitation.objects.all()
    return Invitation.objects.filter(Q(owner_id=user.pk) | Q(membership__user_id=user.pk)
                                     | role_q(user, _MAINTAINER, "membership__organization"))


# --- organizations ---------------------------------------------------------------------------

@transaction.atomic
def create_organization(user: Any, data: dict[str, Any]) -> Organization:
    """A new organization; its creator becomes its owner member."""
    if Organization.objects.filter(slug=data["slug"]).exists():
        raise Conflict({"slug": [f"An organization with the slug '{data['slug']}' already exists."]})
    organization = Organization.objects.create(
        slug=data["slug"], name=data.get("name", ""), description=data.get("description", ""),
        contact=data.get("contact") or {}, owner=user)
    Membership.objects.create(user=user, organization=organization, role=OrganizationRole.OWNER, is_active=True,
                              joined_date=timezone.now())
    return organization


@transaction.atomic
def update_organization(user: Any, organization: Organization, data: dict[str, Any]) -> Organization:
    check(Resource.ORGANIZATION, Action.CHANGE, organization_relations(user, organization),
          f"Only maintainers and the owner of organization '{organization.slug}' may change it.")
    slug = data.get("slug")
    if slug is not None and slug != organization.slug:
        if Organization.objects.filter(slug=slug).exclude(pk=organization.pk).exists():
            raise Conflict({"slug": [f"An organization with the slug '{slug}' already exists."]})
    changing.send(sender=Organization, instance=organization)
    for field in ("slug", "name", "description", "contact"):
        if field in data:
            setattr(organization, field, data[field])
    organization.save()
    changed.send(sender=Organization, instance=organization, user=user, action="update")
    return organization


def delete_organization(user: Any, organization: Organization) -> None:
    """Delete the organization and everything it owns (its projects, tasks, jobs, memberships)."""
    check(Resource.ORGANIZATION, Action.DELETE, organization_relations(user, organization),
          f"Only the owner of organization '{organization.slug}' may delete it.")
    organization.delete()


# --- memberships -----------------------------------------------------------------------------

def _acting_role(user: Any, organization_id: int) -> OrganizationRole:
    """The rank the user acts with: an administrator's is the owner's."""
    return OrganizationRole.OWNER if is_admin(user) else (org_role(user, organization_id) or OrganizationRole.WORKER)


def _check_rank(user: Any, membership: Membership, doing: str) -> None:
    if membership.role == OrganizationRole.OWNER:
        raise Forbidden(f"The owner's membership cannot be {doing}; the owner may delete the organization.")
    acting = _acting_role(user, membership.organization_id)
    if acting != OrganizationRole.OWNER and not acting.rank > OrganizationRole(membership.role).rank:
        raise Forbidden(f"A {acting} may manage only members below their own role; this one is a "
                        f"{membership.role}.")


@transaction.atomic
def change_role(user: Any, membership: Membership, role: OrganizationRole) -> Membership:
    check(Resource.MEMBERSHIP, Action.CHANGE, membership_relations(user, membership),
          "Only maintainers and the owner of the organization may change a member's role.")
    if role == OrganizationRole.OWNER:
        raise InvalidInput({"role": ["The 'owner' role is not granted; an organization has one owner."]})
    _check_rank(user, membership, "changed")
    acting = _acting_role(user, membership.organization_id)
    if acting != OrganizationRole.OWNER and not acting.rank > role.rank:
        raise Forbidden({"role": [f"A {acting} may grant only roles below their own."]})
    changing.send(sender=Membership, instance=membership)
    membership.role = role
    membership.save(update_fields=["role"])
    changed.send(sender=Membership, instance=membership, user=user, action="update")
    return membership


@transaction.atomic
def remove_member(user: Any, membership: Membership) -> None:
    """Remove a member (or leave): they lose access to everything of the organization at once."""
    relations = membership_relations(user, membership)
    check(Resource.MEMBERSHIP, Action.DELETE, relations,
          "Only maintainers and the owner of the organization may remove other members.")
    if membership.user_id == user.pk:
        if membership.role == OrganizationRole.OWNER:
            raise Forbidden("The owner cannot leave the organization; delete it instead.")
    else:
        _check_rank(user, membership, "removed")
    changed.send(sender=Membership, instance=membership, user=user, action="delete")
    membership.delete()


# --- invitations -----------------------------------------------------------------------------

def _send(invitation: Invitation, request_origin: str) -> None:
    invitation.sent_date = timezone.now()
    invitation.save(update_fields=["sent_date"])
    if not settings.INVITATION_MAIL:
        return  # in-app only: the invitee sees it in GET /api/invitations and the web UI
    organization = invitation.membership.organization
    base = settings.PUBLIC_URL or request_origin
    link = f"{base}/invitations?key={invitation.key}"
    sender = invitation.owner.username if invitation.owner else "An administrator"
    send_mail(
        subject=f"Invitation to the organization '{organization.slug}'",
        message=(f"{sender} invites you to join '{organization.name or organization.slug}' as a "
                 f"{invitation.membership.role}.\n\nAccept or decline it here: {link}\n\nThe invitation expires "
                 f"after {settings.INVITATION_EXPIRY_DAYS} days."),
        from_email=None, recipient_list=[invitation.membership.user.email])
    logger.info("Invitation to %s sent by mail (organization %s)", invitation.membership.user_id, organization.pk)


@transaction.atomic
def invite(user: Any, organization: Organization | None, email: str, role: OrganizationRole,
           request_origin: str = "") -> Invitation:
    """Invite the user with ``email`` to ``organization`` (the request's context) as ``role``."""
    if organization is None:
        raise InvalidInput({"org": ["Name the organization to invite to: the X-Organization header or ?org=slug."]})
    relations = {Who.ADMIN} if is_admin(user) else role_relations(org_role(user, organization.pk))
    check(Resource.INVITATION, Action.CREATE, relations,
          f"Only maintainers and the owner of organization '{organization.slug}' may invite members.")
    if role == OrganizationRole.OWNER:
        raise InvalidInput({"role": ["The 'owner' role is not granted; invite as a maintainer, supervisor or worker."]})
    acting = _acting_role(user, organization.pk)
    if acting != OrganizationRole.OWNER and not acting.rank > role.rank:
        raise Forbidden({"role": [f"A {acting} may invite only to roles below their own."]})
    invitee = User.objects.filter(email__iexact=email, is_active=True).order_by("id").first()
    if invitee is None:
        raise InvalidInput({"email": [f"No active account has the email '{email}'; ask them to register first."]})
    existing = Membership.objects.filter(user=invitee, organization=organization).first()
    if existing is not None:
        state = "a member" if existing.is_active else "already invited"
        raise Conflict({"email": [f"The user with this email is {state} of '{organization.slug}'."]})
    membership = Membership.objects.create(user=invitee, organization=organization, role=role, is_active=False)
    invitation = Invitation.objects.create(key=Invitation.new_key(), membership=membership, owner=user)
    changed.send(sender=Invitation, instance=invitation, user=user, action="create")
    _send(invitation, request_origin)
    return invitation


@transaction.atomic
def accept_invitation(user: Any, invitation: Invitation) -> Organization:
    check(Resource.INVITATION, Action.ACCEPT, invitation_relations(user, invitation) - {Who.ADMIN},
          "Only the invited user may accept this invitation.")
    if invitation.accepted:
        raise Conflict("This invitation was accepted already.")
    if invitation.expired:
        raise InvalidInput("This invitation has expired; ask for it to be sent again.")
    membership = invitation.membership
    membership.is_active = True
    membership.joined_date = timezone.now()
    membership.save(update_fields=["is_active", "joined_date"])
    changed.send(sender=Membership, instance=membership, user=user, action="create")
    return membership.organization


@transaction.atomic
def decline_invitation(user: Any, invitation: Invitation) -> None:
    check(Resource.INVITATION, Action.ACCEPT, invitation_relations(user, invitation) - {Who.ADMIN},
          "Only the invited user may decline this invitation.")
    if invitation.accepted:
        raise Conflict("This invitation was accepted already; leave the organization instead.")
    invitation.membership.delete()


def resend_invitation(user: Any, invitation: Invitation, request_origin: str = "") -> None:
    check(Resource.INVITATION, Action.RESEND, invitation_relations(user, invitation),
          "Only the invitation's sender, maintainers and the owner of the organization may resend it.")
    if invitation.accepted:
        raise InvalidInput("This invitation was accepted already.")
    _send(invitation, request_origin)


@transaction.atomic
def delete_invitation(user: Any, invitation: Invitation) -> None:
    """Withdraw an invitation; a pending one takes its inactive membership with it."""
    check(Resource.INVITATION, Action.DELETE, invitation_relations(user, invitation),
          "Only the invitation's sender, maintainers and the owner of the organization may delete it.")
    changed.send(sender=Invitation, instance=invitation, user=user, action="delete")
    if invitation.accepted:
        invitation.delete()
    else:
        invitation.membership.delete()


def get_visible(queryset: QuerySet[Any], what: str, **lookup: Any) -> Any:
    """The one object of ``queryset`` matching ``lookup``; :class:`NotFound` naming ``what``."""
    found = queryset.filter(**lookup).first()
    if found is None:
        raise NotFound(f"{what} does not exist or is not visible to you.")
    return found
