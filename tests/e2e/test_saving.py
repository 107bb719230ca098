"""Saving you can trust (issue 13 §7): a stale save is refused with 409 and nothing is lost; the
conflict dialog's Keep mine and Reload; autosave with a visible state."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import shot
from tests.e2e.helpers import Workspace
from tests.support.rest import Rest


def _boxes(rest: Rest, job_id: int) -> list[list[float]]:
    shapes = rest.get(f"/api/jobs/{job_id}/annotations")["shapes"]
    return sorted([round(v) for v in s["points"]] for s in shapes)


def _state(page: Any) -> str:
    return page.locator(".save-state").get_attribute("data-state")


def _save_into_conflict(page: Any) -> Any:
    page.keyboard.press("Control+s")
    dialog = page.locator("dialog.save-conflict-dialog")
    dialog.wait_for()
    assert _state(page) == "conflict" and page.locator(".save-state").inner_text() == "Conflict"
    return dialog


def test_stale_save_is_refused_and_nothing_is_lost(admin_page: Any, rest: Rest,
                                                    annotation_task: dict[str, Any]) -> None:
    job = annotation_task["job"]["id"]
    first = Workspace(admin_page).open(job)
    second_page = admin_page.context.new_page()
    second = Workspace(second_page).open(job)

    # Both load the empty job and draw; the first saves.
    first.draw_box("rectangle", (10, 10), (60, 60))
    second.draw_box("rectangle", (100, 100), (150, 150))
    first.save()
    assert _boxes(rest, job) == [[10, 10, 60, 60]]

    # The second's save names the version it loaded: refused, and the dialog says what conflicts.
    dialog = _save_into_conflict(second_page)
    assert "1 new" in dialog.locator(".conflict-here").inner_text()
    assert "1 object on the server that you have not seen" in dialog.locator(".conflict-there").inner_text()
    shot(second_page, "saving-conflict-dialog")
    assert _boxes(rest, job) == [[10, 10, 60, 60]]  # nothing written over the first's work
    # "Not now" keeps the unsaved work and the Conflict state.
    dialog.locator(".conflict-cancel").click()
    assert second.dirty and second.rows().count() == 1 and _state(second_page) == "conflict"

    # Keep mine, confirmed: the second's box is written, the first's stays, both show.
    dialog = _save_into_conflict(second_page)
    dialog.locator(".conflict-keep").click()
    second_page.locator("dialog[open] >> text=Keep mine").last.click()
    second_page.wait_for_function("() => document.querySelector('.save-state').dataset.state === 'saved'")
    assert _boxes(rest, job) == [[10, 10, 60, 60], [100, 100, 150, 150]]
    assert second.rows().count() == 2 and not second.dirty

    # The first, now stale, draws again: Reload drops its unsaved box and shows the server's two.
    first.draw_box("rectangle", (200, 20), (250, 70))
    dialog = _save_into_conflict(admin_page)
    dialog.locator(".conflict-reload").click()
    admin_page.wait_for_function("() => document.querySelector('.save-state').dataset.state === 'saved'")
    assert first.rows().count() == 2 and not first.dirty
    assert _boxes(rest, job) == [[10, 10, 60, 60], [100, 100, 150, 150]]

    # Both are at the server's version now: an ordinary save goes through.
    first.draw_box("rectangle", (200, 20), (250, 70))
    first.save()
    assert _state(admin_page) == "saved"
    assert _boxes(rest, job) == [[10, 10, 60, 60], [100, 100, 150, 150], [200, 20, 250, 70]]
    second_page.close()


def test_keep_mine_brings_back_an_object_deleted_on_the_server(admin_page: Any, rest: Rest,
                                                               annotation_task: dict[str, Any]) -> None:
    job = annotation_task["job"]["id"]
    label = annotation_task["labels"]["car"]["id"]
    box = {"type": "rectangle", "frame": 0, "label_id": label, "points": [10, 10, 60, 60]}
    rest.call("PATCH", f"/api/jobs/{job}/annotations?action=create", {"shapes": [box]})
    ws = Workspace(admin_page).open(job)
    ws.drag((35, 35), (45, 45))  # move it by 10
    assert ws.dirty
    rest.call("DELETE", f"/api/jobs/{job}/annotations")  # someone deletes everything meanwhile
    dialog = _save_into_conflict(admin_page)
    assert "it was deleted on the server" in dialog.locator(".conflict-gone-there").inner_text()
    dialog.locator(".conflict-keep").click()
    admin_page.locator("dialog[open] >> text=Keep mine").last.click()
    admin_page.wait_for_function("() => document.querySelector('.save-state').dataset.state === 'saved'")
    assert _boxes(rest, job) == [[20, 20, 70, 70]]


def test_autosave_saves_with_a_visible_state(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    job = annotation_task["job"]["id"]
    ws = Workspace(admin_page).open(job)
    assert _state(admin_page) == "saved" and ws.page.locator(".workspace").get_attribute("data-autosave") == "0"
    ws.draw_box("rectangle", (10, 10), (60, 60))
    assert _state(admin_page) == "unsaved"
    assert admin_page.locator(".save-state").inner_text() == "Unsaved changes · 1"
    admin_page.wait_for_timeout(1500)
    assert _state(admin_page) == "unsaved" and _boxes(rest, job) == []  # off by default

    admin_page.click(".settings-menu summary")
    admin_page.select_option(".setting-autosave", "5")
    admin_page.click(".settings-menu summary")
    admin_page.wait_for_function("() => document.querySelector('.save-state').dataset.state === 'saved'",
                                 timeout=12_000)
    assert _boxes(rest, job) == [[10, 10, 60, 60]]
    # The setting is kept for the user.
    ws.open(job)
    assert ws.page.locator(".workspace").get_attribute("data-autosave") == "5"
