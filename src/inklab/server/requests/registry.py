"""The registry of background handlers, keyed by operation name.

A handler is a function ``handler(request: BackgroundRequest, progress: Progress) -> None``
that takes everything it needs from the request's ids and ``params``; it must be safe to
run again from the start (a request whose worker died is retried once).

Apps register handlers in their ``jobs`` module, imported from ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inklab.server.requests.models import BackgroundRequest
    from inklab.server.requests.progress import Progress

__all__ = ["Handler", "get_handler", "handler"]

HandlerFunc = Callable[["BackgroundRequest", "Progress"], None]


@dataclass(frozen=True)
class Handler:
    operation: str
    func: HandlerFunc
    #: seconds a worker may go without reporting progress before the request counts as lost
    lease_seconds: int = 600


_HANDLERS: dict[str, Handler] = {}


def handler(operation: str, *, lease_seconds: int = 600) -> Callable[[HandlerFunc], HandlerFunc]:
    """Register ``func`` as the handler of ``operation``; a second registration is an error."""

    def register(func: HandlerFunc) -> HandlerFunc:
        if operation in _HANDLERS:
            raise ValueError(f"A background handler for '{operation}' is already registered.")
        _HANDLERS[operation] = Handler(operation, func, lease_seconds)
        return func

    return register


def get_handler(operation: str) -> Handler:
    try:
        return _HANDLERS[operation]
    except KeyError:
        raise LookupError(f"No background handler for '{operation}'.") from None


def registered() -> dict[str, Any]:
    return dict(_HANDLERS)
