"""The workspace bugs found when it was tried (issue 13 §8), each checked in Chromium."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest

from tests.e2e.helpers import Workspace
from tests.support.rest import Rest


def _points(rest: Rest, job_id: int) -> list[list[int]]:
    shapes = sorted(rest.get(f"/api/jobs/{job_id}/annotations")["shapes"], key=lambda s: s["id"])
    return [[round(v) for v in s["points"]] for s in shapes]


@pytest.mark.parametrize("tool", ["polygon", "polyline"])
def test_double_click_finishes_without_a_repeated_vertex(admin_page: Any, rest: Rest,
                                                         annotation_task: dict[str, Any], tool: str) -> None:
    job = annotation_task["job"]["id"]
    ws = Workspace(admin_page).open(job)
    ws.tool(tool)
    for point in [(20, 20), (120, 30), (130, 120)]:
        ws.click(*point)
    admin_page.mouse.dblclick(*ws.screen(40, 110))
    assert ws.rows().count() == 1
    ws.save()
    assert _points(rest, job) == [[20, 20, 120, 30, 130, 120, 40, 110]]


def _focused(page: Any) -> str:
    return page.evaluate("""() => {
        const el = document.activeElement;
        if (el?.matches('canvas.annotation-canvas')) return 'canvas';
        if (el?.closest('.toolbar')) return 'toolbar:' + (el.dataset.tool || el.className);
        return el ? el.tagName.toLowerCase() + '.' + el.className : 'none';
    }""")


def test_shortcuts_work_after_the_frame_slider(admin_page: Any, annotation_task: dict[str, Any]) -> None:
    ws = Workspace(admin_page).open(annotation_task["job"]["id"])
    slider = admin_page.locator(".frame-slider")
    box = slider.bounding_box()
    admin_page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)
    admin_page.wait_for_function("() => document.querySelector('.frame-number').value === '2'")
    assert admin_page.evaluate("() => document.activeElement.classList.contains('frame-slider')")
    admin_page.keyboard.press("f")
    admin_page.wait_for_function("() => document.querySelector('.frame-number').value === '3'")
    admin_page.keyboard.press("d")
    admin_page.keyboard.press("d")
    admin_page.wait_for_function("() => document.querySelector('.frame-number').value === '1'")
    assert ws.frame_number() == 1


def test_focus_can_leave_the_canvas_and_tab_keeps_selecting_objects(admin_page: Any,
                                                                    annotation_task: dict[str, Any]) -> None:
    page = admin_page
    ws = Workspace(page).open(annotation_task["job"]["id"])
    ws.draw_box("rectangle", (10, 10), (60, 60))
    ws.draw_box("rectangle", (100, 100), (150, 150))
    page.keyboard.press("Escape")  # leaves the drawing tool
    ws.click(250, 200)  # empty: unselects, the canvas has the focus
    assert _focused(page) == "canvas"
    # CVAT's key on the canvas: Tab selects the next object and keeps the focus there.
    page.keyboard.press("Tab")
    assert page.locator(".object-row.selected").count() == 1 and _focused(page) == "canvas"
    # F6 moves the focus to the toolbar, where Tab moves from button to button.
    page.keyboard.press("F6")
    first = _focused(page)
    assert first.startswith("toolbar:")
    page.keyboard.press("Tab")
    second = _focused(page)
    assert second.startswith("toolbar:") and second != first
    page.keyboard.press("Shift+Tab")
    assert _focused(page) == first
    # F6 goes back to the canvas.
    page.keyboard.press("F6")
    assert _focused(page) == "canvas"
    # Escape with nothing to cancel does the same as F6: unselect first, then leave the canvas.
    page.keyboard.press("Escape")
    assert page.locator(".object-row.selected").count() == 0 and _focused(page) == "canvas"
    page.keyboard.press("Escape")
    assert _focused(page).startswith("toolbar:")
    page.keyboard.press("Escape")
    assert _focused(page) == "canvas"


def _oklab(color: str) -> tuple[float, float, float]:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(int(color[i:i + 2], 16) / 255) for i in (1, 3, 5))
    lms = [math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b),
           math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b),
           math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b)]
    l_, m, s = lms
    return (0.2104542553 * l_ + 0.793617785 * m - 0.0040720468 * s,
            1.9779984951 * l_ - 2.428592205 * m + 0.4505937099 * s,
            0.0259040371 * l_ + 0.7827717662 * m - 0.808675766 * s)


def test_new_label_colours_do_not_collide(admin_page: Any) -> None:
    page = admin_page
    page.goto("/tasks/create")
    for _ in range(12):
        page.click("text=+ Label")
    colours = page.locator(".label-card input.color").evaluate_all("(inputs) => inputs.map((i) => i.value)")
    assert len(colours) == 12 and len(set(colours)) == 12
    nearest = min(math.dist(_oklab(a), _oklab(b)) for a, b in itertools.combinations(colours, 2))
    assert nearest >= 0.12, (nearest, colours)
    # A label whose colour the user set counts: the next new one keeps away from it.
    page.locator(".label-card input.color").first.evaluate(
        "(i) => { i.value = '#00ff00'; i.dispatchEvent(new Event('input', {bubbles: true}));"
        " i.dispatchEvent(new Event('change', {bubbles: true})); }")
    page.click("text=+ Label")
    last = page.locator(".label-card input.color").last.input_value()
    assert math.dist(_oklab(last), _oklab("#00ff00")) >= 0.12
