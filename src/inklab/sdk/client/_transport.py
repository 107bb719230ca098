"""HTTP transports: how requests reach the server.

A transport has two methods (``send`` and ``close``); :class:`Urllib3Transport` is the real
one (a keep-alive connection pool shared by threads, retrying idempotent requests after
connection failures and 502/503/504 answers), :class:`MockTransport` answers from a function
and exists for tests of failures a live server cannot produce (a dropped connection, a 502).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
import urllib3
from urllib3.util import Retry, Timeout

from inklab.sdk.client._errors import RequestInfo, TransportError

__all__ = ["HttpRequest", "HttpResponse", "MockTransport", "Transport", "Urllib3Transport"]

logger = logging.getLogger(__name__)

#: Methods that may be repeated after a failure without changing the outcome.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


@dataclass
class HttpRequest:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None

    @property
    def info(self) -> RequestInfo:
        return RequestInfo(self.method, self.url)


class HttpResponse:
    """A response; read the body with :attr:`data` (or :meth:`iter_bytes` when streamed)."""

    def __init__(self, status: int, headers: Mapping[str, str], request: HttpRequest, *,
                 data: bytes | None = None, raw: Any = None) -> None:
        self.status = status
        self.headers = headers
        self.request = request
        self._data = data
        self._raw = raw

    @property
    def data(self) -> bytes:
        """The whole body (read now if the response was streamed)."""
        if self._data is None:
            chunks = list(self.iter_bytes())
            self._data = b"".join(chunks)
        return self._data

    def json(self) -> Any:
        """The body decoded as JSON."""
        return orjson.loads(self.data)

    def iter_bytes(self, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """The body in pieces of at most ``chunk_size`` bytes, without holding it all in memory."""
        if self._data is not None:
            for start in range(0, len(self._data), chunk_size):
                yield self._data[start:start + chunk_size]
            return
        if self._raw is None:
            return
        try:
            yield from self._raw.stream(chunk_size, decode_content=False)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise TransportError(f"The connection broke while reading {self.request.info}: {exc}",
                                 request=self.request.info) from exc
        finally:
            self.close()

    def close(self) -> None:
        """Give the connection back to the pool (call it when a streamed body is not read fully)."""
        if self._raw is not None:
            self._raw.release_conn()
            self._raw = None

    def shutdown(self) -> None:
        """Stop a streamed response from another thread: a read blocked on it ends with
        :class:`TransportError` (or the end of the body). Needs urllib3 2.3; does nothing otherwise."""
        raw = self._raw
        stop = getattr(raw, "shutdown", None)
        if callable(stop):
            stop()

    def __enter__(self) -> HttpResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Transport(Protocol):
    def send(self, request: HttpRequest, *, stream: bool = False, timeout: float | None = None) -> HttpResponse:
        """Send ``request``; raise :class:`TransportError` when no response arrives."""
        ...

    def close(self) -> None: ...


class Urllib3Transport:
    """A pooled urllib3 transport.

    ``max_connections`` connections per host are kept alive (parallel downloads use up to that
    many at once); ``verify_ssl=False`` disables certificate checks; ``timeout`` is the
    per-read timeout in seconds (connecting has its own, shorter one).
    """

    def __init__(self, *, max_connections: int = 10, verify_ssl: bool | None = None, timeout: float = 120.0,
                 connect_timeout: float = 10.0, retries: int = 3) -> None:
        self._retry = Retry(
            total=retries, connect=retries, read=retries, status=retries, other=0, redirect=0,
            backoff_factor=0.2, status_forcelist=(502, 503, 504), allowed_methods=IDEMPOTENT_METHODS,
            raise_on_status=False, raise_on_redirect=False, respect_retry_after_header=True,
        )
        self._timeout = Timeout(connect=connect_timeout, read=timeout)
        self._pool = urllib3.PoolManager(
            num_pools=8, maxsize=max(1, max_connections), block=False,
            cert_reqs="CERT_NONE" if verify_ssl is False else "CERT_REQUIRED",
        )
        if verify_ssl is False:
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    def send(self, request: HttpRequest, *, stream: bool = False, timeout: float | None = None) -> HttpResponse:
        retries = self._retry if request.method in IDEMPOTENT_METHODS else self._retry.new(
            read=0, status=0, total=self._retry.connect)
        try:
            raw = self._pool.request(
                request.method, request.url, body=request.body, headers=request.headers,
                retries=retries, redirect=False, preload_content=not stream, decode_content=False,
                timeout=Timeout(connect=self._timeout.connect_timeout, read=timeout) if timeout else self._timeout,
            )
        except urllib3.exceptions.MaxRetryError as exc:
            raise TransportError(_reason(request, exc.reason), request=request.info) from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise TransportError(_reason(request, exc), request=request.info) from exc
        if stream:
            return HttpResponse(raw.status, raw.headers, request, raw=raw)
        return HttpResponse(raw.status, raw.headers, request, data=raw.data)

    def close(self) -> None:
        self._pool.clear()


def _reason(request: HttpRequest, exc: BaseException | None) -> str:
    target = request.url.split("/api/", 1)[0]
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return f"Cannot reach the server at {target}: the connection was refused or the host is unknown."
    if isinstance(exc, urllib3.exceptions.NameResolutionError):
        return f"Cannot reach the server at {target}: the host name cannot be resolved."
    if isinstance(exc, urllib3.exceptions.ConnectTimeoutError):
        return f"Cannot reach the server at {target}: connecting timed out."
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return f"The server at {target} did not answer {request.method} {request.url} in time."
    if isinstance(exc, urllib3.exceptions.SSLError):
        return f"TLS failed with the server at {target}: {exc}"
    return f"The connection to {target} failed during {request.method} {request.url}: {exc}"


Handler = Callable[[HttpRequest], "HttpResponse | tuple[int, dict[str, str], bytes] | BaseException"]


class MockTransport:
    """A transport that calls ``handler(request)`` instead of the network.

    The handler returns an :class:`HttpResponse`, a ``(status, headers, body)`` tuple, or an
    exception to raise as a :class:`TransportError` (a dropped connection, a timeout).
    ``requests`` records everything sent.
    """

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[HttpRequest] = []

    def send(self, request: HttpRequest, *, stream: bool = False, timeout: float | None = None) -> HttpResponse:
        self.requests.append(request)
        result = self.handler(request)
        if isinstance(result, BaseException):
            raise TransportError(_reason(request, result), request=request.info) from result
        if isinstance(result, HttpResponse):
            return result
        status, headers, body = result
        return HttpResponse(status, urllib3.HTTPHeaderDict(headers), request, data=body)

    def close(self) -> None:
        pass
