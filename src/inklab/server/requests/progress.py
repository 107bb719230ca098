"""Progress reporting from a running handler, throttled to spare the database."""

from __future__ import annotations

import time
from datetime import timedelta

from django.utils import timezone

from inklab.server.requests.models import BackgroundRequest

__all__ = ["Cancelled", "Progress"]


class Cancelled(Exception):
    """Raised inside a handler when its request was cancelled."""


class Progress:
    """Reports a fraction in [0, 1]; each report also extends the worker's lease and
    raises :class:`Cancelled` if someone cancelled the request."""

    def __init__(self, request: BackgroundRequest, lease_seconds: int, interval: float = 0.5) -> None:
        self._request = request
        self._lease = timedelta(seconds=lease_seconds)
        self._interval = interval
        self._last = 0.0

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
        BackgroundRequest.objects.filter(pk=self._request.pk).update(**fields)
        if BackgroundRequest.objects.filter(pk=self._request.pk, cancel_requested=True).exists():
            raise Cancelled("The request was cancelled.")

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
