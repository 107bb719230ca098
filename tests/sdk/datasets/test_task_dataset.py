"""The torch-free datasets layer against a live server: samples, cache, staleness, policies."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest
from PIL import Image

from inklab.sdk import Config, make_client
from inklab.sdk.client import HttpResponse, Transport
from inklab.sdk.datasets import (
    CacheLayout,
    CacheMissError,
    MediaDownloadPolicy,
    TaskDataset,
    TrackShape,
    UnsupportedDatasetError,
    UpdatePolicy,
)

pytestmark = pytest.mark.live


class Counting:
    """Wraps a client's transport and records the paths it requests."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.paths: list[str] = []

    def send(self, request: Any, **kwargs: Any) -> HttpResponse:
        self.paths.append(request.method + " " + request.url.split("/api/", 1)[1])
        return self.inner.send(request, **kwargs)

    def close(self) -> None:
        self.inner.close()


def counting(client: Any) -> Counting:
    client._transport = Counting(client._transport)
    return client._transport  # type: ignore[no-any-return]


@pytest.fixture
def annotated(make_task: Any) -> Any:
    """A 12-frame task (chunks of 5, jobs of 6) with tags, shapes and a track; frame 3 deleted."""
    task = make_task(12, segment_size=6)
    car, person, road, day, night = task.get_labels()
    task.set_annotations({
        "tags": [{"frame": 0, "label_id": day.id}, {"frame": 3, "label_id": night.id}],
        "shapes": [{"type": "rectangle", "frame": 1, "label_id": car.id, "points": [1, 2, 11, 12]},
                   {"type": "polygon", "frame": 1, "label_id": road.id, "points": [0, 0, 9, 0, 9, 9]}],
        "tracks": [{"frame": 2, "label_id": car.id, "shapes": [
            {"type": "rectangle", "frame": 2, "points": [0, 0, 10, 10]},
            {"type": "rectangle", "frame": 4, "points": [4, 4, 14, 14]}]}],
    })
    task.remove_frames_by_ids([3])
    return task


def test_samples_in_frame_order_without_deleted_frames(client: Any, annotated: Any, image_dir: Path) -> None:
    dataset = TaskDataset(client, annotated.id)
    assert [s.frame_index for s in dataset.samples] == [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11]
    sources = sorted(image_dir.glob("*.png"))
    assert [s.frame_name for s in dataset.samples] == [sources[i].name for i in (0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11)]
    for sample in dataset.samples:
        image = sample.media.load_image()
        assert np.array_equal(np.asarray(image), np.asarray(Image.open(sources[sample.frame_index])))
    by_frame = {s.frame_index: s.annotations for s in dataset.samples}
    assert [t.label_id for t in by_frame[0].tags] == [dataset.labels[3].id]
    assert [s.type.value for s in by_frame[1].shapes] == ["rectangle", "polygon"]
    # The track: keyframes on 2 and 4, frame 3 deleted, held on 5 (the job ends at 5), not on 6.
    assert [(s.points, s.keyframe) for s in by_frame[2].shapes] == [([0, 0, 10, 10], True)]
    assert [(s.points, s.keyframe) for s in by_frame[5].shapes] == [([4, 4, 14, 14], False)]
    assert all(isinstance(s, TrackShape) for f in (2, 4, 5) for s in by_frame[f].shapes)
    assert by_frame[6].shapes == [] and by_frame[6].tags == []
    assert [label.name for label in dataset.labels] == ["car", "person", "road", "day", "night"]
    without = TaskDataset(client, annotated.id, include_tracks=False)
    assert {s.frame_index: s.annotations.shapes for s in without.samples}[2] == []


def test_cache_layout_and_reuse(client: Any, annotated: Any) -> None:
    TaskDataset(client, annotated.id)
    task_dir = CacheLayout(client.config.cache_dir, client.url).task_dir(annotated.id)
    assert sorted(p.name for p in task_dir.iterdir()) == ["annotations.json", "chunks", "data_meta.json", "task.json"]
    assert sorted(p.name for p in (task_dir / "chunks").iterdir()) == ["0.zip", "1.zip", "2.zip", "stamp.json"]
    log = counting(client)
    again = TaskDataset(client, annotated.id)
    assert len(again) == 11
    # Only the staleness check and the label/job refresh: nothing else is downloaded again.
    assert sorted(p.split("?")[0] for p in log.paths) == ["GET jobs", "GET labels", f"GET tasks/{annotated.id}"]
    log.paths.clear()
    for sample in again.samples:
        sample.media.load_image()
    assert log.paths == []  # no network after construction


def test_annotation_change_makes_the_cache_stale(client: Any, annotated: Any) -> None:
    first = TaskDataset(client, annotated.id)
    assert {s.frame_index: len(s.annotations.shapes) for s in first.samples}[7] == 0
    car = first.labels[0]
    annotated.update_annotations({"shapes": [{"type": "rectangle", "frame": 7, "label_id": car.id,
                                              "points": [0, 0, 3, 3]}]}, action="create")
    log = counting(client)
    second = TaskDataset(client, annotated.id)
    assert {s.frame_index: len(s.annotations.shapes) for s in second.samples}[7] == 1
    assert any(p.startswith(f"GET tasks/{annotated.id}/annotations/") for p in log.paths)
    assert any(p.startswith(f"GET tasks/{annotated.id}/data/meta") for p in log.paths)
    # The frames did not change (same chunks_updated_date): the cached chunks are kept.
    assert sum("type=chunk" in p for p in log.paths) == 0
    annotated.remove_frames_by_ids([3, 8])
    assert [s.frame_index for s in TaskDataset(client, annotated.id).samples][3:7] == [4, 5, 6, 7]


def test_chunks_are_discarded_when_the_frames_changed(client: Any, annotated: Any) -> None:
    TaskDataset(client, annotated.id)
    chunk_dir = CacheLayout(client.config.cache_dir, client.url).chunk_dir(annotated.id)
    stamp = orjson.loads((chunk_dir / "stamp.json").read_bytes())
    assert stamp == {"chunks_updated_date": client.get_json(f"/api/tasks/{annotated.id}/data/meta")[
        "chunks_updated_date"]}
    # As if the data had been replaced since: the recorded date is not the server's any more.
    (chunk_dir / "stamp.json").write_bytes(orjson.dumps({"chunks_updated_date": "2001-01-01T00:00:00Z"}))
    (chunk_dir / "1.zip").write_bytes(b"old frames")
    log = counting(client)
    dataset = TaskDataset(client, annotated.id)
    assert sum("type=chunk" in p for p in log.paths) == 3
    assert dataset.load_image(6).size == (40, 30)
    # A stamp that cannot be read counts as a change too; a task change alone keeps the chunks.
    (chunk_dir / "stamp.json").write_bytes(b"{not json")
    log.paths.clear()
    TaskDataset(client, annotated.id, media_download_policy=MediaDownloadPolicy.FETCH_CHUNKS_ON_DEMAND)
    assert list(chunk_dir.glob("*.zip")) == []


def test_never_policy_works_with_the_server_stopped(server_factory: Any, image_dir: Path, tmp_path: Path) -> None:
    server = server_factory()
    config = Config(status_check_period=0.05, cache_dir=tmp_path / "cache")
    with make_client(server.url, credentials=server.admin, config=config) as client:
        task = client.tasks.create_from_data({"name": "offline", "labels": [{"name": "car"}]},
                                             sorted(image_dir.glob("*.png"))[:4], data_params={"chunk_size": 3})
        task.set_annotations({"shapes": [{"type": "points", "frame": 2, "label_id": task.get_labels()[0].id,
                                          "points": [1, 1]}]})
        online = TaskDataset(client, task.id)
        with pytest.raises(CacheMissError):
            TaskDataset(client, task.id + 1, update_policy=UpdatePolicy.NEVER)
    server.stop()
    from inklab.sdk import Client, TransportError

    with pytest.raises(TransportError):
        TaskDataset(client, task.id)  # the default policy asks the server
    offline_client = Client(server.url, config=config, check_server_version=False)
    offline = TaskDataset(offline_client, task.id, update_policy=UpdatePolicy.NEVER)
    assert [s.frame_index for s in offline.samples] == [s.frame_index for s in online.samples]
    assert offline.samples[2].annotations.shapes[0].points == [1, 1]
    assert np.array_equal(np.asarray(offline.load_image(3)), np.asarray(online.load_image(3)))
    with pytest.raises(ValueError):
        TaskDataset(offline_client, task.id, update_policy=UpdatePolicy.NEVER,
                    media_download_policy=MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND)
    chunk = CacheLayout(config.cache_dir, server.url).chunk_dir(task.id) / "1.zip"
    chunk.unlink()
    with pytest.raises(CacheMissError, match=r"Chunks \[1\]"):
        TaskDataset(offline_client, task.id, update_policy=UpdatePolicy.NEVER)


def test_on_demand_policies_and_frame_subsets(client: Any, annotated: Any) -> None:
    chunks = TaskDataset(client, annotated.id, media_download_policy=MediaDownloadPolicy.FETCH_CHUNKS_ON_DEMAND)
    chunk_dir = CacheLayout(client.config.cache_dir, client.url).chunk_dir(annotated.id)
    assert not list(chunk_dir.glob("*.zip"))
    with chunks.iter_samples() as samples:
        sizes = [s.media.load_image().size for s in samples]
    assert len(sizes) == 11 and sorted(p.name for p in chunk_dir.glob("*.zip")) == ["0.zip", "1.zip", "2.zip"]
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(chunks)
    frames = TaskDataset(client, annotated.id, media_download_policy=MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND,
                         load_annotations=False)
    assert frames.samples[0].annotations is None and frames.load_image(11).size == (40, 30)
    job = TaskDataset(client, annotated.id, frames=range(6, 12))
    assert [s.frame_index for s in job.samples] == [6, 7, 8, 9, 10, 11]


def test_pickled_dataset_reads_the_same_frames(client: Any, annotated: Any) -> None:
    dataset = TaskDataset(client, annotated.id)
    copy = pickle.loads(pickle.dumps(dataset))
    assert copy.read_frame(9) == dataset.read_frame(9)
    assert copy.samples[1].annotations == dataset.samples[1].annotations


def test_task_without_data(client: Any) -> None:
    task = client.tasks.create({"name": "empty", "labels": [{"name": "a"}]})
    with pytest.raises(UnsupportedDatasetError, match="no data"):
        TaskDataset(client, task.id)
