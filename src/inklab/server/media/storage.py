"""Where media lives on disk. Everything is under ``MEDIA_ROOT`` inside the data directory::

    media/tasks/<id>/frames/<number>.<ext>            original bytes of each frame
    media/tasks/<id>/compressed/<number>.jpg          compressed frames, made on demand
    media/tasks/<id>/chunks/<quality>/<a>-<b>.zip     chunks of frames a..b, made on demand
    media/tasks/<id>/previews/<name>.jpg              thumbnails
    media/tasks/<id>/upload/                          files collected between Upload-Start and -Finish
    media/uploads/<user id>/                          TUS uploads in progress and finished imports
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from inklab.server.errors import InvalidInput

__all__ = ["TaskStorage", "atomic_write", "safe_basename", "user_upload_dir"]

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

    def compressed_frame_path(self, number: int) -> Path:
        return self.root / "compressed" / f"{number}.jpg"

    def chunk_path(self, quality: str, start: int, stop: int) -> Path:
        return self.root / "chunks" / quality / f"{start}-{stop}.zip"

    def preview_path(self, name: str) -> Path:
        return self.root / "previews" / f"{name}.jpg"

    def reset_upload_dir(self) -> Path:
        shutil.rmtree(self.upload_dir, ignore_errors=True)
        self.upload_dir.mkdir(parents=True)
        return self.upload_dir

    def clear_data(self) -> None:
        """Remove frames and everything derived from them (used when processing fails)."""
        for name in ("frames", "compressed", "chunks", "previews"):
            shutil.rmtree(self.root / name, ignore_errors=True)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
