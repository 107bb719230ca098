"""Export, import and backup from the web UI, through the CVAT endpoints of the API guide §10.

These run once the server has dataset formats and their endpoints (the datasets app of the formats
work); on a server whose ``/api/server/annotation/formats`` lists none, they are skipped.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.helpers import Workspace
from tests.support.rest import Rest

CVAT_EXPORT = "CVAT for images 1.1"
CVAT_IMPORT = "CVAT 1.1"


@pytest.fixture
def formats(rest: Rest) -> dict[str, list[str]]:
    body = rest.get("/api/server/annotation/formats")
    names = {key: [f["name"] for f in body[key] if f["enabled"]] for key in ("importers", "exporters")}
    if CVAT_EXPORT not in names["exporters"] or CVAT_IMPORT not in names["importers"]:
        pytest.skip("this server lists no CVAT dataset format: the export/import/backup endpoints are not here yet")
    return names


@pytest.fixture
def annotated(rest: Rest, annotation_task: dict[str, Any]) -> dict[str, Any]:
    car = annotation_task["labels"]["car"]
    shapes = [{"type": "rectangle", "frame": f, "label_id": car["id"], "points": [10 + f, 10, 60, 50]} for f in range(3)]
    rest.call("PATCH", f"/api/jobs/{annotation_task['job']['id']}/annotations?action=create", {"shapes": shapes})
    return annotation_task


def _download(page: Any, click: Any, tmp_path: Path) -> Path:
    with page.expect_download(timeout=60_000) as info:
        click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    return target


def test_export_then_import_annotations(admin_page: Any, rest: Rest, annotated: dict[str, Any],
                                        formats: dict[str, list[str]], tmp_path: Path) -> None:
    page = admin_page
    task_id = annotated["id"]
    page.goto(f"/tasks/{task_id}")
    page.click("text=Export dataset")
    dialog = page.locator("dialog.export-dialog")
    dialog.locator("select.format-select").select_option(CVAT_EXPORT)
    dialog.locator("input[name=save_images]").check()
    archive = _download(page, lambda: dialog.locator("button:has-text('Export')").click(), tmp_path)
    shot(page, "dialog-export-done")
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
    assert any(n.endswith(".xml") for n in names) and sum(n.endswith(".png") or n.endswith(".jpg") for n in names) == 5
    page.keyboard.press("Escape")

    rest.call("DELETE", f"/api/tasks/{task_id}/annotations")
    assert rest.get(f"/api/tasks/{task_id}/annotations")["shapes"] == []
    page.click("text=Upload annotations")
    dialog = page.locator("dialog.import-dialog")
    dialog.locator("select.format-select").select_option(CVAT_IMPORT)
    dialog.locator(".file-input").set_input_files(str(archive))
    dialog.locator("button:has-text('Upload annotations')").click()
    page.wait_for_selector("text=The annotations were uploaded.", timeout=60_000)
    shapes = rest.get(f"/api/tasks/{task_id}/annotations")["shapes"]
    assert sorted(s["points"][0] for s in shapes) == [10, 11, 12]


def test_backup_and_restore(admin_page: Any, rest: Rest, annotated: dict[str, Any], formats: dict[str, list[str]],
                            tmp_path: Path) -> None:
    page = admin_page
    page.goto(f"/tasks/{annotated['id']}")
    backup = _download(page, lambda: page.click("text=Back up"), tmp_path)
    assert zipfile.is_zipfile(backup)
    page.keyboard.press("Escape")
    page.goto("/tasks")
    page.click("text=Create from backup")
    dialog = page.locator("dialog.restore-dialog")
    dialog.locator(".file-input").set_input_files(str(backup))
    dialog.locator("button:has-text('Create')").click()
    page.wait_for_url(re.compile(r".*/tasks/\d+$"), timeout=60_000)
    restored = int(page.url.rsplit("/", 1)[1])
    assert restored != annotated["id"]
    task = rest.get(f"/api/tasks/{restored}")
    assert task["size"] == 5
    assert len(rest.get(f"/api/tasks/{restored}/annotations")["shapes"]) == 3


def test_job_export_and_upload_from_the_workspace(admin_page: Any, rest: Rest, annotated: dict[str, Any],
                                                  formats: dict[str, list[str]], tmp_path: Path) -> None:
    page = admin_page
    job_id = annotated["job"]["id"]
    ws = Workspace(page).open(job_id)
    page.click("summary:has-text('Menu')")
    page.click("text=Export job dataset")
    dialog = page.locator("dialog.export-dialog")
    dialog.locator("select.format-select").select_option(CVAT_EXPORT)
    archive = _download(page, lambda: dialog.locator("button:has-text('Export')").click(), tmp_path)
    page.keyboard.press("Escape")
    rest.call("DELETE", f"/api/jobs/{job_id}/annotations")
    page.click("summary:has-text('Menu')")
    page.click("text=Upload annotations")
    dialog = page.locator("dialog.import-dialog")
    dialog.locator("select.format-select").select_option(CVAT_IMPORT)
    dialog.locator(".file-input").set_input_files(str(archive))
    dialog.locator("button:has-text('Upload annotations')").click()
    page.wait_for_selector("text=The annotations were uploaded.", timeout=60_000)
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.querySelectorAll('.object-row').length === 1")
    assert ws.rows().count() == 1  # frame 0's rectangle, read back from the server
