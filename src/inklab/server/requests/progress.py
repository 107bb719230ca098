"""Progress reporting from a running handler, throttled to spare the database.

Each report also checks that the request is still this worker's: a request can be cancelled,
or ended by another process that judged this worker dead. :meth:`Progress.hold` makes the
same check inside the handler's write transaction, so that a request ended meanwhile never
commits its changes.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from inklab.server.requests.models import BackgroundRequest
from inklab.vocabulary import RequestStatus

__all__ = ["CANCELLED", "Cancelled", "Lost", "Progress"]

CANCELLED = "The request was cancelled."


class Cancelled(Exception):
    """Raised inside a handler when its request was cancelled."""


class Lost(Exception):
    """Raised inside a handler whose request is no longer its worker's (it was ended elsewhere)."""


class Progress:
    """Reports a fraction in [0, 1]; each report also extends the worker's lease and raises
    :class:`Cancelled` if someone cancelled the request, :class:`Lost` if it was ended."""

    def __init__(self, request: BackgroundRequest, lease_seconds: int, interval: float = 0.5) -> None:
        self._request = request
        self._lease = timedelta(seconds=lease_seconds)
        self._interval = interval
        self._last = 0.0

    def _mine(self) -> QuerySet[BackgroundRequest]:
        return BackgroundRequest.objects.filter(pk=self._request.pk, status=RequestStatus.STARTED,
                                                worker=self._request.worker)

    def __call__(self, fraction: float, message: str | None = None, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self._interval:
            return
        self._last = now
        fields: dict[str, object] = {
            "progress": max(0.0, min(1.0, float(fraction))),
            "lease_until": timezone.now() + self._lease,
        }
        if message is not None:
            fields["message"] = message
        if not self._mine().update(**fields):
            raise Lost("The request was ended while it ran.")
        if self._mine().filter(cancel_requested=True).exists():
            raise Cancelled(CANCELLED)

    def hold(self) -> None:
        """Inside the handler's transaction, just before it commits: lock the request's row and
        raise :class:`Cancelled` or :class:`Lost` unless it is still this worker's to finish."""
        if not connection.in_atomic_block:
            raise RuntimeError("Progress.hold() belongs inside the transaction it guards.")
        state = self._mine().select_for_update().values_list("cancel_requested", flat=True).first()
        if state is None:
            raise Lost("The request was ended while it ran.")
        if state:
            raise Cancelled(CANCELLED)

    def steps(self, total: int, start: float = 0.0, end: float = 1.0) -> _Steps:
        """A counter mapping ``total`` steps onto the ``[start, end]`` part of the progress."""
        return _Steps(self, total, start, end)


class _Steps:
    def __init__(self, progress: Progress, total: int, start: float, end: float) -> None:
        self._progress = progress
        self._total = max(total, 1)
        self._start = start
        self._span = end - start
        self.done = 0

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._progress(self._start + self._span * min(self.done, self._total) / self._total)
