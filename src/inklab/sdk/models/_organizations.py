"""Team models: organizations, memberships and invitations."""

from __future__ import annotations

from datetime import datetime

from inklab.sdk.models._base import Model, dict_field
from inklab.sdk.models._resources import BasicUser
from inklab.vocabulary import OrganizationRole

__all__ = [
    "BasicOrganization",
    "InvitationRead",
    "InvitationWriteRequest",
    "MembershipRead",
    "OrganizationRead",
    "OrganizationWriteRequest",
    "PatchedMembershipWriteRequest",
    "PatchedOrganizationWriteRequest",
]


class OrganizationRead(Model):
    """An organization (``GET /api/organizations/{id}``); ``slug`` names it in ``X-Organization``."""

    id: int
    slug: str
    name: str = ""
    description: str = ""
    contact: dict[str, str] = dict_field()
    owner: BasicUser | None = None
    created_date: datetime | None = None
    updated_date: datetime | None = None


class OrganizationWriteRequest(Model):
    _required = ("slug",)
    slug: str
    name: str = ""
    description: str = ""
    contact: dict[str, str] = dict_field()


class PatchedOrganizationWriteRequest(Model):
    slug: str
    name: str = ""
    description: str = ""
    contact: dict[str, str] = dict_field()


class BasicOrganization(Model):
    id: int
    slug: str


class MembershipRead(Model):
    """A user's place in an organization (inactive while its invitation is pending)."""

    id: int
    user: BasicUser
    organization: int
    role: OrganizationRole
    is_active: bool = False
    joined_date: datetime | None = None
    invitation: str | None = None


class PatchedMembershipWriteRequest(Model):
    role: OrganizationRole


class InvitationRead(Model):
    """An invitation; the invitee accepts or declines it by ``key``."""

    key: str
    role: OrganizationRole
    user: BasicUser
    organization: int
    organization_info: BasicOrganization
    owner: BasicUser | None = None
    created_date: datetime | None = None
    expired: bool | None = None
    accepted: bool = False


class InvitationWriteRequest(Model):
    _required = ("email", "role")
    email: str
    role: OrganizationRole
