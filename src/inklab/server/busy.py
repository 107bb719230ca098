"""The database is busy: another transaction holds the lock a request needs.

On SQLite one connection at a time may write; a writer that waits longer than the busy
timeout (``INKLAB_DB_BUSY_TIMEOUT``) gets "database is locked". On PostgreSQL the same
timeout is the ``lock_timeout``; a serialization failure or a deadlock victim is busy too.
None of these is the client's fault or a server bug: the request was rolled back whole and
may simply be sent again, so it is answered 503 with ``Retry-After``
(:func:`inklab.server.api.errors.exception_handler` for the API,
:func:`inklab.server.api.errors.server_error` for every other view).
"""

from __future__ import annotations

import sqlite3

from django.db import DatabaseError

__all__ = ["MESSAGE", "RETRY_AFTER_SECONDS", "is_database_busy"]

RETRY_AFTER_SECONDS = 5
MESSAGE = "The database is busy with another user's large change; nothing was saved. Retry in a few seconds."

_SQLITE_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
# lock_not_available (lock_timeout), serialization_failure, deadlock_detected
_POSTGRES_BUSY = {"55P03", "40001", "40P01"}


def is_database_busy(exc: BaseException | None) -> bool:
    """Whether ``exc`` (a Django database error) means that a lock could not be had in time."""
    if not isinstance(exc, DatabaseError):
        return False
    cause = exc.__cause__
    if isinstance(cause, sqlite3.Error):
        return (getattr(cause, "sqlite_errorcode", 0) & 0xFF) in _SQLITE_BUSY
    return getattr(cause, "sqlstate", None) in _POSTGRES_BUSY
