"""Credentials and how they are attached to requests.

* :class:`PasswordCredentials`: ``POST /api/auth/login`` starts a session; later requests carry
  the session and CSRF cookies, the ``X-CSRFToken`` header and an ``Origin`` (what Django's
  CSRF protection checks, on inklab and on CVAT alike).
* :class:`AccessTokenCredentials`: a personal access token sent as ``Authorization: Bearer``;
  no login request, no cookies.

Secrets never appear in logs or in error messages.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlsplit

__all__ = ["AccessTokenCredentials", "Credentials", "PasswordCredentials", "Session", "origin_of"]


class Credentials:
    """Base class of the credential kinds."""


@dataclass(frozen=True)
class PasswordCredentials(Credentials):
    user: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class AccessTokenCredentials(Credentials):
    token: str = field(repr=False)


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, without the port when it is the scheme's default."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{host}{port}"


class Session:
    """The authentication state of a client: nothing, a login session, or a bearer token."""

    _COOKIES = ("sessionid", "csrftoken")

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self._lock = threading.Lock()
        self._cookies: dict[str, str] = {}
        self._token: str | None = None

    @property
    def has_session(self) -> bool:
        return bool(self._cookies)

    @property
    def has_credentials(self) -> bool:
        return bool(self._cookies) or self._token is not None

    def use_token(self, token: str) -> None:
        with self._lock:
            self._cookies.clear()
            self._token = token

    def clear(self) -> None:
        with self._lock:
            self._cookies.clear()
            self._token = None

    def apply(self, headers: MutableMapping[str, str]) -> None:
        """Add the authentication headers to an outgoing request."""
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token}"
            return
        with self._lock:
            cookies = dict(self._cookies)
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
            if "csrftoken" in cookies:
                headers["X-CSRFToken"] = cookies["csrftoken"]
            headers["Origin"] = self.origin

    def update_from(self, headers: Mapping[str, str], *, start: bool = False) -> None:
        """Take the session cookies a response sets (all of them at a login, when ``start``).

        Each ``Set-Cookie`` header is parsed on its own: joined into one line, a cookie
        attribute such as ``Secure`` would hide the cookies that follow it.
        """
        if self._token is not None:
            return
        if not start and not self._cookies:
            return
        values = headers.getlist("Set-Cookie") if hasattr(headers, "getlist") else (
            [headers["Set-Cookie"]] if "Set-Cookie" in headers else [])
        found: dict[str, str] = {}
        for value in values:
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value)
            except CookieError:
                continue
            for name in self._COOKIES:
                if name in jar:
                    found[name] = jar[name].value
        if found:
            with self._lock:
                for name, value in found.items():
                    if value:
                        self._cookies[name] = value
                    else:  # deleted by the server
                        self._cookies.pop(name, None)
