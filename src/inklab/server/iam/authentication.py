"""Authentication schemes accepted by the API, tried in this order:

1. ``Authorization: Bearer <personal access token>`` (cvat-sdk ``access_token=``, ``CVAT_ACCESS_TOKEN``);
2. ``Authorization: Token <key>`` (the key returned by ``/api/auth/login``);
3. HTTP Basic;
4. the session cookie, with CSRF checks on unsafe methods.

Token schemes run before the session so that a client holding both a stale session cookie
and a token is never asked for a CSRF header it does not have.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from inklab.server.iam import throttling
from inklab.server.iam.models import AccessToken, digest

__all__ = [
    "AccessTokenAuthentication",
    "BasicAuthentication",
    "SessionAuthentication",
    "TokenAuthentication",
]

# Recording every use would turn each read into a write; a minute's resolution is enough.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


class AccessTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, AccessToken] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid Bearer header: expected 'Bearer <token>'.")
        try:
            value = parts[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid Bearer token.") from exc
        token = AccessToken.objects.select_related("owner").filter(digest=digest(value)).first()
        if token is None or not token.owner.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked access token.")
        if token.is_expired:
            raise exceptions.AuthenticationFailed("The access token has expired.")
        now = timezone.now()
        if token.last_used_date is None or now - token.last_used_date > _LAST_USED_RESOLUTION:
            AccessToken.objects.filter(pk=token.pk).update(last_used_date=now)
        return token.owner, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class TokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"


class BasicAuthentication(authentication.BasicAuthentication):
    """HTTP Basic: each request is a password check, throttled like logins (see :mod:`.throttling`)."""

    www_authenticate_realm = "inklab"

    def authenticate_credentials(self, userid: str, password: str, request: Any = None) -> tuple[Any, None]:
        try:
            return super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            throttling.check_not_locked_out(request, userid)
            raise


class SessionAuthentication(authentication.SessionAuthentication):
    """Django's session with DRF's CSRF enforcement for unsafe methods."""
