"""The organization context of a request, resolved in one place.

The official clients name an organization with the ``X-Organization`` header (cvat-sdk's
``client.organization_slug``, cvat-cli's ``--org``) or the ``org`` (slug) / ``org_id`` query
parameters:

* an empty value means the **personal workspace** (objects without an organization);
* no value at all means **no context**: lists show everything the user can see;
* a slug (or id) must name an organization the user is an active member of (administrators may
  use any): otherwise the request is refused with 403 naming the slug, never silently answered
  from another workspace. Values that disagree with each other are refused with 400; an empty
  header beside ``org`` or ``org_id`` gives way to them.

Objects created in a context belong to it (see :meth:`OrgContext.organization_for_new`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from inklab.server.errors import Forbidden, InvalidInput
from inklab.server.iam.models import Membership, Organization
from inklab.vocabulary import OrganizationRole

__all__ = ["NO_CONTEXT", "OrgContext", "context_of", "resolve_context"]

_ATTRIBUTE = "inklab_org_context"


@dataclass(frozen=True)
class OrgContext:
    """Where a request works: ``explicit`` is False when it named no context; ``organization``
    None (with ``explicit``) is the personal workspace. ``role`` is the user's role in the
    organization (None for an administrator who is not a member)."""

    organization: Organization | None = None
    explicit: bool = False
    role: OrganizationRole | None = None

    @property
    def is_personal(self) -> bool:
        return self.explicit and self.organization is None

    @property
    def organization_id(self) -> int | None:
        return self.organization.pk if self.organization is not None else None

    def filter(self, queryset: QuerySet[Any], field: str = "organization") -> QuerySet[Any]:
        """``queryset`` narrowed to this context (unchanged without one)."""
        if not self.explicit:
            return queryset
        if self.organization is None:
            return queryset.filter(**{f"{field}__isnull": True})
        return queryset.filter(**{field: self.organization.pk})

    def contains(self, organization_id: int | None) -> bool:
        """Whether an object of ``organization_id`` belongs to this context."""
        return not self.explicit or organization_id == self.organization_id


NO_CONTEXT = OrgContext()


def _named(request: Any) -> dict[str, str]:
    named: dict[str, str] = {}
    header = request.headers.get("X-Organization")
    if header is not None:
        named["X-Organization"] = header.strip()
    params = getattr(request, "query_params", None) or request.GET
    for param in ("org", "org_id"):
        value = params.get(param)
        if value is not None:
            named[param] = value.strip()
    if named.get("X-Organization") == "" and len(named) > 1:
        # A client naming an object's organization in the query blanks its default header
        # (the SDKs' sub-collection requests): the query wins over an empty header.
        del named["X-Organization"]
    return named


def _organization(where: str, value: str) -> Organization | None:
    if where == "org_id":
        if not value.isdigit() or len(value) > 18:
            raise InvalidInput({"org_id": [f"An organization id is a positive integer; got '{value[:64]}'."]})
        return Organization.objects.filter(pk=int(value)).first()
    return Organization.objects.filter(slug=value).first()


def resolve_context(request: Any, user: Any) -> OrgContext:
    """The context ``request`` names for ``user``; raises :class:`InvalidInput` (400) for values
    that disagree or are malformed and :class:`Forbidden` (403) for an organization that does not
    exist or that the user is not an active member of."""
    from inklab.server.iam.permissions import is_admin

    named = _named(request)
    if not named:
        return NO_CONTEXT
    found: dict[str, Organization | None] = {}
    for where, value in sorted(named.items()):
        if not value:
            found[where] = None
            continue
        organization = _organization(where, value)
        if organization is None:
            raise Forbidden({where: [f"There is no organization '{value[:64]}' that you are a member of."]})
        found[where] = organization
    ids = {org.pk if org is not None else None for org in found.values()}
    if len(ids) > 1:
        shown = ", ".join(f"{where}='{named[where][:64]}'" for where in sorted(named))
        raise InvalidInput({"org": [f"The request names different organizations ({shown}); name one."]})
    organization = next(iter(found.values()))
    if organization is None:
        return OrgContext(explicit=True)
    role = (Membership.objects.filter(user_id=user.pk, organization=organization, is_active=True)
            .values_list("role", flat=True).first())
    if role is None and not is_admin(user):
        where = sorted(found)[0]
        raise Forbidden({where: [f"There is no organization '{named[where][:64]}' that you are a member of."]})
    return OrgContext(organization=organization, explicit=True, role=OrganizationRole(role) if role else None)


def context_of(request: Any) -> OrgContext:
    """The request's context, resolved once per request (:data:`NO_CONTEXT` for anonymous ones)."""
    raw = getattr(request, "_request", request)
    cached = getattr(raw, _ATTRIBUTE, None)
    if cached is None:
        user = getattr(request, "user", None)
        cached = resolve_context(request, user) if user is not None and user.is_authenticated else NO_CONTEXT
        setattr(raw, _ATTRIBUTE, cached)
    return cached
