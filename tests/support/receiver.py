"""A tiny HTTP server on 127.0.0.1 that records what it receives (a webhook's target in tests)."""

from __future__ import annotations

import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Received", "Receiver"]


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    #: when it arrived (``time.monotonic()``)
    at: float = field(default_factory=time.monotonic)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next of ``statuses`` (the last one repeats) and records it."""

    statuses: list[int] = field(default_factory=lambda: [200])
    reply: bytes = b'{"ok": true}'
    received: list[Received] = field(default_factory=list)
    #: serve HTTPS with this context (the URL then starts with https://)
    tls: ssl.SSLContext | None = None
    #: extra headers of every answer (a Location for a redirect)
    headers: dict[str, str] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}/hook"

    def start(self) -> Receiver:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with threading.Lock():
                    owner.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                                                   body))
                    index = min(len(owner.received), len(owner.statuses)) - 1
                self.send_response(owner.statuses[index])
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(owner.reply)))
                for name, value in owner.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(owner.reply)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
