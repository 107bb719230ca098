"""Groups (G, Shift+G), colouring by group, and the appearance settings (opacity, outline,
image brightness) in Chromium; the settings are kept per user across page loads."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import shot
from tests.e2e.helpers import Workspace
from tests.support.rest import Rest


def _pixel(page: Any, ws: Workspace, x: float, y: float) -> list[int]:
    """The canvas's colour at image pixel (x, y), after the next redraw."""
    ws.next_frame()
    scale, vx, vy = ws.view
    return page.evaluate("""([sx, sy]) => {
        const canvas = document.querySelector("canvas.annotation-canvas");
        const dpr = canvas.width / canvas.clientWidth;
        return Array.from(canvas.getContext("2d").getImageData(Math.round(sx * dpr), Math.round(sy * dpr), 1, 1).data);
    }""", [vx + x * scale, vy + y * scale])


def _hex(color: str) -> list[int]:
    return [int(color[i:i + 2], 16) for i in (1, 3, 5)]


def _setting(page: Any, selector: str, value: str) -> None:
    page.locator(selector).evaluate("(e, v) => { e.value = v; e.dispatchEvent(new Event('input', {bubbles: true})); }", value)


def test_groups_colours_and_settings(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    page = admin_page
    job = annotation_task["job"]
    car = annotation_task["labels"]["car"]
    shapes = [{"type": "rectangle", "frame": 0, "label_id": car["id"], "points": p}
              for p in ([10, 10, 60, 60], [100, 40, 180, 100], [220, 150, 300, 230])]
    ids = [s["id"] for s in rest.call("PATCH", f"/api/jobs/{job['id']}/annotations?action=create", {"shapes": shapes})["shapes"]]
    ws = Workspace(page).open(job["id"])
    # G, click two objects, G: one new group.
    page.keyboard.press("g")
    assert "Grouping" in page.locator(".hint-text").inner_text()
    ws.click(30, 30)
    ws.click(140, 70)
    assert "Picked: 2" in page.locator(".hint-text").inner_text()
    page.keyboard.press("g")
    ws.save()
    groups = {s["id"]: s["group"] for s in rest.get(f"/api/jobs/{job['id']}/annotations")["shapes"]}
    assert groups[ids[0]] == groups[ids[1]] > 0 and groups[ids[2]] == 0
    group = groups[ids[0]]
    # Solid fills, coloured by group: both grouped boxes in the group's colour, the third in its label's.
    page.locator(".settings-menu summary").click()
    _setting(page, ".setting-Opacity", "100")
    page.locator(".setting-color-by").select_option("group")
    page.locator(".settings-menu summary").click()  # closed again
    expected = page.evaluate(f"async () => (await import('/static/ui/annotation/appearance.js')).paletteColor({group})")
    assert _pixel(page, ws, 35, 35)[:3] == _hex(expected)
    assert _pixel(page, ws, 150, 80)[:3] == _hex(expected)
    assert _pixel(page, ws, 260, 190)[:3] == _hex(car["color"])
    shot(page, "workspace-groups-coloured")
    # Shift+G takes the selected object out of its group; undo puts it back.
    ws.click(140, 70)
    page.keyboard.press("Shift+g")
    assert _pixel(page, ws, 150, 80)[:3] == _hex(car["color"])
    page.keyboard.press("Control+z")
    assert _pixel(page, ws, 150, 80)[:3] == _hex(expected)
    # Brightness 0 turns the image black (the shapes keep their colours).
    page.locator(".settings-menu summary").click()
    _setting(page, ".setting-Brightness", "0")
    page.locator(".settings-menu summary").click()
    assert _pixel(page, ws, 200, 20)[:3] == [0, 0, 0]
    assert _pixel(page, ws, 35, 35)[:3] == _hex(expected)
    # Kept for the user: a new page load has the same settings.
    ws.open(job["id"])
    assert page.locator(".setting-color-by").input_value() == "group"
    assert _pixel(page, ws, 200, 20)[:3] == [0, 0, 0]
    assert _pixel(page, ws, 35, 35)[:3] == _hex(expected)
    page.locator(".settings-menu summary").click()
    page.locator(".setting-reset-image").click()
    assert _pixel(page, ws, 200, 20)[:3] != [0, 0, 0]
