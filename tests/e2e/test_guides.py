"""Annotation guides in a real browser: written (with an image) on the task page, read by the
annotator from the workspace's "Guide" button, rendered without running any of its HTML."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.e2e.conftest import scene_images, shot
from tests.e2e.helpers import Workspace
from tests.support.rest import Rest

MARKDOWN = ("# Car rules\n\nBox every **parked** car; skip *reflections*.\n\n- one box per car\n- tight boxes\n\n"
            "<script>document.title='pwned'</script> <img src=x onerror=\"document.title='pwned'\">\n\n"
            "[bad link](javascript:alert(1)) and [the docs](https://example.org/docs)\n")


def test_write_a_guide_with_an_image_and_read_it_in_the_workspace(
        admin_page: Any, rest: Rest, annotation_task: dict[str, Any], tmp_path: Path) -> None:
    page = admin_page
    task_id, job = annotation_task["id"], annotation_task["job"]
    page.goto(f"/tasks/{task_id}")
    editor = page.locator(".guide-section")
    editor.locator(".guide-text").fill(MARKDOWN)
    image = scene_images(tmp_path / "guide", 1, size=(64, 48))[0]
    editor.locator(".guide-image-input").set_input_files(str(image))
    page.wait_for_function("() => /!\\[img_000\\.png\\]\\(\\/api\\/assets\\//.test("
                           "document.querySelector('.guide-text').value)")
    editor.locator(".guide-save").click()
    page.wait_for_selector(".guide-status:has-text('Saved.')")
    guide_id = rest.get(f"/api/tasks/{task_id}")["guide_id"]
    assert guide_id is not None
    stored = rest.get(f"/api/guides/{guide_id}")["markdown"]
    assert stored.startswith(MARKDOWN) and re.search(r"!\[img_000\.png\]\(/api/assets/[0-9a-f-]{36}\)", stored)

    editor.locator(".guide-preview-button").click()
    assert editor.locator(".guide-preview h1").inner_text() == "Car rules"

    Workspace(page).open(job["id"])
    page.click("button.guide-button")
    dialog = page.locator("dialog.guide-dialog")
    dialog.wait_for()
    assert dialog.locator("h1").inner_text() == "Car rules"
    assert dialog.locator("strong").inner_text() == "parked"
    assert dialog.locator("li").all_inner_texts() == ["one box per car", "tight boxes"]
    image_el = dialog.locator("img.guide-image")
    image_el.wait_for()
    page.wait_for_function("() => document.querySelector('dialog.guide-dialog img.guide-image').naturalWidth === 64")
    # The HTML in the guide is text: no script, no extra image, no javascript: link.
    assert dialog.locator("script").count() == 0 and dialog.locator("img").count() == 1
    assert "<script>" in dialog.inner_text()
    assert dialog.locator("a").count() == 1
    assert dialog.locator("a").get_attribute("href") == "https://example.org/docs"
    assert page.title() != "pwned"
    shot(page, "guide-in-workspace")


def test_no_guide_button_without_a_guide_and_the_project_editor(admin_page: Any, rest: Rest,
                                                                annotation_task: dict[str, Any]) -> None:
    page = admin_page
    Workspace(page).open(annotation_task["job"]["id"])
    assert page.locator("button.guide-button").count() == 0
    project = rest.call("POST", "/api/projects", {"name": "guided", "labels": [{"name": "car"}]})
    page.goto(f"/projects/{project['id']}")
    page.locator(".guide-section .guide-text").fill("Project rules")
    page.locator(".guide-section .guide-save").click()
    page.wait_for_selector(".guide-status:has-text('Saved.')")
    guide_id = rest.get(f"/api/projects/{project['id']}")["guide_id"]
    assert rest.get(f"/api/guides/{guide_id}")["markdown"] == "Project rules"
