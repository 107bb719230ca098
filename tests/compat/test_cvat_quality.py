"""Ground truth and quality with the official cvat-sdk 2.80 against a live server: a ground-truth
job on frames [0, 6], annotators who agree on frame 0 and are far off on frame 6, and
``validation_params`` at task creation."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.images import make_images


def _box(label: int, frame: int, x: float) -> Any:
    from cvat_sdk import models

    return models.LabeledShapeRequest(type="rectangle", frame=frame, label_id=label, points=[x, 2.0, x + 15, 17.0])


def test_ground_truth_job_and_quality_report(sdk: Any, tmp_path: Path) -> None:
    from cvat_sdk import models
    from cvat_sdk.core.proxies.tasks import ResourceType

    task = sdk.tasks.create_from_data(
        spec=models.TaskWriteRequest(name="quality", labels=[{"name": "car"}], segment_size=4),
        resources=make_images(tmp_path, 8, size=(40, 30)), resource_type=ResourceType.LOCAL)
    label = task.get_labels()[0].id
    gt_model, _ = sdk.api_client.jobs_api.create(models.JobWriteRequest(
        type="ground_truth", task_id=task.id, frame_selection_method="manual", frames=[0, 6]))
    assert gt_model.type == "ground_truth" and gt_model.frame_count == 2
    gt = sdk.jobs.retrieve(gt_model.id)
    assert gt.get_meta().included_frames == [0, 6]
    gt.set_annotations(models.LabeledDataRequest(shapes=[_box(label, 0, 1), _box(label, 6, 1)]))
    gt.update(models.PatchedJobWriteRequest(stage="acceptance", state="completed"))
    task.set_annotations(models.LabeledDataRequest(shapes=[_box(label, 0, 1), _box(label, 6, 22)]))
    assert len(gt.get_annotations().shapes) == 2
    assert [s.points[0] for s in task.get_annotations().shapes] == [1.0, 22.0]

    quality = sdk.api_client.quality_api
    _, response = quality.create_report(
        quality_report_create_request=models.QualityReportCreateRequest(task_id=task.id), _parse_response=False)
    assert response.status == 202
    rq_id = json.loads(response.data)["rq_id"]
    for _ in range(200):
        request, _ = sdk.api_client.requests_api.retrieve(rq_id)
        if str(request.status) in {"finished", "failed"}:
            break
        time.sleep(0.1)
    assert str(request.status) == "finished", request.message
    # cvat_sdk 2.80's models read the reports, conflicts and settings
    reports, _ = quality.list_reports(task_id=task.id, target="task")
    assert reports.count == 1
    report = reports.results[0]
    assert report.task_id == task.id and report.job_id is None
    assert report.summary.validation_frames == 2 and report.summary.total_frames == 8
    assert report.summary.conflicts_by_type == {"extra_annotation": 1, "missing_annotation": 1}
    conflicts, _ = quality.list_conflicts(report_id=report.id)
    assert {c.frame for c in conflicts.results} == {6}
    assert {str(c.type) for c in conflicts.results} == {"missing_annotation", "extra_annotation"}
    children, _ = quality.list_reports(parent_id=report.id)
    assert sorted(r.job_id for r in children.results) == sorted(j.id for j in task.get_jobs()
                                                                   if str(j.type) == "annotation")
    settings, _ = quality.list_settings(task_id=task.id)
    assert [s.task_id for s in settings.results] == [task.id]
    task.remove()


def test_validation_params_make_a_ground_truth_job(sdk: Any, tmp_path: Path) -> None:
    from cvat_sdk import models
    from cvat_sdk.core.proxies.tasks import ResourceType

    task = sdk.tasks.create_from_data(
        spec=models.TaskWriteRequest(name="validation", labels=[{"name": "car"}], segment_size=5),
        resources=make_images(tmp_path, 10, size=(40, 30)), resource_type=ResourceType.LOCAL,
        data_params={"validation_params": {"mode": "gt", "frame_selection_method": "random_uniform",
                                           "frame_count": 3, "random_seed": 1}})
    jobs = task.get_jobs()
    assert sorted(str(j.type) for j in jobs) == ["annotation", "annotation", "ground_truth"]
    gt = next(j for j in jobs if str(j.type) == "ground_truth")
    assert gt.frame_count == 3 and len(gt.get_meta().included_frames) == 3
    layout, _ = sdk.api_client.tasks_api.retrieve_validation_layout(task.id)
    assert str(layout.mode) == "gt" and len(layout.validation_frames) == 3
    task.fetch()
    assert str(task.validation_mode) == "gt"
    task.remove()


def test_honeypots_are_refused_clearly(sdk: Any, tmp_path: Path) -> None:
    from cvat_sdk import models
    from cvat_sdk.api_client import exceptions
    from cvat_sdk.core.proxies.tasks import ResourceType

    task = sdk.tasks.create(models.TaskWriteRequest(name="pool", labels=[{"name": "car"}]))
    with pytest.raises(exceptions.ApiException) as caught:
        task.upload_data(make_images(tmp_path, 2, size=(20, 10)), resource_type=ResourceType.LOCAL,
                         params={"validation_params": {"mode": "gt_pool", "frame_selection_method": "random_uniform",
                                                       "frame_count": 1}})
    body = caught.value.body.decode() if isinstance(caught.value.body, bytes) else caught.value.body
    assert caught.value.status == 400 and "Honeypots" in body
    task.remove()
