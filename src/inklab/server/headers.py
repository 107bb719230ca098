"""Security headers on every response: a Content-Security-Policy and ``X-Content-Type-Options``.

:data:`POLICY` lets a page load scripts, styles, fonts and data from this server only: no
inline script or style, no plug-ins, no ``<base>``, no framing by other sites, forms posted
here only. The web UI needs nothing else (its images also come from ``blob:`` and ``data:``
URLs); the admin runs under it as it is, the API documentation with a template of ours that
has no inline style. ``nosniff`` makes browsers keep to the declared Content-Type.

A view may set a stricter policy of its own – files served from storage carry
:data:`MEDIA_POLICY`, which forbids everything and sandboxes the document – and the
middleware leaves it alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponseBase
from django.utils.decorators import sync_and_async_middleware

__all__ = ["MEDIA_POLICY", "POLICY", "security_headers"]

POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])

#: for stored files (frames, chunks, previews, downloads): nothing may run or load, even if a
#: browser were made to render one as a document
MEDIA_POLICY = "default-src 'none'; sandbox"


def _add_headers(response: HttpResponseBase) -> HttpResponseBase:
    response.headers.setdefault("Content-Security-Policy", POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


@sync_and_async_middleware
def security_headers(get_response: Callable[[HttpRequest], Any]) -> Callable[[HttpRequest], Any]:
    """Middleware (first in ``MIDDLEWARE``, so that every response passes it, errors and static
    files included) that adds the headers a response does not set itself."""
    if iscoroutinefunction(get_response):
        async def middleware_async(request: HttpRequest) -> HttpResponseBase:
            response: Awaitable[HttpResponseBase] = get_response(request)
            return _add_headers(await response)

        return middleware_async

    def middleware(request: HttpRequest) -> HttpResponseBase:
        return _add_headers(get_response(request))

    return middleware
