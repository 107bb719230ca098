"""Domain errors raised by services, independent of HTTP.

Hierarchy::

    ServiceError            base; a request-level failure with a readable message (400)
    ├── InvalidInput        the payload or parameters are wrong (400)
    ├── NotFound            the object does not exist or is not visible (404)
    ├── Forbidden           the user may see the object but not do this (403)
    ├── Conflict            the object's state does not allow this now (409)
    ├── Unsupported         a valid request for something not implemented (405/400)
    ├── BadGateway          a component the server relies on (a function's agent) failed (502)
    └── Unavailable         nothing can serve this now; try again later (503, ``Retry-After``)

Views never build error responses themselves: :func:`inklab.server.api.errors.exception_handler`
maps these to HTTP status codes, keeping CVAT's ``{"detail": ...}`` body shape.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BadGateway", "Conflict", "Forbidden", "InvalidInput", "NotFound", "ServiceError", "Unavailable",
           "Unsupported"]


class ServiceError(Exception):
    """Base class; ``detail`` is a message or a structure of field errors."""

    status_code = 400

    def __init__(self, detail: Any) -> None:
        super().__init__(detail if isinstance(detail, str) else repr(detail))
        self.detail = detail


class InvalidInput(ServiceError):
    status_code = 400


class NotFound(ServiceError):
    status_code = 404


class Forbidden(ServiceError):
    status_code = 403


class Conflict(ServiceError):
    status_code = 409


class Unsupported(ServiceError):
    status_code = 405


class BadGateway(ServiceError):
    status_code = 502


class Unavailable(ServiceError):
    """``retry_after``: seconds the client should wait before trying again (the header)."""

    status_code = 503

    def __init__(self, detail: Any, retry_after: int = 5) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
