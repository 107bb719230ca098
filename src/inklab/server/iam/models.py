"""Personal access tokens (PATs), as cvat-cli uses them through ``CVAT_ACCESS_TOKEN``.

Only a SHA-256 digest of a token is stored; the value is shown once, when it is created.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = ["AccessToken"]

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
