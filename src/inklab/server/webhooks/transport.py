"""Sending one payload over HTTP(S) to a checked address (no redirects, bounded reading).

The connection goes to :attr:`Target.address`, the address :func:`~.addresses.resolve` checked,
never to a fresh resolution of the host name; ``Host`` and, over HTTPS, the TLS server name and
certificate check still use the host name. Redirects are not followed (a 3xx is the answer).
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass

from inklab.server.webhooks.addresses import Target

__all__ = ["MAX_BODY", "Outcome", "send"]

#: the most bytes of a target's answer that are kept with a delivery
MAX_BODY = 4096


@dataclass(frozen=True)
class Outcome:
    """What came back: ``status_code`` and the start of ``body``, or an ``error`` and no status."""

    status_code: int | None
    body: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self._address = target.address
        self._context = context

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _context(verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def send(target: Target, body: bytes, headers: dict[str, str], *, timeout: float, verify_ssl: bool = True) -> Outcome:
    """POST ``body`` to ``target``; never raises for network failures (they are the outcome)."""
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(target, timeout, _context(verify_ssl))
    else:
        connection = _PinnedHTTPConnection(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read(MAX_BODY)
        return Outcome(response.status, data.decode("utf-8", errors="replace"))
    except TimeoutError:
        return Outcome(None, error=f"The target did not answer within {timeout:g} s.")
    except ssl.SSLError as exc:
        return Outcome(None, error=f"TLS failed: {exc.reason or 'handshake error'}.")
    except (OSError, http.client.HTTPException) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        return Outcome(None, error=f"The target could not be reached: {reason}.")
    finally:
        connection.close()
