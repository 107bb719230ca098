"""Which agents serve a function now: their event streams, and when one was last heard from.

An agent waiting for work holds the queue's event stream open; the stream records itself as a
:class:`~inklab.server.functions.models.FunctionAgent` row that each keep-alive renews and
its end deletes (a row whose process died expires after :func:`stream_ttl`). Those rows are
the *agents online*: an interactive call goes ahead only when one is, or when an agent called
the queue very recently (a polling agent), and is answered 503 at once otherwise.

``Function.last_seen`` is the last call of any agent of the function (at most one write per
:data:`SEEN_RESOLUTION` seconds).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from inklab.server.functions.models import Function, FunctionAgent

__all__ = ["SEEN_RESOLUTION", "agents_online", "with_agents_online", "can_serve_now", "seen", "stream_closed", "stream_opened",
           "stream_renewed", "stream_ttl"]

SEEN_RESOLUTION = 2.0
#: An agent heard from this recently is taken to be polling (no stream, but alive).
_RECENT_POLL_SECONDS = 10.0


def stream_ttl() -> timedelta:
    """How long a stream's row stays valid without a keep-alive."""
    return timedelta(seconds=2 * float(getattr(settings, "AGENT_WATCH_KEEPALIVE_SECONDS", 15)) + 5)


def stream_opened(function_id: int) -> str:
    stream_id = secrets.token_hex(16)
    FunctionAgent.objects.create(function_id=function_id, stream_id=stream_id,
                                 alive_until=timezone.now() + stream_ttl())
    seen(function_id)
    return stream_id


def stream_renewed(function_id: int, stream_id: str) -> None:
    now = timezone.now()
    FunctionAgent.objects.filter(stream_id=stream_id).update(alive_until=now + stream_ttl())
    # Expired rows of streams whose process died go with the next renewal.
    FunctionAgent.objects.filter(function_id=function_id, alive_until__lt=now).delete()
    seen(function_id)


def stream_closed(stream_id: str) -> None:
    FunctionAgent.objects.filter(stream_id=stream_id).delete()


def seen(function_id: int) -> None:
    """Record that an agent of the function called just now."""
    now = timezone.now()
    stale = now - timedelta(seconds=SEEN_RESOLUTION)
    Function.objects.filter(Q(last_seen__isnull=True) | Q(last_seen__lt=stale), pk=function_id).update(last_seen=now)


def agents_online(function: Function) -> int:
    """The event streams the function's agents hold open now."""
    return FunctionAgent.objects.filter(function=function, alive_until__gte=timezone.now()).count()


def can_serve_now(function: Function) -> bool:
    """An agent is waiting on the stream, or called the queue within the last few seconds."""
    if agents_online(function):
        return True
    recent = timezone.now() - timedelta(seconds=_RECENT_POLL_SECONDS)
    return Function.objects.filter(pk=function.pk, last_seen__gte=recent).exists()


def with_agents_online(functions: QuerySet[Function]) -> QuerySet[Function]:
    """``functions`` with ``streams_open``, the count :func:`agents_online` gives, in one query."""
    return functions.annotate(streams_open=Count("agents", filter=Q(agents__alive_until__gte=timezone.now())))
