"""Throttling of password guesses, per account and per client address.

Failed password checks are counted by django-axes in the database (so every web process of
``inklab serve --workers N`` shares them, on SQLite and PostgreSQL alike, with no other
service): every ``authenticate()`` call counts, i.e. ``/api/auth/login``, HTTP Basic on any
API call and the Django admin's login form. After ``INKLAB_LOGIN_MAX_FAILURES`` failures
for one account (from anywhere) or from one address (for any accounts) within
``INKLAB_LOGIN_LOCKOUT_SECONDS`` of each other, password checks for that account or from
that address are refused with ``429 Too Many Requests`` and ``Retry-After`` until that long
after the last counted failure. Refused attempts do not extend the lockout, and successful
logins neither count nor reset the counters (so that an attacker cannot clear the count of
an address by logging into an account of their own). Tokens, access tokens and sessions
are not throttled: they are not password guesses.

The settings module maps the ``INKLAB_LOGIN_*`` variables onto axes' settings;
:func:`lockout_response` and :func:`client_address` are the hooks axes calls.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from rest_framework import exceptions

__all__ = ["TooManyFailures", "check_not_locked_out", "client_address", "lockout_response"]

logger = logging.getLogger(__name__)


class TooManyFailures(exceptions.Throttled):
    """429 with ``Retry-After``: too many failed password checks for an account or an address."""

    default_code = "too_many_failed_logins"

    def __init__(self, wait: int) -> None:
        super().__init__(wait=wait, detail=(
            "Too many failed logins for this account or from this address. "
            f"Try again in {wait} seconds, or sign in with a token."))

    @classmethod
    def for_request(cls, request: Any, username: str | None) -> TooManyFailures:
        return cls(_seconds_left(request, username))


def client_address(request: HttpRequest) -> str | None:
    """The client's address: the peer's, or behind a trusted proxy (``INKLAB_BEHIND_PROXY``) the
    last ``X-Forwarded-For`` entry, which that proxy wrote (earlier ones come from the client)."""
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")


def _seconds_left(request: Any, username: str | None) -> int:
    """Seconds until the newest counted failure of this account or address is forgotten."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return 0
    match = Q(ip_address=getattr(request, "axes_ip_address", None))
    if username:
        match |= Q(username=username)
    newest = AccessAttempt.objects.filter(match).aggregate(newest=Max("attempt_time"))["newest"]
    if newest is None:
        return math.ceil(cool_off.total_seconds())
    return max(1, math.ceil((newest + cool_off - timezone.now()).total_seconds()))


def check_not_locked_out(request: Any, username: str | None) -> None:
    """After a failed ``authenticate(request, ...)``: :class:`TooManyFailures` if axes refused
    (or has just locked out) this account or address."""
    if getattr(request, "axes_locked_out", False):
        raise TooManyFailures.for_request(request, username)


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """axes' ``AXES_LOCKOUT_CALLABLE``: keep a 429 the API already answered (with its message and
    ``Retry-After``); otherwise (the admin's login form) answer the same in JSON."""
    if isinstance(original_response, HttpResponse) and original_response.status_code == 429:
        return original_response
    username = credentials.get("username") if isinstance(credentials, dict) else None
    error = TooManyFailures.for_request(request, username)
    response = JsonResponse({"detail": str(error.detail)}, status=429)
    response["Retry-After"] = str(error.wait)
    return response
