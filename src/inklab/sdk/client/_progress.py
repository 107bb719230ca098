"""Progress reporting for long operations (uploads, downloads, waiting for the server).

SDK methods that take a ``pbar`` accept any :class:`ProgressReporter`; the CVAT SDK's
reporters work too, as the protocol is the same. :class:`TqdmProgressReporter` draws a
tqdm bar per operation; :class:`NullProgressReporter` (the default) reports nothing.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

__all__ = ["NullProgressReporter", "ProgressReporter", "TqdmProgressReporter"]

T = TypeVar("T")


class ProgressReporter:
    """One operation at a time: ``with pbar.task(total=…, desc=…): pbar.advance(n)``.

    Subclasses override :meth:`start2`, :meth:`advance`, :meth:`report_status` and
    :meth:`finish`. ``advance`` may be called from several threads.
    """

    @contextlib.contextmanager
    def task(self, **kwargs: Any) -> Iterator[None]:
        """Report an operation for the duration of the ``with`` block (kwargs go to :meth:`start2`)."""
        self.start2(**kwargs)
        try:
            yield None
        finally:
            self.finish()

    def start2(self, total: int | None, *, desc: str | None = None, unit: str = "it",
               unit_scale: bool = False, unit_divisor: int = 1000, **kwargs: Any) -> None:
        """Begin an operation of ``total`` units (None when unknown)."""

    def advance(self, delta: int) -> None:
        """``delta`` more units are done."""

    def report_status(self, progress: int) -> None:
        """``progress`` units are done in total."""

    def finish(self) -> None:
        """The operation ended."""

    def iter(self, iterable: Iterable[T]) -> Iterator[T]:
        """Yield from ``iterable``, advancing by one per item."""
        for item in iterable:
            yield item
            self.advance(1)


class NullProgressReporter(ProgressReporter):
    """Reports nothing."""


class TqdmProgressReporter(ProgressReporter):
    """A tqdm progress bar for each operation; ``tqdm_args`` are passed to every bar."""

    def __init__(self, tqdm_args: dict[str, Any] | None = None) -> None:
        self.tqdm_args = dict(tqdm_args or {})
        self._bar: Any = None
        self._lock = threading.Lock()

    def start2(self, total: int | None, *, desc: str | None = None, unit: str = "it",
               unit_scale: bool = False, unit_divisor: int = 1000, **kwargs: Any) -> None:
        from tqdm import tqdm  # type: ignore[import-untyped]

        if self._bar is not None:
            self._bar.close()
        self._bar = tqdm(**{"total": total, "desc": desc, "unit": unit, "unit_scale": unit_scale,
                            "unit_divisor": unit_divisor, **self.tqdm_args})

    def advance(self, delta: int) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.update(delta)

    def report_status(self, progress: int) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.update(progress - self._bar.n)

    def finish(self) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.close()
                self._bar = None
