"""Which addresses a webhook may call: the guard against server-side request forgery.

A target is an ``http`` or ``https`` URL whose host resolves only to public (globally routable,
unicast) addresses: private, loopback, link-local, multicast, reserved, shared and unspecified
ones are refused, since the server would otherwise let clients reach its own network. The check
runs when a webhook is saved and again before every delivery (a name may resolve elsewhere
by then), and the delivery connects to the very address that was checked.

``INKLAB_WEBHOOKS_ALLOW_PRIVATE=1`` (setting ``WEBHOOKS_ALLOW_PRIVATE``) allows every address,
for a pipeline on the same machine or network (and the tests).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from inklab.server.errors import InvalidInput

__all__ = ["Target", "TargetRefused", "check_url", "resolve"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


class TargetRefused(InvalidInput):
    """The target URL is malformed, or names (or resolves to) an address webhooks may not call."""


@dataclass(frozen=True)
class Target:
    """A checked target: where to connect (``address``, ``port``) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def _allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE", False))


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def check_url(url: str) -> tuple[str, str, int, str]:
    """``(scheme, host, port, path with query)`` of a well-formed http(s) URL; raises
    :class:`TargetRefused` otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused("The target URL is not a valid URL.") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise TargetRefused("The target URL must start with http:// or https://.")
    if not parts.hostname:
        raise TargetRefused("The target URL has no host.")
    if parts.username or parts.password:
        raise TargetRefused("The target URL must not carry a user name or password; use the secret to "
                            "authenticate the payloads.")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, parts.hostname, port or _DEFAULT_PORTS[scheme], path


def resolve(url: str) -> Target:
    """Check ``url`` and resolve its host to an address a webhook may call.

    Raises :class:`TargetRefused` (a 400 when a client saves the webhook) when the URL is not
    http(s), its host does not resolve, or any of its addresses is not public (unless private
    addresses are allowed).
    """
    scheme, host, port, path = check_url(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise TargetRefused(f"The host name '{host}' of the target URL does not resolve.") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise TargetRefused(f"The host name '{host}' of the target URL does not resolve.")
    if not _allow_private():
        refused = [address for address in addresses if not _is_public(address)]
        if refused:
            raise TargetRefused(
                f"The target URL's host '{host}' is (or resolves to) {refused[0]}, a private, loopback, "
                "link-local, multicast or reserved address; webhooks may only call public addresses "
                "(the server's administrator may allow private ones with INKLAB_WEBHOOKS_ALLOW_PRIVATE=1).")
    return Target(scheme, host, port, path, addresses[0])
