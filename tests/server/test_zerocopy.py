"""File bodies go out with ``sendfile(2)``: the serving front's connection offers ASGI's
``http.response.zerocopysend`` and sends such messages through ``loop.sendfile``.

The connection class runs in this process under a real uvicorn server (asyncio's loop, as
``inklab serve`` runs it), with a small ASGI application that sends a file the way the bridge
does; ``loop.sendfile`` is counted, so a server that quietly fell back to copying fails.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3
import uvicorn

from inklab.server.serving.bridge import ZEROCOPY
from inklab.server.serving.protocol import Protocol

SIZE = 5 * 1024 * 1024 + 123


class _FileApp:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.extensions: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.extensions.append(dict(scope.get("extensions") or {}))
        offset = 100 if scope["path"] == "/tail" else 0
        with open(self.path, "rb") as file:
            file.seek(offset)
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-length", str(SIZE - offset).encode())]})
            await send({"type": ZEROCOPY, "file": file, "offset": offset, "count": SIZE - offset,
                        "more_body": True})
            await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, _FileApp, list[int], bytes]]:
    data = os.urandom(SIZE)
    path = tmp_path / "frame.bin"
    path.write_bytes(data)
    calls: list[int] = []
    original = asyncio.BaseEventLoop.sendfile

    async def counting(self: asyncio.BaseEventLoop, transport: Any, file: Any, offset: int = 0,
                       count: int | None = None, *, fallback: bool = True) -> int:
        sent = await original(self, transport, file, offset, count, fallback=False)  # zero-copy or fail
        calls.append(sent)
        return sent

    monkeypatch.setattr(asyncio.BaseEventLoop, "sendfile", counting)
    app = _FileApp(path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, loop="asyncio", http=Protocol,
                                           lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}", app, calls, data
    finally:
        server.should_exit = True
        thread.join(20)


def test_files_are_sent_with_sendfile(served: tuple[str, _FileApp, list[int], bytes]) -> None:
    url, app, calls, data = served
    http = urllib3.PoolManager()
    whole = http.request("GET", url + "/", retries=False)
    tail = http.request("GET", url + "/tail", retries=False)  # the same keep-alive connection
    assert whole.status == 200 and whole.data == data
    assert tail.status == 200 and tail.data == data[100:]
    assert calls == [SIZE, SIZE - 100]
    assert all(ZEROCOPY in extensions for extensions in app.extensions)


def test_a_client_leaving_mid_file_does_not_stop_the_server(served: tuple[str, _FileApp, list[int], bytes]) -> None:
    url, _, calls, data = served
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(4096)  # the head and the first bytes, then hang up
    response = urllib3.PoolManager().request("GET", url + "/", retries=False)
    assert response.status == 200 and response.data == data
