"""Watching a function's queue: the server's Server-Sent-Events stream, for agents.

``GET /api/functions/queues/function:<id>/watch`` streams ``event: newrequest`` whenever a
request may be waiting, ``retry: <ms>`` (the delay before reconnecting), and ``:``
keep-alive comments. :class:`QueueWatcher` reads it in a background thread and calls
``wake()`` on each new request; when the stream ends it wakes the agent too (something may
have been missed) and reconnects after the server's delay. When the stream cannot be had
(an older server, a proxy that buffers, the server's limit on watchers) it retries with an
exponential backoff, and :attr:`QueueWatcher.connected` tells the agent to poll more often
meanwhile.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import orjson

from inklab.sdk import ApiError, Client, NotFoundError, SdkError
from inklab.sdk.client import HttpResponse

__all__ = ["Event", "QueueWatcher", "parse_event_stream"]

logger = logging.getLogger(__name__)

_MAX_BACKOFF = 600.0
_EVENT_STREAM = "text/event-stream"


@dataclass(frozen=True, slots=True)
class Event:
    """One dispatched event; ``retry`` is set instead for a ``retry:`` field (milliseconds)."""

    type: str = "message"
    data: str = ""
    retry: int | None = None


def parse_event_stream(pieces: Iterable[bytes]) -> Iterator[Event]:
    """Events of an event stream arriving in arbitrary ``pieces`` (the WHATWG rules, LF lines).

    A blank line dispatches the event collected so far (none when it has no ``data``);
    ``:`` lines are comments; a ``retry`` field with digits only yields ``Event(retry=ms)`` at
    once. Raises ``ValueError`` for a CR (which inklab's server never sends) or bad UTF-8.
    """
    buffer = b""
    kind, has_data = "", False
    data: list[str] = []
    for piece in pieces:
        buffer += piece
        *lines, buffer = buffer.split(b"\n")
        for raw in lines:
            if b"\r" in raw:
                raise ValueError("a CR in the event stream")
            line = raw.decode("utf-8")
            if not line:
                if has_data:
                    yield Event(kind or "message", "\n".join(data))
                kind, data, has_data = "", [], False
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "event":
                kind = value
            elif name == "data":
                data.append(value)
                has_data = True
            elif name == "retry" and value.isascii() and value.isdigit():
                yield Event(retry=int(value))


class QueueWatcher:
    """Watches function ``function_id``'s queue in a daemon thread, calling ``wake()`` on news
    (and ``announced(category)`` before it, when given, with the new request's category).

    ``start()`` begins, ``stop()`` ends (it interrupts a blocked read). ``connected`` is true
    while the stream is open. ``gone`` is set when the server says the function does not exist
    (any more): the watcher then stops, after waking the agent, whose next call will fail too.
    """

    def __init__(self, client: Client, function_id: int, wake: Callable[[], None], *,
                 retry_delay: float = 5.0, announced: Callable[[str | None], None] | None = None) -> None:
        self._client = client
        self._path = f"/api/functions/queues/function%3A{int(function_id)}/watch"
        self._wake = wake
        self._announced = announced  # told each new request's category before wake()
        self._retry = retry_delay  # set by the server's retry: field
        self._backoff = retry_delay
        self._stopping = threading.Event()
        self._response: HttpResponse | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="inklab-queue-watch", daemon=True)
        self._rng = random.Random()
        self.connected = False
        self.gone = False

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        with self._lock:
            if self._response is not None:
                self._response.shutdown()
        self._thread.join(timeout)

    def _open(self) -> HttpResponse | None:
        try:
            response = self._client.request("GET", self._path, stream=True, headers={"Accept": _EVENT_STREAM})
        except NotFoundError:
            logger.error("The server has no function queue at %s; stopping the watcher", self._path)
            self.gone = True
            return None
        except SdkError as exc:
            if isinstance(exc, ApiError):
                after = exc.response.headers.get("Retry-After", "")
                if after.isdigit():
                    self._backoff = max(self._backoff, float(after))
            logger.warning("Cannot watch the queue (%s); polling meanwhile, retrying in %.0f s", exc, self._backoff)
            return None
        content_type = response.headers.get("Content-Type", "")
        if not content_type.startswith(_EVENT_STREAM):
            response.close()
            logger.warning("The server answered the queue watch with %r, not an event stream; polling instead",
                           content_type)
            return None
        return response

    def _read(self, response: HttpResponse) -> None:
        for event in parse_event_stream(response.iter_bytes(4096)):
            if event.retry is not None:
                self._retry = event.retry / 1000
                logger.debug("The server asks to reconnect after %.1f s", self._retry)
            elif event.type == "newrequest":
                try:
                    category = orjson.loads(event.data).get("request_category")
                except (orjson.JSONDecodeError, AttributeError):
                    category = None
                # One line per batch request; interactive ones come with every click, so quietly.
                logger.log(logging.DEBUG if category == "interactive" else logging.INFO,
                           "The server announced a new %s request", category or "annotation")
                if self._announced is not None:
                    self._announced(category if isinstance(category, str) else None)
                self._wake()
            else:
                logger.debug("Ignoring a %r event from the queue", event.type)

    def _run(self) -> None:
        while not self._stopping.is_set():
            response = self._open()
            if response is None:
                if self.gone:
                    self._wake()
                    return
                delay, self._backoff = self._backoff, min(self._backoff * 2, _MAX_BACKOFF)
            else:
                with self._lock:
                    self._response = response
                self.connected = True
                self._backoff = self._retry
                logger.info("Watching the function's queue for new requests")
                try:
                    self._read(response)
                    logger.info("The queue's event stream ended; reconnecting")
                except (SdkError, ValueError) as exc:
                    if not self._stopping.is_set():
                        logger.warning("The queue's event stream broke (%s); reconnecting", exc)
                except Exception:  # noqa: BLE001 - a shutdown() may surface as anything; keep watching
                    if not self._stopping.is_set():
                        logger.warning("The queue's event stream broke; reconnecting", exc_info=True)
                finally:
                    self.connected = False
                    with self._lock:
                        self._response = None
                    response.close()
                self._wake()  # an event may have been missed while disconnected
                delay = self._retry
            if self._stopping.wait(delay * self._rng.uniform(1.0, 1.15)):
                return
