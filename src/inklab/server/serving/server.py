"""``serve()``: uvicorn running :mod:`inklab.server.asgi` in ``workers`` processes.

Each process runs one asyncio event loop holding every connection (asyncio's own loop rather
than uvloop: only it sends files with ``sendfile(2)``, see :mod:`.protocol`), a pool of ``threads``
threads running Django, and its embedded background workers. SIGTERM or SIGINT stops the
server gracefully: no new connections, requests in progress get ``GRACEFUL_SECONDS`` to end.
"""

from __future__ import annotations

import os

import uvicorn
from django.conf import settings
from django.db import connections

__all__ = ["GRACEFUL_SECONDS", "serve"]

GRACEFUL_SECONDS = 30


def serve(*, host: str, port: int, workers: int, threads: int) -> int:
    # Read by each worker process when it loads the application (they are spawned afresh).
    os.environ["INKLAB_WEB_THREADS"] = str(max(1, threads))
    connections.close_all()  # the migrations' connection is not needed in this process any more
    uvicorn.run(
        "inklab.server.asgi:application",
        host=host,
        port=port,
        workers=max(1, workers),
        loop="asyncio",
        http="inklab.server.serving.protocol:Protocol",
        ws="none",
        lifespan="on",
        timeout_keep_alive=settings.KEEPALIVE_TIMEOUT,  # type: ignore[arg-type]
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
        access_log=os.environ.get("INKLAB_ACCESS_LOG", "1") != "0",
        log_level=os.environ.get("INKLAB_LOG_LEVEL", "info").lower(),
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("INKLAB_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        server_header=False,
        backlog=2048,
    )
    return 0
