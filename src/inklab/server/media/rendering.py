"""Files derived from frames, made on demand and cached: compressed frames, chunks, previews.

Chunks are zip archives with one stored (uncompressed) member per frame, in frame order,
deleted frames included: the CVAT SDK addresses members by position. ``original`` chunks
hold the uploaded bytes unchanged; ``compressed`` ones JPEG re-encodes at the task's
``image_quality``. Each file is written to a temporary name and renamed into place, so
concurrent requests for the same chunk are safe.
"""

from __future__ import annotations

import functools
import hashlib
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from inklab.server.media.models import Frame
from inklab.server.media.storage import TaskStorage, atomic_write
from inklab.server.projects.models import Task
from inklab.vocabulary import Quality

__all__ = ["chunk_file", "compressed_frame_file", "encode_jpeg", "frame_file", "preview_file"]

PREVIEW_SIZE = (256, 256)


def encode_jpeg(image: Image.Image, quality: int) -> bytes:
    """JPEG bytes of an image in any mode (alpha dropped onto white, palettes expanded)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=max(1, min(int(quality), 95)))
    return buffer.getvalue()


def _compressed_bytes(storage: TaskStorage, frame: Frame, quality: int) -> bytes:
    with Image.open(storage.frame_path(frame.file)) as image:
        return encode_jpeg(image, quality)


def frame_file(task: Task, frame: Frame, quality: str) -> tuple[Path, str]:
    """Path and MIME type of a frame in the requested quality."""
    storage = TaskStorage(task.pk)
    if quality == Quality.ORIGINAL:
        return storage.frame_path(frame.file), frame.mime_type
    return compressed_frame_file(task, frame), "image/jpeg"


def compressed_frame_file(task: Task, frame: Frame) -> Path:
    storage = TaskStorage(task.pk)
    path = storage.compressed_frame_path(frame.number)
    if not path.exists():
        data = _compressed_bytes(storage, frame, task.image_quality)
        with atomic_write(path) as tmp:
            tmp.write_bytes(data)
    return path


@functools.cache
def _blank_jpeg() -> bytes:
    return encode_jpeg(Image.new("L", (1, 1)), 75)


def chunk_file(task: Task, quality: str, frames: Sequence[Frame], hidden: frozenset[int] = frozenset()) -> Path:
    """The zip of ``frames`` (consecutive, in order) in the requested quality.

    Frames in ``hidden`` (outside a reader's jobs) are replaced by a 1×1 blank JPEG: members
    keep their positions, which is how clients address them, and the chunk is cached apart.
    """
    storage = TaskStorage(task.pk)
    path = storage.chunk_path(quality, frames[0].number, frames[-1].number)
    if hidden:
        key = hashlib.sha256(repr(sorted(hidden)).encode()).hexdigest()[:24]
        path = path.with_name(f"{path.stem}-without-{key}.zip")
    if path.exists():
        return path
    with atomic_write(path) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            for frame in frames:
                if frame.number in hidden:
                    zf.writestr(f"{frame.number:06d}.jpg", _blank_jpeg())
                elif quality == Quality.ORIGINAL:
                    ext = Path(frame.file).suffix
                    zf.write(storage.frame_path(frame.file), arcname=f"{frame.number:06d}{ext}")
                else:
                    zf.writestr(f"{frame.number:06d}.jpg", _compressed_bytes(storage, frame, task.image_quality))
    return path


def preview_file(task: Task, frame: Frame, name: str = "task") -> Path:
    """A JPEG thumbnail (at most 256×256) of ``frame``."""
    storage = TaskStorage(task.pk)
    path = storage.preview_path(f"{name}-{frame.number}")
    if path.exists():
        return path
    with Image.open(storage.frame_path(frame.file)) as image:
        image.draft("RGB", PREVIEW_SIZE)
        image.thumbnail(PREVIEW_SIZE)
        data = encode_jpeg(image, 85)
    with atomic_write(path) as tmp:
        tmp.write_bytes(data)
    return path
