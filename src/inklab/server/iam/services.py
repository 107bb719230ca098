"""User and token operations without HTTP."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

__all__ = ["ensure_superuser", "register_user"]

User = get_user_model()


@transaction.atomic
def ensure_superuser(username: str, password: str, email: str = "") -> tuple[Any, bool]:
    """Create a superuser, or make an existing user one and set its password.

    Returns ``(user, created)``; calling it again with another password updates it.
    """
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    user.is_superuser = True
    user.is_staff = True
    user.is_active = True
    if email:
        user.email = email
    user.set_password(password)
    user.save()
    return user, created


@transaction.atomic
def register_user(*, username: str, password: str, email: str = "", first_name: str = "",
                  last_name: str = "") -> Any:
    """Create a regular (non-admin) user."""
    return User.objects.create_user(
        username=username, password=password, email=email, first_name=first_name, last_name=last_name
    )
