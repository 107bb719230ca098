"""Running a detection function over a task or a job and uploading what it finds.

Compared with the reference driver, which fetches and decodes one frame at a time and
uploads everything at the end, this one:

* reads frames through the SDK's dataset cache (:mod:`inklab.sdk.datasets`, under
  ``Config.cache_dir``), so chunks cached by an earlier or interrupted run are not downloaded
  again; it downloads the next chunks in parallel and decodes the next frames in background
  threads while the function works (:mod:`._frames`), and hands functions that implement
  ``detect_batch`` whole batches (:mod:`._running`);
* uploads results in the background every few seconds (``PATCH ...?action=create``; with
  ``clear_existing`` the first upload is a ``PUT`` that replaces what was there), so an
  error or Ctrl-C after N frames keeps the first N frames' results (what was finished is
  uploaded before the error is raised again);
* records uploaded frames on the local disk (:mod:`._journal`), so that ``resume=True``
  skips the frames a previous run of the same function finished, without duplicating
  shapes: objects of an upload that was in flight when that run died are removed first.

Every result is checked (:class:`._mapping.LabelMapper`); a protocol violation raises
:class:`BadFunctionError` naming the frame, the object, its label and the reason.

With ``tracks=True`` the rectangles found are linked into tracks across frames by overlap
(:func:`inklab.sdk.auto_annotation.functions.iou_tracker.link_tracks`); results are then kept
until the last frame and uploaded at once (no ``resume``).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from inklab.sdk import Client, NullProgressReporter, ProgressReporter, models
from inklab.sdk.auto_annotation._frames import TaskFrames
from inklab.sdk.auto_annotation._journal import Journal, function_fingerprint
from inklab.sdk.auto_annotation._mapping import LabelMapper
from inklab.sdk.auto_annotation._running import batch_size_of, check_function, detections
from inklab.sdk.auto_annotation.interface import DetectionFunction

__all__ = ["AnnotationSummary", "annotate_job", "annotate_task"]

logger = logging.getLogger(__name__)

_UPLOAD_INTERVAL = 3.0  # seconds of results per upload
_UPLOAD_MAX_FRAMES = 500


@dataclass(frozen=True)
class AnnotationSummary:
    """What a run did: frames processed and skipped (``resume``), objects uploaded."""

    frames: int
    skipped: int
    tags: int
    shapes: int


@dataclass
class _Scope:
    """A task, or a job of it: where frames come from and annotations go."""

    path: str  # /api/tasks/1 or /api/jobs/3
    key: str  # journal folder name
    source: TaskFrames

    @property
    def frames(self) -> list[int]:
        return [sample.frame_index for sample in self.source.samples]

    @property
    def labels(self) -> list[models.Label]:
        return list(self.source.labels)


def _task_scope(client: Client, task_id: int) -> _Scope:
    return _Scope(f"/api/tasks/{task_id}", f"task_{task_id}", TaskFrames(client, task_id))


def _job_scope(client: Client, job_id: int) -> _Scope:
    job = client.get_json(f"/api/jobs/{int(job_id)}")
    frames = range(int(job["start_frame"]), int(job["stop_frame"]) + 1)
    return _Scope(f"/api/jobs/{job_id}", f"job_{job_id}", TaskFrames(client, int(job["task_id"]), frames))


class _Uploader:
    """Uploads batches of results in order, in one background thread, journaling each."""

    def __init__(self, client: Client, scope: _Scope, journal: Journal, *, replace_first: bool) -> None:
        self._client = client
        self._path = f"{scope.path}/annotations/"
        self._journal = journal
        self._replace_next = replace_first
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inklab-aa-upload")
        self._inflight: deque[Future[None]] = deque()
        self.tags = 0
        self.shapes = 0

    def _send(self, frames: list[int], tags: list[Any], shapes: list[Any], replace: bool) -> None:
        self._journal.start(frames)
        payload = {"tags": tags, "shapes": shapes}
        # The answer (the objects created, with their ids) is not needed: it is not parsed.
        if replace:
            self._client.request("PUT", self._path, json={**payload, "tracks": []}).close()
        else:
            self._client.request("PATCH", self._path, json=payload, params={"action": "create"}).close()
        self._journal.finish(frames, cleared=replace)
        logger.debug("Uploaded %d tags and %d shapes of %d frames", len(tags), len(shapes), len(frames))

    def submit(self, frames: list[int], tags: list[Any], shapes: list[Any]) -> None:
        if not frames and not self._replace_next:
            return
        replace, self._replace_next = self._replace_next, False
        self.tags += len(tags)
        self.shapes += len(shapes)
        self._inflight.append(self._executor.submit(self._send, frames, tags, shapes, replace))
        while len(self._inflight) > 2:  # do not let results pile up if the server is slow
            self._inflight.popleft().result()
        while self._inflight and self._inflight[0].done():
            self._inflight.popleft().result()

    def drain(self) -> None:
        while self._inflight:
            self._inflight.popleft().result()

    def close(self) -> None:
        self._executor.shutdown(wait=True)


def _recover(client: Client, scope: _Scope, journal: Journal, mapper: LabelMapper) -> None:
    """Remove what an interrupted upload may have left on its frames, so they can be redone."""
    pending, ours = journal.pending, mapper.task_label_ids
    data = client.get_json(f"{scope.path}/annotations/")
    doomed = {key: [obj for obj in data.get(key, []) if obj.get("source") == "auto" and obj.get("frame") in pending
                    and obj.get("label_id") in ours] for key in ("tags", "shapes")}
    if doomed["tags"] or doomed["shapes"]:
        logger.info("Removing %d objects of an interrupted upload before resuming",
                    len(doomed["tags"]) + len(doomed["shapes"]))
        client.send_json("PATCH", f"{scope.path}/annotations/", {**doomed, "tracks": []}, params={"action": "delete"})
    journal.forget_pending()


def _check_arguments(function: object, conf_threshold: float | None) -> None:
    if conf_threshold is not None and not 0.0 <= conf_threshold <= 1.0:
        raise ValueError(f"conf_threshold must be None or a number between 0 and 1, got {conf_threshold}")
    check_function(function)


def _run_tracks(client: Client, scope: _Scope, function: DetectionFunction, mapper: LabelMapper, *,
                pbar: ProgressReporter | None, clear_existing: bool, conf_threshold: float | None,
                conv_mask_to_poly: bool, size: int) -> AnnotationSummary:
    from inklab.sdk.auto_annotation.functions.iou_tracker import link_tracks

    per_frame: list[tuple[int, list[Any]]] = []
    tags: list[Any] = []
    frames = scope.source.prefetch(scope.frames, slice_size=min(size, 16) if size > 1 else 4)
    reporter = pbar or NullProgressReporter()
    try:
        with reporter.task(total=len(scope.frames), unit="frames"):
            for results in detections(function, frames, mapper, batch_size=size, conf_threshold=conf_threshold,
                                      conv_mask_to_poly=conv_mask_to_poly):
                for frame, frame_tags, shapes in results:
                    tags.extend(frame_tags)
                    per_frame.append((frame, shapes))
                reporter.advance(len(results))
    finally:
        frames.close()
    tracks, shapes = link_tracks(per_frame)
    payload = {"tags": tags, "shapes": shapes, "tracks": tracks}
    if clear_existing:
        client.request("PUT", f"{scope.path}/annotations/", json=payload).close()
    else:
        client.request("PATCH", f"{scope.path}/annotations/", json=payload, params={"action": "create"}).close()
    logger.info("Linked the boxes of %d frames into %d tracks", len(per_frame), len(tracks))
    return AnnotationSummary(len(per_frame), 0, len(tags), len(shapes) + sum(len(t["shapes"]) for t in tracks))


def _run(client: Client, scope: _Scope, function: DetectionFunction, *, pbar: ProgressReporter | None,
         clear_existing: bool, allow_unmatched_labels: bool, conf_threshold: float | None,
         conv_mask_to_poly: bool, batch_size: int | None, resume: bool, tracks: bool = False) -> AnnotationSummary:
    mapper = LabelMapper(function.spec, scope.labels, allow_unmatched_labels=allow_unmatched_labels,
                         conv_mask_to_poly=conv_mask_to_poly, logger=logger)
    if tracks:
        if resume:
            raise ValueError("resume cannot be combined with tracks=True (tracks are linked over the whole task)")
        return _run_tracks(client, scope, function, mapper, pbar=pbar, clear_existing=clear_existing,
                           conf_threshold=conf_threshold, conv_mask_to_poly=conv_mask_to_poly,
                           size=batch_size_of(function, batch_size))
    settings = {"scope": scope.key, "conf_threshold": conf_threshold, "conv_mask_to_poly": conv_mask_to_poly,
                "allow_unmatched_labels": allow_unmatched_labels}
    path = Journal.location(client.config.cache_dir, client.url, scope.key, function_fingerprint(function, settings))
    journal = Journal.load(path) if resume else Journal(path)
    if resume and journal.pending:
        _recover(client, scope, journal, mapper)
    elif not resume:
        journal.reset()
    all_frames = scope.frames
    todo = [f for f in all_frames if f not in journal.done]
    skipped = len(all_frames) - len(todo)
    if skipped:
        logger.info("Resuming: %d of %d frames were done by an earlier run", skipped, len(all_frames))

    size = batch_size_of(function, batch_size)
    uploader = _Uploader(client, scope, journal, replace_first=clear_existing and not (resume and journal.cleared))
    reporter = pbar or NullProgressReporter()
    buffered: tuple[list[int], list[Any], list[Any]] = ([], [], [])
    last_upload = time.monotonic()

    def flush() -> None:
        # The batch is handed over before submitting: if submit raises (an earlier upload failed),
        # the clean-up's flush must not send the same frames a second time.
        nonlocal buffered, last_upload
        batch, buffered, last_upload = buffered, ([], [], []), time.monotonic()
        uploader.submit(*batch)

    frames = scope.source.prefetch(todo, slice_size=min(size, 16) if size > 1 else 4)
    processed = 0
    try:
        with reporter.task(total=len(todo), unit="frames"):
            for results in detections(function, frames, mapper, batch_size=size, conf_threshold=conf_threshold,
                                      conv_mask_to_poly=conv_mask_to_poly):
                for frame, tags, shapes in results:
                    buffered[0].append(frame)
                    buffered[1].extend(tags)
                    buffered[2].extend(shapes)
                processed += len(results)
                reporter.advance(len(results))
                if len(buffered[0]) >= _UPLOAD_MAX_FRAMES or time.monotonic() - last_upload >= _UPLOAD_INTERVAL:
                    flush()
            flush()
            uploader.drain()
    except BaseException:
        # Keep the finished frames' results (a rerun with resume=True continues from there).
        try:
            flush()
            uploader.drain()
        except Exception:  # noqa: BLE001 - the original error is the one to report
            logger.exception("Could not upload the results of the frames finished before the error")
        raise
    finally:
        frames.close()
        uploader.close()
    return AnnotationSummary(processed, skipped, uploader.tags, uploader.shapes)


def annotate_task(client: Client, task_id: int, function: DetectionFunction, *, pbar: ProgressReporter | None = None,
                  clear_existing: bool = False, allow_unmatched_labels: bool = False,
                  conf_threshold: float | None = None, conv_mask_to_poly: bool = False,
                  batch_size: int | None = None, resume: bool = False, tracks: bool = False) -> AnnotationSummary:
    """Run ``function`` over every frame of task ``task_id`` and upload its results.

    Labels (and skeleton points and attributes) are matched by name; a function label
    with no task label is an error unless ``allow_unmatched_labels`` (then its results are
    dropped). Existing annotations are kept, unless ``clear_existing``. ``conf_threshold``
    (None or 0..1) and ``conv_mask_to_poly`` are passed to the function in its context.
    ``batch_size`` overrides the function's own for ``detect_batch``. ``resume`` skips the
    frames that an earlier run of the same function (same spec and settings) finished on
    this machine. ``tracks`` links the rectangles found into tracks across frames (see the module
    docstring). Raises :class:`BadFunctionError` for a protocol violation, ``ValueError``
    for a bad threshold, and the SDK's errors for server problems.
    """
    _check_arguments(function, conf_threshold)
    return _run(client, _task_scope(client, task_id), function, pbar=pbar, clear_existing=clear_existing,
                allow_unmatched_labels=allow_unmatched_labels, conf_threshold=conf_threshold,
                conv_mask_to_poly=conv_mask_to_poly, batch_size=batch_size, resume=resume, tracks=tracks)


def annotate_job(client: Client, job_id: int, function: DetectionFunction, *, pbar: ProgressReporter | None = None,
                 clear_existing: bool = False, allow_unmatched_labels: bool = False,
                 conf_threshold: float | None = None, conv_mask_to_poly: bool = False,
                 batch_size: int | None = None, resume: bool = False, tracks: bool = False) -> AnnotationSummary:
    """Like :func:`annotate_task` for the frames of one job; ``clear_existing`` clears that job only."""
    _check_arguments(function, conf_threshold)
    return _run(client, _job_scope(client, job_id), function, pbar=pbar, clear_existing=clear_existing,
                allow_unmatched_labels=allow_unmatched_labels, conf_threshold=conf_threshold,
                conv_mask_to_poly=conv_mask_to_poly, batch_size=batch_size, resume=resume, tracks=tracks)

