"""Automatic annotation from the task page: pick a registered function, map its labels onto the
task's, queue the request (CVAT's ``POST /api/lambda/requests``), and follow it while an agent
(``inklab function run-agent --burst``) does the work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.e2e.conftest import shot
from tests.support.live import LiveServer
from tests.support.rest import Rest

ROOT = Path(__file__).resolve().parents[2]
MARKER = ROOT / "tests" / "sdk" / "auto_annotation" / "marker.py"


def _inklab(server: LiveServer, *args: str) -> str:
    command = [sys.executable, "-m", "inklab", *args[:2], "--server-host", server.url, "--auth",
               ":".join(server.admin), *args[2:]]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_run_a_function_from_the_task_page(admin_page: Any, rest: Rest, live_server: LiveServer,
                                           annotation_task: dict[str, Any]) -> None:
    page = admin_page
    task_id = annotation_task["id"]
    function_id = int(_inklab(live_server, "function", "create-native", "e2e marker", "--function-file",
                              str(MARKER)).strip())
    try:
        page.goto(f"/tasks/{task_id}")
        page.click("button:has-text('Automatic annotation')")
        dialog = page.locator("dialog.auto-annotate-dialog")
        dialog.locator("select.function-select").select_option(str(function_id))
        car = dialog.locator("select[data-function-label=car]")
        scene = dialog.locator("select[data-function-label=scene]")
        person = dialog.locator("select[data-function-label=person]")
        # preset by name; 'scene' (a tag) has no namesake and is offered only the task's tag labels
        assert car.input_value() == "car" and person.input_value() == "person" and scene.input_value() == ""
        assert scene.locator("option").all_inner_texts() == ["— not used —", "weather"]

        for select in (car, scene, person):
            select.select_option("")
        dialog.locator("button:has-text('Annotate')").click()
        assert "Map at least one" in dialog.locator(".form-error").inner_text()
        car.select_option("car")
        scene.select_option("weather")
        dialog.locator("input[name=threshold]").fill("2")
        dialog.locator("button:has-text('Annotate')").click()
        assert "between 0 and 1" in dialog.locator(".form-error").inner_text()
        assert rest.get(f"/api/lambda/requests?task={task_id}") == []  # nothing was queued by the mistakes

        dialog.locator("input[name=threshold]").fill("")
        dialog.locator("button:has-text('Annotate')").click()
        dialog.locator("text=Queued: waiting for an agent").wait_for()
        shot(page, "dialog-auto-annotation-queued")
        queued = rest.get(f"/api/lambda/requests?task={task_id}")
        assert [(rq["status"], rq["function"]["id"]) for rq in queued] == [("queued", str(function_id))]

        _inklab(live_server, "function", "run-agent", str(function_id), "--function-file", str(MARKER), "--burst")
        dialog.locator("text=Done: the annotations were added.").wait_for(timeout=30_000)
        shot(page, "dialog-auto-annotation-done")
    finally:
        _inklab(live_server, "function", "delete", str(function_id))

    labels = annotation_task["labels"]
    annotations = rest.get(f"/api/tasks/{task_id}/annotations")
    assert sorted(s["frame"] for s in annotations["shapes"]) == [0, 1, 2, 3, 4]
    assert {(s["type"], s["label_id"]) for s in annotations["shapes"]} == {("rectangle", labels["car"]["id"])}
    color = next(a["id"] for a in labels["car"]["attributes"] if a["name"] == "color")
    assert all(s["attributes"][0]["spec_id"] == color and s["attributes"][0]["value"] in ("red", "blue")
               for s in annotations["shapes"])
    assert sorted((t["frame"], t["label_id"]) for t in annotations["tags"]) == [
        (f, labels["weather"]["id"]) for f in range(5)]
