"""Frames for the driver, fetched and decoded ahead of the model in background threads.

Chunks (zips of original frames, addressed by position) are downloaded a few at a time
while earlier frames are decoded by a pool of threads (Pillow releases the GIL while it
decodes), so that the function rarely waits on the network or on decoding. Frames come out
in order; at most ``lookahead`` chunks are held in memory.
"""

from __future__ import annotations

import io
import logging
import os
import zipfile
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import PIL.Image

__all__ = ["Frame", "prefetch_frames"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Frame:
    index: int
    name: str
    image: PIL.Image.Image


def _decode(data: bytes) -> PIL.Image.Image:
    image = PIL.Image.open(io.BytesIO(data))
    image.load()
    return image if image.mode == "RGB" else image.convert("RGB")


def prefetch_frames(download_chunk: Callable[[int], bytes], frames: Sequence[int], names: Sequence[str],
                    chunk_size: int, *, lookahead: int = 4, decoders: int | None = None) -> Iterator[Frame]:
    """Yield ``frames`` (task frame numbers, ascending) decoded, with their names.

    ``download_chunk(k)`` returns the bytes of original-quality chunk ``k``. Closing the
    iterator early stops the background work.
    """
    by_chunk: dict[int, list[int]] = {}
    for frame in frames:
        by_chunk.setdefault(frame // chunk_size, []).append(frame)
    order = sorted(by_chunk)
    # Leave a core to the model: decoding threads compete with its own threads for the CPU.
    workers = decoders or max(1, min(4, (os.cpu_count() or 1) - 1))
    downloads = ThreadPoolExecutor(max_workers=min(lookahead, 4), thread_name_prefix="inklab-aa-fetch")
    decoding = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="inklab-aa-decode")
    pending: deque[tuple[int, Future[bytes]]] = deque()
    next_chunk = 0

    def fill() -> None:
        nonlocal next_chunk
        while next_chunk < len(order) and len(pending) < lookahead:
            chunk = order[next_chunk]
            pending.append((chunk, downloads.submit(download_chunk, chunk)))
            next_chunk += 1

    def decode_chunk(chunk: int, data: bytes) -> list[tuple[int, Future[PIL.Image.Image]]]:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        jobs = []
        for frame in by_chunk[chunk]:
            position = frame - chunk * chunk_size
            if position >= len(members):
                raise ValueError(f"chunk {chunk} has {len(members)} frames; frame {frame} is missing from it")
            jobs.append((frame, decoding.submit(_decode, archive.read(members[position]))))
        return jobs

    try:
        fill()
        decoded: deque[tuple[int, Future[PIL.Image.Image]]] = deque()
        while pending or decoded:
            # Keep the decoders one chunk ahead of the consumer.
            while pending and len(decoded) < 2 * workers + chunk_size:
                chunk, download = pending.popleft()
                decoded.extend(decode_chunk(chunk, download.result()))
                fill()
            frame, image = decoded.popleft()
            yield Frame(frame, names[frame], image.result())
    finally:
        for _, future in pending:
            future.cancel()
        downloads.shutdown(wait=False, cancel_futures=True)
        decoding.shutdown(wait=False, cancel_futures=True)


def chunk_downloader(entity: Any) -> Callable[[int], bytes]:
    """``download_chunk`` for a task proxy of the SDK (original quality)."""

    def download(chunk: int) -> bytes:
        buffer = io.BytesIO()
        entity.download_chunk(chunk, buffer, quality="original")
        return buffer.getvalue()

    return download
