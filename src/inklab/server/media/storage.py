"""Where media lives on disk. Everything is under ``MEDIA_ROOT`` inside the data directory::

    media/tasks/<id>/frames/<number>.<ext>            original bytes of each frame
    media/tasks/<id>/compressed/<number>.jpg          compressed frames, made on demand
    media/tasks/<id>/chunks/<quality>/<a>-<b>.zip     chunks of frames a..b, made on demand
    media/tasks/<id>/previews/<name>.jpg              thumbnails
    media/tasks/<id>/upload/                          files collected between Upload-Start and -Finish
    media/tasks/<id>/work/, staging/                  frame extraction in progress
    media/uploads/<user id>/                          TUS uploads in progress and finished imports

With a shared media store (:mod:`.blobstore`, ``INKLAB_MEDIA_URL``) these files are a cache of
the store: frames and derived files are published when written and downloaded when missing
(:meth:`TaskStorage.local_frame`, :func:`derived_file`); removing a task's files removes its keys.

Temporary files live next to their destination (``atomic_write``) or under ``<data>/tmp``
(:func:`temp_dir`: upload spools, import work directories), never in the system's temporary
directory, so that what a crashed process left behind can be found and removed
(:func:`sweep_stale_temp_files`).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from inklab.server.errors import InvalidInput
from inklab.server.media import blobstore

__all__ = ["TaskStorage", "atomic_write", "derived_file", "safe_basename", "last_change", "sweep_stale_temp_files", "temp_dir",
           "user_upload_dir"]

_UNSAFE = re.compile(r"[\x00-\x1f/\\]")


def safe_basename(name: str) -> str:
    """The last component of a client-supplied path, refusing empty and dot names."""
    base = re.split(r"[/\\]", name.strip())[-1]
    if not base or base in {".", ".."} or _UNSAFE.search(base):
        raise InvalidInput(f"Invalid file name '{name}'.")
    return base


def user_upload_dir(user_id: int) -> Path:
    path = Path(settings.MEDIA_ROOT) / "uploads" / str(int(user_id))
    path.mkdir(parents=True, exist_ok=True)
    return path


#: a temporary file untouched for this long belongs to no live writer
STALE_TEMP_SECONDS = 3600


def temp_dir() -> Path:
    """The server's own temporary directory (``<data>/tmp``)."""
    path = Path(getattr(settings, "TEMP_DIR", Path(settings.DATA_DIR) / "tmp"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def last_change(path: Path) -> float:
    """The latest modification time of ``path`` and, for a directory, of everything in it."""
    latest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        for child in path.rglob("*"):
            try:
                latest = max(latest, child.lstat().st_mtime)
            except OSError:
                continue
    return latest


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def sweep_stale_temp_files(older_than: float = STALE_TEMP_SECONDS) -> int:
    """Remove what crashed processes left: entries of :func:`temp_dir` and ``atomic_write``
    temporaries under the media root that nobody changed for ``older_than`` seconds."""
    cutoff = time.time() - older_than
    removed = 0
    candidates = list(temp_dir().iterdir())
    tasks = Path(settings.MEDIA_ROOT) / "tasks"
    if tasks.is_dir():
        candidates += [*tasks.glob("*/*/.*.tmp"), *tasks.glob("*/*/*/.*.tmp")]
    for path in candidates:
        try:
            if last_change(path) < cutoff:
                _remove(path)
                removed += 1
        except OSError:
            continue
    return removed


@contextmanager
def atomic_write(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; it replaces ``path`` only if the block succeeds,
    so concurrent readers never see a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def derived_file(path: Path, make: Callable[[Path], None]) -> Path:
    """A file made from others (a chunk, a preview, an export): here, else downloaded from the
    media store, else made (``make(tmp)`` writes it), renamed into place and published."""
    if blobstore.local(path).exists():
        return path
    with atomic_write(path) as tmp:
        make(tmp)
    blobstore.publish(path)
    return path


class TaskStorage:
    """Paths of one task's media."""

    def __init__(self, task_id: int) -> None:
        self.root = Path(settings.MEDIA_ROOT) / "tasks" / str(int(task_id))

    @property
    def frames_dir(self) -> Path:
        return self.root / "frames"

    @property
    def upload_dir(self) -> Path:
        return self.root / "upload"

    def frame_path(self, file: str) -> Path:
        return self.frames_dir / file

    def local_frame(self, file: str) -> Path:
        """:meth:`frame_path`, downloaded from the media store first if it is not here."""
        return blobstore.local(self.frame_path(file))

    def publish_frames(self) -> None:
        """Keep the task's (just stored) frames in the media store."""
        blobstore.publish_tree(self.frames_dir)

    def compressed_frame_path(self, number: int) -> Path:
        return self.root / "compressed" / f"{number}.jpg"

    def chunk_path(self, quality: str, start: int, stop: int) -> Path:
        return self.root / "chunks" / quality / f"{start}-{stop}.zip"

    def preview_path(self, name: str) -> Path:
        return self.root / "previews" / f"{name}.jpg"

    def reset_upload_dir(self) -> Path:
        shutil.rmtree(self.upload_dir, ignore_errors=True)
        blobstore.forget_tree(self.upload_dir)
        self.upload_dir.mkdir(parents=True)
        return self.upload_dir

    @property
    def work_dirs(self) -> tuple[Path, ...]:
        """Where frame extraction works: the pending uploads, a work and a staging directory."""
        return self.upload_dir, self.root / "work", self.root / "staging"

    def remove_unfinished(self) -> None:
        """Remove the pending uploads and the leftovers of an extraction that did not finish."""
        for path in self.work_dirs:
            shutil.rmtree(path, ignore_errors=True)
        blobstore.forget_tree(self.upload_dir)

    @staticmethod
    def remove_orphans(exists: Callable[[int], bool], older_than: float = STALE_TEMP_SECONDS) -> int:
        """Remove the media directories of tasks that do not exist (``exists(id)`` is false) and
        that nobody changed for ``older_than`` seconds; returns how many."""
        tasks = Path(settings.MEDIA_ROOT) / "tasks"
        cutoff = time.time() - older_than
        removed = 0
        for path in tasks.iterdir() if tasks.is_dir() else ():
            if path.name.isdigit() and not exists(int(path.name)) and last_change(path) < cutoff:
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
        return removed

    def clear_data(self) -> None:
        """Remove frames and everything derived from them (used when processing fails)."""
        for name in ("frames", "compressed", "chunks", "previews"):
            shutil.rmtree(self.root / name, ignore_errors=True)
            blobstore.forget_tree(self.root / name)

    def remove(self) -> None:
        """Remove the task's files, here and in the media store."""
        shutil.rmtree(self.root, ignore_errors=True)
        blobstore.forget_tree(self.root)
