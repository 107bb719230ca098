"""Frames for the driver and the agents: read through the SDK's dataset cache, ahead of the model.

:class:`TaskFrames` opens a task (or a job's range of it) as a
:class:`~inklab.sdk.datasets.TaskDataset` without annotations, in the shared cache under
``Config.cache_dir``: chunks already cached (by an earlier run, a resumed one, or a PyTorch
dataset) are not downloaded again. Image-set chunks are fetched on demand, which the
prefetcher does in parallel (streamed to disk); tasks whose original chunks are videos (CVAT
servers) are read frame by frame instead.

:meth:`TaskFrames.prefetch` yields the frames decoded, in order, while background threads
download the next chunks and decode the next frames (Pillow releases the GIL while it
decodes). Decoding is handed out in slices of consecutive frames, one future per slice, and
an image is converted only when it is not RGB already.
"""

from __future__ import annotations

import io
import logging
import os
from collections import deque
from collections.abc import Generator, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import PIL.Image

from inklab.sdk import Client, models
from inklab.sdk.datasets import MediaDownloadPolicy, Sample, TaskDataset

__all__ = ["Frame", "TaskFrames"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Frame:
    index: int
    name: str
    image: PIL.Image.Image


def _rgb(image: PIL.Image.Image) -> PIL.Image.Image:
    image.load()
    return image if image.mode == "RGB" else image.convert("RGB")


class TaskFrames:
    """The non-deleted frames of task ``task_id`` (only those in ``frames``, when given).

    ``labels`` are the task's labels, ``samples`` its frames (index and name) in order.
    Raises the datasets' errors (``UnsupportedDatasetError`` for a task without data) and the
    client's (``NotFoundError`` …).
    """

    def __init__(self, client: Client, task_id: int, frames: Iterable[int] | None = None) -> None:
        task = client.get_json(f"/api/tasks/{int(task_id)}")
        chunked = task.get("data_original_chunk_type") in (None, "imageset")
        self._policy = (MediaDownloadPolicy.FETCH_CHUNKS_ON_DEMAND if chunked
                        else MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND)
        self._dataset = TaskDataset(client, task_id, load_annotations=False, media_download_policy=self._policy,
                                    frames=frames)
        self._downloaders = max(1, min(4, client.config.max_connections))

    @property
    def labels(self) -> Sequence[models.Label]:
        return self._dataset.labels

    @property
    def samples(self) -> Sequence[Sample]:
        return self._dataset.samples

    @property
    def chunk_size(self) -> int:
        return self._dataset.chunk_reader.chunk_size

    def _decode(self, frames: list[int]) -> list[PIL.Image.Image]:
        dataset = self._dataset
        if self._policy is MediaDownloadPolicy.FETCH_CHUNKS_ON_DEMAND:
            reader = dataset.chunk_reader
            return [_rgb(PIL.Image.open(io.BytesIO(reader.read(frame)))) for frame in frames]
        return [_rgb(PIL.Image.open(io.BytesIO(dataset.read_frame(frame)))) for frame in frames]

    def prefetch(self, frames: Sequence[int], *, slice_size: int = 4, ahead: int | None = None,
                 decoders: int | None = None) -> Generator[Frame, None, None]:
        """Yield ``frames`` (ascending frame numbers of :attr:`samples`) decoded, in order.

        At most about ``ahead`` decoded frames are held (default: a few slices per decoder);
        closing the iterator stops the background work.
        """
        names = {s.frame_index: s.frame_name for s in self._dataset.samples}
        unknown = [f for f in frames if f not in names]
        if unknown:
            raise ValueError(f"frames {unknown[:5]} are not frames of this task (or were deleted)")
        size = max(1, slice_size)
        chunked = self._policy is MediaDownloadPolicy.FETCH_CHUNKS_ON_DEMAND
        chunk_size = self.chunk_size
        # Slices of consecutive frames that do not cross chunks, each with the chunk it needs.
        slices: list[tuple[int, list[int]]] = []
        for frame in frames:
            chunk = frame // chunk_size if chunked else -1
            if slices and slices[-1][0] == chunk and len(slices[-1][1]) < size:
                slices[-1][1].append(frame)
            else:
                slices.append((chunk, [frame]))
        # Leave a core to the model: decoding threads compete with its own threads for the CPU.
        workers = decoders or max(1, min(4, (os.cpu_count() or 1) - 1))
        if not chunked:
            workers = max(workers, self._downloaders)  # each slice waits on the network too
        limit = ahead or max(2 * size * workers, 2 * size)
        fetching = ThreadPoolExecutor(self._downloaders, thread_name_prefix="inklab-aa-fetch") if chunked else None
        decoding = ThreadPoolExecutor(workers, thread_name_prefix="inklab-aa-decode")
        chunks = sorted({chunk for chunk, _ in slices}) if chunked else []
        downloads: dict[int, Future[None]] = {}
        next_download = 0

        def fetch_ahead(current: int) -> None:
            nonlocal next_download
            assert fetching is not None
            while next_download < len(chunks) and next_download <= current + self._downloaders:
                chunk = chunks[next_download]
                downloads[chunk] = fetching.submit(self._dataset.ensure_chunk, chunk)
                next_download += 1

        pending: deque[tuple[list[int], Future[list[PIL.Image.Image]]]] = deque()
        position = 0  # next slice to submit
        queued = 0  # frames submitted and not yet yielded
        chunk_position = 0
        try:
            while position < len(slices) or pending:
                while position < len(slices) and (queued < limit or not pending):
                    chunk, part = slices[position]
                    if chunked:
                        while chunks[chunk_position] != chunk:
                            chunk_position += 1
                        fetch_ahead(chunk_position)
                        if not downloads[chunk].done() and pending:
                            break  # its chunk is still downloading: hand out what is decoded first
                        downloads[chunk].result()
                    pending.append((part, decoding.submit(self._decode, part)))
                    queued += len(part)
                    position += 1
                part, future = pending.popleft()
                images = future.result()
                queued -= len(part)
                for frame, image in zip(part, images, strict=True):
                    yield Frame(frame, names[frame], image)
        finally:
            for _, future in pending:
                future.cancel()
            if fetching is not None:
                fetching.shutdown(wait=False, cancel_futures=True)
            decoding.shutdown(wait=False, cancel_futures=True)
