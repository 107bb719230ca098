"""Frame access shared by tasks and jobs: single frames, frame downloads to files, frame meta, previews."""

from __future__ import annotations

import io
import mimetypes
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PIL import Image

from inklab.sdk._atomic import atomic_write_bytes
from inklab.sdk.client._progress import NullProgressReporter, ProgressReporter
from inklab.sdk.client.resources._base import Entity
from inklab.sdk.models import DataMetaRead, FrameMeta

__all__ = ["FramesMixin"]

_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/bmp": ".bmp", "image/webp": ".webp",
               "image/tiff": ".tif", "image/gif": ".gif"}


def _extension(content_type: str, data: bytes) -> str:
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime in _EXTENSIONS:
        return _EXTENSIONS[mime]
    with Image.open(io.BytesIO(data)) as image:
        detected = image.get_format_mimetype() or ""
    return _EXTENSIONS.get(detected) or mimetypes.guess_extension(detected) or ".jpg"


class FramesMixin(Entity):
    """``get_frame``, ``download_frames``, ``get_meta``, ``get_frames_info``, ``remove_frames_by_ids``
    and ``get_preview``; frame numbers are task frame numbers."""

    @property
    def _data_path(self) -> str:
        raise NotImplementedError

    def _frame_response(self, frame_id: int, quality: str | None) -> Any:
        params: dict[str, Any] = {"type": "frame", "number": int(frame_id)}
        if quality:
            params["quality"] = quality
        return self._client.request("GET", self._data_path, params=params)

    def get_meta(self) -> DataMetaRead:
        """Frame names and sizes (one entry per frame, deleted ones included) and deleted frames;
        a job's meta covers its own frames."""
        return DataMetaRead.from_dict(self._client.get_json(f"{self._path}/data/meta"))

    def get_frames_info(self) -> list[FrameMeta]:
        return self.get_meta().frames

    def remove_frames_by_ids(self, ids: Sequence[int]) -> None:
        """Mark frames as deleted: the list replaces the current set of deleted frames (of a job:
        within its range)."""
        self._client.send_json("PATCH", f"{self._path}/data/meta", {"deleted_frames": [int(i) for i in ids]})

    def get_preview(self) -> io.BytesIO:
        """A JPEG thumbnail of the first frame."""
        return io.BytesIO(self._client.request("GET", f"{self._path}/preview").data)

    def get_frame(self, frame_id: int, *, quality: str | None = None) -> io.BytesIO:
        """The bytes of frame ``frame_id`` (``quality`` "original" or "compressed"; the server
        chooses when None)."""
        return io.BytesIO(self._frame_response(frame_id, quality).data)

    def download_frames(self, frame_ids: Sequence[int], *, image_extension: str | None = None,
                        outdir: str | os.PathLike[str] = ".", quality: str = "original",
                        filename_pattern: str = "frame_{frame_id:06d}{frame_ext}",
                        pbar: ProgressReporter | None = None) -> list[Path]:
        """Save frames as ``outdir/filename_pattern`` and return the paths, in ``frame_ids`` order.

        Files hold the bytes the server sent (no re-encoding) unless ``image_extension`` names
        another format, which Pillow then converts to. Frames download in parallel.
        """
        target = Path(outdir)
        target.mkdir(parents=True, exist_ok=True)
        reporter = pbar or NullProgressReporter()
        wanted = f".{image_extension.strip('.').lower()}" if image_extension else None

        def fetch(frame_id: int) -> Path:
            response = self._frame_response(frame_id, quality)
            data = response.data
            ext = _extension(response.headers.get("Content-Type", ""), data)
            same = wanted is None or wanted == ext or {wanted, ext} <= {".jpg", ".jpeg"}
            path = target / filename_pattern.format(frame_id=frame_id, frame_ext=wanted or ext)
            if same:
                atomic_write_bytes(path, data)
            else:
                with Image.open(io.BytesIO(data)) as image:
                    buffer = io.BytesIO()
                    converted = image.convert("RGB") if wanted in (".jpg", ".jpeg") and image.mode != "RGB" else image
                    converted.save(buffer, format=Image.registered_extensions().get(wanted or ext, "PNG"))
                atomic_write_bytes(path, buffer.getvalue())
            reporter.advance(1)
            return path

        workers = max(1, min(self._client.config.max_connections, len(frame_ids)))
        with reporter.task(total=len(frame_ids), desc="Downloading frames", unit="frame"):
            with ThreadPoolExecutor(workers) as pool:
                return list(pool.map(fetch, frame_ids))
