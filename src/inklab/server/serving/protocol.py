"""uvicorn's httptools connection, with a deadline and a size limit for each request head.

uvicorn closes idle keep-alive connections, but a connection that never finishes its request
head (or never sends one) would stay open for ever, and a head could grow without end. Here
a head must be complete within ``INKLAB_HEADER_TIMEOUT`` seconds of the connection opening or
of its first byte, and within :data:`MAX_HEAD_BYTES`; otherwise the client gets 408 or 431
and the connection closes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from django.conf import settings
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["MAX_HEAD_BYTES", "Protocol"]

logger = logging.getLogger(__name__)

#: The request line and headers together (gunicorn allowed 100 fields of 8 KiB).
MAX_HEAD_BYTES = 64 * 1024


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
        super().on_headers_complete()
