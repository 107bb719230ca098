"""The ASGI application of ``inklab serve``: bodies read in the event loop, Django in threads.

For each HTTP request:

1. an upload (:func:`.uploads.is_upload`) from a client that is not signed in is answered 401,
   and one from a user takes one of their slots or is answered 429 with ``Retry-After``, before
   a byte of its body is read; a body other than multipart form data may not exceed
   ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413), as Django requires anyway;
2. the body is read in the loop into a temporary file that stays in memory up to
   ``FILE_UPLOAD_MAX_MEMORY_SIZE`` bytes; a client that sends nothing for
   ``INKLAB_BODY_TIMEOUT`` seconds mid-body is answered 408 and disconnected;
3. the complete request goes to Django on the thread pool (:class:`.bridge.Bridge`).

The ASGI lifespan starts the embedded background workers (``INKLAB_EMBEDDED_WORKERS``) of
this process and stops them on shutdown. With none, the process still keeps the heartbeat and
housekeeping thread: a web machine's own data directory (abandoned uploads, temporary files)
is kept clean even where separate ``inklab worker`` processes run the requests.
"""

from __future__ import annotations

import asyncio
import io
import logging
import tempfile
import threading
from collections.abc import Callable, Iterable
from typing import IO, Any

import orjson
from django.conf import settings
from django.db import DatabaseError, connections

from inklab.server import busy
from inklab.server.serving import uploads
from inklab.server.serving.bridge import Bridge, Receive, Send, environ_for

__all__ = ["Front"]

logger = logging.getLogger(__name__)

#: How long shutdown waits for the embedded workers to finish what they are doing.
WORKER_STOP_SECONDS = 10
#: ``Retry-After`` of a 429 for too many uploads.
UPLOAD_RETRY_SECONDS = 5


class _Stalled(Exception):
    """The client sent nothing for the body timeout."""


class _TooLarge(Exception):
    """The body goes past the size allowed for it."""


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def _body_limit(headers: list[tuple[bytes, bytes]]) -> int | None:
    """Django's limit for bodies it reads whole; multipart file parts are spooled and unlimited."""
    for name, value in headers:
        if name == b"content-type" and value.lower().startswith(b"multipart/form-data"):
            return None
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class Front:
    def __init__(self, wsgi: Callable[..., Iterable[bytes]], *, threads: int) -> None:
        self.bridge = Bridge(wsgi, threads)
        self.body_timeout = float(settings.BODY_TIMEOUT)
        self.slots = uploads.UploadSlots(settings.DATA_DIR / "run" / "uploads", settings.UPLOADS_PER_USER)
        self._workers: Any = None

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        else:  # WebSocket: not served
            await send({"type": "websocket.close", "code": 1003})

    async def _http(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        slot = None
        limit = _body_limit(scope["headers"])
        if uploads.is_upload(scope["headers"]):
            if (declared := _content_length(scope["headers"])) is not None and limit is not None and declared > limit:
                await _answer(send, 413, f"The request body is larger than {limit} bytes.")
                return
            try:
                user_id = await self.bridge.run(uploads.uploader, environ_for(scope, io.BytesIO(), 0))
            except DatabaseError as exc:
                if not busy.is_database_busy(exc):
                    raise
                await _answer(send, 503, busy.MESSAGE, [(b"retry-after", str(busy.RETRY_AFTER_SECONDS).encode())])
                return
            if user_id is None:
                await _answer(send, 401, "Sign in before sending large request bodies: the credentials are "
                                         "missing or wrong.")
                return
            slot = self.slots.take(user_id)
            if slot is None:
                await _answer(send, 429, f"You have {self.slots.per_user} uploads in progress already; "
                                         "retry when one of them has finished.",
                              [(b"retry-after", str(UPLOAD_RETRY_SECONDS).encode())])
                return
        body: IO[bytes] | None = None
        try:
            try:
                body, length = await self._read_body(receive, limit)
            except _Stalled:
                await _answer(send, 408, f"The request body stopped arriving (nothing for {self.body_timeout:g} s).")
                return
            except _TooLarge:
                await _answer(send, 413, f"The request body is larger than {limit} bytes.")
                return
            if body is None:  # the client left
                return
            await self.bridge.respond(environ_for(scope, body, length), receive, send)
        finally:
            if body is not None:
                body.close()
            if slot is not None:
                slot.release()

    async def _read_body(self, receive: Receive, limit: int | None) -> tuple[IO[bytes] | None, int]:
        body = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE,  # noqa: SIM115
                                             dir=settings.FILE_UPLOAD_TEMP_DIR)
        length = 0
        try:
            while True:
                try:
                    async with asyncio.timeout(self.body_timeout):
                        message = await receive()
                except TimeoutError:
                    raise _Stalled from None
                if message["type"] == "http.disconnect":
                    body.close()
                    return None, 0
                chunk = message.get("body", b"")
                if chunk:
                    length += len(chunk)
                    if limit is not None and length > limit:
                        raise _TooLarge
                    body.write(chunk)
                if not message.get("more_body", False):
                    body.seek(0)
                    return body, length
        except BaseException:
            body.close()
            raise

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    # Starting registers the process in the database: not from the event loop.
                    await asyncio.to_thread(self._start_workers)
                except Exception as exc:
                    logger.exception("Could not start the background workers")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self._stop_workers()
                self.bridge.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _start_workers(self) -> None:
        from inklab.server.requests.queue import Worker

        # No request threads with INKLAB_EMBEDDED_WORKERS=0; the housekeeping thread runs anyway.
        self._workers = Worker(max(0, settings.EMBEDDED_WORKERS))
        try:
            self._workers.start()
        finally:
            connections.close_all()  # this one-off thread's connection

    def _stop_workers(self) -> None:
        if self._workers is None:
            return
        # A worker in the middle of a long request must not hold up the shutdown for ever.
        stopping = threading.Thread(target=self._workers.stop, name="inklab-worker-stop", daemon=True)
        stopping.start()
        stopping.join(WORKER_STOP_SECONDS)
        self._workers = None


async def _answer(send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """A JSON error (CVAT's ``{"detail": ...}``) that also closes the connection: the rest of
    the request's body is not read."""
    body = orjson.dumps({"detail": message})
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})
