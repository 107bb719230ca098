"""Slow clients for load and fault checks: connections that trickle a request to a local server.

Each connection sends a request head and then, a byte at a time, part of a body it announced
as much larger (``body``), or only part of a request head (``head``). With ``expect_continue``
each body waits for the server's ``100 Continue`` (the server has accepted to read it). A background thread
sends the next byte on every connection each ``interval`` seconds until :meth:`close`, so
that the connections stay open as long as the server lets them. Only 127.0.0.1 is allowed.
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType
from typing import Literal

__all__ = ["SlowClients"]


class SlowClients:
    def __init__(self, port: int, count: int, *, mode: Literal["body", "head"] = "body", method: str = "POST",
                 path: str = "/api/auth/login", headers: dict[str, str] | None = None, interval: float = 1.0,
                 announced: int = 10_000_000, expect_continue: bool = False) -> None:
        self.port = port
        self.count = count
        self.mode = mode
        self.method = method
        self.path = path
        self.headers = headers or {}
        self.interval = interval
        self.announced = announced
        self.expect_continue = expect_continue
        self.sockets: list[socket.socket] = []
        self.closed_by_server = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _head(self) -> bytes:
        headers = {**self.headers, **({"Expect": "100-continue"} if self.expect_continue else {})}
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        head = (f"{self.method} {self.path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n{extra}"
                f"Content-Type: application/json\r\nContent-Length: {self.announced}\r\n\r\n").encode()
        # A slow head stops before the blank line that ends it.
        return head[:-4] if self.mode == "head" else head

    def open(self) -> SlowClients:
        for _ in range(self.count):
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            sock.sendall(self._head())
            if self.expect_continue:
                # The server asks for the body only once it has accepted the request to read it.
                answer = b""
                while b"\r\n\r\n" not in answer and (chunk := sock.recv(4096)):
                    answer += chunk
                if not answer.startswith(b"HTTP/1.1 100 "):
                    sock.close()
                    raise ConnectionRefusedError(f"the server answered {answer[:200]!r} instead of 100 Continue")
            if self.mode == "body":
                sock.sendall(b"[")
            self.sockets.append(sock)
        self._thread = threading.Thread(target=self._trickle, name="slow-clients", daemon=True)
        self._thread.start()
        return self

    def _trickle(self) -> None:
        byte = b"X-Slow: 1\r\n" if self.mode == "head" else b" "
        while not self._stop.wait(self.interval):
            with self._lock:
                for sock in list(self.sockets):
                    try:
                        sock.sendall(byte)
                    except OSError:
                        self.sockets.remove(sock)
                        self.closed_by_server += 1
                        sock.close()

    def open_count(self) -> int:
        with self._lock:
            return len(self.sockets)

    def drop(self) -> None:
        """Close one of the connections (the client gives up)."""
        with self._lock:
            self.sockets.pop().close()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        for sock in self.sockets:
            sock.close()
        self.sockets.clear()

    def __enter__(self) -> SlowClients:
        return self.open()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
