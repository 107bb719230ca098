"""The scale-out deployment on one machine, for tests and benchmarks.

:class:`Cluster` starts ``servers`` ``inklab serve`` processes (web only: no embedded background
workers) and ``workers`` ``inklab worker`` processes on one throw-away PostgreSQL database, all
with one ``INKLAB_SECRET_KEY``. With ``shared_data_dir`` they share one data directory (media on
one disk, as on a shared file system); without it each process has its own, as on separate
machines, and ``env`` must say where the shared media lives.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from tests.support import postgres
from tests.support.live import LiveServer, LiveWorker

__all__ = ["Cluster"]


@dataclass
class Cluster:
    servers: int = 2
    workers: int = 2
    shared_data_dir: bool = True
    #: environment of every process (e.g. ``INKLAB_WORKER_HEARTBEAT_SECONDS``); :meth:`start`
    #: adds the shared ``INKLAB_SECRET_KEY``
    env: dict[str, str] = field(default_factory=dict)
    #: web processes of each ``inklab serve`` (``--workers``) and threads of each ``inklab worker``
    web_workers: int = 1
    worker_threads: int = 1
    database_url: str = ""
    web: list[LiveServer] = field(default_factory=list)
    background: list[LiveWorker] = field(default_factory=list)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="inklab-cluster-")))

    def _data_dir(self, name: str) -> Path:
        path = self.root / ("shared" if self.shared_data_dir else name)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def start(self) -> Cluster:
        self.database_url = postgres.new_database_url("inklab_cluster")
        postgres.create_database(self.database_url)
        self.env = {"INKLAB_SECRET_KEY": secrets.token_urlsafe(50), **self.env}
        try:
            self.web = [LiveServer(workers=self.web_workers, data_dir=self._data_dir(f"web{i + 1}"),
                                   database_url=self.database_url, env={**self.env, "INKLAB_EMBEDDED_WORKERS": "0"})
                        for i in range(self.servers)]
            # The first server applies the migrations; the other processes then start side by side.
            self.web[0].start()
            with ThreadPoolExecutor(max_workers=8) as pool:
                started = [pool.submit(server.start) for server in self.web[1:]]
                started += [pool.submit(self.add_worker, self._data_dir(f"worker{i + 1}")) for i in range(self.workers)]
                for future in started:
                    future.result()
        except BaseException:
            self.stop()
            raise
        return self

    def add_worker(self, data_dir: Path) -> LiveWorker:
        """Start one more ``inklab worker`` on ``data_dir`` (e.g. a killed worker's, as if its
        machine started it again); :meth:`stop` stops it."""
        worker = LiveWorker(self.database_url, threads=self.worker_threads, env=self.env, data_dir=data_dir)
        self.background.append(worker)  # list.append is atomic: workers may be added from threads
        return worker.start()

    def stop(self) -> None:
        for worker in self.background:
            worker.stop()
        for server in self.web:
            server.stop()
        if self.database_url:
            postgres.drop_database(self.database_url)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()
