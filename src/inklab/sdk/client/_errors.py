"""Errors raised by the SDK.

Hierarchy::

    SdkError                      base of everything the SDK raises on purpose
    ├── ApiError                  the server answered with an error status
    │   ├── BadRequestError       400: the request was invalid (the message says why)
    │   ├── AuthenticationError   401, or a login the server refused
    │   ├── ForbiddenError        403
    │   ├── NotFoundError         404: no such object, or not visible to this user
    │   ├── ConflictError         409: the object's state does not allow this now
    │   │   └── StaleAnnotationsError  a write given ``version=`` found newer annotations;
    │   │                              nothing was written (``current_version`` says which)
    │   └── ServerError           5xx
    ├── TransportError            the server could not be reached, or the connection broke
    ├── BackgroundRequestError    a background request (task creation, an import, …) failed;
    │                             the message is the server's
    ├── IncompatibleServerError   the server does not speak a supported API version
    ├── InvalidHostError          the server address cannot be used (also a ValueError)
    ├── UnsupportedDatasetError   (inklab.sdk.datasets) a task that cannot be a dataset
    └── CacheMissError            (inklab.sdk.datasets) UpdatePolicy.NEVER without cached data

Problems with local files are the built-in ``FileNotFoundError`` (a file to upload is missing:
raised before anything is sent) and ``FileExistsError`` (a download would overwrite a file:
raised before any byte is written).

``ApiError`` and ``TransportError`` carry the :class:`RequestInfo` that failed;
``ApiError`` also the :class:`ResponseInfo` (status, headers, body). Their message is one
readable line, fit to show to a user as is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

__all__ = [
    "ApiError",
    "AuthenticationError",
    "BackgroundRequestError",
    "BadRequestError",
    "ConflictError",
    "ForbiddenError",
    "IncompatibleServerError",
    "InvalidHostError",
    "NotFoundError",
    "RequestInfo",
    "ResponseInfo",
    "SdkError",
    "ServerError",
    "StaleAnnotationsError",
    "TransportError",
    "error_for_response",
]


@dataclass(frozen=True)
class RequestInfo:
    """What was sent: the method and the absolute URL (headers are not kept: they hold secrets)."""

    method: str
    url: str

    def __str__(self) -> str:
        return f"{self.method} {self.url}"


@dataclass(frozen=True)
class ResponseInfo:
    """What came back with an error status."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        """The body decoded as JSON, or None when it is not JSON."""
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            return None


class SdkError(Exception):
    """Base class of the SDK's errors."""


class ApiError(SdkError):
    """The server answered ``request`` with an error ``response``.

    ``detail`` is the server's explanation (CVAT's ``{"detail": ...}`` or a field-error map,
    flattened to one line).
    """

    def __init__(self, message: str, *, request: RequestInfo, response: ResponseInfo, detail: str = "") -> None:
        super().__init__(message)
        self.request = request
        self.response = response
        self.detail = detail

    @property
    def status(self) -> int:
        return self.response.status


class BadRequestError(ApiError):
    pass


class AuthenticationError(ApiError):
    pass


class ForbiddenError(ApiError):
    pass


class NotFoundError(ApiError):
    pass


class ConflictError(ApiError):
    pass


class StaleAnnotationsError(ConflictError):
    """A conditional annotation write (``version=N``) was refused: the annotations changed since
    version N was read, and nothing was written. Read them again (or write without a version to
    overwrite)."""

    @property
    def current_version(self) -> int | None:
        """The version the annotations are at now, as the server said."""
        body = self.response.json()
        value = body.get("version") if isinstance(body, dict) else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None


class ServerError(ApiError):
    pass


class TransportError(SdkError):
    """No usable answer: the server is unreachable, timed out or dropped the connection."""

    def __init__(self, message: str, *, request: RequestInfo) -> None:
        super().__init__(message)
        self.request = request


class BackgroundRequestError(SdkError):
    """A background request ended in the ``failed`` state; the message is the server's."""

    def __init__(self, message: str, *, request_id: str = "") -> None:
        super().__init__(message)
        self.request_id = request_id


class IncompatibleServerError(SdkError):
    pass


class InvalidHostError(SdkError, ValueError):
    pass


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
}


def _flatten(detail: Any) -> str:
    """One line from CVAT's error bodies: a string, ``{"detail": ...}``, field errors or lists."""
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        return "; ".join(filter(None, (_flatten(item) for item in detail)))
    if isinstance(detail, dict):
        if set(detail) == {"detail"} or "detail" in detail and len(detail) <= 2:
            return _flatten(detail["detail"])
        parts = []
        for key, value in detail.items():
            text = _flatten(value)
            parts.append(text if key in ("non_field_errors", "detail") else f"{key}: {text}")
        return "; ".join(parts)
    return "" if detail is None else str(detail)


def error_for_response(request: RequestInfo, response: ResponseInfo) -> ApiError:
    """The :class:`ApiError` subclass for an error response, with a readable message."""
    body = response.json()
    if body is not None:
        detail = _flatten(body)
    else:
        text = response.body[:300].decode("utf-8", "replace").strip()
        detail = "" if text.lstrip().startswith("<") else " ".join(text.split())  # no HTML pages
    cls = _BY_STATUS.get(response.status) or (ServerError if response.status >= 500 else ApiError)
    if response.status == 409 and isinstance(body, dict) and isinstance(body.get("version"), int):
        cls = StaleAnnotationsError
    message = f"{request.method} {request.url} failed with status {response.status}"
    if detail:
        message += f": {detail}"
    return cls(message, request=request, response=response, detail=detail)
