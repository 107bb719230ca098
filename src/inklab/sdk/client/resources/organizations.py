"""Teams: ``client.organizations`` and ``client.invitations``, with the :class:`Organization`,
:class:`Membership` and :class:`Invitation` entities.

Work inside an organization by setting ``client.organization_slug`` (or, for a block,
``with client.organization_context(slug):``); objects created there belong to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inklab.sdk import models
from inklab.sdk.client.resources._base import (
    CreatableRepo,
    DeletableEntity,
    Repo,
    UpdatableEntity,
    as_payload,
)
from inklab.vocabulary import OrganizationRole

__all__ = ["Invitation", "InvitationsRepo", "Membership", "Organization", "OrganizationsRepo"]


class Membership(models.MembershipRead, UpdatableEntity, DeletableEntity):
    """A member: ``update({"role": "supervisor"})`` changes the role, ``remove()`` removes them."""

    _collection = "/api/memberships"


class Invitation(models.InvitationRead, DeletableEntity):
    """An invitation; the invitee calls :meth:`accept` or :meth:`decline`."""

    _collection = "/api/invitations"

    @property
    def _path(self) -> str:
        return f"{self._collection}/{self.__dict__['key']}"

    def accept(self) -> str:
        """Join the organization; returns its slug."""
        answer = self._client.send_json("POST", f"{self._path}/accept")
        return str(answer["organization_slug"])

    def decline(self) -> None:
        self._client.request("POST", f"{self._path}/decline")

    def resend(self) -> None:
        """Send the invitation again (by mail where the server has mail), renewing its expiry."""
        self._client.request("POST", f"{self._path}/resend")

    def fetch(self) -> Invitation:
        self._replace(self._client.get_json(self._path))
        return self


class Organization(models.OrganizationRead, UpdatableEntity, DeletableEntity):
    """An organization (fields of :class:`~inklab.sdk.models.OrganizationRead`)."""

    _collection = "/api/organizations"

    def _in_me(self) -> dict[str, str]:
        return {"X-Organization": self.__dict__["slug"]}

    def get_members(self) -> list[Membership]:
        """Its memberships (active ones and those of pending invitations)."""
        rows = self._client.paginate("/api/memberships", {}, headers=self._in_me())
        return [Membership._wrap(self._client, row) for row in rows]

    def invite(self, email: str, role: OrganizationRole | str) -> Invitation:
        """Invite the user with ``email`` as ``role`` (worker, supervisor or maintainer)."""
        response = self._client.request("POST", "/api/invitations", headers=self._in_me(), json={
            "email": email, "role": str(OrganizationRole(role))})
        return Invitation._wrap(self._client, response.json())


class OrganizationsRepo(CreatableRepo[Organization]):
    """``client.organizations``: those you belong to (every one, for administrators)."""

    _entity = Organization

    def create(self, spec: Mapping[str, Any] | models.Model) -> Organization:
        """A new organization; you become its owner."""
        return self._wrap(self._client.send_json("POST", self._collection, as_payload(spec)))


class InvitationsRepo(Repo[Invitation]):
    """``client.invitations``: those you received or sent (and those of organizations you maintain)."""

    _entity = Invitation

    def retrieve(self, obj_id: int | str) -> Invitation:
        """The invitation with this key."""
        return self._wrap(self._client.get_json(f"{self._collection}/{obj_id}"))
