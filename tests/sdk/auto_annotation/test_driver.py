"""``annotate_task`` / ``annotate_job`` against a live server: results, batches, uploads, resume."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import inklab.sdk.auto_annotation as aa
from tests.sdk.auto_annotation.conftest import by_type
from tests.sdk.auto_annotation.marker import Marker, expected_color

pytestmark = pytest.mark.live


def _check(client: Any, task: Any, frames: list[int], copies: int = 1) -> None:
    labels = {label.name: label for label in task.get_labels()}
    found = by_type(client, task.id)
    assert [s["frame"] for s in found["rectangle"]] == sorted(frames * copies)
    color_id = labels["car"].attributes[0].id
    for box in found["rectangle"]:
        assert box["label_id"] == labels["car"].id and box["points"] == [0.0, 0.0, 5.0, 3.0]
        assert box["attributes"] == [{"spec_id": color_id, "value": expected_color(box["frame"])}]
        assert box["source"] == "auto"
    points = {p.id: p.name for p in labels["person"].sublabels}
    for skeleton in found["skeleton"]:
        elements = {points[e["label_id"]]: e for e in skeleton["elements"]}
        assert elements["head"]["points"] == [0.0, 0.0] and elements["hand"]["outside"]
        assert {e["source"] for e in skeleton["elements"]} == {"auto"}
    assert [t["frame"] for t in found["tags"]] == sorted(frames * copies)
    assert {t["label_id"] for t in found["tags"]} == {labels["scene"].id}


def test_annotate_task_and_append(client: Any, aa_task: Callable[..., Any]) -> None:
    task = aa_task()
    function = Marker()
    summary = aa.annotate_task(client, task.id, function)
    assert summary == aa.AnnotationSummary(frames=7, skipped=0, tags=7, shapes=14)
    assert function.names == [f.name for f in task.get_meta().frames]  # context.frame_name, in order
    _check(client, task, list(range(7)))
    aa.annotate_task(client, task.id, Marker())
    _check(client, task, list(range(7)), copies=2)
    aa.annotate_task(client, task.id, Marker(), clear_existing=True)
    _check(client, task, list(range(7)))


def test_batches_and_deleted_frames(client: Any, aa_task: Callable[..., Any]) -> None:
    task = aa_task()
    task.remove_frames_by_ids([1, 4])
    function = Marker(batched=True)
    aa.annotate_task(client, task.id, function)
    assert function.calls == [3, 2]  # five frames in batches of batch_size=3
    _check(client, task, [0, 2, 3, 5, 6])
    other = Marker(batched=True)
    aa.annotate_task(client, task.id, other, batch_size=5, clear_existing=True)
    assert other.calls == [5]
    _check(client, task, [0, 2, 3, 5, 6])


def test_existing_annotations_are_kept(client: Any, aa_task: Callable[..., Any]) -> None:
    task = aa_task(frames=3)
    truck = next(label for label in task.get_labels() if label.name == "truck")
    client.send_json("PATCH", f"/api/tasks/{task.id}/annotations/", {"shapes": [
        {"type": "polygon", "label_id": truck.id, "frame": 1, "points": [1, 1, 5, 1, 3, 4]}]},
        params={"action": "create"})
    aa.annotate_task(client, task.id, Marker())
    assert [s["type"] for s in by_type(client, task.id)["all"] if s["source"] == "manual"] == ["polygon"]
    aa.annotate_task(client, task.id, Marker(), clear_existing=True)
    assert all(s["source"] == "auto" for s in by_type(client, task.id)["all"])


def test_annotate_job_touches_its_frames_only(client: Any, aa_task: Callable[..., Any]) -> None:
    task = aa_task(frames=6, segment_size=3)
    jobs = sorted(task.get_jobs(), key=lambda j: j.start_frame)
    aa.annotate_task(client, task.id, Marker())
    aa.annotate_job(client, jobs[1].id, Marker(), clear_existing=True)
    _check(client, task, list(range(6)))  # job 2 replaced by the same results, job 1 untouched
    aa.annotate_job(client, jobs[0].id, Marker())
    found = by_type(client, task.id)
    assert [s["frame"] for s in found["rectangle"]] == [0, 0, 1, 1, 2, 2, 3, 4, 5]


def test_an_error_keeps_finished_frames_and_resume_continues(client: Any, aa_task: Callable[..., Any]) -> None:
    task = aa_task(frames=7)
    names = [f.name for f in task.get_meta().frames]
    broken = Marker(fail_on=names[5])
    with pytest.raises(RuntimeError, match="broke on"):
        aa.annotate_task(client, task.id, broken)
    _check(client, task, [0, 1, 2, 3, 4])  # what was finished was uploaded
    again = Marker()
    summary = aa.annotate_task(client, task.id, again, resume=True)
    assert summary.skipped == 5 and summary.frames == 2 and again.names == names[5:]
    _check(client, task, list(range(7)))  # no duplicates
    # Nothing left to do: a second resume processes nothing; without resume all frames run again.
    assert aa.annotate_task(client, task.id, Marker(), resume=True).frames == 0
    assert aa.annotate_task(client, task.id, Marker(), clear_existing=True).frames == 7
    _check(client, task, list(range(7)))


@pytest.mark.parametrize("seen_in_submit", [False, True], ids=["failure-seen-later", "failure-seen-in-submit"])
def test_resume_removes_an_interrupted_upload(client: Any, aa_task: Callable[..., Any], monkeypatch: Any,
                                              seen_in_submit: bool) -> None:
    from inklab.sdk.auto_annotation import driver

    task = aa_task(frames=4)
    original = driver.Journal.finish

    def die_after_upload(self: Any, frames: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt  # the run dies after the server took the upload, before journaling it

    monkeypatch.setattr(driver.Journal, "finish", die_after_upload)
    if seen_in_submit:  # the upload has failed by the time submit looks (as under load): sent once all the same
        submit = driver._Uploader.submit

        def submit_then_wait(self: Any, *args: Any) -> None:
            submit(self, *args)
            self.drain()

        monkeypatch.setattr(driver._Uploader, "submit", submit_then_wait)
    with pytest.raises(KeyboardInterrupt):
        aa.annotate_task(client, task.id, Marker())
    assert len(by_type(client, task.id)["rectangle"]) == 4  # on the server, but not confirmed locally
    monkeypatch.setattr(driver.Journal, "finish", original)
    summary = aa.annotate_task(client, task.id, Marker(), resume=True)
    assert summary.frames == 4
    _check(client, task, list(range(4)))  # the unconfirmed copies were removed first


def test_unmatched_labels(client: Any, aa_task: Callable[..., Any]) -> None:
    task = aa_task(frames=2, labels=[{"name": "car", "attributes": []}, {"name": "person", "type": "skeleton",
                                                                          "sublabels": [{"name": "head"}]}])
    with pytest.raises(aa.BadFunctionError, match="attribute 'color' of label 'car' is not in the task"):
        aa.annotate_task(client, task.id, Marker())
    assert by_type(client, task.id)["all"] == []
    aa.annotate_task(client, task.id, Marker(), allow_unmatched_labels=True)
    found = by_type(client, task.id)
    assert len(found["rectangle"]) == 2 and found["tags"] == []  # 'scene' dropped
    assert all("attributes" not in s or s["attributes"] == [] for s in found["rectangle"])
    assert all(len(s["elements"]) == 1 for s in found["skeleton"])  # 'hand' dropped


def test_bad_arguments(client: Any, aa_task: Callable[..., Any]) -> None:
    task = aa_task(frames=1)
    with pytest.raises(ValueError, match="conf_threshold"):
        aa.annotate_task(client, task.id, Marker(), conf_threshold=1.5)
    with pytest.raises(aa.BadFunctionError, match="not a detection function"):
        aa.annotate_task(client, task.id, object())  # type: ignore[arg-type]
    from inklab.sdk import NotFoundError

    with pytest.raises(NotFoundError):
        aa.annotate_task(client, 999999, Marker())


def test_tracks_link_the_boxes_across_frames(client: Any, aa_task: Callable[..., Any]) -> None:
    task = aa_task(frames=5)
    summary = aa.annotate_task(client, task.id, Marker(), tracks=True, clear_existing=True)
    assert summary.frames == 5 and summary.tags == 5
    data = client.get_json(f"/api/tasks/{task.id}/annotations/")
    [track] = data["tracks"]  # the marker's box is in the same place on every frame: one track
    assert [s["frame"] for s in track["shapes"]] == list(range(5))
    assert len({tuple(s["points"]) for s in track["shapes"]}) == 1
    assert not any(s["outside"] for s in track["shapes"])
    assert {s["type"] for s in data["shapes"]} == {"skeleton"}  # other shapes stay shapes
    with pytest.raises(ValueError, match="resume"):
        aa.annotate_task(client, task.id, Marker(), tracks=True, resume=True)
