"""Running the server under gunicorn (threaded workers, sendfile for media files).

Each web worker process also runs the embedded background workers (``INKLAB_EMBEDDED_WORKERS``
threads), so the default deployment needs no other service.
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication

__all__ = ["serve"]


def _post_worker_init(worker: Any) -> None:
    from django.conf import settings

    if settings.EMBEDDED_WORKERS > 0:
        from inklab.server.requests.queue import Worker

        Worker(settings.EMBEDDED_WORKERS).start()


class _Application(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:
            # One control socket per user would clash between several inklab servers.
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Any:
        from inklab.server.wsgi import application

        return application


def serve(*, host: str, port: int, workers: int, threads: int) -> int:
    options = {
        "bind": f"{host}:{port}",
        "workers": max(1, workers),
        "worker_class": "gthread",
        "threads": max(1, threads),
        # Uploads of large files and exports can take long; gthread workers stay alive meanwhile.
        "timeout": 600,
        "graceful_timeout": 30,
        # Idle keep-alive connections wait in gthread's poller, not in a thread, so they are cheap;
        # a long timeout spares clients that pause between requests (the SDK polling a request,
        # an annotator's browser) the race of sending on a connection the server is just closing,
        # which fails non-idempotent requests such as POST.
        "keepalive": 75,
        "accesslog": "-" if os.environ.get("INKLAB_ACCESS_LOG", "1") != "0" else None,
        "errorlog": "-",
        "loglevel": os.environ.get("INKLAB_LOG_LEVEL", "info").lower(),
        "post_worker_init": _post_worker_init,
        "limit_request_line": 8190,
        "forwarded_allow_ips": os.environ.get("INKLAB_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    }
    _Application(options).run()
    return 0
