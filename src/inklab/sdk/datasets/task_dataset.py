"""A task as a sequence of samples, backed by the local cache (no PyTorch needed).

Construction does all the network work (unless ``UpdatePolicy.NEVER``: none): the task, its
labels and job ranges, then in parallel the frame meta, the annotations and every chunk that
holds a non-deleted frame, each only if not cached yet; chunks are streamed to disk. After
that, with ``MediaDownloadPolicy.PRELOAD_ALL``, the dataset does no network I/O, holds no
client and can be pickled (into DataLoader workers, for instance).
"""

from __future__ import annotations

import bisect
import contextlib
import io
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import PIL.Image

from inklab.sdk import models
from inklab.sdk.datasets._chunks import ChunkReader, download_chunk
from inklab.sdk.datasets._tracks import track_shapes
from inklab.sdk.datasets.caching import (
    PAGE,
    CacheLayout,
    UpdatePolicy,
    cached_file,
    check_chunks,
    load_task_record,
    org_params,
    refresh_task,
    save_task_record,
)
from inklab.sdk.datasets.common import (
    CacheMissError,
    FrameAnnotations,
    MediaDownloadPolicy,
    MediaElement,
    Sample,
    UnsupportedDatasetError,
)

if TYPE_CHECKING:
    from inklab.sdk.client import Client

__all__ = ["TaskDataset"]


class _FrameMedia(MediaElement):
    __slots__ = ("_dataset", "_frame")

    def __init__(self, dataset: TaskDataset, frame: int) -> None:
        self._dataset = dataset
        self._frame = frame

    def load_image(self) -> PIL.Image.Image:
        return self._dataset.load_image(self._frame)


class TaskDataset:
    """The frames of task ``task_id`` with their annotations, deleted frames left out.

    ``update_policy``: see :class:`UpdatePolicy`. ``load_annotations=False`` skips annotations
    (``Sample.annotations`` is None). ``media_download_policy``: see
    :class:`MediaDownloadPolicy` (``FETCH_FRAMES_ON_DEMAND`` needs the network, so not with
    ``NEVER``). ``include_tracks`` adds each track's shape on every frame where it is visible
    (:class:`TrackShape`). ``frames`` restricts the samples (and downloads) to those frame
    numbers, e.g. one job's range.

    Raises :class:`UnsupportedDatasetError` for a task without data or without image-set
    chunks, :class:`CacheMissError` under ``NEVER`` when something is not cached, and the
    client's errors (``NotFoundError`` …) when the server refuses.
    """

    def __init__(self, client: Client, task_id: int, *,
                 update_policy: UpdatePolicy = UpdatePolicy.IF_MISSING_OR_STALE,
                 load_annotations: bool = True,
                 media_download_policy: MediaDownloadPolicy = MediaDownloadPolicy.PRELOAD_ALL,
                 include_tracks: bool = True, frames: Iterable[int] | None = None) -> None:
        if update_policy is UpdatePolicy.NEVER and media_download_policy is MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND:
            raise ValueError("FETCH_FRAMES_ON_DEMAND needs the network, which UpdatePolicy.NEVER forbids.")
        self._logger = client.logger
        self._task_id = int(task_id)
        self._policy = media_download_policy
        self._layout = CacheLayout(client.config.cache_dir, client.url)
        online = update_policy is not UpdatePolicy.NEVER
        self._client: Client | None = client if media_download_policy is not MediaDownloadPolicy.PRELOAD_ALL else None
        self._chunk_locks: dict[int, threading.Lock] = {}
        self._chunk_lock = threading.Lock()

        if online:
            task_json = refresh_task(client, self._layout, task_id, self._logger)
            record = self._populate(client, task_json, load_annotations, frames)
        else:
            record = load_task_record(self._layout, task_id)
            self._meta_json = orjson.loads(cached_file(None, self._task_path("data_meta.json"), "", update_policy,
                                                       f"The frame list of task {task_id}", self._logger))
            self._annotations_json = orjson.loads(cached_file(
                None, self._task_path("annotations.json"), "", update_policy,
                f"The annotations of task {task_id}", self._logger)) if load_annotations else None

        self.task = models.TaskRead.from_dict(record["task"])
        self._labels = tuple(models.Label.from_dict(label) for label in record["labels"])
        self._segments = [tuple(s) for s in record["segments"]]
        self.meta = models.DataMetaRead.from_dict(self._meta_json)
        self._check_task()
        size, chunk_size = self.task.size, int(self.task.data_chunk_size or 0)
        self._reader = ChunkReader(self._layout.chunk_dir(self.task.id), chunk_size, size)
        active = self._active_frames(frames)
        if not online and media_download_policy is MediaDownloadPolicy.PRELOAD_ALL:
            missing = sorted({f // chunk_size for f in active} - self._cached_chunks())
            if missing:
                raise CacheMissError(f"Chunks {missing} of task {self.task.id} are not in the cache.")
        self._samples = self._build_samples(active, include_tracks)
        self._annotations_json = None  # parsed into the samples; not needed any more
        self._meta_json = None

    # -- construction -----------------------------------------------------------------------

    def _task_path(self, name: str) -> Path:
        return self._layout.task_dir(self._task_id) / name

    def _populate(self, client: Client, task: dict[str, Any], load_annotations: bool,
                  frames: Iterable[int] | None) -> dict[str, Any]:
        """Download what is missing, in parallel; returns the new ``task.json`` record."""
        if not task.get("size") or not task.get("data_chunk_size"):
            raise UnsupportedDatasetError(f"Task {task['id']} has no data.")
        base = f"/api/tasks/{self._task_id}"
        org = org_params(task)
        workers = max(2, client.config.max_connections)
        with ThreadPoolExecutor(workers, thread_name_prefix="inklab-download") as pool:
            labels = pool.submit(client.paginate, "/api/labels", {"task_id": self._task_id, **org, **PAGE})
            jobs = pool.submit(client.paginate, "/api/jobs", {"task_id": self._task_id, **org, **PAGE})
            meta = pool.submit(cached_file, client, self._task_path("data_meta.json"), f"{base}/data/meta",
                               UpdatePolicy.IF_MISSING_OR_STALE, "the frame list", self._logger)
            annotations: Future[bytes] | None = None
            if load_annotations:
                annotations = pool.submit(cached_file, client, self._task_path("annotations.json"),
                                          f"{base}/annotations/", UpdatePolicy.IF_MISSING_OR_STALE,
                                          "the annotations", self._logger)
            self._meta_json = orjson.loads(meta.result())
            if self._policy is not MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND:
                check_chunks(self._layout, self._task_id, self._meta_json, self._logger)
            chunk_futures: list[Future[int]] = []
            if self._policy is MediaDownloadPolicy.PRELOAD_ALL:
                if task.get("data_original_chunk_type") != "imageset":
                    raise UnsupportedDatasetError(self._chunk_type_message(task))
                size, chunk_size = int(task["size"]), int(task["data_chunk_size"])
                deleted = set(self._meta_json.get("deleted_frames") or [])
                wanted = range(size) if frames is None else sorted(set(frames) & set(range(size)))
                needed = sorted({f // chunk_size for f in wanted if f not in deleted})
                chunk_dir = self._layout.chunk_dir(self._task_id)
                present = {int(p.stem) for p in chunk_dir.glob("*.zip") if p.stem.isdigit()} if chunk_dir.is_dir() else set()
                todo = [k for k in needed if k not in present]
                if todo:
                    self._logger.info("Downloading %d chunks of task %s", len(todo), self._task_id)
                chunk_futures = [pool.submit(download_chunk, client, self._task_id, k, chunk_dir / f"{k}.zip")
                                 for k in todo]
            self._annotations_json = orjson.loads(annotations.result()) if annotations is not None else None
            for future in chunk_futures:
                future.result()
            return save_task_record(self._layout, task, labels.result(), jobs.result())

    @staticmethod
    def _chunk_type_message(task: dict[str, Any] | models.TaskRead) -> str:
        kind = task.get("data_original_chunk_type")
        return (f"Task {task.get('id')} stores its original frames as '{kind}' chunks; only image-set chunks "
                "can be cached (use MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND).")

    def _check_task(self) -> None:
        if not self.task.size or not self.task.data_chunk_size:
            raise UnsupportedDatasetError(f"Task {self.task.id} has no data.")
        if self._policy is not MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND and \
                self.task.data_original_chunk_type != "imageset":
            raise UnsupportedDatasetError(self._chunk_type_message(self.task))
        if len(self.meta.frames) < self.task.size and self.task.data_original_chunk_type == "imageset":
            raise UnsupportedDatasetError(
                f"Task {self.task.id} lists {len(self.meta.frames)} frames for {self.task.size} frames of data.")

    def _active_frames(self, frames: Iterable[int] | None) -> list[int]:
        deleted = set(self.meta.deleted_frames)
        candidates = range(self.task.size) if frames is None else sorted(set(frames) & set(range(self.task.size)))
        return [f for f in candidates if f not in deleted]

    def _cached_chunks(self) -> set[int]:
        chunk_dir = self._layout.chunk_dir(self.task.id)
        return {int(p.stem) for p in chunk_dir.glob("*.zip") if p.stem.isdigit()} if chunk_dir.is_dir() else set()

    def _segment_end(self, frame: int) -> int:
        """One past the last frame of the job that contains ``frame`` (tracks stop there)."""
        starts = [s for s, _ in self._segments]
        i = bisect.bisect_right(starts, frame) - 1
        if i >= 0 and self._segments[i][0] <= frame <= self._segments[i][1]:
            return int(self._segments[i][1]) + 1
        return self.task.size

    def _build_samples(self, active: list[int], include_tracks: bool) -> list[Sample]:
        data = self._annotations_json
        per_frame: dict[int, FrameAnnotations] | None = None
        if data is not None:
            per_frame = {f: FrameAnnotations() for f in active}
            for tag in data.get("tags", ()):
                target = per_frame.get(tag["frame"])
                if target is not None:
                    target.tags.append(models.LabeledImage(**tag))
            for shape in data.get("shapes", ()):
                target = per_frame.get(shape["frame"])
                if target is not None:
                    target.shapes.append(models.LabeledShape(**shape))
            if include_tracks:
                for raw in data.get("tracks", ()):
                    track = models.LabeledTrack(**raw)
                    for shape in track_shapes(track, self._segment_end(track.frame), per_frame):
                        per_frame[shape.frame].shapes.append(shape)
        is_imageset = self.task.data_original_chunk_type == "imageset"
        names = self.meta.frames
        return [Sample(frame_index=f, frame_name=names[f if is_imageset else 0].name if names else "",
                       annotations=per_frame[f] if per_frame is not None else None, media=_FrameMedia(self, f))
                for f in active]

    # -- access -----------------------------------------------------------------------------

    @property
    def labels(self) -> Sequence[models.Label]:
        """The task's labels (skeleton points nested in ``sublabels``)."""
        return self._labels

    @property
    def samples(self) -> Sequence[Sample]:
        """The samples in frame order (frame numbers skip deleted frames)."""
        return self._samples

    @property
    def chunk_reader(self) -> ChunkReader:
        return self._reader

    def read_frame(self, frame: int) -> bytes:
        """The encoded bytes of task frame ``frame`` as uploaded."""
        if self._policy is MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND:
            assert self._client is not None
            return self._client.request("GET", f"/api/tasks/{self.task.id}/data/", params={
                "type": "frame", "number": frame, "quality": "original"}).data
        if self._policy is MediaDownloadPolicy.FETCH_CHUNKS_ON_DEMAND:
            self._ensure_chunk(frame // self._reader.chunk_size)
        return self._reader.read(frame)

    def load_image(self, frame: int) -> PIL.Image.Image:
        """Task frame ``frame`` decoded with Pillow (as stored: no mode conversion)."""
        if self._policy is MediaDownloadPolicy.PRELOAD_ALL:
            return self._reader.load_image(frame)
        image = PIL.Image.open(io.BytesIO(self.read_frame(frame)))
        image.load()
        return image

    def ensure_chunk(self, chunk: int) -> None:
        """Make sure chunk ``chunk`` (frames ``chunk * chunk_size …``) is in the cache.

        With ``FETCH_CHUNKS_ON_DEMAND`` a missing chunk is downloaded (streamed to disk; safe to
        call from several threads at once, each chunk is fetched once), which lets a caller
        prefetch chunks in parallel. Raises :class:`CacheMissError` when a chunk is missing and
        the dataset holds no client, and the client's errors when the download fails.
        """
        self._ensure_chunk(chunk)

    def _ensure_chunk(self, chunk: int) -> None:
        path = self._reader.chunk_path(chunk)
        if path.exists():
            return
        with self._chunk_lock:
            lock = self._chunk_locks.setdefault(chunk, threading.Lock())
        with lock:
            if not path.exists():
                if self._client is None:
                    raise CacheMissError(f"Chunk {chunk} of task {self.task.id} is not in the cache.")
                self._logger.info("Downloading chunk %d of task %s", chunk, self.task.id)
                download_chunk(self._client, self.task.id, chunk, path)

    @contextlib.contextmanager
    def iter_samples(self) -> Iterator[Iterator[Sample]]:
        """Iterate the samples; with ``FETCH_CHUNKS_ON_DEMAND`` the next chunk downloads while
        the current one is read."""
        if self._policy is not MediaDownloadPolicy.FETCH_CHUNKS_ON_DEMAND:
            yield iter(self._samples)
            return
        chunk_size = self._reader.chunk_size
        with ThreadPoolExecutor(1, thread_name_prefix="inklab-prefetch") as pool:
            def generate() -> Iterator[Sample]:
                chunks = sorted({s.frame_index // chunk_size for s in self._samples})
                upcoming = {k: pool.submit(self._ensure_chunk, k) for k in chunks[:2]}
                for i, k in enumerate(chunks):
                    upcoming.pop(k).result()
                    if i + 2 < len(chunks):
                        upcoming[chunks[i + 2]] = pool.submit(self._ensure_chunk, chunks[i + 2])
                    yield from (s for s in self._samples if s.frame_index // chunk_size == k)
            yield generate()

    def __len__(self) -> int:
        return len(self._samples)

    # -- pickling ---------------------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        if self._client is not None:
            raise TypeError("A dataset that downloads on demand cannot be pickled; use MediaDownloadPolicy.PRELOAD_ALL.")
        state = dict(self.__dict__)
        for key in ("_chunk_locks", "_chunk_lock", "_logger"):
            state.pop(key, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._chunk_locks = {}
        self._chunk_lock = threading.Lock()
        self._logger = logging.getLogger("inklab.sdk")
