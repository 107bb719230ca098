"""uvicorn's httptools connection, with a deadline and a size limit for each request head, and
zero-copy file bodies.

uvicorn closes idle keep-alive connections, but a connection that never finishes its request
head (or never sends one) would stay open for ever, and a head could grow without end. Here
a head must be complete within ``INKLAB_HEADER_TIMEOUT`` seconds of the connection opening or
of its first byte, and within :data:`MAX_HEAD_BYTES`; otherwise the client gets 408 or 431
and the connection closes.

Each request also offers the ASGI ``http.response.zerocopysend`` extension (a message with
``file``, ``offset``, ``count`` and ``more_body``): the file's bytes go from the page cache to
the socket with ``sendfile(2)`` through asyncio's ``loop.sendfile``, never through Python
(uvloop has no ``sendfile``, so :mod:`.server` runs asyncio's own loop). uvicorn builds each
request's :class:`RequestResponseCycle` itself; the connection turns it into a
:class:`_ZeroCopyCycle` (a subclass adding only that message) before its task first runs.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from django.conf import settings
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from inklab.server.serving.bridge import ZEROCOPY

__all__ = ["MAX_HEAD_BYTES", "ZEROCOPY", "Protocol"]

logger = logging.getLogger(__name__)

#: The request line and headers together (gunicorn allowed 100 fields of 8 KiB).
MAX_HEAD_BYTES = 64 * 1024



class _ZeroCopyCycle(RequestResponseCycle):  # type: ignore[misc]
    """uvicorn's request/response cycle plus the ``http.response.zerocopysend`` message."""

    async def send(self, message: Any) -> None:
        if message["type"] != ZEROCOPY:
            await super().send(message)
            return
        if self.flow.write_paused and not self.disconnected:
            await self.flow.drain()
        if self.disconnected:
            return
        if not self.response_started or self.response_complete or self.chunked_encoding:
            raise RuntimeError(f"'{ZEROCOPY}' needs a started response with a Content-Length.")
        count = message.get("count")
        if self.scope["method"] != "HEAD" and count:
            if count > self.expected_content_length:
                raise RuntimeError("Response content longer than Content-Length")
            try:
                sent = await asyncio.get_running_loop().sendfile(self.transport, message["file"],
                                                                 message.get("offset") or 0, count)
            except (ConnectionError, OSError) as exc:  # the client went away mid-file
                logger.debug("sendfile stopped: %s", exc)
                self.disconnected = True
                self.transport.close()
                return
            self.expected_content_length -= sent
        await super().send({"type": "http.response.body", "body": b"", "more_body": message.get("more_body", False)})


class Protocol(HttpToolsProtocol):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timeout = float(settings.HEADER_TIMEOUT)
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_bytes: int | None = None  # None while no head is being received

    def _start_head(self) -> None:
        self._stop_head()
        self._head_bytes = 0
        self._head_timer = self.loop.call_later(self._head_timeout, self._refuse, 408, "Request Timeout")

    def _stop_head(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        self._head_bytes = None

    def _refuse(self, code: int, reason: str) -> None:
        self._stop_head()
        if self.transport.is_closing():
            return
        logger.info("Closing a connection from %s: %d %s", (self.client or ("?",))[0], code, reason)
        self.transport.write(f"HTTP/1.1 {code} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._head_bytes is not None:  # a head has begun (or is awaited) and is not complete
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse(431, "Request Header Fields Too Large")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_head()

    def on_headers_complete(self) -> None:
        self._stop_head()
        self.scope.setdefault("extensions", {})[ZEROCOPY] = {}
        super().on_headers_complete()
        # The cycle's task has been created but has not run yet: it will call the subclass's send.
        if type(self.cycle) is RequestResponseCycle:
            self.cycle.__class__ = _ZeroCopyCycle
