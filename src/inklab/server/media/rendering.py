"""Files derived from frames, made on demand and cached: compressed frames, chunks, previews.

Chunks are zip archives with one stored (uncompressed) member per frame, in frame order,
deleted frames included: the CVAT SDK addresses members by position. ``original`` chunks
hold the uploaded bytes unchanged; ``compressed`` ones JPEG re-encodes at the task's
``image_quality``. Each file is written to a temporary name and renamed into place, so
concurrent requests for the same chunk are safe; with a shared media store it is published
once made and downloaded by the other machines instead of being made again
(:func:`.storage.derived_file`).

A frame is served as the image type it was checked to be (:func:`.images.served_type`); a
stored file that is not one (kept before frames were checked as they are now) is a
:class:`~inklab.server.errors.Conflict` naming the frame, never served or decoded blindly.
"""

from __future__ import annotations

import functools
import hashlib
import io
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from inklab.server.errors import Conflict
from inklab.server.media.images import served_type
from inklab.server.media.models import Frame
from inklab.server.media.storage import TaskStorage, derived_file
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


def _unusable(frame: Frame) -> Conflict:
    return Conflict(f"Frame {frame.number} of task {frame.task_id} is not an image this server can show; "
                    "create the task again from its images.")


@contextmanager
def _opened(storage: TaskStorage, frame: Frame) -> Iterator[Image.Image]:
    try:
        with Image.open(storage.local_frame(frame.file)) as image:
            yield image
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise _unusable(frame) from exc


def _compressed_bytes(storage: TaskStorage, frame: Frame, quality: int) -> bytes:
    with _opened(storage, frame) as image:
        return encode_jpeg(image, quality)


def frame_file(task: Task, frame: Frame, quality: str) -> tuple[Path, str]:
    """Path and MIME type (an image type, see :func:`.images.served_type`) of a frame in the
    requested quality."""
    storage = TaskStorage(task.pk)
    if quality == Quality.ORIGINAL:
        mime = served_type(frame.mime_type)
        if mime is None:
            raise _unusable(frame)
        return storage.local_frame(frame.file), mime
    return compressed_frame_file(task, frame), "image/jpeg"


def compressed_frame_file(task: Task, frame: Frame) -> Path:
    storage = TaskStorage(task.pk)
    return derived_file(storage.compressed_frame_path(frame.number),
                        lambda tmp: tmp.write_bytes(_compressed_bytes(storage, frame, task.image_quality)))


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

    def make(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            for frame in frames:
                if frame.number in hidden:
                    zf.writestr(f"{frame.number:06d}.jpg", _blank_jpeg())
                elif quality == Quality.ORIGINAL:
                    ext = Path(frame.file).suffix
                    zf.write(storage.local_frame(frame.file), arcname=f"{frame.number:06d}{ext}")
                else:
                    zf.writestr(f"{frame.number:06d}.jpg", _compressed_bytes(storage, frame, task.image_quality))

    return derived_file(path, make)


def preview_file(task: Task, frame: Frame, name: str = "task") -> Path:
    """A JPEG thumbnail (at most 256×256) of ``frame``."""
    storage = TaskStorage(task.pk)

    def make(tmp: Path) -> None:
        with _opened(storage, frame) as image:
            image.draft("RGB", PREVIEW_SIZE)
            image.thumbnail(PREVIEW_SIZE)
            data = encode_jpeg(image, 85)
        tmp.write_bytes(data)

    return derived_file(storage.preview_path(f"{name}-{frame.number}"), make)
