"""Consensus in a real browser: a task created with replica jobs from the create page (a refused
count first), the replica jobs listed under their parent, the consensus settings, and Merge, which
writes the majority's shape into the annotation job."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.support.images import make_images
from tests.support.rest import Rest


def _box(label: int, frame: int, x: float) -> dict[str, Any]:
    return {"type": "rectangle", "frame": frame, "label_id": label, "points": [x, 2.0, x + 20, 22.0]}


def test_replicas_at_creation_settings_and_merge(admin_page: Any, rest: Rest, tmp_path: Path) -> None:
    page = admin_page
    name = f"consensus {uuid.uuid4().hex[:6]}"
    page.goto("/tasks/create")
    page.fill("input[name=name]", name)
    page.click("text=+ Label")
    page.locator(".label-card").last.locator(".label-name").fill("car")
    page.set_input_files(".file-input", [str(p) for p in make_images(tmp_path / "pictures", 3, size=(80, 60))])
    page.click("text=Advanced options")
    page.fill("input[name=initial_replicas]", "1")
    page.click("button[type=submit]")
    page.locator(".task-form .form-error").filter(has_text="initial_replicas").wait_for(timeout=30_000)
    page.fill("input[name=initial_replicas]", "3")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/tasks/\d+$"), timeout=60_000)
    task_id = int(page.url.rsplit("/", 1)[1])
    assert rest.get(f"/api/tasks/{task_id}")["initial_replicas"] == 3
    jobs = rest.jobs(task_id)
    parent = next(j for j in jobs if j["type"] == "annotation")
    replicas = [j for j in jobs if j["type"] == "replica"]
    assert len(replicas) == 3 and {r["parent_job_id"] for r in replicas} == {parent["id"]}
    page.wait_for_selector(".consensus-section .consensus-merge")
    for replica in replicas:
        row = page.locator(f".jobs-table tr[data-job-id='{replica['id']}'] .job-type")
        assert row.inner_text().split() == ["replica", "of", f"#{parent['id']}"]

    # Settings: out of range is refused naming the field; a good value is kept.
    page.fill(".consensus-settings input[name=quorum]", "2")
    page.click(".consensus-save")
    page.locator(".consensus-error").filter(has_text="quorum").wait_for()
    page.fill(".consensus-settings input[name=quorum]", "0.6")
    page.click(".consensus-save")
    settings = rest.until(f"/api/consensus/settings?task_id={task_id}",
                          lambda body: body["results"][0]["quorum"] == pytest.approx(0.6))["results"][0]
    assert settings["quorum"] == pytest.approx(0.6)

    # Two replicas agree on frame 1, the third is far off: the merge keeps the majority's box.
    label = rest.labels(task_id=task_id)[0]["id"]
    for replica, x in zip(replicas, (1, 2, 50), strict=True):
        rest.call("PUT", f"/api/jobs/{replica['id']}/annotations", {"shapes": [_box(label, 1, x)], "tags": [], "tracks": []})
    assert rest.get(f"/api/jobs/{parent['id']}/annotations")["shapes"] == []
    page.locator(".merge-target").select_option(str(parent["id"]))
    page.click(".consensus-merge")
    page.locator(".toast", has_text="Replicas merged.").wait_for(timeout=60_000)
    merged = rest.get(f"/api/jobs/{parent['id']}/annotations")["shapes"]
    assert [(s["frame"], s["points"][0]) for s in merged] == [(1, 1.0)]
    shot(page, "consensus-merged")
