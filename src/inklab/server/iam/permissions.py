"""Request-level permission classes shared by all apps.

Object visibility (which projects, tasks and jobs a user may see) lives next to those
models in :mod:`inklab.server.projects.permissions`.
"""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from inklab.server.iam.models import AccessToken
from inklab.server.iam.workspace import check_personal_workspace

__all__ = ["IsAdmin", "IsAuthenticated", "is_admin"]


def is_admin(user: Any) -> bool:
    """Admins see and change everything."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.is_staff))


class IsAuthenticated(permissions.BasePermission):
    """An authenticated user in the personal workspace (see :mod:`.workspace`); a read-only
    access token allows only safe methods."""

    message = "This access token is read-only."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        check_personal_workspace(request)
        if isinstance(request.auth, AccessToken) and request.auth.read_only:
            return request.method in permissions.SAFE_METHODS
        return True


class IsAdmin(IsAuthenticated):
    message = "Only administrators may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and is_admin(request.user)
