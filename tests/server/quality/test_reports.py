"""Quality settings, reports (a background request) and conflicts through the API."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.server.conftest import run_requests

pytestmark = pytest.mark.django_db


def _box(label: int, frame: int, x: float, **extra: Any) -> dict[str, Any]:
    return {"type": "rectangle", "frame": frame, "label_id": label, "points": [x, 2.0, x + 20, 22.0], **extra}


@pytest.fixture
def checked_task(api: APIClient, make_task: Any) -> dict[str, Any]:
    """8 frames in 2 jobs; ground truth on frames 0 and 6; the annotators agree on frame 0 and are
    far off on frame 6."""
    task = make_task(8, segment_size=4)
    label = api.get("/api/labels", {"task_id": task["id"], "name": "car"}).json()["results"][0]["id"]
    gt = api.post("/api/jobs", {"task_id": task["id"], "type": "ground_truth", "frame_selection_method": "manual",
                                "frames": [0, 6]}, format="json").json()
    truth = {"shapes": [_box(label, 0, 1), _box(label, 6, 1)], "tags": [], "tracks": []}
    assert api.put(f"/api/jobs/{gt['id']}/annotations", truth, format="json").status_code == 200
    assert api.patch(f"/api/jobs/{gt['id']}", {"stage": "acceptance", "state": "completed"},
                     format="json").status_code == 200
    work = {"shapes": [_box(label, 0, 1), _box(label, 6, 40), _box(label, 3, 5)], "tags": [], "tracks": []}
    assert api.put(f"/api/tasks/{task['id']}/annotations", work, format="json").status_code == 200
    jobs = api.get("/api/jobs", {"task_id": task["id"], "type": "annotation"}).json()["results"]
    return {"task": task, "gt": gt, "jobs": jobs, "label": label}


def _report(api: APIClient, task_id: int) -> dict[str, Any]:
    response = api.post("/api/quality/reports", {"task_id": task_id}, format="json")
    assert response.status_code == 202, response.content
    rq_id = response.json()["rq_id"]
    assert api.post(f"/api/quality/reports?rq_id={rq_id}", format="json").status_code == 202  # still queued
    assert run_requests() == 1
    request = api.get(f"/api/requests/{rq_id}").json()
    assert request["status"] == "finished" and request["operation"]["type"] == "calculate:quality", request
    done = api.post(f"/api/quality/reports?rq_id={rq_id}", format="json")
    assert done.status_code == 201, done.content
    assert done.json()["id"] == request["result_id"]
    return done.json()


def test_report_finds_conflicts_only_where_annotators_are_off(api: APIClient, checked_task: Any) -> None:
    task, gt, jobs = checked_task["task"], checked_task["gt"], checked_task["jobs"]
    report = _report(api, task["id"])
    assert report["target"] == "task" and report["task_id"] == task["id"] and report["job_id"] is None
    summary = report["summary"]
    assert summary["frame_count"] == 2 and summary["frame_share"] == pytest.approx(2 / 8)
    assert (summary["valid_count"], summary["gt_count"], summary["ds_count"], summary["total_count"]) == (1, 2, 2, 3)
    assert summary["accuracy"] == pytest.approx(1 / 3) and summary["precision"] == pytest.approx(0.5)
    assert summary["recall"] == pytest.approx(0.5)
    assert summary["conflicts_by_type"] == {"extra_annotation": 1, "missing_annotation": 1}
    assert (summary["conflict_count"], summary["error_count"], summary["warning_count"]) == (2, 2, 0)

    conflicts = api.get("/api/quality/conflicts", {"report_id": report["id"]}).json()["results"]
    assert {c["frame"] for c in conflicts} == {6}
    missing = next(c for c in conflicts if c["type"] == "missing_annotation")
    assert missing["severity"] == "error" and missing["report_id"] == report["id"]
    assert missing["annotation_ids"][0]["job_id"] == gt["id"]
    assert missing["annotation_ids"][0]["type"] == "shape"
    assert missing["annotation_ids"][0]["shape_type"] == "rectangle"
    extra = next(c for c in conflicts if c["type"] == "extra_annotation")
    assert extra["annotation_ids"][0]["job_id"] == jobs[1]["id"]

    children = api.get("/api/quality/reports", {"parent_id": report["id"]}).json()["results"]
    by_job = {r["job_id"]: r["summary"] for r in children}
    assert set(by_job) == {jobs[0]["id"], jobs[1]["id"]}
    assert by_job[jobs[0]["id"]]["frame_count"] == 1 and by_job[jobs[0]["id"]]["conflict_count"] == 0
    assert by_job[jobs[1]["id"]]["conflict_count"] == 2
    job_report = next(r for r in children if r["job_id"] == jobs[1]["id"])
    assert api.get("/api/quality/conflicts", {"job_id": jobs[1]["id"]}).json()["count"] == 2
    assert api.get("/api/quality/conflicts", {"report_id": job_report["id"], "type": "extra_annotation"}).json()[
        "count"] == 1

    data = api.get(f"/api/quality/reports/{report['id']}/data").json()
    assert set(data["frame_results"]) == {"0", "6"}
    assert data["frame_results"]["0"]["conflicts"] == []
    assert data["parameters"]["iou_threshold"] == 0.4


def test_settings_change_the_comparison(api: APIClient, checked_task: Any) -> None:
    task = checked_task["task"]
    listed = api.get("/api/quality/settings", {"task_id": task["id"]}).json()
    assert listed["count"] == 1
    settings = listed["results"][0]
    assert settings["task_id"] == task["id"] and settings["iou_threshold"] == 0.4
    assert settings["target_metric"] == "accuracy" and settings["point_size_base"] == "group_bbox_size"
    # boxes 39 px apart on a 20 px box never overlap: no threshold makes them match; a stricter
    # attribute comparison does not change frame 0
    patched = api.patch(f"/api/quality/settings/{settings['id']}", {"iou_threshold": 0.9, "compare_groups": False},
                        format="json")
    assert patched.status_code == 200 and patched.json()["iou_threshold"] == 0.9
    assert api.get(f"/api/quality/settings/{settings['id']}").json()["compare_groups"] is False
    report = _report(api, task["id"])
    assert report["summary"]["valid_count"] == 1
    assert api.get(f"/api/quality/reports/{report['id']}/data").json()["parameters"]["iou_threshold"] == 0.9


@pytest.mark.parametrize(("body", "field"), [
    ({"iou_threshold": 1.5}, "iou_threshold"),
    ({"iou_threshold": "high"}, "iou_threshold"),
    ({"oks_sigma": 0}, "oks_sigma"),
    ({"target_metric": "f1"}, "target_metric"),
    ({"point_size_base": "huge"}, "point_size_base"),
    ({"max_validations_per_job": -1}, "max_validations_per_job"),
    ({"compare_groups": "maybe"}, "compare_groups"),
    ({"task_id": 3}, "task_id"),
    ({"requirements": []}, "requirements"),
])
def test_bad_settings(api: APIClient, make_task: Any, body: dict[str, Any], field: str) -> None:
    task = make_task(2)
    settings = api.get("/api/quality/settings", {"task_id": task["id"]}).json()["results"][0]
    response = api.patch(f"/api/quality/settings/{settings['id']}", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.content


def test_bad_report_requests(api: APIClient, make_task: Any) -> None:
    no_gt = make_task(2)
    response = api.post("/api/quality/reports", {"task_id": no_gt["id"]}, format="json")
    assert response.status_code == 400 and "task_id" in response.json()
    for body, field, code in (({}, "task_id", 400), ({"task_id": "x"}, "task_id", 400),
                              ({"task_id": 10**6}, "task_id", 404), ({"task_id": no_gt["id"], "job_id": 1},
                                                                     "job_id", 400)):
        response = api.post("/api/quality/reports", body, format="json")
        assert response.status_code == code and field in response.json(), (body, response.content)
    unknown = api.post("/api/quality/reports?rq_id=nope", format="json")
    assert unknown.status_code == 404 and "rq_id" in unknown.json()
    assert api.get("/api/quality/reports/999999").status_code == 404
    assert api.get("/api/quality/conflicts", {"frame": "x"}).status_code == 400
    assert api.get("/api/quality/reports", {"target": "x"}).status_code == 200  # a text filter
    assert api.get("/api/quality/settings", {"task_id": 10**6}).status_code == 404


def test_who_sees_what(api: APIClient, checked_task: Any, make_user: Any, client_for: Any) -> None:
    task, jobs = checked_task["task"], checked_task["jobs"]
    bob, eve = make_user("bob"), make_user("eve")
    api.patch(f"/api/jobs/{jobs[1]['id']}", {"assignee": bob.pk}, format="json")
    report = _report(api, task["id"])
    b, e = client_for(bob), client_for(eve)
    assert e.get("/api/quality/reports").json()["count"] == 0
    assert e.get("/api/quality/conflicts").json()["count"] == 0
    assert e.get(f"/api/quality/reports/{report['id']}").status_code == 404
    assert e.post("/api/quality/reports", {"task_id": task["id"]}, format="json").status_code == 404
    assert e.get("/api/quality/settings", {"task_id": task["id"]}).status_code == 404
    # Bob sees the report of his job, not the task's, and may not ask for reports
    assert [r["job_id"] for r in b.get("/api/quality/reports").json()["results"]] == [jobs[1]["id"]]
    assert b.get(f"/api/quality/reports/{report['id']}").status_code == 404
    assert b.post("/api/quality/reports", {"task_id": task["id"]}, format="json").status_code == 403
    assert b.get("/api/quality/settings").json()["count"] == 0


def test_deleting_the_task_deletes_its_reports(api: APIClient, checked_task: Any) -> None:
    from inklab.server.quality.models import AnnotationConflict, QualityReport

    _report(api, checked_task["task"]["id"])
    assert QualityReport.objects.count() == 3 and AnnotationConflict.objects.count() == 4
    assert api.delete(f"/api/tasks/{checked_task['task']['id']}").status_code == 204
    assert QualityReport.objects.count() == 0 and AnnotationConflict.objects.count() == 0


def test_reports_follow_annotation_changes(api: APIClient, checked_task: Any,
                                           django_capture_on_commit_callbacks: Any) -> None:
    task, label = checked_task["task"], checked_task["label"]
    first = _report(api, task["id"])
    assert first["summary"]["valid_count"] == 1
    fixed = {"shapes": [_box(label, 0, 1), _box(label, 6, 1)], "tags": [], "tracks": []}
    with django_capture_on_commit_callbacks(execute=True):
        assert api.put(f"/api/tasks/{task['id']}/annotations", fixed, format="json").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # a second change while one waits: no second request
        assert api.patch(f"/api/tasks/{task['id']}/annotations?action=create",
                         {"shapes": [_box(label, 2, 1)]}, format="json").status_code == 200
    assert run_requests() == 1
    latest = api.get("/api/quality/reports", {"task_id": task["id"], "target": "task"}).json()["results"][0]
    assert latest["id"] > first["id"]
    assert latest["summary"]["valid_count"] == 2 and latest["summary"]["conflict_count"] == 0


def test_no_automatic_report_before_a_first_one(api: APIClient, checked_task: Any,
                                                django_capture_on_commit_callbacks: Any) -> None:
    task, label = checked_task["task"], checked_task["label"]
    with django_capture_on_commit_callbacks(execute=True):
        api.patch(f"/api/tasks/{task['id']}/annotations?action=create", {"shapes": [_box(label, 2, 1)]},
                  format="json")
    assert run_requests() == 0


def test_deleting_the_ground_truth_job_deletes_its_issues(api: APIClient, checked_task: Any) -> None:
    from inklab.server.review.models import Issue

    gt = checked_task["gt"]
    issue = api.post("/api/issues", {"job": gt["id"], "frame": 6, "position": [1, 1, 9, 9], "message": "check"},
                     format="json")
    assert issue.status_code == 201, issue.content
    refused = api.post("/api/issues", {"job": gt["id"], "frame": 3, "position": [1, 1, 9, 9], "message": "x"},
                       format="json")
    assert refused.status_code == 400 and "frame" in refused.json()  # frame 3 is not a ground-truth frame
    assert api.delete(f"/api/jobs/{gt['id']}").status_code == 204
    assert Issue.objects.count() == 0
    response = api.post("/api/quality/reports", {"task_id": checked_task["task"]["id"]}, format="json")
    assert response.status_code == 400 and "task_id" in response.json()
