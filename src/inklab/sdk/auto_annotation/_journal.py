"""A record, on the local disk, of which frames a run has uploaded: what ``resume`` reads.

One JSON file per (server, task or job, function): the frames whose results the server
has confirmed (``done``), the frames of an upload still in flight (``pending``: if the run
died then, the server may or may not have them) and whether the existing annotations were
cleared already. It is rewritten atomically after every upload.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from inklab.sdk._atomic import atomic_write_bytes

__all__ = ["Journal", "function_fingerprint"]


def function_fingerprint(function: Any, settings: dict[str, Any]) -> str:
    """Identifies "the same function": its class, its spec and the run's settings."""
    spec = getattr(function, "spec", None)
    labels = [label.to_dict() if hasattr(label, "to_dict") else label for label in getattr(spec, "labels", [])]
    cls = type(function)
    blob = orjson.dumps({"class": f"{cls.__module__}.{cls.__qualname__}", "labels": labels, **settings},
                        option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(blob).hexdigest()[:32]


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: set[int] = set()
        self.pending: set[int] = set()
        self.cleared = False

    @classmethod
    def location(cls, cache_dir: Path, server_url: str, scope: str, fingerprint: str) -> Path:
        server = hashlib.sha256(server_url.encode()).hexdigest()[:16]
        return Path(cache_dir) / "auto_annotation" / server / scope / f"{fingerprint}.json"

    @classmethod
    def load(cls, path: Path) -> Journal:
        journal = cls(path)
        if path.is_file():
            data = orjson.loads(path.read_bytes())
            journal.done = set(data.get("done", []))
            journal.pending = set(data.get("pending", []))
            journal.cleared = bool(data.get("cleared", False))
        return journal

    def _save(self) -> None:
        data = orjson.dumps({"done": sorted(self.done), "pending": sorted(self.pending), "cleared": self.cleared})
        atomic_write_bytes(self.path, data)

    def start(self, frames: Iterable[int]) -> None:
        self.pending.update(frames)
        self._save()

    def finish(self, frames: Iterable[int], *, cleared: bool = False) -> None:
        frames = set(frames)
        self.pending -= frames
        self.done |= frames
        self.cleared = self.cleared or cleared
        self._save()

    def forget_pending(self) -> None:
        self.pending.clear()
        self._save()

    def reset(self) -> None:
        self.done.clear()
        self.pending.clear()
        self.cleared = False
        self._save()
