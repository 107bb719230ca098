"""A live ``inklab serve`` in a subprocess, for tests that drive real clients over HTTP."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.support import postgres

__all__ = ["LiveServer", "LiveWorker", "free_port"]

ADMIN = ("admin", "Admin-passw0rd!")
_SRC = Path(__file__).resolve().parents[2] / "src"


def _process_env(data_dir: Path, database_url: str | None, extra: dict[str, str], src: Path) -> dict[str, str]:
    """The environment of an ``inklab`` subprocess: this checkout's code, its data dir and database."""
    env = {**os.environ, **extra, "INKLAB_DATA_DIR": str(data_dir), "INKLAB_ACCESS_LOG": "0", "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # Run this checkout's code (also from a git worktree sharing one virtual environment).
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH", "")]))
    if database_url:
        env["INKLAB_DATABASE_URL"] = database_url
    else:
        env.pop("INKLAB_DATABASE_URL", None)
    return env


def _inklab(*args: str) -> list[str]:
    return [sys.executable, "-m", "inklab", *args]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    """A server with its own data directory (and PostgreSQL database when ``postgres``)."""

    postgres: bool = False
    workers: int = 1
    env: dict[str, str] = field(default_factory=dict)
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="inklab-live-")))
    port: int = field(default_factory=free_port)
    admin: tuple[str, str] = ADMIN
    database_url: str | None = None
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    #: The source tree served (another checkout's ``src`` lets a benchmark compare versions).
    src: Path = _SRC

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def share_dir(self) -> Path:
        return self.data_dir / "share"

    def _env(self) -> dict[str, str]:
        return _process_env(self.data_dir, self.database_url, self.env, self.src)

    def _inklab(self, *args: str) -> list[str]:
        return _inklab(*args)

    def start(self) -> LiveServer:
        if self.postgres and self.database_url is None:
            self.database_url = postgres.new_database_url("inklab_live")
            postgres.create_database(self.database_url)
        self.share_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(self._inklab("createsuperuser", "--username", self.admin[0], "--password", self.admin[1]),
                       env=self._env(), check=True, capture_output=True)
        self.log_path = self.data_dir / "serve.log"
        log = open(self.log_path, "wb")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            self._inklab("serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)),
            env=self._env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"inklab serve exited early:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/server/health", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"inklab serve did not come up:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def run_worker(self, threads: int = 1) -> subprocess.Popen[bytes]:
        """Start an ``inklab worker`` process on this server's data (the caller stops it)."""
        return subprocess.Popen(self._inklab("worker", "--threads", str(threads)), env=self._env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def kill(self) -> None:
        """``kill -9`` the server and every process it started (a crash: nothing gets to clean up)."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def destroy(self) -> None:
        self.stop()
        if self.database_url and self.postgres:
            postgres.drop_database(self.database_url)
        shutil.rmtree(self.data_dir, ignore_errors=True)


@dataclass
class LiveWorker:
    """An ``inklab worker`` process with its own data directory (a worker on another machine), or
    a server's (pass that server's ``data_dir``), on ``database_url``."""

    database_url: str | None
    threads: int = 1
    env: dict[str, str] = field(default_factory=dict)
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="inklab-worker-")))
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    src: Path = _SRC

    @property
    def pid(self) -> int:
        assert self.process is not None, "the worker is not running"
        return self.process.pid

    def start(self) -> LiveWorker:
        """Start the process and wait until it runs (it has migrated and registered)."""
        self.log_path = self.data_dir / f"worker-{os.getpid()}-{free_port()}.log"
        log = open(self.log_path, "wb")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(_inklab("worker", "--threads", str(self.threads)),
                                        env=_process_env(self.data_dir, self.database_url, self.env, self.src),
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while "inklab worker running" not in self.log():
            if self.process.poll() is not None:
                raise RuntimeError(f"inklab worker exited early:\n{self.log()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"inklab worker did not start:\n{self.log()}")
            time.sleep(0.1)
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def kill(self) -> None:
        """``kill -9``: the process ends mid-work, its heartbeat stops, nothing is cleaned up."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
