"""Which worker processes are alive: heartbeats and a boot check.

Every process that runs background requests has one identity, ``<host name>:<pid>:<boot id>``
(the boot id is random per process start, so a restarted process never passes for its
predecessor), and a :class:`~inklab.server.requests.models.WorkerProcess` row whose
``heartbeat`` it renews every ``WORKER_HEARTBEAT_SECONDS``. Another process is dead when

* its row is missing (it was judged dead and removed), or
* it ran on this machine (same host name, kernel boot and PID namespace) under a PID that no
  longer exists – known at once, e.g. when a server restarts after ``kill -9``, or
* its heartbeat is older than :func:`dead_after` (four intervals): it stopped, hangs, or lost
  the database, wherever it runs.

Heartbeats are stamped with the database's clock, so workers on several machines need not
agree on the time.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import DateTimeField, ExpressionWrapper, Value
from django.db.models.functions import Now
from django.utils import timezone

from inklab.server.requests.models import WorkerProcess

__all__ = ["dead_after", "dead_among", "forget_dead", "heartbeat_seconds", "identity", "is_alive", "register",
           "beat", "unregister"]

logger = logging.getLogger(__name__)


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def _host_key() -> str:
    """This machine and PID namespace: two processes with the same key see each other's PIDs."""
    boot = _read("/proc/sys/kernel/random/boot_id")
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()}/{boot}/{namespace}"[:255]


_HOST = _host_key()
_identity = ""


def _new_identity() -> None:
    global _identity
    _identity = f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


_new_identity()
os.register_at_fork(after_in_child=_new_identity)


def identity() -> str:
    """This process's identity (a forked child gets a new one)."""
    return _identity


def heartbeat_seconds() -> float:
    return float(getattr(settings, "WORKER_HEARTBEAT_SECONDS", 5.0))


def dead_after() -> timedelta:
    """How old a heartbeat may be before its process counts as dead."""
    return timedelta(seconds=4 * heartbeat_seconds())


def _pid_alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    if Path("/proc/self/stat").exists():
        try:
            # The state follows the parenthesised command name; a zombie has exited.
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def register() -> None:
    """Create (or renew) this process's row."""
    WorkerProcess.objects.update_or_create(
        pk=identity(), defaults={"host": _HOST, "pid": os.getpid(), "heartbeat": Now()},
        create_defaults={"host": _HOST, "pid": os.getpid(), "heartbeat": Now(), "started_date": timezone.now()})


def beat() -> None:
    """Renew this process's heartbeat (re-creating its row if another process removed it)."""
    if not WorkerProcess.objects.filter(pk=identity()).update(heartbeat=Now()):
        logger.warning("This worker process (%s) had been taken for dead; registering it again", identity())
        register()


def unregister() -> None:
    WorkerProcess.objects.filter(pk=identity()).delete()


def _stale_before() -> ExpressionWrapper:
    return ExpressionWrapper(Now() - Value(dead_after()), output_field=DateTimeField())


def dead_among(process_ids: Iterable[str], *, by_heartbeat: bool = True) -> set[str]:
    """The processes of ``process_ids`` that are dead (never this one).

    With ``by_heartbeat=False`` only the certain signs count: no row, or a vanished PID on this
    machine; a stale heartbeat is then not enough.
    """
    wanted = {pid for pid in process_ids if pid and pid != identity()}
    if not wanted:
        return set()
    rows = {row.pk: row for row in WorkerProcess.objects.filter(pk__in=wanted)}
    stale: set[str] = set()
    if by_heartbeat:
        stale = set(WorkerProcess.objects.filter(pk__in=rows, heartbeat__lt=_stale_before())
                    .values_list("pk", flat=True))
    dead = set()
    for process_id in wanted:
        row = rows.get(process_id)
        if row is None or process_id in stale or (row.host == _HOST and not _pid_alive(row.pid)):
            dead.add(process_id)
    return dead


def is_alive(process_id: str) -> bool:
    """Whether the process with this identity is running (this process always is)."""
    return process_id == identity() or process_id not in dead_among([process_id])


def forget_dead() -> int:
    """Remove the rows of processes known dead: vanished PIDs on this machine, and heartbeats
    older than an hour (long enough for every other process to have judged their requests)."""
    doomed = [row.pk for row in WorkerProcess.objects.filter(host=_HOST).exclude(pk=identity())
              if not _pid_alive(row.pid)]
    old = ExpressionWrapper(Now() - Value(max(timedelta(hours=1), 10 * dead_after())), output_field=DateTimeField())
    removed = WorkerProcess.objects.filter(heartbeat__lt=old).exclude(pk=identity()).delete()[0]
    if doomed:
        removed += WorkerProcess.objects.filter(pk__in=doomed).delete()[0]
        logger.info("Forgot %d worker process(es) of this machine that are gone: %s", len(doomed), ", ".join(doomed))
    return removed
