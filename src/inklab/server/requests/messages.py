"""What a failed request's message says: the reason in the user's terms, never server internals.

A :class:`~inklab.server.errors.ServiceError` carries a message written for the user (it names
the user's file and the place in it). Anything else is a bug or an environment problem: its
traceback goes to the log with the request id, and the request says only that much. Messages
are also scrubbed of absolute paths under the server's directories, which some libraries put
into their error texts (``cannot identify image file '/srv/inklab/media/...'``).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings

from inklab.server.errors import ServiceError
from inklab.server.requests.progress import CANCELLED, Cancelled

__all__ = ["failure_message", "readable", "scrub_paths"]

_LIMIT = 4000


def readable(detail: Any) -> str:
    """A service error's detail (a message, a list, or field errors) as one line of text."""
    if isinstance(detail, str):
        return detail
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {readable(value)}" for key, value in detail.items())
    if isinstance(detail, (list, tuple)):
        return " ".join(readable(item) for item in detail)
    return str(detail)


def _roots() -> list[str]:
    roots = {str(settings.DATA_DIR), str(settings.MEDIA_ROOT), str(settings.SHARE_ROOT), tempfile.gettempdir()}
    for root in list(roots):
        roots.add(str(Path(root).resolve()))
    return sorted((r.rstrip("/") for r in roots if len(r) > 1), key=len, reverse=True)


def scrub_paths(message: str) -> str:
    """Replace every absolute path under a server directory with its last component."""
    for root in _roots():
        pattern = re.escape(root) + r"(?:/[^\s'\"(),:;]*)?(?![\w.-])"
        message = re.sub(pattern, lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1] or "…", message)
    return message


def failure_message(exc: BaseException, request_id: str) -> str:
    """The message of a request that ``exc`` ended (log the traceback of unexpected ones first)."""
    if isinstance(exc, Cancelled):
        return CANCELLED
    if isinstance(exc, ServiceError):
        return scrub_paths(readable(exc.detail))[:_LIMIT]
    return (f"The server could not finish this request because of an internal error; "
            f"the administrator can find the details in the server log under request id {request_id}.")
