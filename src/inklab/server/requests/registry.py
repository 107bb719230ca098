"""The registry of background handlers, keyed by operation name, and of housekeeping sweeps.

A handler is a function ``handler(request: BackgroundRequest, progress: Progress) -> None``
that takes everything it needs from the request's ids and ``params``. A request whose worker
dies is failed, not run again, unless its handler says that running it again from the start
is safe (``retry_lost``; exports, which only rewrite their own file).

A handler may name a ``cleanup(request)``: it removes what the request leaves on disk (its
uploaded file, a partial result) and runs whenever the request ends without finishing – it
failed, was cancelled while queued, or its worker died – so it must be idempotent and must
not need the handler's process.

A sweep is a function ``sweep() -> int`` that removes files no request will use any more
(orphans of crashed processes, abandoned uploads) and returns how many it removed; workers run
every sweep when they start and then periodically.

Apps register both in their ``jobs`` module, imported from ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inklab.server.requests.models import BackgroundRequest
    from inklab.server.requests.progress import Progress

__all__ = ["Handler", "get_handler", "handler", "registered", "sweep", "sweeps"]

HandlerFunc = Callable[["BackgroundRequest", "Progress"], None]
CleanupFunc = Callable[["BackgroundRequest"], None]
SweepFunc = Callable[[], int]


@dataclass(frozen=True)
class Handler:
    operation: str
    func: HandlerFunc
    #: seconds a worker may go without reporting progress before the request counts as lost
    #: (a last resort: a dead worker is noticed by its heartbeat within seconds)
    lease_seconds: int = 600
    #: whether a request whose worker died may be queued again (once) instead of failed
    retry_lost: bool = False
    cleanup: CleanupFunc | None = None


_HANDLERS: dict[str, Handler] = {}
_SWEEPS: dict[str, SweepFunc] = {}


def handler(operation: str, *, lease_seconds: int = 600, retry_lost: bool = False,
            cleanup: CleanupFunc | None = None) -> Callable[[HandlerFunc], HandlerFunc]:
    """Register ``func`` as the handler of ``operation``; a second registration is an error."""

    def register(func: HandlerFunc) -> HandlerFunc:
        if operation in _HANDLERS:
            raise ValueError(f"A background handler for '{operation}' is already registered.")
        _HANDLERS[operation] = Handler(operation, func, lease_seconds, retry_lost, cleanup)
        return func

    return register


def get_handler(operation: str) -> Handler:
    try:
        return _HANDLERS[operation]
    except KeyError:
        raise LookupError(f"No background handler for '{operation}'.") from None


def registered() -> dict[str, Handler]:
    return dict(_HANDLERS)


def sweep(func: SweepFunc) -> SweepFunc:
    """Register a housekeeping sweep; a second registration of the same function is an error."""
    name = f"{func.__module__}.{func.__qualname__}"
    if name in _SWEEPS:
        raise ValueError(f"The sweep '{name}' is already registered.")
    _SWEEPS[name] = func
    return func


def sweeps() -> dict[str, SweepFunc]:
    return dict(_SWEEPS)
