"""Turning gathered files into a task's frames (the ``create:task`` background request).

The frames are checked (each must be an image of a frame format, within the pixel limit, and
decode: :mod:`.images`), ordered by ``sorting_method``, cut by
``start_frame``/``stop_frame``/``frame_filter``, and written to a staging directory;
only when everything succeeded are the frame rows, task fields and jobs committed and
the staging directory renamed into place. A failure leaves the task without data and
without files, and the request's message names the file at fault.
"""

from __future__ import annotations

import logging
import mimetypes
import random
import shutil
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from inklab.server.api.integers import UINT32, Range, parse_int
from inklab.server.errors import Conflict, InvalidInput
from inklab.server.media import blobstore, images, sources
from inklab.server.media.models import Frame
from inklab.server.media.rendering import encode_jpeg, preview_file
from inklab.server.media.sources import MediaFile
from inklab.server.media.storage import TaskStorage
from inklab.server.projects.models import Job, Task, touch
from inklab.server.projects.services import create_jobs, create_replicas
from inklab.server.projects.validation import create_validation_job
from inklab.vocabulary import ChunkType, MediaType, SortingMethod, TaskMode

__all__ = ["CHUNK_SIZE", "QUALITY", "DataParams", "frame_step", "ingest"]

logger = logging.getLogger(__name__)

ProgressFn = Callable[[float], None]


#: The ranges of ``image_quality`` and ``chunk_size`` (frames per chunk, a 32-bit column).
QUALITY: Range = (1, 100)
CHUNK_SIZE: Range = (1, UINT32[1])


def _integer(data: dict[str, Any], key: str, default: int | None, bounds: Range) -> int | None:
    """``data[key]`` as an integer within ``bounds`` (``default`` when absent); errors keyed by ``key``."""
    value = data.get(key)
    if value is None or value == "":
        return default
    try:
        return parse_int(value, key, bounds)
    except InvalidInput as exc:
        raise InvalidInput({key: [exc.detail]}) from exc


def _names(data: dict[str, Any], key: str) -> tuple[str, ...]:
    """A list of file names or URLs: strings, none empty or holding a NUL character."""
    value = data.get(key) or ()
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise InvalidInput({key: ["Expected a list of strings."]})
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip() or "\x00" in item:
            raise InvalidInput({key: [f"Item {index} must be a non-empty string without NUL characters."]})
    return tuple(value)


@dataclass(frozen=True)
class DataParams:
    """The ``DataRequest`` fields that shape a task's frames."""

    image_quality: int = 70
    chunk_size: int | None = None
    sorting_method: str = SortingMethod.LEXICOGRAPHICAL
    start_frame: int = 0
    stop_frame: int | None = None
    frame_step: int = 1
    upload_file_order: tuple[str, ...] = ()
    job_file_mapping: tuple[tuple[str, ...], ...] = ()
    server_files: tuple[str, ...] = ()
    remote_files: tuple[str, ...] = ()
    #: the cloud storage ``server_files`` name objects of (else they are in the server share)
    cloud_storage_id: int | None = None
    #: checked ``validation_params`` (mode ``gt``): the ground-truth job to make with the jobs
    validation: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_request(cls, data: dict[str, Any]) -> DataParams:
        """The parameters of a data request (or of a restored task), checked; InvalidInput names
        the parameter at fault."""
        step = frame_step(str(data.get("frame_filter") or ""))
        quality = _integer(data, "image_quality", 70, QUALITY)
        chunk_size = _integer(data, "chunk_size", None, CHUNK_SIZE)
        start = _integer(data, "start_frame", 0, UINT32) or 0
        stop = _integer(data, "stop_frame", None, UINT32)
        method = data.get("sorting_method") or SortingMethod.LEXICOGRAPHICAL
        if method not in set(SortingMethod):
            raise InvalidInput(f"Unknown sorting_method '{method}'.")
        if start < 0 or (stop is not None and stop < start):
            raise InvalidInput(f"Invalid frame range: start_frame={start}, stop_frame={stop}.")
        return cls(
            image_quality=quality,
            chunk_size=chunk_size,
            sorting_method=method,
            start_frame=start,
            stop_frame=stop,
            frame_step=step,
            upload_file_order=tuple(data.get("upload_file_order") or ()),
            job_file_mapping=tuple(tuple(job) for job in data.get("job_file_mapping") or ()),
            server_files=_names(data, "server_files"),
            remote_files=_names(data, "remote_files"),
            cloud_storage_id=_integer(data, "cloud_storage_id", None, (1, UINT32[1])),
            validation=dict(data["validation_params"]) if data.get("validation_params") else None,
        )

    @property
    def frame_filter(self) -> str:
        return f"step={self.frame_step}" if self.frame_step > 1 else ""


def frame_step(frame_filter: str) -> int:
    """The step of a ``frame_filter`` ("" or ``step=N`` with N >= 1)."""
    if not frame_filter:
        return 1
    key, _, value = frame_filter.partition("=")
    if key.strip() != "step" or not value.strip().isdigit() or int(value) < 1:
        raise InvalidInput(f"frame_filter must look like 'step=N' with N >= 1, got '{frame_filter}'.")
    return int(value)


@dataclass(frozen=True)
class _Checked:
    source: MediaFile
    width: int
    height: int
    mime: str
    ext: str


def _check_image(item: MediaFile) -> _Checked:
    info = images.check_image(item.path, item.name)
    ext = PurePosixPath(item.name).suffix.lower() or mimetypes.guess_extension(info.mime) or ""
    return _Checked(item, info.width, info.height, info.mime, ext)


def _order(files: list[MediaFile], params: DataParams, seed: int) -> list[MediaFile]:
    names = [f.name for f in files]
    duplicates = sorted({n for n in names if names.count(n) > 1}) if len(set(names)) != len(names) else []
    if duplicates:
        raise InvalidInput(f"Several files are named '{duplicates[0]}'; frame names must be unique.")
    if params.job_file_mapping:
        by_name = {f.name: f for f in files}
        ordered = []
        for job in params.job_file_mapping:
            for name in job:
                if name not in by_name:
                    raise InvalidInput(f"job_file_mapping names '{name}', which was not uploaded.")
                ordered.append(by_name.pop(name))
        if by_name:
            raise InvalidInput(f"job_file_mapping does not place '{sorted(by_name)[0]}' in any job.")
        return ordered
    method = params.sorting_method
    if method == SortingMethod.LEXICOGRAPHICAL:
        return sorted(files, key=lambda f: f.name)
    if method == SortingMethod.NATURAL:
        return sorted(files, key=lambda f: sources.natural_key(f.name))
    if method == SortingMethod.RANDOM:
        shuffled = sorted(files, key=lambda f: f.name)
        random.Random(seed).shuffle(shuffled)
        return shuffled
    if params.upload_file_order:
        position = {name: i for i, name in enumerate(params.upload_file_order)}
        missing = [f.name for f in files if PurePosixPath(f.name).name not in position and f.name not in position]
        if missing:
            raise InvalidInput(f"'{missing[0]}' is not listed in upload_file_order.")
        return sorted(files, key=lambda f: position.get(f.name, position.get(PurePosixPath(f.name).name, 0)))
    return files  # predefined without a list: the order the files were given in


def _default_chunk_size(width: int, height: int) -> int:
    pixels = width * height
    if pixels <= 1920 * 1080:
        return 36
    if pixels <= 3840 * 2160:
        return 12
    return 4


def _select(items: Sequence[Any], params: DataParams) -> list[Any]:
    stop = len(items) - 1 if params.stop_frame is None else min(params.stop_frame, len(items) - 1)
    return list(items[params.start_frame:stop + 1:params.frame_step])


def _decode_video(item: MediaFile, staging: Path, params: DataParams, progress: ProgressFn) -> list[_Checked]:
    try:
        import av
    except ImportError as exc:  # pragma: no cover - av is a server dependency
        raise InvalidInput("Video tasks need PyAV ('pip install av').") from exc
    frames: list[_Checked] = []
    try:
        with av.open(str(item.path)) as container:
            stream = container.streams.video[0]
            images.check_size(item.name, stream.codec_context.width, stream.codec_context.height)
            total = stream.frames or 0
            index = -1
            for frame in container.decode(stream):
                index += 1
                if index < params.start_frame:
                    continue
                if params.stop_frame is not None and index > params.stop_frame:
                    break
                if (index - params.start_frame) % params.frame_step:
                    continue
                image = frame.to_image()
                name = f"frame_{index:06d}.jpg"
                path = staging / "video" / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(encode_jpeg(image, 95))
                frames.append(_Checked(MediaFile(name, path), image.width, image.height, "image/jpeg", ".jpg"))
                if total:
                    progress(0.8 * min(index / total, 1.0))
    except (av.error.FFmpegError, IndexError, OSError) as exc:  # type: ignore[attr-defined]
        logger.info("Video %s could not be decoded: %s", item.name, exc)
        raise InvalidInput(f"'{item.name}' is not a readable video: it cannot be decoded (an unknown format, "
                           "or a damaged file).") from exc
    if not frames:
        raise InvalidInput(f"'{item.name}' has no frames in the selected range.")
    return frames


def gather(task: Task, params: DataParams, workdir: Path) -> list[MediaFile]:
    """All input files of the task's data request, archives expanded."""
    storage = TaskStorage(task.pk)
    files: list[MediaFile] = []
    blobstore.local_tree(storage.upload_dir)  # uploaded through another machine's server
    if storage.upload_dir.is_dir():
        for path in sorted(storage.upload_dir.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                # Uploaded files are stored as "<arrival index>_<name>" to keep their order.
                files.append(MediaFile(path.name.split("_", 1)[1], path))
    if params.server_files and params.cloud_storage_id is not None:
        files.extend(_from_cloud(params.cloud_storage_id, params.server_files, workdir / "cloud"))
    elif params.server_files:
        files.extend(sources.resolve_share(Path(settings.SHARE_ROOT), params.server_files))
    if params.remote_files:
        files.extend(sources.fetch_remote(params.remote_files, workdir / "remote"))
    if not files:
        raise InvalidInput("No files were uploaded or selected for this task.")
    files = sources.expand_archives(files, workdir / "unpacked")
    files = [f for f in files if not f.name.endswith(".jsonl")]  # CVAT manifests: the files speak for themselves
    for item in files:
        if not (item.is_image or item.is_video):
            raise InvalidInput(f"'{item.name}' is neither an image, a video nor an archive.")
    return files


def _from_cloud(storage_id: int, entries: Sequence[str], workdir: Path) -> list[MediaFile]:
    """Download the objects ``entries`` name (objects, folders ending with '/', manifests); the
    frames are copies, so the task does not depend on the bucket afterwards."""
    from inklab.server.cloud import services as cloud
    from inklab.server.cloud.models import CloudStorage

    storage = CloudStorage.objects.filter(pk=storage_id).first()
    if storage is None:
        raise InvalidInput(f"Cloud storage {storage_id} was deleted before the task's data was processed.")
    names = cloud.expand_entries(storage, list(entries))
    if not names:
        raise InvalidInput(f"Cloud storage {storage_id} ('{storage.display_name}') has no files under "
                           f"{', '.join(entries)}.")
    budget = [sources.Limits().max_bytes]
    files = [MediaFile(name, workdir / str(index) / PurePosixPath(name).name) for index, name in enumerate(names)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda item: cloud.download(storage, item.name, item.path, budget), files))
    return files


def ingest(task: Task, params: DataParams, progress: ProgressFn) -> None:
    """Create the task's frames and jobs from its uploaded/selected files."""
    if task.has_data:
        raise Conflict(f"Task {task.pk} already has data; create a new task for other files.")
    storage = TaskStorage(task.pk)
    workdir = storage.root / "work"
    staging = storage.root / "staging"
    shutil.rmtree(workdir, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    storage.clear_data()  # nothing derived from another attempt may survive
    try:
        files = gather(task, params, workdir)
        progress(0.1)
        videos = [f for f in files if f.is_video]
        if videos:
            if len(files) != 1:
                raise InvalidInput("A task holds either one video or images, not "
                                   f"{'several videos' if len(videos) > 1 else 'a video and images'}.")
            checked = _decode_video(videos[0], staging, params, lambda f: progress(0.1 + f))
            media_type = MediaType.VIDEO
        else:
            ordered = _order(files, params, seed=task.pk)
            if not params.job_file_mapping:
                ordered = _select(ordered, params)
            if not ordered:
                raise InvalidInput("The selected frame range is empty.")
            with ThreadPoolExecutor(max_workers=4) as pool:
                checked = []
                for i, result in enumerate(pool.map(_check_image, ordered)):
                    checked.append(result)
                    if i % 64 == 0:
                        progress(0.1 + 0.7 * i / len(ordered))
            media_type = MediaType.IMAGE
        frames_dir = staging / "frames"
        frames_dir.mkdir(parents=True, exist_ok=True)
        rows = []
        for number, item in enumerate(checked):
            file = f"{number}{item.ext}"
            sources.move_or_copy(item.source.path, frames_dir / file,
                                 move=item.source.path.is_relative_to(storage.root))
            rows.append(Frame(task=task, number=number, name=item.source.name, width=item.width,
                              height=item.height, file=file, mime_type=item.mime))
        progress(0.9)
        # into the shared media store before the frames exist for anyone (no-op without one)
        blobstore.publish_tree(frames_dir, as_directory=storage.frames_dir)
        _commit(task, params, rows, media_type, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(storage.upload_dir, ignore_errors=True)
        blobstore.forget_tree(storage.upload_dir)
    first = Frame.objects.filter(task=task).order_by("number").first()
    if first is not None:
        try:
            preview_file(task, first)
        except (OSError, blobstore.MediaStoreError):
            logger.warning("Could not render the preview of task %s", task.pk, exc_info=True)


def _commit(task: Task, params: DataParams, rows: list[Frame], media_type: str, staging: Path) -> None:
    storage = TaskStorage(task.pk)
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.has_data:
            raise Conflict(f"Task {task.pk} already has data.")
        Frame.objects.bulk_create(rows, batch_size=2000)
        task.has_data = True
        task.size = len(rows)
        task.image_quality = params.image_quality
        task.chunk_size = params.chunk_size or _default_chunk_size(rows[0].width, rows[0].height)
        task.sorting_method = params.sorting_method
        task.start_frame = params.start_frame
        task.stop_frame = params.stop_frame if params.stop_frame is not None else params.start_frame + (
            len(rows) - 1) * params.frame_step
        task.frame_filter = params.frame_filter
        task.media_type = media_type
        task.mode = TaskMode.INTERPOLATION if media_type == MediaType.VIDEO else TaskMode.ANNOTATION
        task.original_chunk_type = ChunkType.IMAGESET
        task.compressed_chunk_type = ChunkType.IMAGESET
        task.chunks_updated_date = timezone.now()
        task.deleted_frames = []
        if params.job_file_mapping:
            task.segment_size = 0
        task.save()
        if params.cloud_storage_id is not None:
            from inklab.server.cloud.defaults import record_data_source

            record_data_source(task.pk, params.cloud_storage_id)
        if params.job_file_mapping:
            _create_mapped_jobs(task, params.job_file_mapping)
        else:
            create_jobs(task)
        if params.validation:
            create_validation_job(task, params.validation, {row.name: row.number for row in rows})
        touch(task, task.project)
        storage.frames_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(storage.frames_dir, ignore_errors=True)
        (staging / "frames").rename(storage.frames_dir)
    shutil.rmtree(staging, ignore_errors=True)


def _create_mapped_jobs(task: Task, mapping: Sequence[Sequence[str]]) -> None:
    start = 0
    jobs = []
    for names in mapping:
        if not names:
            raise InvalidInput("job_file_mapping contains an empty job.")
        jobs.append(Job(task=task, start_frame=start, stop_frame=start + len(names) - 1))
        start += len(names)
    create_replicas(task, Job.objects.bulk_create(jobs))
