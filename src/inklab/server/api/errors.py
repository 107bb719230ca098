"""The single place where exceptions become HTTP error responses.

Validation problems are always 4xx with a readable message in CVAT's body shape
(``{"detail": "..."}`` or DRF's field-error mapping), never a 500. A busy database (see
:mod:`inklab.server.busy`) is a 503 with ``Retry-After``, from the API and from every other
view (:func:`server_error`, Django's ``handler500``).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from inklab.server import busy
from inklab.server.errors import ServiceError

__all__ = ["exception_handler", "server_error"]

logger = logging.getLogger(__name__)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if busy.is_database_busy(exc):
        logger.warning("Database busy, answering 503: %s", exc)
        return Response({"detail": busy.MESSAGE}, status=status.HTTP_503_SERVICE_UNAVAILABLE,
                        headers={"Retry-After": str(busy.RETRY_AFTER_SECONDS)})
    if isinstance(exc, ServiceError):
        detail = exc.detail
        body = {"detail": detail} if isinstance(detail, str) else detail
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"detail": " ".join(exc.messages)}
        return Response(messages, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.NotAuthenticated):
        # CVAT answers 401 for a missing login; DRF picks 403 when the first
        # authenticator has no WWW-Authenticate header.
        response.status_code = status.HTTP_401_UNAUTHORIZED
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's ``handler500``: called while the uncaught exception is being handled."""
    if busy.is_database_busy(sys.exc_info()[1]):
        return JsonResponse({"detail": busy.MESSAGE}, status=status.HTTP_503_SERVICE_UNAVAILABLE,
                            headers={"Retry-After": str(busy.RETRY_AFTER_SECONDS)})
    return defaults.server_error(request)
