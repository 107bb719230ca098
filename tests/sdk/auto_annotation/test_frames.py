"""Frames for the driver, read through the datasets cache: reuse across runs, order, modes, videos."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import PIL.Image
import pytest

import inklab.sdk.auto_annotation as aa
from inklab.sdk.auto_annotation._frames import TaskFrames
from inklab.sdk.client import HttpResponse, Transport
from inklab.sdk.datasets import CacheLayout
from tests.sdk.auto_annotation.marker import Marker
from tests.support.images import make_image

pytestmark = pytest.mark.live


class Recording:
    """Wraps a client's transport: records request paths; ``rewrite_task`` edits task JSON answers."""

    def __init__(self, inner: Transport, rewrite_task: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.inner = inner
        self.paths: list[str] = []
        self.rewrite_task = rewrite_task

    def send(self, request: Any, **kwargs: Any) -> HttpResponse:
        path = request.url.split("/api/", 1)[1]
        self.paths.append(f"{request.method} {path}")
        response = self.inner.send(request, **kwargs)
        if self.rewrite_task and request.method == "GET" and path.split("?")[0].rstrip("/").count("/") == 1 \
                and path.startswith("tasks/"):
            body = orjson.loads(response.data)
            self.rewrite_task(body)
            return HttpResponse(response.status, response.headers, request, data=orjson.dumps(body))
        return response

    def close(self) -> None:
        self.inner.close()

    def count(self, marker: str) -> int:
        return sum(marker in p for p in self.paths)


def record(client: Any, **kwargs: Any) -> Recording:
    client._transport = Recording(client._transport, **kwargs)
    return client._transport  # type: ignore[no-any-return]


def test_reruns_and_resumes_read_the_cached_chunks(client: Any, aa_task: Callable[..., Any]) -> None:
    task = aa_task(frames=7)  # chunks of 3: three chunks
    log = record(client)
    aa.annotate_task(client, task.id, Marker())
    assert log.count("type=chunk") == 3
    chunk_dir = CacheLayout(client.config.cache_dir, client.url).chunk_dir(task.id)
    assert sorted(p.name for p in chunk_dir.glob("*.zip")) == ["0.zip", "1.zip", "2.zip"]
    # The upload changed the task (its updated_date): its frames did not, and are not fetched again.
    log.paths.clear()
    assert aa.annotate_task(client, task.id, Marker(), clear_existing=True).frames == 7
    assert log.count("type=chunk") == 0 and log.count("type=frame") == 0
    broken = Marker(fail_on=task.get_meta().frames[4].name)
    with pytest.raises(RuntimeError):
        aa.annotate_task(client, task.id, broken, clear_existing=True)
    log.paths.clear()
    summary = aa.annotate_task(client, task.id, Marker(), clear_existing=True, resume=True)
    assert (summary.frames, summary.skipped) == (3, 4)
    assert log.count("type=chunk") == 0
    # A PyTorch-free dataset of the same task shares the cache.
    from inklab.sdk.datasets import TaskDataset

    log.paths.clear()
    assert len(TaskDataset(client, task.id, load_annotations=False)) == 7
    assert log.count("type=chunk") == 0


def test_prefetch_gives_the_frames_in_order(client: Any, aa_task: Callable[..., Any], image_dir: Path) -> None:
    task = aa_task(frames=10, chunk_size=4)
    task.remove_frames_by_ids([3])
    source = TaskFrames(client, task.id)
    files = sorted(image_dir.glob("*.png"))
    assert [s.frame_index for s in source.samples] == [0, 1, 2, 4, 5, 6, 7, 8, 9]
    wanted = [1, 2, 4, 5, 8, 9]
    frames = list(source.prefetch(wanted, slice_size=2, decoders=2, ahead=3))
    assert [f.index for f in frames] == wanted
    assert [f.name for f in frames] == [files[i].name for i in wanted]
    for frame in frames:
        assert frame.image.mode == "RGB"
        assert np.array_equal(np.asarray(frame.image), np.asarray(PIL.Image.open(files[frame.index])))
    stream = source.prefetch([0, 1, 2, 4, 5, 6, 7, 8, 9], slice_size=1)
    assert next(stream).index == 0
    stream.close()  # stops early without waiting for the rest
    with pytest.raises(ValueError, match=r"\[3\]"):
        list(source.prefetch([2, 3]))  # deleted
    job = TaskFrames(client, task.id, frames=range(4, 8))
    assert [s.frame_index for s in job.samples] == [4, 5, 6, 7]


def test_only_images_that_are_not_rgb_are_converted(client: Any, tmp_path: Path, monkeypatch: Any) -> None:
    paths = []
    for i, mode in enumerate(["L", "RGB", "RGBA", "P"]):
        path = tmp_path / f"mode_{i}.png"
        make_image(i, (16, 12), mode).save(path)
        paths.append(path)
    task = client.tasks.create_from_data({"name": "modes", "labels": [{"name": "x"}]}, paths,
                                         data_params={"chunk_size": 2})
    converted: list[str] = []
    original = PIL.Image.Image.convert

    def convert(self: PIL.Image.Image, mode: str | None = None, *args: Any, **kwargs: Any) -> PIL.Image.Image:
        converted.append(self.mode)
        return original(self, mode, *args, **kwargs)

    monkeypatch.setattr(PIL.Image.Image, "convert", convert)
    frames = list(TaskFrames(client, task.id).prefetch([0, 1, 2, 3]))
    assert [f.image.mode for f in frames] == ["RGB"] * 4
    assert sorted(converted) == ["L", "P", "RGBA"]
    assert np.array_equal(np.asarray(frames[0].image), np.asarray(PIL.Image.open(paths[0]).convert("RGB")))


def test_tasks_with_video_chunks_are_read_frame_by_frame(client: Any, aa_task: Callable[..., Any]) -> None:
    """CVAT servers keep a video task's original chunks as videos; inklab's server always makes
    image-set chunks, so the task's answer is rewritten here to look like such a task."""
    task = aa_task(frames=4)
    log = record(client, rewrite_task=lambda body: body.update(data_original_chunk_type="video"))
    summary = aa.annotate_task(client, task.id, Marker(batched=True))
    assert summary.frames == 4
    assert log.count("type=chunk") == 0 and log.count("type=frame") == 4
    shapes = client.get_json(f"/api/tasks/{task.id}/annotations/")["shapes"]
    assert sorted(s["frame"] for s in shapes if s["type"] == "rectangle") == [0, 1, 2, 3]
