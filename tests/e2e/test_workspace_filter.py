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


def test_filter_query_builder(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    """Two rules and an OR group built in the dialog filter the frame as the equivalent text does;
    a rule without a value is explained and cannot be submitted; the filter is then in the recent list."""
    page = admin_page
    job = annotation_task["job"]
    car, road = annotation_task["labels"]["car"], annotation_task["labels"]["road"]
    color = next(a for a in car["attributes"] if a["name"] == "color")
    shapes = [
        {"type": "rectangle", "frame": 0, "label_id": car["id"], "points": [10, 10, 60, 40],
         "attributes": [{"spec_id": color["id"], "value": "blue"}]},
        {"type": "rectangle", "frame": 0, "label_id": car["id"], "points": [100, 10, 120, 30], "occluded": True,
         "attributes": [{"spec_id": color["id"], "value": "red"}]},
        {"type": "rectangle", "frame": 0, "label_id": car["id"], "points": [150, 10, 190, 40],
         "attributes": [{"spec_id": color["id"], "value": "red"}]},
        {"type": "polygon", "frame": 0, "label_id": road["id"], "points": [0, 150, 300, 150, 300, 230, 0, 230]},
    ]
    track = {"frame": 0, "label_id": car["id"], "attributes": [{"spec_id": color["id"], "value": "blue"}],
             "shapes": [{"type": "rectangle", "frame": 0, "points": [200, 60, 260, 100]}]}
    created = rest.call("PATCH", f"/api/jobs/{job['id']}/annotations?action=create", {"shapes": shapes, "tracks": [track]})
    blue_car, occluded_car = created["shapes"][0]["id"], created["shapes"][1]["id"]
    ws = Workspace(page).open(job["id"])
    assert ws.rows().count() == 5

    page.click(".filter-builder")
    dialog = page.locator("dialog.filter-dialog")
    root = dialog.locator(".filter-group.root")
    # Rule 1: label equals car.
    root.locator(".add-rule").first.click()
    rule1 = root.locator(".filter-rule").nth(0)
    rule1.locator(".rule-value").select_option("car")
    # Rule 2: type equals shape.
    root.locator(":scope > .group-head .add-rule").click()
    rule2 = root.locator(":scope > .group-children > .filter-rule").nth(1)
    rule2.locator(".rule-property").select_option("type")
    rule2.locator(".rule-value").select_option("shape")
    # An OR group: the attribute "color" is blue, or occluded is true.
    root.locator(":scope > .group-head .add-group").click()
    group = root.locator(".filter-group.nested")
    group.locator(".group-join").select_option("or")
    first = group.locator(".filter-rule").nth(0)
    first.locator(".rule-property").select_option("attr")
    first.locator(".rule-attribute").select_option("color")
    assert first.locator(".rule-value option").all_inner_texts() == ["red", "green", "blue"]
    first.locator(".rule-value").select_option("blue")
    group.locator(".add-rule").click()
    second = group.locator(".filter-rule").nth(1)
    second.locator(".rule-property").select_option("occluded")
    assert second.locator(".rule-value").get_attribute("type") == "checkbox"
    second.locator(".rule-value").check()
    expected = 'label=="car" & type=="shape" & (attr.color=="blue" | occluded==true)'
    assert dialog.locator(".filter-text").inner_text() == expected
    # An invalid rule: a width with no value is explained and Submit is off until it is fixed or removed.
    root.locator(":scope > .group-head .add-rule").click()
    bad = root.locator(":scope > .group-children > .filter-rule").nth(2)
    bad.locator(".rule-property").select_option("width")
    bad.locator(".rule-operator").select_option(">")
    assert dialog.locator(".filter-problem").inner_text() == "Rule 5: Enter a value for width."
    assert dialog.locator(".filter-submit").is_disabled()
    bad.locator(".rule-value").fill("40")
    assert dialog.locator(".filter-text").inner_text() == expected + " & width>40"
    bad.locator(".remove-rule").click()
    assert dialog.locator(".filter-problem").inner_text() == ""
    shot(page, "workspace-filter-builder")
    dialog.locator(".filter-submit").click()
    assert dialog.count() == 0
    assert page.locator(".object-filter").input_value() == expected
    ws.next_frame()
    assert sorted(int(s) for s in ws.rows().evaluate_all("rows => rows.map((r) => r.dataset.sid)")) == sorted([blue_car, occluded_car])
    # The canvas shows the same: the red car that is not occluded is filtered out.
    ws.click(170, 25)
    assert page.locator(".card-empty").count() == 1
    ws.click(30, 25)
    assert ws.card().count() == 1
    # The text box and the dialog are one model: typing text and reopening the builder shows its rules.
    box = page.locator(".object-filter")
    box.fill('shape in ("polygon", "rectangle") & !(type=="track")')
    box.press("Enter")
    ws.next_frame()
    assert ws.rows().count() == 4
    page.click(".filter-builder")
    assert dialog.locator(".filter-text").inner_text() == 'shape in ("polygon", "rectangle") & !(type=="track")'
    assert dialog.locator(".filter-group.nested .group-not").is_checked()
    # The recent list keeps the applied filters, newest first.
    recent = dialog.locator(".filter-recent option").all_inner_texts()
    assert recent[1:3] == ['shape in ("polygon", "rectangle") & !(type=="track")', expected]
    dialog.locator(".filter-recent").select_option(expected)
    assert dialog.locator(".filter-text").inner_text() == expected
    dialog.locator(".filter-clear").click()
    ws.next_frame()
    assert box.input_value() == "" and ws.rows().count() == 5


def test_filter_builder_compares_two_properties(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    """CVAT's "field" values: a rule compares a property with another property of the same object."""
    page = admin_page
    job = annotation_task["job"]
    car = annotation_task["labels"]["car"]["id"]
    created = rest.call("PATCH", f"/api/jobs/{job['id']}/annotations?action=create", {"shapes": [
        {"type": "rectangle", "frame": 0, "label_id": car, "points": [10, 10, 70, 40]},  # wide
        {"type": "rectangle", "frame": 0, "label_id": car, "points": [100, 10, 120, 50]},  # tall
    ]})
    ws = Workspace(page).open(job["id"])
    page.click(".filter-builder")
    dialog = page.locator("dialog.filter-dialog")
    dialog.locator(".add-rule").click()
    rule = dialog.locator(".filter-rule")
    rule.locator(".rule-property").select_option("width")
    rule.locator(".rule-operator").select_option(">")
    rule.locator(".rule-source").select_option("field")
    assert rule.locator(".rule-value").count() == 0
    rule.locator(".rule-field").select_option("height")
    assert dialog.locator(".filter-text").inner_text() == "width>@height"
    dialog.locator(".filter-submit").click()
    ws.next_frame()
    assert ws.rows().evaluate_all("rows => rows.map((r) => Number(r.dataset.sid))") == [created["shapes"][0]["id"]]
    # The same rule typed, the other way round; reopened, the builder shows the field.
    box = page.locator(".object-filter")
    box.fill("width < @height")
    box.press("Enter")
    ws.next_frame()
    assert ws.rows().evaluate_all("rows => rows.map((r) => Number(r.dataset.sid))") == [created["shapes"][1]["id"]]
    page.click(".filter-builder")
    assert dialog.locator(".rule-source").input_value() == "field"
    assert dialog.locator(".rule-field").input_value() == "height"
    assert dialog.locator(".filter-text").inner_text() == "width<@height"
