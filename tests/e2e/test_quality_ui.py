"""Quality on the task page, in a real browser: making the ground-truth job (and the refusals of bad
frames), the quality settings, "Compute quality" and the report it shows (figures known from
annotations written through the REST API), conflicts linking to their frame, deleting the job."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import scene_images, shot
from tests.e2e.helpers import Workspace
from tests.support.rest import Rest


def _box(label: int, frame: int, x: float) -> dict[str, Any]:
    return {"type": "rectangle", "frame": frame, "label_id": label, "points": [x, 2.0, x + 20, 22.0]}


@pytest.fixture
def two_job_task(rest: Rest, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    """Eight frames in two jobs of four, one label."""
    task = rest.create_task(f"e2e {request.node.name}", [{"name": "car", "color": "#ff6a00"}],
                            scene_images(tmp_path / "frames", 8), segment_size=4)
    task["jobs"] = rest.jobs(task["id"])
    task["label"] = rest.labels(task_id=task["id"])[0]["id"]
    return task


def _make_gt(page: Any, frames: str) -> Any:
    page.click(".add-gt")
    return _make_gt_fill(page, frames)


def _make_gt_fill(page: Any, frames: str) -> Any:
    dialog = page.locator("dialog.gt-dialog")
    dialog.locator("select[name=frame_selection_method]").select_option("manual")
    dialog.locator("input[name=frames]").fill(frames)
    dialog.locator(".gt-submit").click()
    return dialog


def test_ground_truth_job_and_quality_report(admin_page: Any, rest: Rest, two_job_task: dict[str, Any],
                                            live_server: Any) -> None:
    page = admin_page
    task_id, label = two_job_task["id"], two_job_task["label"]
    jobs = two_job_task["jobs"]
    annotator = f"careful-{task_id}"
    careful = Rest.register(live_server, annotator, "Boxes-on-the-dot-1")
    rest.call("PATCH", f"/api/jobs/{jobs[0]['id']}", {"assignee": careful.get("/api/users/self")["id"]})
    page.goto(f"/tasks/{task_id}")
    page.wait_for_selector(".quality-section .gt-missing")
    assert page.locator(".compute-quality").is_disabled()

    # Frames the client cannot read, then frames the server refuses: the dialog says which, nothing is made.
    dialog = _make_gt(page, "0, six")
    assert "six" in dialog.locator(".form-error").inner_text()
    dialog.locator("input[name=frames]").fill("0, 99")
    dialog.locator(".gt-submit").click()
    dialog.locator(".form-error").filter(has_text=re.compile("99|frame")).wait_for()
    assert rest.get(f"/api/jobs?task_id={task_id}&type=ground_truth")["count"] == 0
    dialog.locator("input[name=frames]").fill("6, 0")
    dialog.locator(".gt-submit").click()
    page.wait_for_selector(".jobs-table .job-type .gt-delete")
    gt = rest.get(f"/api/jobs?task_id={task_id}&type=ground_truth")["results"][0]
    assert rest.get(f"/api/tasks/{task_id}/validation_layout")["validation_frames"] == [0, 6]
    gt_row = page.locator(f".jobs-table tr[data-job-id='{gt['id']}']")
    assert gt_row.locator(".job-type .badge").inner_text() == "ground truth"
    assert gt_row.locator("td.frames").inner_text() == "0–6 (2)"
    assert page.locator(".add-gt").count() == 0  # one per task

    # The annotations, written through the API: the annotators agree on frame 0 and are far off on 6.
    rest.call("PUT", f"/api/jobs/{gt['id']}/annotations",
              {"shapes": [_box(label, 0, 1), _box(label, 6, 1)], "tags": [], "tracks": []})
    rest.call("PATCH", f"/api/jobs/{gt['id']}", {"stage": "acceptance", "state": "completed"})
    rest.call("PUT", f"/api/tasks/{task_id}/annotations",
              {"shapes": [_box(label, 0, 1), _box(label, 6, 40), _box(label, 3, 5)], "tags": [], "tracks": []})

    # Settings: a value out of range is refused by the server with the field's name; a good one is kept.
    page.reload()
    page.wait_for_selector(".quality-section .no-report")
    page.click(".quality-settings-box summary")
    page.fill(".quality-settings input[name=iou_threshold]", "1.5")
    page.click(".settings-save")
    page.locator(".settings-error").filter(has_text="iou_threshold").wait_for()
    settings = rest.get(f"/api/quality/settings?task_id={task_id}")["results"][0]
    assert settings["iou_threshold"] == pytest.approx(0.4)
    page.fill(".quality-settings input[name=iou_threshold]", "0.5")
    page.uncheck(".quality-settings input[name=compare_attributes]")
    page.click(".settings-save")
    settings = rest.until(f"/api/quality/settings/{settings['id']}", lambda s: not s["compare_attributes"])
    assert settings["iou_threshold"] == pytest.approx(0.5) and settings["compare_attributes"] is False

    # Compute: the background request is followed, then the report's figures are shown.
    page.click(".compute-quality")
    report = page.locator(".quality-report")
    report.wait_for(timeout=60_000)
    figures = {f.get_attribute("data-figure"): f.locator("strong").inner_text()
               for f in report.locator(".figure").all()}
    assert figures == {"accuracy": "33.3%", "precision": "50.0%", "recall": "50.0%", "frames": "2 (25.0%)",
                       "conflicts": "2", "severity": "2 / 0"}
    assert sorted(report.locator(".conflicts-by-type .badge").all_inner_texts()) == [
        "Extra annotation: 1", "Missing annotation: 1"]
    per_job = {int(r.get_attribute("data-job-id")): (r.locator(".accuracy").inner_text(), r.locator(".conflicts").inner_text())
               for r in report.locator(".quality-jobs tbody tr").all()}
    assert per_job == {jobs[0]["id"]: ("100.0%", "0"), jobs[1]["id"]: ("0.0%", "2")}
    people = {r.get_attribute("data-annotator"): [c.inner_text() for c in r.locator("td").all()[1:]]
              for r in report.locator(".quality-annotators tbody tr").all()}
    assert people == {annotator: ["1", "100.0%", "100.0%", "100.0%", "0"], "": ["1", "0.0%", "0.0%", "0.0%", "2"]}
    conflicts = report.locator(".quality-conflicts tbody tr")
    assert sorted(c.get_attribute("data-type") for c in conflicts.all()) == ["extra_annotation", "missing_annotation"]
    shapes = rest.get(f"/api/tasks/{task_id}/annotations")["shapes"]
    far_off = next(s["id"] for s in shapes if s["frame"] == 6)
    truth = next(s["id"] for s in rest.get(f"/api/jobs/{gt['id']}/annotations")["shapes"] if s["frame"] == 6)
    links = {c.get_attribute("data-type"): c.locator(".conflict-frame").get_attribute("href") for c in conflicts.all()}
    assert links == {"extra_annotation": f"/jobs/{jobs[1]['id']}?frame=6&objects={far_off}",
                     "missing_annotation": f"/jobs/{jobs[1]['id']}?frame=6&gt_job={gt['id']}&gt_objects={truth}"}
    shot(page, "quality-report")

    # A conflict opens its frame in the annotation job: the extra object selected, the missing one
    # outlined from the ground truth.
    report.locator("tr[data-type=extra_annotation] .conflict-frame").click()
    ws = Workspace(page)
    ws.wait_ready()
    assert ws.frame_number() == 6 and f"/jobs/{jobs[1]['id']}" in page.url
    page.locator(f".object-row.selected >> text=#{far_off}").wait_for()
    page.go_back()
    page.locator("tr[data-type=missing_annotation] .conflict-frame").click()
    ws.wait_ready()
    page.wait_for_selector(".workspace[data-ground-truth-marks='1']")
    assert ws.frame_number() == 6
    shot(page, "quality-conflict-frame")

    # Deleting the ground-truth job.
    page.goto(f"/tasks/{task_id}")
    page.click(f".jobs-table tr[data-job-id='{gt['id']}'] .gt-delete")
    page.locator("dialog[open] .button.danger").click()
    page.wait_for_selector(".add-gt")
    assert rest.get(f"/api/jobs?task_id={task_id}&type=ground_truth")["count"] == 0


def test_random_ground_truth_job_by_share_and_seed(admin_page: Any, rest: Rest, two_job_task: dict[str, Any]) -> None:
    page = admin_page
    task_id = two_job_task["id"]
    page.goto(f"/tasks/{task_id}")
    page.click(".add-gt")
    dialog = page.locator("dialog.gt-dialog")
    assert dialog.locator("input[name=frames]").is_hidden()  # random by default
    dialog.locator("input[name=amount]").fill("50")
    dialog.locator("select[name=count_kind]").select_option("share")
    dialog.locator("input[name=random_seed]").fill("7")
    dialog.locator(".gt-submit").click()
    page.wait_for_selector(".jobs-table .gt-delete")
    gt = rest.get(f"/api/jobs?task_id={task_id}&type=ground_truth")["results"][0]
    frames = rest.get(f"/api/tasks/{task_id}/validation_layout")["validation_frames"]
    assert gt["frame_count"] == 4 and len(frames) == 4
    # The same seed draws the same frames again (through the API, the UI's request).
    rest.call("DELETE", f"/api/jobs/{gt['id']}")
    rest.call("POST", "/api/jobs", {"task_id": task_id, "type": "ground_truth", "frame_selection_method": "random_uniform",
                                    "frame_share": 0.5, "random_seed": 7})
    assert rest.get(f"/api/tasks/{task_id}/validation_layout")["validation_frames"] == frames


def test_an_annotator_sees_no_quality_controls(page: Any, rest: Rest, two_job_task: dict[str, Any],
                                               live_server: Any) -> None:
    """The job's assignee may open the task page but neither its quality settings nor a ground truth."""
    from tests.e2e.conftest import sign_in

    name, password = f"quality-annotator-{two_job_task['id']}", "Only-my-frames-1"
    annotator = Rest.register(live_server, name, password)
    rest.call("PATCH", f"/api/jobs/{two_job_task['jobs'][0]['id']}", {"assignee": annotator.get("/api/users/self")["id"]})
    sign_in(page, name, password)
    page.goto(f"/tasks/{two_job_task['id']}")
    page.locator(".jobs-table").wait_for()
    # Pages show only what the role allows (the teams rules): no quality section, no ground truth.
    assert page.locator(".quality-section").count() == 0
    assert page.locator(".add-gt").count() == 0
    # The server refuses it all the same.
    annotator.call("POST", "/api/jobs", {"task_id": two_job_task["id"], "type": "ground_truth",
                                         "frame_selection_method": "manual", "frames": [0]}, expect=(403, 404))
    assert rest.get(f"/api/jobs?task_id={two_job_task['id']}&type=ground_truth")["count"] == 0
