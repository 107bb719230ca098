"""Django's WSGI handler run in a thread pool, its answers sent from the event loop.

The request arrives complete (its body already read, see :mod:`.front`), so a thread is taken
only while Django works. Django answers in one of three shapes, each sent without holding a
thread while the client reads:

* an ordinary response: its bytes, gathered in the thread;
* a file (``FileResponse`` hands it to ``wsgi.file_wrapper``): sent with ``sendfile(2)``
  where the server offers ``http.response.zerocopysend`` (inklab's own does, see
  :mod:`.protocol`), else read in blocks of :data:`FILE_BLOCK` bytes by short jobs on the
  pool's reader threads; frames, chunks, exports and backups are never loaded whole;
* any other stream (``StreamingHttpResponse``): one item per job on a pool of its own, so a
  stream that waits between items (an agent's event stream) never holds a Django thread.

Threads persist, so Django keeps its per-thread database connections (``CONN_MAX_AGE``) as
under a threaded WSGI server.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any, TypeVar

__all__ = ["FILE_BLOCK", "STREAM_THREADS", "Bridge", "FileBody", "environ_for"]

#: The ASGI extension for file bodies sent with ``sendfile(2)`` (:mod:`.protocol` offers it).
ZEROCOPY = "http.response.zerocopysend"
_ZEROCOPY_KEY = "inklab.zerocopy"

logger = logging.getLogger(__name__)

FILE_BLOCK = 1024 * 1024
#: Streams served at once by one process (each waits on a thread of its own between items).
STREAM_THREADS = 32
_DONE = object()
T = TypeVar("T")

Send = Callable[[dict[str, Any]], Any]
Receive = Callable[[], Any]


class FileBody:
    """What ``wsgi.file_wrapper`` returns: the open file the bridge sends in blocks."""

    def __init__(self, filelike: IO[bytes], block_size: int = FILE_BLOCK) -> None:
        self.filelike = filelike
        self.block_size = block_size

    def __iter__(self) -> Iterator[bytes]:  # for WSGI middleware that iterates anyway
        while block := self.filelike.read(FILE_BLOCK):
            yield block

    def close(self) -> None:
        self.filelike.close()


def environ_for(scope: dict[str, Any], body: IO[bytes], length: int) -> dict[str, Any]:
    """The WSGI environ of an ASGI HTTP request whose body (``length`` bytes) is in ``body``."""
    root = scope.get("root_path", "")
    path = scope["path"]
    if root and path.startswith(root):
        path = path[len(root):]
    server = scope.get("server") or ("localhost", 80)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": root.encode().decode("latin-1"),
        "PATH_INFO": path.encode().decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1] or 80),
        "REMOTE_ADDR": (scope.get("client") or ("", 0))[0],
        "CONTENT_LENGTH": str(length),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.file_wrapper": FileBody,
        _ZEROCOPY_KEY: ZEROCOPY in (scope.get("extensions") or {}),
    }
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").upper()
        if "_" in name:
            # "X_Forwarded_Proto" would land on the same key as "X-Forwarded-Proto".
            continue
        if name == "CONTENT-LENGTH":
            continue  # the length actually read is authoritative (chunked bodies have none)
        key = "CONTENT_TYPE" if name == "CONTENT-TYPE" else "HTTP_" + name.replace("-", "_")
        value = raw_value.decode("latin-1")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


class Bridge:
    """A WSGI application run on ``threads`` threads, answering through ASGI ``send``."""

    def __init__(self, app: Callable[..., Iterable[bytes]], threads: int) -> None:
        self.app = app
        self.pool = ThreadPoolExecutor(max(1, threads), thread_name_prefix="inklab-web")
        # File blocks are read on threads of their own, so downloads never wait behind views.
        self.readers = ThreadPoolExecutor(4, thread_name_prefix="inklab-read")
        # Streams wait between items (agents' event streams hold for minutes): never on the views' threads.
        self.streams = ThreadPoolExecutor(STREAM_THREADS, thread_name_prefix="inklab-stream")

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.pool, function, *args)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.readers.shutdown(wait=False, cancel_futures=True)
        self.streams.shutdown(wait=False, cancel_futures=True)

    async def respond(self, environ: dict[str, Any], receive: Receive, send: Send) -> None:
        """Run the request and send the answer; a file or stream stops early when the client leaves."""
        status, headers, body = await self.run(self._call, environ)
        if isinstance(body, bytes):
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        # The request's body has been read, so the next message can only be the disconnection.
        gone = asyncio.ensure_future(receive())
        try:
            await send({"type": "http.response.start", "status": status, "headers": headers})
            if environ["REQUEST_METHOD"] == "HEAD":
                pass
            elif isinstance(body, FileBody):
                if environ[_ZEROCOPY_KEY] and any(name == b"content-length" for name, _ in headers):
                    await self._send_file_zerocopy(body, send)
                else:
                    await self._send_file(body, send, gone)
            else:
                await self._send_stream(body, send, gone)
            await send({"type": "http.response.body", "body": b""})
        finally:
            gone.cancel()
            await self.run(_close, body)

    def _call(self, environ: dict[str, Any]) -> tuple[int, list[tuple[bytes, bytes]], Any]:
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., None]:
            started[:] = [status, headers]
            return _no_write

        result = self.app(environ, start_response)
        status, headers = started
        encoded = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]
        if isinstance(result, FileBody):
            # Most frames fit in one block: read them here rather than in another job.
            if not environ[_ZEROCOPY_KEY] and os.fstat(result.filelike.fileno()).st_size <= FILE_BLOCK:
                try:
                    return int(status[:3]), encoded, result.filelike.read()
                finally:
                    result.close()
            return int(status[:3]), encoded, result
        if getattr(result, "streaming", False):
            return int(status[:3]), encoded, result
        try:
            return int(status[:3]), encoded, b"".join(result)
        finally:
            _close(result)

    async def _send_file_zerocopy(self, body: FileBody, send: Send) -> None:
        filelike = body.filelike
        offset = filelike.tell()
        count = os.fstat(filelike.fileno()).st_size - offset
        await send({"type": ZEROCOPY, "file": filelike, "offset": offset, "count": count, "more_body": True})

    async def _send_file(self, body: FileBody, send: Send, gone: asyncio.Future[Any]) -> None:
        loop = asyncio.get_running_loop()
        read = body.filelike.read
        while not gone.done() and (block := await loop.run_in_executor(self.readers, read, FILE_BLOCK)):
            await send({"type": "http.response.body", "body": block, "more_body": True})

    async def _send_stream(self, body: Iterable[bytes], send: Send, gone: asyncio.Future[Any]) -> None:
        items = iter(body)
        loop = asyncio.get_running_loop()
        while not gone.done() and (item := await loop.run_in_executor(self.streams, next, items, _DONE)) is not _DONE:
            if item:
                await send({"type": "http.response.body", "body": item, "more_body": True})


def _no_write(data: bytes) -> None:
    raise NotImplementedError("inklab's server does not support the WSGI write() callable.")


def _close(body: Any) -> None:
    close = getattr(body, "close", None)
    if close is not None:
        close()

