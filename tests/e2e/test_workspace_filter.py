"""The workspace's object filter in Chromium: only matching shapes and tracks are listed and
drawn, a filter that cannot be read is explained (and changes nothing), clearing shows all."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import shot
from tests.e2e.helpers import Workspace
from tests.support.rest import Rest


def test_object_filter(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    page = admin_page
    job = annotation_task["job"]
    car, road = annotation_task["labels"]["car"], annotation_task["labels"]["road"]
    color = next(a for a in car["attributes"] if a["name"] == "color")
    shapes = [
        {"type": "rectangle", "frame": 0, "label_id": car["id"], "points": [10, 10, 60, 40],
         "attributes": [{"spec_id": color["id"], "value": "blue"}]},
        {"type": "rectangle", "frame": 0, "label_id": car["id"], "points": [100, 10, 120, 30], "occluded": True},
        {"type": "polygon", "frame": 0, "label_id": road["id"], "points": [0, 150, 300, 150, 300, 230, 0, 230]},
    ]
    track = {"frame": 0, "label_id": car["id"], "shapes": [{"type": "rectangle", "frame": 0, "points": [200, 60, 260, 100]}]}
    rest.call("PATCH", f"/api/jobs/{job['id']}/annotations?action=create", {"shapes": shapes, "tracks": [track]})
    ws = Workspace(page).open(job["id"])
    assert ws.rows().count() == 4
    box = page.locator(".object-filter")

    def apply(text: str) -> list[str]:
        box.fill(text)
        box.press("Enter")
        ws.next_frame()
        return [" ".join(r.inner_text().split()[1:]) for r in ws.rows().all()]

    assert apply('label=="car" & type==shape') == ["car rectangle", "car rectangle ◌"]
    assert apply("attr.color==blue | shape==polygon") == ["car rectangle", "road polygon"]
    assert apply("type==track") == ["car rectangle track ◆"]
    # What is filtered out is not on the canvas either: clicking the polygon selects nothing.
    ws.click(150, 200)
    assert page.locator(".card-empty").count() == 1
    ws.click(230, 80)
    assert "track" in ws.card().locator(".card-title").inner_text()
    shot(page, "workspace-filter")
    # A filter that cannot be read says why and keeps the last one.
    assert apply("width>>3") == ["car rectangle track ◆"]
    assert page.locator(".filter-error").inner_text() == 'Expected a value at 7, found ">".'
    assert box.get_attribute("aria-invalid") == "true"
    assert len(apply("")) == 4 and page.locator(".filter-error").inner_text() == ""
    assert apply("width>40 & height<=30") == ["car rectangle"]
