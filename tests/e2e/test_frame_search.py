"""Frame search in the workspace, as in CVAT's player: the arrow keys go to the nearest frame with
objects that pass the filter, and a right click on the previous/next buttons makes them (and D, F)
step to frames with objects or to frames without annotations."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import shot
from tests.e2e.helpers import Workspace
from tests.support.rest import Rest


def _annotate(rest: Rest, task: dict[str, Any]) -> None:
    """Frames 0..4: a car on 1, a road on 3 and a car on 4; frames 0 and 2 are empty."""
    car, road = task["labels"]["car"], task["labels"]["road"]
    shapes = [
        {"type": "rectangle", "frame": 1, "label_id": car["id"], "points": [10, 10, 60, 40]},
        {"type": "polygon", "frame": 3, "label_id": road["id"], "points": [0, 150, 300, 150, 300, 230]},
        {"type": "rectangle", "frame": 4, "label_id": car["id"], "points": [20, 20, 90, 70]},
    ]
    rest.call("PATCH", f"/api/jobs/{task['job']['id']}/annotations?action=create", {"shapes": shapes})


def test_arrow_keys_search_frames_that_pass_the_filter(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    page = admin_page
    _annotate(rest, annotation_task)
    ws = Workspace(page).open(annotation_task["job"]["id"])
    page.keyboard.press("ArrowRight")
    assert ws.frame_number() == 1
    page.keyboard.press("ArrowRight")
    assert ws.frame_number() == 3
    page.keyboard.press("ArrowLeft")
    assert ws.frame_number() == 1
    box = page.locator(".object-filter")
    box.fill('label=="car"')
    box.press("Enter")
    box.blur()
    page.keyboard.press("ArrowRight")
    assert ws.frame_number() == 4, "the road on frame 3 does not pass the filter"
    # Nothing further: the frame stays and a message says why.
    page.keyboard.press("ArrowRight")
    assert ws.frame_number() == 4
    assert "No frame after 4 with objects that pass the filter" in page.locator(".toasts").inner_text()


def test_step_buttons_modes_chosen_with_a_right_click(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    page = admin_page
    _annotate(rest, annotation_task)
    ws = Workspace(page).open(annotation_task["job"]["id"])
    next_button = page.locator(".player-button[data-step]").nth(1)
    assert next_button.get_attribute("title").startswith("Next frame (F)")
    next_button.click(button="right")
    menu = page.locator(".step-menu")
    assert menu.is_visible()
    shot(page, "player-step-menu")
    menu.get_by_role("menuitemradio", name="Frames with objects").click()
    assert not menu.is_visible()
    assert next_button.get_attribute("data-step") == "objects"
    assert next_button.get_attribute("title").startswith("Next frame with objects (F)")
    next_button.click()
    assert ws.frame_number() == 1
    page.keyboard.press("f")  # the key follows the button
    assert ws.frame_number() == 3
    # Frames without annotations, backwards from the last frame.
    page.locator(".player-button[data-step]").first.click(button="right")
    assert menu.locator('[aria-checked="true"]').inner_text() == "Frames with objects (that pass the filter)"
    menu.get_by_role("menuitemradio", name="Frames without annotations").click()
    page.keyboard.press("End")
    page.keyboard.press("d")
    assert ws.frame_number() == 2
    page.keyboard.press("d")
    assert ws.frame_number() == 0
    # Escape closes the menu without choosing; the mode stays.
    next_button.click(button="right")
    page.keyboard.press("Escape")
    assert not menu.is_visible()
    assert next_button.get_attribute("data-step") == "empty"
