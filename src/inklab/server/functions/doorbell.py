"""Wake-ups between the web processes of one server: a topic rung in one wakes its waiters in all.

Interactive function calls need two hand-offs within milliseconds, whichever processes the
requests land on: a new request must wake the event streams its agents wait on (topic
``function:<id>``), and the agent's answer must wake the web thread that holds the caller
(topic ``request:<id>``). The database remains the only truth; a ring is only a hint to look
again, so a lost ring costs latency, never correctness (every waiter also looks again after
its own poll interval).

How: each process binds a Unix datagram socket in ``<data>/run/doorbell/`` and runs one
daemon thread that reads topics from it and sets the matching local waiters' events.
:meth:`Doorbell.ring` wakes the local waiters directly and sends the topic to every other
socket in the folder (the folder is the registry: a socket whose process died refuses the
datagram and is removed). This reaches the processes of one machine, which is every process
on SQLite; web processes on other machines (PostgreSQL) fall back to their poll interval.
Where sockets cannot be used (a data directory path too long for one), rings stay local.

A ring inside a transaction must wait for the commit (``transaction.on_commit``), else the
woken reader may look before the change is visible: :func:`ring_after_commit` does that.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import transaction

__all__ = ["Doorbell", "Waiter", "doorbell", "ring_after_commit"]

logger = logging.getLogger(__name__)

_MAX_TOPIC = 256
_SOCKET_PATH_LIMIT = 100  # sun_path holds 108 bytes on Linux, 104 on macOS


class Waiter:
    """One waiter's event: :meth:`wait` returns True when its topic rang since the last wait."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def wait(self, timeout: float) -> bool:
        rang = self._event.wait(max(0.0, timeout))
        self._event.clear()
        return rang

    def _wake(self) -> None:
        self._event.set()


class Doorbell:
    """The process's wake-up hub (use :func:`doorbell`); ``directory`` holds the sockets."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._lock = threading.Lock()
        self._waiters: dict[str, set[Waiter]] = {}
        self._pid = os.getpid()
        self._path: Path | None = None
        self._sender: socket.socket | None = None
        self._receiver: socket.socket | None = None
        try:
            self._open()
        except OSError as exc:
            logger.warning("Wake-ups between web processes are off (%s): waiters poll instead", exc)

    def _open(self) -> None:
        self._directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self._directory / f"{self._pid}-{secrets.token_hex(4)}.sock"
        if len(os.fsencode(path)) > _SOCKET_PATH_LIMIT:
            raise OSError(f"the socket path would be longer than {_SOCKET_PATH_LIMIT} bytes")
        receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        receiver.bind(os.fspath(path))
        sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sender.setblocking(False)
        self._path, self._receiver, self._sender = path, receiver, sender
        threading.Thread(target=self._listen, name="inklab-doorbell", daemon=True).start()

    def _listen(self) -> None:
        assert self._receiver is not None
        while True:
            try:
                data = self._receiver.recv(_MAX_TOPIC)
            except OSError:
                return
            self._wake(data.decode("utf-8", "replace"))

    def _wake(self, topic: str) -> None:
        with self._lock:
            waiters = list(self._waiters.get(topic, ()))
        for waiter in waiters:
            waiter._wake()

    @contextmanager
    def listen(self, topic: str) -> Iterator[Waiter]:
        """A :class:`Waiter` woken by rings of ``topic`` while the block runs. Register before
        looking at the database, then wait: a ring between the look and the wait is not lost."""
        waiter = Waiter()
        with self._lock:
            self._waiters.setdefault(topic, set()).add(waiter)
        try:
            yield waiter
        finally:
            with self._lock:
                group = self._waiters.get(topic)
                if group is not None:
                    group.discard(waiter)
                    if not group:
                        del self._waiters[topic]

    def ring(self, topic: str) -> None:
        """Wake the waiters of ``topic`` in this process and in the others of this machine."""
        self._wake(topic)
        if self._sender is None:
            return
        data = topic.encode()[:_MAX_TOPIC]
        try:
            peers = list(os.scandir(self._directory))
        except OSError:
            return
        for entry in peers:
            if not entry.name.endswith(".sock") or entry.path == os.fspath(self._path):
                continue
            try:
                self._sender.sendto(data, entry.path)
            except ConnectionRefusedError:  # its process is gone
                Path(entry.path).unlink(missing_ok=True)
            except OSError:  # vanished meanwhile, or its buffer is full: it polls anyway
                continue


_bell: Doorbell | None = None
_bell_lock = threading.Lock()


def doorbell() -> Doorbell:
    """This process's :class:`Doorbell` (made on first use, again after a fork)."""
    global _bell
    with _bell_lock:
        if _bell is None or _bell._pid != os.getpid():
            _bell = Doorbell(Path(settings.DATA_DIR) / "run" / "doorbell")
        return _bell


def ring_after_commit(topic: str) -> None:
    """Ring ``topic`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: doorbell().ring(topic))
