"""Personal access tokens and teams (organizations, memberships, invitations).

Access tokens (PATs) are what cvat-cli uses through ``CVAT_ACCESS_TOKEN``: only a SHA-256
digest of a token is stored; the value is shown once, when it is created.

An :class:`Organization` is a team workspace; a user belongs to it through an active
:class:`Membership` with an :class:`~inklab.vocabulary.OrganizationRole`. An
:class:`Invitation` holds an inactive membership until the invitee accepts it.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from inklab.vocabulary import OrganizationRole, choices

__all__ = ["AccessToken", "Invitation", "Membership", "Organization"]

TOKEN_PREFIX = "ink_"


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class AccessToken(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=50)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    read_only = models.BooleanField(default=False)
    created_date = models.DateTimeField(auto_now_add=True)
    updated_date = models.DateTimeField(auto_now=True)
    expiry_date = models.DateTimeField(null=True, blank=True)
    last_used_date = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.owner})"

    @classmethod
    def issue(cls, owner: models.Model, name: str, *, read_only: bool = False, expiry_date=None) -> tuple[AccessToken, str]:
        """Create a token and return it with its secret value (which is not stored)."""
        value = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            owner=owner, name=name, digest=digest(value), read_only=read_only, expiry_date=expiry_date
        )
        return token, value

    @property
    def is_expired(self) -> bool:
        return self.expiry_date is not None and self.expiry_date <= timezone.now()


class Organization(models.Model):
    slug = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=64, blank=True, default="")
    description = models.TextField(blank=True, default="")
    contact = models.JSONField(default=dict, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created_date = models.DateTimeField(auto_now_add=True)
    updated_date = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.slug


class Membership(models.Model):
    """A user's place in an organization; inactive while its invitation is pending."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=16, choices=choices(OrganizationRole))
    is_active = models.BooleanField(default=False)
    joined_date = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="membership_unique_user")]
        indexes = [models.Index(fields=["user", "is_active", "role"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"


class Invitation(models.Model):
    """An invitation to join an organization; ``key`` is the secret the invitee accepts with."""

    key = models.CharField(max_length=64, primary_key=True)
    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="invitation")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created_date = models.DateTimeField(auto_now_add=True)
    sent_date = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_date", "key"]

    def __str__(self) -> str:
        return f"invitation of {self.membership.user} to {self.membership.organization}"

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)

    @property
    def accepted(self) -> bool:
        return self.membership.is_active

    @property
    def expires(self) -> datetime.datetime:
        sent = self.sent_date or self.created_date or timezone.now()
        return sent + datetime.timedelta(days=settings.INVITATION_EXPIRY_DAYS)

    @property
    def expired(self) -> bool:
        """Past its expiry and not accepted (an accepted invitation never expires)."""
        return not self.accepted and self.expires <= timezone.now()
