"""Reading frames out of cached chunk files, and downloading chunks into the cache.

A chunk is a zip archive whose members are the frames of the chunk in order (the CVAT
layout: frame ``f`` is member ``f % chunk_size`` of chunk ``f // chunk_size``). Readers keep
the files open and read a stored member with one ``pread`` at its offset: no per-frame open,
no seek shared between threads, and inherited descriptors stay correct in forked DataLoader
workers. At most :data:`MAX_OPEN_FILES` chunk files are open per process.
"""

from __future__ import annotations

import io
import os
import struct
import threading
import zipfile
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import PIL.Image

from inklab.sdk._atomic import atomic_output
from inklab.sdk.datasets.common import UnsupportedDatasetError

if TYPE_CHECKING:
    from inklab.sdk.client import Client

__all__ = ["ChunkReader", "download_chunk"]

MAX_OPEN_FILES = 64
_LOCAL_HEADER = struct.Struct("<4s5H3I2H")


def _pread(fd: int, size: int, offset: int) -> bytes:
    data = os.pread(fd, size, offset)
    while len(data) < size:  # pread may return less (large reads, some file systems)
        more = os.pread(fd, size - len(data), offset + len(data))
        if not more:
            raise UnsupportedDatasetError("A cached chunk file is truncated; delete the cache and retry.")
        data += more
    return data


class _ChunkFile:
    """One open chunk archive: member table from the central directory, data read by offset."""

    def __init__(self, path: Path, expected: int) -> None:
        try:
            with zipfile.ZipFile(path) as archive:
                self.members = [(i.header_offset, i.compress_size, i.file_size, i.compress_type)
                                for i in archive.infolist()]
        except (zipfile.BadZipFile, OSError) as exc:
            raise UnsupportedDatasetError(f"The cached chunk {path} is not a readable zip: {exc}") from exc
        if len(self.members) != expected:
            raise UnsupportedDatasetError(
                f"The chunk {path.name} holds {len(self.members)} frames where {expected} were expected.")
        self.path = path
        self.fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        self._offsets: dict[int, int] = {}

    def read(self, index: int) -> bytes:
        header_offset, compressed, size, method = self.members[index]
        offset = self._offsets.get(index)
        if offset is None:
            header = _pread(self.fd, _LOCAL_HEADER.size, header_offset)
            fields = _LOCAL_HEADER.unpack(header)
            if fields[0] != b"PK\x03\x04":
                raise UnsupportedDatasetError(f"The chunk {self.path.name} has a damaged member {index}.")
            offset = self._offsets[index] = header_offset + _LOCAL_HEADER.size + fields[-2] + fields[-1]
        raw = _pread(self.fd, compressed, offset)
        if method == zipfile.ZIP_STORED:
            return raw
        if method == zipfile.ZIP_DEFLATED:
            return zlib.decompress(raw, -15, size)
        with zipfile.ZipFile(self.path) as archive:  # rare compression methods
            return archive.read(archive.infolist()[index])

    def close(self) -> None:
        os.close(self.fd)


class ChunkReader:
    """Frames of one task from ``chunk_dir/<k>.zip`` files (all present, or fetched by ``fetch``).

    Picklable: open files are not part of the state and are reopened where needed.
    """

    def __init__(self, chunk_dir: Path, chunk_size: int, size: int) -> None:
        self.chunk_dir = chunk_dir
        self.chunk_size = chunk_size
        self.size = size
        self._init_runtime()

    def _init_runtime(self) -> None:
        self._files: OrderedDict[int, _ChunkFile] = OrderedDict()
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def __getstate__(self) -> dict[str, Any]:
        return {"chunk_dir": self.chunk_dir, "chunk_size": self.chunk_size, "size": self.size}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._init_runtime()

    def chunk_path(self, chunk: int) -> Path:
        return self.chunk_dir / f"{chunk}.zip"

    def expected_members(self, chunk: int) -> int:
        return min(self.chunk_size, self.size - chunk * self.chunk_size)

    def _file(self, chunk: int) -> _ChunkFile:
        with self._lock:
            if self._pid != os.getpid():  # a forked worker: the LRU belongs to the parent
                self._files = OrderedDict()
                self._pid = os.getpid()
            found = self._files.get(chunk)
            if found is not None:
                self._files.move_to_end(chunk)
                return found
            opened = _ChunkFile(self.chunk_path(chunk), self.expected_members(chunk))
            self._files[chunk] = opened
            while len(self._files) > MAX_OPEN_FILES:
                _, oldest = self._files.popitem(last=False)
                oldest.close()
            return opened

    def read(self, frame: int) -> bytes:
        """The encoded bytes of ``frame`` as uploaded."""
        return self._file(frame // self.chunk_size).read(frame % self.chunk_size)

    def load_image(self, frame: int) -> PIL.Image.Image:
        """``frame`` decoded with Pillow (fully loaded)."""
        image = PIL.Image.open(io.BytesIO(self.read(frame)))
        image.load()
        return image

    def close(self) -> None:
        with self._lock:
            for opened in self._files.values():
                opened.close()
            self._files.clear()

    def __del__(self) -> None:
        try:
            if self._pid == os.getpid():
                self.close()
        except Exception:  # interpreter shutdown
            pass


def download_chunk(client: Client, task_id: int, chunk: int, path: Path) -> int:
    """Stream original-quality chunk ``chunk`` of a task into ``path`` (atomically); return its size."""
    written = 0
    with atomic_output(path) as out:
        response = client.request("GET", f"/api/tasks/{task_id}/data/", stream=True,
                                  params={"type": "chunk", "number": chunk, "quality": "original"})
        with response:
            for piece in response.iter_bytes(1 << 20):
                out.write(piece)
                written += len(piece)
    return written
