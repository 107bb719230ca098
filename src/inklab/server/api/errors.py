"""The single place where exceptions become HTTP error responses.

Validation problems are always 4xx with a readable message in CVAT's body shape
(``{"detail": "..."}`` or DRF's field-error mapping), never a 500. A busy database (see
:mod:`inklab.server.busy`) is a 503 with ``Retry-After``, from the API and from every other
view (:func:`server_error`, Django's ``handler500``). A database constraint that a check
missed (a race between two requests) is a 409. Anything else is a bug: its traceback is logged
and the client gets a generic 500 body that names no server path, exception class or query.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from inklab.server import busy
from inklab.server.errors import ServiceError

__all__ = ["exception_handler", "server_error"]

logger = logging.getLogger(__name__)

_FAILED = "The server failed to handle this request; the error was logged. Please report it if it persists."


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if busy.is_database_busy(exc):
        logger.warning("Database busy, answering 503: %s", exc)
        return Response({"detail": busy.MESSAGE}, status=status.HTTP_503_SERVICE_UNAVAILABLE,
                        headers={"Retry-After": str(busy.RETRY_AFTER_SECONDS)})
    if isinstance(exc, ServiceError):
        detail = exc.detail
        body = {"detail": detail} if isinstance(detail, str) else detail
        retry_after = getattr(exc, "retry_after", None)
        return Response(body, status=exc.status_code,
                        headers={"Retry-After": str(retry_after)} if retry_after is not None else None)
    if isinstance(exc, DjangoValidationError):
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"detail": " ".join(exc.messages)}
        return Response(messages, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        set_rollback()
        logger.warning("%s: a database constraint refused the change: %s", _where(context), exc)
        return Response({"detail": "This conflicts with data saved meanwhile (for example a name that must be "
                                   "unique was taken); nothing was changed. Reload and try again."},
                        status=status.HTTP_409_CONFLICT)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.NotAuthenticated):
        # CVAT answers 401 for a missing login; DRF picks 403 when the first
        # authenticator has no WWW-Authenticate header.
        response.status_code = status.HTTP_401_UNAUTHORIZED
    if response is None:
        set_rollback()
        logger.error("%s failed", _where(context), exc_info=(type(exc), exc, exc.__traceback__))
        response = Response({"detail": _FAILED}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    return response


def _where(context: dict[str, Any]) -> str:
    request = context.get("request")
    return f"{request.method} {request.path}" if request is not None else "A request"


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's ``handler500``: called while the uncaught exception is being handled (Django
    has logged it). API clients get the generic JSON body, browsers Django's plain page."""
    if busy.is_database_busy(sys.exc_info()[1]):
        return JsonResponse({"detail": busy.MESSAGE}, status=status.HTTP_503_SERVICE_UNAVAILABLE,
                            headers={"Retry-After": str(busy.RETRY_AFTER_SECONDS)})
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _FAILED}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    return defaults.server_error(request)
